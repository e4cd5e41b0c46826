from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.xray.errors import InvalidIdError
from otelray.xray.ids import (
    check_trace_id_epoch,
    is_segment_id,
    is_trace_id,
    new_segment_id,
    new_trace_id,
    otel_to_trace_id,
    trace_id_epoch,
    trace_id_to_otel,
)


def test_new_trace_id_carries_the_epoch_and_is_well_formed():
    trace_id = new_trace_id(now=1_700_000_000.9)
    assert is_trace_id(trace_id)
    assert trace_id.startswith("1-6553f100-")
    assert trace_id_epoch(trace_id) == 1_700_000_000
    assert new_trace_id() != new_trace_id()


def test_new_segment_id_is_16_hex_and_random():
    ids = {new_segment_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(is_segment_id(i) and i == i.lower() for i in ids)


def test_w3c_example_converts_both_ways():
    otel = bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736")
    assert otel_to_trace_id(otel) == "1-4bf92f35-77b34da6a3ce929d0e0e4736"
    assert trace_id_to_otel("1-4bf92f35-77b34da6a3ce929d0e0e4736") == otel


@pytest.mark.parametrize(
    "bad", ["", "1-4bf92f35-77b34da6a3ce929d0e0e473", "2-4bf92f35-77b34da6a3ce929d0e0e4736", "1-4bf92f3577b34da6a3ce929d0e0e4736x", "1-zzzzzzzz-77b34da6a3ce929d0e0e4736"]
)
def test_malformed_trace_ids_are_rejected_with_the_value_named(bad):
    assert not is_trace_id(bad)
    with pytest.raises(InvalidIdError, match="invalid X-Ray trace id"):
        trace_id_to_otel(bad)


def test_all_zero_otel_trace_id_is_invalid():
    with pytest.raises(InvalidIdError):
        otel_to_trace_id(bytes(16))


def test_epoch_rule_28_days_back_5_minutes_ahead():
    now = 1_700_000_000
    check_trace_id_epoch(new_trace_id(now - 27 * 86400), now)
    check_trace_id_epoch(new_trace_id(now + 299), now)
    with pytest.raises(InvalidIdError, match="invalid xray traceid"):
        check_trace_id_epoch(new_trace_id(now - 29 * 86400), now)
    with pytest.raises(InvalidIdError):
        check_trace_id_epoch(new_trace_id(now + 301), now)


@settings(max_examples=500)
@given(st.binary(min_size=16, max_size=16).filter(any))
def test_otel_xray_round_trip(raw):
    assert trace_id_to_otel(otel_to_trace_id(raw)) == raw
