"""OTLP trace ids → X-Ray trace ids (contrib ``translator/segment.go`` ``convertToAmazonTraceID``).

``1-`` + hex of bytes 0–3 + ``-`` + hex of bytes 4–15. When timestamp validation is on (feature gate
``exporter.awsxray.skiptimestampvalidation`` off), the first four bytes must be an epoch no more than
28 days old and no more than 5 minutes ahead of ``now``, else the span fails with
``invalid xray traceid: <hex>``; with the gate on (the default since v0.84) any random OTel id passes
through unchanged, so spans from SDKs without the X-Ray id generator still arrive. Unlike the
exporter, a trace id that is not 16 bytes or is all zeros is refused (X-Ray would reject it anyway).
"""

from __future__ import annotations

from otelray.translate.to_xray.failure import SpanFailure
from otelray.xray.errors import InvalidIdError
from otelray.xray.ids import check_trace_id_epoch, otel_to_trace_id

_ZERO_SPAN_ID = bytes(8)


def make_trace_id(trace_id: bytes, *, skip_timestamp_validation: bool, now: float) -> str:
    """Convert 16 OTLP trace id bytes to ``1-xxxxxxxx-yyyy…``.

    Raises:
        SpanFailure: wrong length, all zeros, or (when validating) an epoch out of range.
    """
    try:
        xray_id = otel_to_trace_id(trace_id)
        if not skip_timestamp_validation:
            check_trace_id_epoch(xray_id, now)
    except InvalidIdError as exc:
        raise SpanFailure("invalid_trace_id", str(exc)) from exc
    return xray_id


def span_id_hex(span_id: bytes, what: str = "span id") -> str:
    """Hex of an 8-byte span id; ``""`` for an empty or all-zero parent.

    Raises:
        SpanFailure: an id of the wrong length.
    """
    if len(span_id) != 8:
        if not span_id:
            return ""
        raise SpanFailure("invalid_span_id", f"invalid {what} {span_id.hex()!r}: need 8 bytes")
    if span_id == _ZERO_SPAN_ID:
        return ""
    return span_id.hex()
