"""OTLP ``AnyValue`` to and from Python values (OTLP ``common.proto``, ``AnyValue`` oneof).

One place for the conversion the processors share: OTTL paths compare Python values, the attribute
actions and resource detection write Python values back as ``AnyValue``. An empty ``AnyValue`` is
``None`` (OTTL's ``nil``); arrays are lists and key-value lists are dicts.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue


def to_python(value: AnyValue) -> Any:
    """An OTLP ``AnyValue`` as a Python value (``None`` when empty)."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [to_python(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: to_python(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind)


def to_any_value(value: Any) -> AnyValue:
    """A Python scalar or list as an OTLP ``AnyValue`` (anything else as its string form)."""
    out = AnyValue()
    if isinstance(value, bool):
        out.bool_value = value
    elif isinstance(value, int):
        out.int_value = value
    elif isinstance(value, float):
        out.double_value = value
    elif isinstance(value, list | tuple):
        out.array_value.values.extend(to_any_value(v) for v in value)
    else:
        out.string_value = str(value)
    return out


__all__ = ["to_any_value", "to_python"]
