from __future__ import annotations

import pytest

from otelray.collector.component import ComponentID, Kind, Signal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("otlp", ComponentID("otlp")),
        ("otlp/2", ComponentID("otlp", "2")),
        ("batch/traces", ComponentID("batch", "traces")),
        ("  awsxray  /  custom ", ComponentID("awsxray", "custom")),
        ("a/名前", ComponentID("a", "名前")),
        ("x/a.b-c_d", ComponentID("x", "a.b-c_d")),
    ],
)
def test_valid_ids_parse_like_upstream(text, expected):
    assert ComponentID.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "id must not be empty"),
        ("   ", "id must not be empty"),
        ("/name", 'in "/name" id: the part before / should not be empty'),
        ("otlp/", 'in "otlp/" id: the part after / should not be empty'),
        ("otlp/ ", 'in "otlp/ " id: the part after / should not be empty'),
        ("1otlp", 'in "1otlp" id: invalid character(s) in type "1otlp"'),
        ("ot-lp", 'in "ot-lp" id: invalid character(s) in type "ot-lp"'),
        ("a" * 64, f'in "{"a" * 64}" id: invalid character(s) in type "{"a" * 64}"'),
        ("otlp/a b", 'in "a b" id: invalid character(s) in name "a b"'),
        ("otlp/a+b", 'in "a+b" id: invalid character(s) in name "a+b"'),
        ("otlp/a\tb", 'in "a\\tb" id: invalid character(s) in name "a\\tb"'),  # Go's %q escapes the tab
        ("otlp/" + "n" * 1025, f'in "{"n" * 1025}" id: name "{"n" * 1025}" is longer than 1024 characters (1025 characters)'),
    ],
)
def test_invalid_ids_are_rejected_with_upstream_messages(text, message):
    with pytest.raises(ValueError) as info:
        ComponentID.parse(text)
    assert str(info.value) == message


def test_id_round_trips_and_sorts():
    ids = [ComponentID.parse(t) for t in ("otlp/b", "otlp", "batch")]
    assert [str(i) for i in sorted(ids)] == ["batch", "otlp", "otlp/b"]
    assert str(ComponentID.parse("otlp/2")) == "otlp/2"


def test_kind_sections_and_signal_units():
    assert Kind.RECEIVER.section == "receivers"
    assert [s.item for s in Signal] == ["spans", "metric_points", "log_records"]
