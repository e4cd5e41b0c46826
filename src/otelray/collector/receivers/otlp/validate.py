"""Span checks behind OTLP partial success (OTLP spec "Partial Success").

A span whose trace id is not 16 bytes or is all zeros, or whose span id is not 8 bytes or is all
zeros, is invalid per the OTel trace spec. Upstream's decoder fails the whole request on a bad id
length; otelray instead removes only the invalid spans, forwards the rest, and reports
``partial_success.rejected_spans`` with the reason of the first rejection.
"""

from __future__ import annotations

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

_ZERO16 = bytes(16)
_ZERO8 = bytes(8)


def span_problem(trace_id: bytes, span_id: bytes) -> str | None:
    """Why a span with these ids is invalid, or ``None``."""
    if len(trace_id) != 16:
        return f"invalid trace id length {len(trace_id)} (must be 16 bytes)"
    if trace_id == _ZERO16:
        return "invalid trace id: all zeros"
    if len(span_id) != 8:
        return f"invalid span id length {len(span_id)} (must be 8 bytes)"
    if span_id == _ZERO8:
        return "invalid span id: all zeros"
    return None


def drop_invalid_spans(batch: ExportTraceServiceRequest) -> tuple[int, str]:
    """Remove invalid spans from ``batch`` in place; return how many and the first reason."""
    rejected, first = 0, ""
    for rs in batch.resource_spans:
        for ss in rs.scope_spans:
            bad = [i for i, span in enumerate(ss.spans) if span_problem(span.trace_id, span.span_id)]
            if not bad:
                continue
            if not first:
                span = ss.spans[bad[0]]
                first = f"span {span.span_id.hex() or '(empty)'}: {span_problem(span.trace_id, span.span_id)}"
            for i in reversed(bad):
                del ss.spans[i]
            rejected += len(bad)
    return rejected, first
