"""Span links → segment ``links`` (contrib ``translator/span_links.go`` ``makeSpanLinks``).

Each link becomes ``{"trace_id", "id", "attributes"}`` with the trace id converted (and, when
timestamp validation is on, validated) like the span's own; a link that cannot be converted fails
the whole span, as upstream does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.to_xray.failure import SpanFailure
from otelray.translate.to_xray.trace_id import make_trace_id
from otelray.translate.to_xray.values import as_raw, attrs_of


def make_links(links: Sequence[Span.Link], *, skip_timestamp_validation: bool, now: float) -> list[dict[str, Any]]:
    """Convert a span's links (empty list when it has none).

    Raises:
        SpanFailure: a link with an invalid trace id or span id.
    """
    out: list[dict[str, Any]] = []
    for link in links:
        try:
            trace_id = make_trace_id(link.trace_id, skip_timestamp_validation=skip_timestamp_validation, now=now)
        except SpanFailure as exc:
            raise SpanFailure("invalid_link", f"span link: {exc.reason}") from exc
        if len(link.span_id) not in (0, 8):
            raise SpanFailure("invalid_link", f"span link: invalid span id {link.span_id.hex()!r}: need 8 bytes")
        item: dict[str, Any] = {"trace_id": trace_id, "id": link.span_id.hex()}
        if link.attributes:
            merged = attrs_of(link.attributes)
            item["attributes"] = {key: as_raw(merged[key]) for key in sorted(merged)}
        out.append(item)
    return out
