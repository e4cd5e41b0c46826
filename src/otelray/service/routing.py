"""X-Ray operation routing and request validation, driven by botocore's ``xray`` service model.

Every X-Ray operation is ``POST /<requestUri>`` with a JSON body (rest-json protocol, botocore
``service-2.json``); ``otelray.xray.model`` maps a path to exactly the operation botocore would call. Requests are checked against the operation's input shape the way the
service's validation layer does: required members, JSON types, ``min``/``max`` on lengths and values,
``enum`` and ``pattern``. Every failure is reported in AWS's wording (``1 validation error detected:
Value … at '…' failed to satisfy constraint: …``) naming the member path.

Timestamps are read as epoch seconds (what botocore sends), epoch milliseconds (what the OTel Java
sampler sends) or ISO-8601 strings, and handed to the operations as float epoch seconds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from botocore.model import OperationModel, Shape

from otelray.service.errors import InvalidRequestException, UnknownOperationException
from otelray.xray.model import operation_by_path

#: Epoch values above this are taken as milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 1e11


@dataclass(frozen=True, slots=True)
class Route:
    """One X-Ray operation: its name and botocore operation model."""

    name: str
    model: OperationModel


def route_for(method: str, path: str) -> Route:
    """Return the operation served at ``method path``; raise ``UnknownOperationException`` otherwise."""
    model = operation_by_path(path, method)
    if model is not None:
        return Route(name=model.name, model=model)
    other = operation_by_path(path, "POST")
    if other is not None:
        raise UnknownOperationException(f"{other.name} must be called with POST, not {method}")
    raise UnknownOperationException(f"{path} is not an X-Ray API path (see botocore's xray service model)")


def validate_input(route: Route, params: object) -> dict[str, Any]:
    """Check ``params`` against the operation's input shape and return a normalised copy.

    Raises:
        InvalidRequestException: naming every member that breaks a constraint.
    """
    shape = route.model.input_shape
    if params is None:
        params = {}
    if shape is None:
        if params not in ({}, None):
            raise InvalidRequestException(f"{route.name} takes no input members")
        return {}
    errors: list[str] = []
    value = _check(shape, params, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise InvalidRequestException(f"{count} validation {noun} detected: " + "; ".join(errors))
    return value if isinstance(value, dict) else {}


def _fail(errors: list[str], value: object, path: str, constraint: str) -> None:
    shown = "null" if value is None else repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if isinstance(shown, str) and len(shown) > 100:
        shown = shown[:97] + "..."
    errors.append(f"Value {shown} at '{path or '$'}' failed to satisfy constraint: {constraint}")


def _check(shape: Shape, value: object, path: str, errors: list[str]) -> Any:
    checker = _CHECKERS.get(shape.type_name)
    if checker is None:  # a model type this validator does not know: pass the value through
        return value
    return checker(shape, value, path, errors)


def _check_structure(shape: Shape, value: object, path: str, errors: list[str]) -> Any:
    if not isinstance(value, dict):
        _fail(errors, value, path, "Member must be a JSON object")
        return None
    out: dict[str, Any] = {}
    members = shape.members  # type: ignore[attr-defined]
    for name in shape.required_members:  # type: ignore[attr-defined]
        if value.get(name) is None:
            _fail(errors, None, _join(path, name), "Member must not be null")
    for name, member_value in value.items():
        member = members.get(name)
        if member is None or member_value is None:
            continue  # unknown members are ignored, as the service does
        out[name] = _check(member, member_value, _join(path, name), errors)
    return out


def _check_list(shape: Shape, value: object, path: str, errors: list[str]) -> Any:
    if not isinstance(value, list):
        _fail(errors, value, path, "Member must be a list")
        return None
    _check_range(shape, len(value), value, path, errors, "have length")
    member = shape.member  # type: ignore[attr-defined]
    return [_check(member, item, f"{path}.{i + 1}", errors) for i, item in enumerate(value)]


def _check_map(shape: Shape, value: object, path: str, errors: list[str]) -> Any:
    if not isinstance(value, dict):
        _fail(errors, value, path, "Member must be a map")
        return None
    _check_range(shape, len(value), value, path, errors, "have length")
    key_shape, value_shape = shape.key, shape.value  # type: ignore[attr-defined]
    out: dict[Any, Any] = {}
    for key, item in value.items():
        checked_key = _check(key_shape, key, f"{path}.key", errors)
        out[checked_key] = _check(value_shape, item, f"{path}.{key}", errors)
    return out


def _check_string(shape: Shape, value: object, path: str, errors: list[str]) -> Any:
    if not isinstance(value, str):
        _fail(errors, value, path, "Member must be a string")
        return None
    _check_range(shape, len(value), value, path, errors, "have length")
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        _fail(errors, value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
    pattern = _pattern(shape.metadata.get("pattern"))
    if pattern is not None and not pattern.fullmatch(value):
        _fail(errors, value, path, f"Member must satisfy regular expression pattern: {pattern.pattern}")
    return value


def _check_integer(shape: Shape, value: object, path: str, errors: list[str]) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
        isinstance(value, float) and not value.is_integer()
    ):
        _fail(errors, value, path, "Member must be an integer")
        return None
    _check_range(shape, value, value, path, errors, "have value")
    return int(value)


def _check_double(shape: Shape, value: object, path: str, errors: list[str]) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(errors, value, path, "Member must be a number")
        return None
    _check_range(shape, value, value, path, errors, "have value")
    return float(value)


def _check_boolean(shape: Shape, value: object, path: str, errors: list[str]) -> Any:
    if not isinstance(value, bool):
        _fail(errors, value, path, "Member must be a boolean")
        return None
    return value


def _check_timestamp(shape: Shape, value: object, path: str, errors: list[str]) -> Any:
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        _fail(errors, value, path, f"Member must be a timestamp ({exc})")
        return None


def parse_timestamp(value: object) -> float:
    """Epoch seconds from epoch seconds, epoch milliseconds or an ISO-8601 string; ``ValueError`` otherwise."""
    if isinstance(value, bool):
        raise ValueError("epoch seconds, epoch milliseconds or ISO-8601 expected")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = float(value)
        except ValueError:
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError("epoch seconds, epoch milliseconds or ISO-8601 expected") from None
            seconds = parsed.timestamp()
    else:
        raise ValueError("epoch seconds, epoch milliseconds or ISO-8601 expected")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError("must be a non-negative finite time")
    return seconds / 1000.0 if seconds > _MS_THRESHOLD else seconds


def _check_range(shape: Shape, size: float, value: object, path: str, errors: list[str], what: str) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        _fail(errors, value, path, f"Member must {what} greater than or equal to {low}")
    if high is not None and size > high:
        _fail(errors, value, path, f"Member must {what} less than or equal to {high}")


@lru_cache(maxsize=64)
def _pattern(text: str | None) -> re.Pattern[str] | None:
    if not text:
        return None
    try:
        return re.compile(text)
    except re.error:  # a Java-only construct: the service enforces it, otelray cannot
        return None


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_CHECKERS = {
    "structure": _check_structure,
    "list": _check_list,
    "map": _check_map,
    "string": _check_string,
    "integer": _check_integer,
    "long": _check_integer,
    "double": _check_double,
    "float": _check_double,
    "boolean": _check_boolean,
    "timestamp": _check_timestamp,
}
