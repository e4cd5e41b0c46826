"""Semantic checks of request members, with errors that name the member (X-Ray API reference).

The router already checks request shapes against botocore's model; the configuration operations
check again here because they are also called directly (console, tests) and because some rules are
not in the model (Version must be 1, ``aws:`` tag prefix, 64-char matcher limits…). Timestamps are
accepted the ways real clients send them: epoch seconds (botocore), epoch milliseconds (the OTel
Java sampler serialises ``Date`` with Jackson defaults) and ISO-8601 strings; otelray answers with
epoch seconds as floats, as AWS does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar, cast

from otelray.service import pagination
from otelray.service.errors import InvalidRequestException
from otelray.service.routing import parse_timestamp

T = TypeVar("T")

#: longest NextToken accepted (GetGroups and ListResourcePolicies allow 100 characters)
MAX_TOKEN = 100


def string(
    params: dict[str, Any], name: str, *, required: bool = False, min_len: int = 0, max_len: int | None = None
) -> str | None:
    """A string member, or None when absent and not required."""
    value = params.get(name)
    if value is None:
        if required:
            raise InvalidRequestException(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise InvalidRequestException(f"{name} must be a string")
    if len(value) < min_len:
        raise InvalidRequestException(f"{name} must be at least {min_len} characters long")
    if max_len is not None and len(value) > max_len:
        raise InvalidRequestException(f"{name} must be at most {max_len} characters long")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidRequestException(f"{name} must not contain control characters")
    return value


def text(params: dict[str, Any], name: str, *, min_len: int = 0, max_len: int | None = None) -> str:
    """A required string member."""
    return cast(str, string(params, name, required=True, min_len=min_len, max_len=max_len))


def integer(
    params: dict[str, Any],
    name: str,
    *,
    required: bool = False,
    low: int | None = None,
    high: int | None = None,
) -> int | None:
    """An integer member within ``[low, high]``, or None when absent and not required."""
    value = params.get(name)
    if value is None:
        if required:
            raise InvalidRequestException(f"{name} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidRequestException(f"{name} must be an integer")
    _check_range(name, value, low, high)
    return int(value)


def number(
    params: dict[str, Any],
    name: str,
    *,
    required: bool = False,
    low: float | None = None,
    high: float | None = None,
) -> float | None:
    """A finite number member within ``[low, high]``, or None when absent and not required."""
    value = params.get(name)
    if value is None:
        if required:
            raise InvalidRequestException(f"{name} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidRequestException(f"{name} must be a number")
    _check_range(name, value, low, high)
    return float(value)


def boolean(params: dict[str, Any], name: str) -> bool | None:
    """A boolean member, or None when absent."""
    value = params.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise InvalidRequestException(f"{name} must be a boolean")


def struct(params: dict[str, Any], name: str, *, required: bool = False) -> dict[str, Any] | None:
    """A structure member, or None when absent and not required."""
    value = params.get(name)
    if value is None:
        if required:
            raise InvalidRequestException(f"{name} is required")
        return None
    if not isinstance(value, dict):
        raise InvalidRequestException(f"{name} must be a structure")
    return value


def items(
    params: dict[str, Any], name: str, *, required: bool = False, max_len: int | None = None
) -> list[Any]:
    """A list member (empty when absent and not required)."""
    value = params.get(name)
    if value is None:
        if required:
            raise InvalidRequestException(f"{name} is required")
        return []
    if not isinstance(value, list):
        raise InvalidRequestException(f"{name} must be a list")
    if max_len is not None and len(value) > max_len:
        raise InvalidRequestException(f"{name} must have at most {max_len} members")
    return value


def timestamp(value: object, name: str) -> float:
    """Epoch seconds from epoch seconds, epoch milliseconds or an ISO-8601 string (the router's rule)."""
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise InvalidRequestException(f"{name} is not a valid timestamp: {exc}") from None


def _check_range(name: str, value: float, low: float | None, high: float | None) -> None:
    if low is not None and value < low:
        raise InvalidRequestException(f"{name} must be at least {low}")
    if high is not None and value > high:
        raise InvalidRequestException(f"{name} must be at most {high}")


def page(entries: Sequence[T], token: object, size: int, request: str) -> tuple[list[T], str | None]:
    """One page of ``entries`` starting where ``token`` says, and the next page's token.

    ``request`` names what is being listed (operation, resource); a token is only valid for the
    same ``request`` (``otelray.service.pagination``).

    Raises:
        InvalidRequestException: the token was not issued by this service for this request.
    """
    owner = pagination.fingerprint(request)
    start = 0
    if token is not None and token != "":
        if not isinstance(token, str) or len(token) > MAX_TOKEN:
            raise InvalidRequestException("NextToken is not a token issued by this service")
        position = pagination.decode(token, owner)
        if len(position) != 1 or not isinstance(position[0], int) or position[0] < 0:
            raise InvalidRequestException("NextToken is not a token issued by this service")
        start = position[0]
    chunk = list(entries[start : start + size])
    end = start + len(chunk)
    return chunk, (pagination.encode([end], owner) if end < len(entries) else None)
