"""OTTL paths and enums per context (contrib ``pkg/ottl/contexts/ottl{span,spanevent,metric,datapoint,log}``).

An evaluation row is the tuple ``(resource, scope, item, parent)`` of OTLP protobuf messages, where
``item`` is the span, span event, metric, data point or log record and ``parent`` the enclosing span
or metric (``None`` otherwise). Paths shared by every context: ``resource.attributes[…]``,
``resource.dropped_attributes_count``, ``instrumentation_scope.{name,version,attributes[…]}``,
``attributes[…]`` (``attributes`` alone is the whole map). A missing attribute is ``nil``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from otelray.collector.anyvalue import to_python

OttlContext = Literal["span", "spanevent", "metric", "datapoint", "log_record"]
Getter = Callable[[Any], Any]


class OttlError(ValueError):
    """A condition that cannot be parsed or compiled (raised at config time)."""


def _enum(prefix: str, names: Sequence[str]) -> dict[str, int]:
    return {f"{prefix}{name}": i for i, name in enumerate(names)}


_SEVERITY = ["UNSPECIFIED"] + [f"{level}{n}".rstrip("1") if n == 1 else f"{level}{n}"
                                for level in ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
                                for n in (1, 2, 3, 4)]
#: Enum symbols usable in conditions.
ENUMS: dict[str, int] = {
    **_enum("SPAN_KIND_", ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"]),
    **_enum("STATUS_CODE_", ["UNSET", "OK", "ERROR"]),
    **_enum("METRIC_DATA_TYPE_", ["NONE", "GAUGE", "SUM", "HISTOGRAM", "EXPONENTIAL_HISTOGRAM", "SUMMARY"]),
    **_enum("AGGREGATION_TEMPORALITY_", ["UNSPECIFIED", "DELTA", "CUMULATIVE"]),
    **_enum("SEVERITY_NUMBER_", _SEVERITY),
}
_METRIC_TYPES = {"gauge": 1, "sum": 2, "histogram": 3, "exponential_histogram": 4, "summary": 5}


def _map_getter(select: Callable[[Any], Any], keys: Sequence[str | int]) -> Getter:
    def get(row: Any) -> Any:
        kvs = select(row).attributes
        if not keys:
            return {kv.key: to_python(kv.value) for kv in kvs}
        first = keys[0]
        value: Any = None
        for kv in kvs:
            if kv.key == first:
                value = to_python(kv.value)
        for key in keys[1:]:
            if isinstance(value, dict) and isinstance(key, str):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
                value = value[key]
            else:
                return None
        return value
    return get


def _field(select: Callable[[Any], Any], name: str) -> Getter:
    return lambda row: getattr(select(row), name)


def _hex(select: Callable[[Any], Any], name: str) -> Getter:
    return lambda row: getattr(select(row), name).hex()


_ITEM: Callable[[Any], Any] = lambda row: row[2]  # noqa: E731
_PARENT: Callable[[Any], Any] = lambda row: row[3]  # noqa: E731

_SPAN_FIELDS = ("name", "kind", "trace_state", "start_time_unix_nano", "end_time_unix_nano",
                "dropped_attributes_count", "dropped_events_count", "dropped_links_count", "flags")
_LOG_FIELDS = ("severity_number", "severity_text", "time_unix_nano", "observed_time_unix_nano", "flags",
               "dropped_attributes_count", "event_name")
_DATAPOINT_FIELDS = ("start_time_unix_nano", "time_unix_nano", "count", "sum", "flags", "as_double", "as_int")


def _metric_type(metric: Any) -> int:
    return _METRIC_TYPES.get(metric.WhichOneof("data") or "", 0)


def _metric_paths(select: Callable[[Any], Any], name: str) -> Getter | None:
    if name in ("name", "description", "unit"):
        return _field(select, name)
    if name == "type":
        return lambda row: _metric_type(select(row))

    def data(row: Any) -> Any:
        metric = select(row)
        kind = metric.WhichOneof("data")
        return getattr(metric, kind) if kind else None
    if name == "aggregation_temporality":
        return lambda row: getattr(data(row), "aggregation_temporality", 0)
    if name == "is_monotonic":
        return lambda row: getattr(data(row), "is_monotonic", False)
    return None


def _item_path(context: OttlContext, names: Sequence[str], keys: Sequence[str | int]) -> Getter | None:  # noqa: C901
    head = names[0]
    if context == "span" and len(names) == 2 and head == "status":
        return (lambda row: row[2].status.code) if names[1] == "code" else (
            (lambda row: row[2].status.message) if names[1] == "message" else None)
    if len(names) == 2 and names[1] == "string" and head in ("trace_id", "span_id", "parent_span_id"):
        if context in ("span", "log_record"):
            return _hex(_ITEM, head)
        return None
    if len(names) != 1:
        if context in ("spanevent", "datapoint") and head in ("span", "metric") and len(names) == 2:
            inner = _item_path("span" if head == "span" else "metric", names[1:], keys)
            return (lambda row: inner((row[0], row[1], row[3], None))) if inner else None
        return None
    if context == "span" and head in _SPAN_FIELDS:
        return _field(_ITEM, head)
    if context == "spanevent" and head in ("name", "time_unix_nano", "dropped_attributes_count"):
        return _field(_ITEM, head)
    if context == "log_record":
        if head == "body":
            return lambda row: to_python(row[2].body)
        if head in _LOG_FIELDS:
            return _field(_ITEM, head)
    if context == "metric":
        return _metric_paths(_ITEM, head)
    if context == "datapoint":
        if head == "value_double":
            return lambda row: row[2].as_double
        if head == "value_int":
            return lambda row: row[2].as_int
        if head in _DATAPOINT_FIELDS:
            return lambda row: getattr(row[2], head, None)
    return None


def resolve_path(context: OttlContext, names: Sequence[str], keys: Sequence[str | int]) -> Getter:
    """The getter of a path in ``context``.

    Raises:
        ValueError: the path does not exist in that context.
    """
    shown = ".".join(names) + "".join(f"[{k!r}]" for k in keys)
    getter: Getter | None = None
    if names == ["attributes"] and context != "metric":
        getter = _map_getter(_ITEM, keys)
    elif names == ["resource", "attributes"]:
        getter = _map_getter(lambda row: row[0], keys)
    elif names == ["instrumentation_scope", "attributes"]:
        getter = _map_getter(lambda row: row[1], keys)
    elif not keys and names[0] == "resource" and names[1:] == ["dropped_attributes_count"]:
        getter = lambda row: row[0].dropped_attributes_count  # noqa: E731
    elif not keys and names[0] == "instrumentation_scope" and names[1:] in (["name"], ["version"]):
        attr = names[1]
        getter = lambda row: getattr(row[1], attr)  # noqa: E731
    elif not keys:
        getter = _item_path(context, names, keys)
    if getter is None:
        raise OttlError(f"path {shown!r} is not supported in the {context} context")
    return getter


__all__ = ["ENUMS", "Getter", "OttlContext", "OttlError", "resolve_path", "to_python"]
