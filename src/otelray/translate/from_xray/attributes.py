"""Attribute maps for the X-Ray → OTLP direction, and their conversion to OTLP ``KeyValue`` lists.

Block modules write into a plain ``dict`` (``Attrs``); assigning an existing key replaces its value
in place, which is the upsert semantics of the collector's ``pcommon.Map.Put*`` that the awsxray
receiver relies on. Only at the end is the dict written into the protobuf message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

#: A value an attribute may hold here: scalars, or a list of strings.
AttrValue = str | bool | int | float | list[str]
Attrs = dict[str, AttrValue]


def put_str(attrs: Attrs, key: str, value: object) -> None:
    """Set ``key`` when ``value`` is a string (the receiver's ``addString`` on a non-nil pointer)."""
    if isinstance(value, str):
        attrs[key] = value


def put_bool(attrs: Attrs, key: str, value: object) -> None:
    """Set ``key`` when ``value`` is a boolean."""
    if type(value) is bool:
        attrs[key] = value


def put_int(attrs: Attrs, key: str, value: object) -> None:
    """Set ``key`` to an int when ``value`` is a JSON number (fractions truncated, as Go's ``int64(x)``)."""
    if type(value) in (int, float):
        attrs[key] = int(value)


def add_attributes(target: Any, attrs: Attrs) -> None:
    """Append ``attrs`` in insertion order to ``target``, a repeated ``KeyValue`` field.

    Filling messages in place is about three times faster than building ``AnyValue``/``KeyValue``
    objects and copying them in.
    """
    add = target.add
    for key, value in attrs.items():
        any_value = add(key=key).value
        if isinstance(value, str):
            any_value.string_value = value
        elif isinstance(value, bool):
            any_value.bool_value = value
        elif isinstance(value, int):
            any_value.int_value = value
        elif isinstance(value, float):
            any_value.double_value = value
        else:
            items = any_value.array_value.values
            for item in value:
                items.add().string_value = item


def go_json(value: Any) -> str:
    """Serialise decoded JSON the way Go's ``encoding/json.Marshal`` does for ``interface{}`` values.

    Object keys sorted, no spaces, every number a float64 (``3`` and ``3.0`` both print ``3``; the
    exponent form only below 1e-6 or from 1e21 on), and ``<``, ``>``, ``&``, U+2028, U+2029 escaped —
    so ``aws.xray.metadata.*`` strings equal what the awsxray receiver produces.
    """
    text = orjson.dumps(_go_numbers(value), option=orjson.OPT_SORT_KEYS).decode()
    if any(ch in text for ch in "<>&\u2028\u2029"):
        text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return text


def _go_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _go_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_go_numbers(item) for item in value]
    if type(value) in (int, float):
        return orjson.Fragment(go_float(float(value)))
    return value


def go_float(number: float) -> str:
    """Format a float64 as Go's ``encoding/json`` float encoder does (shortest digits)."""
    if number == 0:
        return "-0" if repr(number)[0] == "-" else "0"
    shortest = repr(number)
    magnitude = abs(number)
    if magnitude < 1e-6 or magnitude >= 1e21:
        # repr is already in exponent form here; Go writes e-7 where Python writes e-07
        mantissa, _, exponent = shortest.partition("e")
        if mantissa.endswith(".0"):
            mantissa = mantissa[:-2]
        if exponent.startswith("-0"):
            exponent = "-" + exponent[2:]
        return f"{mantissa}e{exponent}"
    text = format(Decimal(shortest), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
