"""Helpers for the OTLP → X-Ray golden cases in tests/fixtures/translate/to_xray/<case>/."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span, Status

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "translate" / "to_xray"
_ID_KEYS = frozenset({"traceId", "spanId", "parentSpanId"})


def _hex_ids_to_base64(node: Any) -> Any:
    """OTLP/JSON writes ids as hex; protobuf's JSON mapping expects base64 for bytes."""
    if isinstance(node, dict):
        return {
            key: base64.b64encode(bytes.fromhex(value)).decode() if key in _ID_KEYS and isinstance(value, str)
            else _hex_ids_to_base64(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_hex_ids_to_base64(item) for item in node]
    return node


def parse_otlp_json(text: str) -> ExportTraceServiceRequest:
    """Parse an OTLP/JSON trace export request."""
    return json_format.Parse(json.dumps(_hex_ids_to_base64(json.loads(text))), ExportTraceServiceRequest())


def counter_ids() -> Callable[[], str]:
    """Deterministic fresh ids: 0000000000000001, 0000000000000002, …"""
    state = {"n": 0}

    def new_id() -> str:
        state["n"] += 1
        return f"{state['n']:016x}"

    return new_id


def cases() -> Iterator[Path]:
    """Every golden case folder."""
    return iter(sorted(path for path in FIXTURES.iterdir() if (path / "spans.otlp.json").is_file()))


def any_value(value: Any) -> AnyValue:
    """A Python value as an OTLP ``AnyValue`` (tuple/list → array, dict → key/value list)."""
    if isinstance(value, AnyValue):
        return value
    if value is None:
        return AnyValue()
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, bytes):
        return AnyValue(bytes_value=value)
    if isinstance(value, list | tuple):
        return AnyValue(array_value=ArrayValue(values=[any_value(item) for item in value]))
    if isinstance(value, dict):
        return AnyValue(kvlist_value=KeyValueList(values=key_values(value)))
    return AnyValue(string_value=str(value))


def key_values(attrs: dict[str, Any]) -> list[KeyValue]:
    """A dict as repeated ``KeyValue``."""
    return [KeyValue(key=key, value=any_value(value)) for key, value in attrs.items()]


TRACE_ID = bytes.fromhex("6553f1003fd5b1e8c0b1a2d3e4f50617")
START_NS = 1_700_000_000_123_456_789


def make_span(attrs: dict[str, Any] | None = None, *, kind: int = Span.SPAN_KIND_SERVER, parent: str = "",
              name: str = "span-name", span_id: str = "0102030405060708", trace_id: bytes = TRACE_ID,
              status: int = Status.STATUS_CODE_UNSET, message: str = "") -> Span:
    """A span with the given attributes (ids in hex)."""
    span = Span(trace_id=trace_id, span_id=bytes.fromhex(span_id), parent_span_id=bytes.fromhex(parent), name=name,
                kind=kind, start_time_unix_nano=START_NS, end_time_unix_nano=START_NS + 25_000_000,
                attributes=key_values(attrs or {}))
    span.status.code = status
    span.status.message = message
    return span


def request_of(spans: list[Span], resource: dict[str, Any] | None = None) -> list[ResourceSpans]:
    """One ``ResourceSpans`` holding ``spans``."""
    rs = ResourceSpans(resource=Resource(attributes=key_values(resource or {})))
    rs.scope_spans.add().spans.extend(spans)
    return [rs]
