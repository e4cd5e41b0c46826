"""OTLP attribute values read the way the collector's ``pcommon.Value`` reads them.

The awsxray exporter's rules are written against pdata accessors, and their quirks are part of the
output: ``Str()`` is ``""`` for a non-string value, ``Int()`` is ``0`` for a non-int value,
``AsString()`` renders any value as text, and ``AsRaw()`` gives the JSON-ready value (bytes as
base64, maps and lists recursively, an empty value as ``None``). Doubles are pre-rendered with Go's
``encoding/json`` float format (see ``jsonenc``) so documents match the exporter byte for byte.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from otelray.translate.to_xray.jsonenc import encode_value, go_float, go_float_fragment

#: Span or resource attributes by key, in wire order. OTel requires unique keys; on a duplicate the
#: later value wins here (pdata's ``Get`` would return the first).
Attrs = dict[str, AnyValue]


def attrs_of(key_values: Iterable[KeyValue]) -> Attrs:
    """Index a repeated ``KeyValue`` field by key."""
    return {kv.key: kv.value for kv in key_values}


def as_str(value: AnyValue) -> str:
    """pdata ``Value.Str()``: the string, or ``""`` when the value is not a string."""
    return value.string_value if value.WhichOneof("value") == "string_value" else ""


def as_int(value: AnyValue) -> int:
    """pdata ``Value.Int()``: the integer, or ``0`` when the value is not an int."""
    return value.int_value if value.WhichOneof("value") == "int_value" else 0


def as_string(value: AnyValue) -> str:
    """pdata ``Value.AsString()``: any value rendered as text (maps and lists as JSON)."""
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "int_value":
        return str(value.int_value)
    if kind == "bool_value":
        return "true" if value.bool_value else "false"
    if kind == "double_value":
        return go_float(value.double_value, strict=False)
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode("ascii")
    if kind in ("array_value", "kvlist_value"):
        return encode_value(as_raw(value))
    return ""


def as_raw(value: AnyValue) -> Any:
    """pdata ``Value.AsRaw()`` ready for JSON: ``None`` for an empty value, map keys sorted."""
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "int_value":
        return value.int_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "double_value":
        return go_float_fragment(value.double_value)
    if kind == "array_value":
        return [as_raw(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        merged = {kv.key: kv.value for kv in value.kvlist_value.values}
        return {key: as_raw(merged[key]) for key in sorted(merged)}
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode("ascii")
    return None


def annotation_value(value: AnyValue) -> Any:
    """The annotation form of a scalar value (string, int, double, bool), else ``None``."""
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "int_value":
        return value.int_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "double_value":
        return go_float_fragment(value.double_value)
    return None
