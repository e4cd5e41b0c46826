"""OTLP attribute values as plain Python values, read the way the collector's ``pcommon.Value`` reads them.

Attributes are converted once per span into native values — ``str``, ``bool``, ``int``, ``float``,
``bytes``, ``tuple`` (array), ``dict`` (key/value list) or ``None`` (empty) — so the block builders
never touch protobuf wrappers again. The accessors keep pdata's quirks, which shape the output:
``Str()`` is ``""`` for a non-string, ``Int()`` is ``0`` for a non-int (a bool is not an int),
``AsString()`` renders any value as text and ``AsRaw()`` gives the JSON value (bytes as base64, map
keys sorted, doubles pre-rendered in Go's float format, see ``jsonenc``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from otelray.translate.to_xray.jsonenc import encode_value, go_float, go_float_fragment

#: Span or resource attributes by key, in wire order. OTel requires unique keys; on a duplicate the
#: later value wins here (pdata's ``Get`` would return the first).
Attrs = dict[str, Any]

_SCALARS = frozenset({"string_value", "int_value", "double_value", "bool_value", "bytes_value"})


def native(value: AnyValue) -> Any:
    """One ``AnyValue`` as a plain value (arrays as tuples, key/value lists as dicts)."""
    kind = value.WhichOneof("value")
    if kind in _SCALARS:
        return getattr(value, kind)
    if kind == "array_value":  # mostly strings: one read each, the rest converted in full (slice: see attrs_of)
        return tuple([item.string_value or native(item) for item in value.array_value.values[:]])
    if kind == "kvlist_value":
        return {kv.key: native(kv.value) for kv in value.kvlist_value.values}
    return None  # empty, or a dictionary-encoded value the collector does not know


def attrs_of(key_values: Iterable[KeyValue]) -> Attrs:
    """Index a repeated ``KeyValue`` field by key, values converted with :func:`native`.

    Iterating a upb repeated field ends by raising (and formatting) an ``IndexError``; callers on a
    hot path pass a slice (``span.attributes[:]``, a plain list) instead.
    """
    out: Attrs = {}
    for kv in key_values:
        value = kv.value
        text = value.string_value  # most attributes are non-empty strings: one read instead of two
        if text:
            out[kv.key] = text
            continue
        kind = value.WhichOneof("value")
        out[kv.key] = getattr(value, kind) if kind in _SCALARS else native(value)
    return out


def as_str(value: Any) -> str:
    """pdata ``Value.Str()``: the string, or ``""`` when the value is not a string."""
    return value if type(value) is str else ""


def as_int(value: Any) -> int:
    """pdata ``Value.Int()``: the integer, or ``0`` when the value is not an int."""
    return value if type(value) is int else 0


def as_string(value: Any) -> str:
    """pdata ``Value.AsString()``: any value rendered as text (maps and lists as JSON)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return go_float(value, strict=False)
    if kind is bytes:
        return base64.b64encode(value).decode("ascii")
    if value is None:
        return ""
    return encode_value(as_raw(value))


def as_raw(value: Any) -> Any:
    """pdata ``Value.AsRaw()`` ready for JSON: ``None`` for an empty value, map keys sorted."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return go_float_fragment(value)
    if kind is bytes:
        return base64.b64encode(value).decode("ascii")
    if kind is tuple:
        return [as_raw(item) for item in value]
    return {key: as_raw(value[key]) for key in sorted(value)}


def annotation_value(value: Any) -> Any:
    """The annotation form of a scalar value (string, int, double, bool), else ``None``."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is float:
        return go_float_fragment(value)
    return None
