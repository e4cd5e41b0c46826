from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.xray.errors import TraceHeaderError
from otelray.xray.header import TraceHeader


def test_full_header_parses_and_round_trips():
    value = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1"
    header = TraceHeader.parse(value)
    assert header.root == "1-5759e988-bd862e3fe1be46a994272793"
    assert header.parent == "53995c3f42cd8ad8"
    assert header.sampled is True
    assert header.extra == (("Lineage", "a87bd80c:1"),)
    assert str(header) == value


def test_alb_header_with_only_root_and_deferred_sampling():
    header = TraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?")
    assert header.parent is None and header.sampled is None and header.requested
    assert str(header) == "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Root=abc", "not an X-Ray trace id"),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=xyz", "16-hex-digit"),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=yes", "must be 1, 0 or ?"),
        ("Root", "not Key=Value"),
    ],
)
def test_bad_headers_name_the_bad_part(value, message):
    with pytest.raises(TraceHeaderError, match=message):
        TraceHeader.parse(value)


@settings(max_examples=500)
@given(st.text(max_size=300))
def test_parser_never_fails_other_than_with_trace_header_error(text):
    try:
        TraceHeader.parse(text)
    except TraceHeaderError:
        pass
