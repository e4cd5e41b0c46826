"""A span's fields read once from its protobuf message.

Every access to a field of an upb-backed message builds a new Python object (a repeated field such as
``events`` costs as much as converting several attributes), and the block builders read the same
fields many times — twice over for a split local root. ``SpanView`` reads each field once; the block
builders take it wherever the exporter's functions take a ``ptrace.Span``.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

_ERROR = Status.STATUS_CODE_ERROR


class SpanView:
    """The fields of one ``Span`` the translation reads (attributes are converted separately)."""

    __slots__ = ("end_time_unix_nano", "events", "kind", "links", "name", "parent_span_id", "span_id",
                 "start_time_unix_nano", "status_error", "status_message", "trace_id")

    def __init__(self, span: Span) -> None:
        self.kind: int = span.kind
        self.name: str = span.name
        self.trace_id: bytes = span.trace_id
        self.span_id: bytes = span.span_id
        self.parent_span_id: bytes = span.parent_span_id
        self.start_time_unix_nano: int = span.start_time_unix_nano
        self.end_time_unix_nano: int = span.end_time_unix_nano
        events, links = span.events, span.links
        self.events: Sequence[Span.Event] = events if len(events) else ()
        self.links: Sequence[Span.Link] = links if len(links) else ()
        # Most spans carry no status: checking presence does not build a wrapper for the default.
        status = span.status if span.HasField("status") else None
        self.status_error: bool = status is not None and status.code == _ERROR
        self.status_message: str = status.message if status is not None and self.status_error else ""
