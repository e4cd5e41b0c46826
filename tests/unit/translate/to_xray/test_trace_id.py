"""Trace id conversion and the exporter's optional epoch validation."""

from __future__ import annotations

import pytest

from otelray.translate.to_xray.failure import SpanFailure
from otelray.translate.to_xray.trace_id import make_trace_id, span_id_hex

NOW = 1_700_000_000.0
XRAY = bytes.fromhex("6553f1003fd5b1e8c0b1a2d3e4f50617")  # epoch 0x6553f100 == NOW


def test_w3c_example_converts_when_validation_is_skipped() -> None:
    trace_id = bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736")
    assert make_trace_id(trace_id, skip_timestamp_validation=True, now=NOW) == "1-4bf92f35-77b34da6a3ce929d0e0e4736"
    with pytest.raises(SpanFailure, match="invalid xray traceid: 4bf92f3577b34da6a3ce929d0e0e4736") as info:
        make_trace_id(trace_id, skip_timestamp_validation=False, now=NOW)
    assert info.value.code == "invalid_trace_id"


@pytest.mark.parametrize(("now", "ok"), [
    (NOW, True), (NOW + 28 * 86400, True), (NOW + 28 * 86400 + 1, False), (NOW - 300, True), (NOW - 301, False),
])
def test_epoch_window(now: float, ok: bool) -> None:
    if ok:
        assert make_trace_id(XRAY, skip_timestamp_validation=False, now=now) == "1-6553f100-3fd5b1e8c0b1a2d3e4f50617"
    else:
        with pytest.raises(SpanFailure):
            make_trace_id(XRAY, skip_timestamp_validation=False, now=now)


@pytest.mark.parametrize("trace_id", [b"", b"\x00" * 16, b"\x01" * 15])
def test_malformed_trace_ids_fail(trace_id: bytes) -> None:
    with pytest.raises(SpanFailure):
        make_trace_id(trace_id, skip_timestamp_validation=True, now=NOW)


def test_span_ids() -> None:
    assert span_id_hex(bytes.fromhex("00f067aa0ba902b7")) == "00f067aa0ba902b7"
    assert span_id_hex(b"") == "" and span_id_hex(b"\x00" * 8) == ""
    with pytest.raises(SpanFailure):
        span_id_hex(b"\x01" * 7)
