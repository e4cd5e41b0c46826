"""Opaque ``NextToken`` values for the paginated X-Ray operations (botocore ``paginators-1.json``).

A token carries the position where the next page starts and a fingerprint of the request it came
from; passing it with a different request (other time range, filter or trace ids) is an
``InvalidRequestException``, as is a token otelray did not issue.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

import orjson

from otelray.service.errors import InvalidRequestException

_VERSION = 1


def fingerprint(*parts: Any) -> str:
    """A short digest of the request members that must stay the same across pages."""
    return hashlib.blake2b(orjson.dumps(parts, option=orjson.OPT_NON_STR_KEYS), digest_size=8).hexdigest()


def encode(position: list[Any], request: str) -> str:
    """Make a token for ``position`` (JSON-serialisable) of the request with fingerprint ``request``."""
    return base64.urlsafe_b64encode(orjson.dumps([_VERSION, request, position])).decode().rstrip("=")


def decode(token: str, request: str) -> list[Any]:
    """Return the position held by ``token``; raise ``InvalidRequestException`` if it does not fit."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, owner, position = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidRequestException("NextToken is not a token issued by this service") from None
    if version != _VERSION or not isinstance(position, list):
        raise InvalidRequestException("NextToken is not a token issued by this service")
    if owner != request:
        raise InvalidRequestException("NextToken belongs to a different request (the other members must not change)")
    return position
