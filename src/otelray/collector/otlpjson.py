"""OTLP/JSON encoding (OTLP specification, "JSON Protobuf Encoding").

OTLP/JSON is protobuf's canonical JSON mapping with three differences handled here: trace and span
ids are hex strings (not base64), enum values may be integers, and receivers must ignore unknown
fields. Keys may be lowerCamelCase or the original snake_case (both accepted by ``json_format``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import orjson
from google.protobuf import json_format
from google.protobuf.message import Message

_ID_KEYS = frozenset({"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"})


def _walk(node: Any, convert: Callable[[str], str]) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _ID_KEYS and isinstance(value, str):
                node[key] = convert(value)
            elif isinstance(value, dict | list):
                _walk(value, convert)
    elif isinstance(node, list):
        for item in node:
            _walk(item, convert)
    return node


def _hex_to_b64(value: str) -> str:
    try:
        return base64.b64encode(bytes.fromhex(value)).decode()
    except ValueError as exc:
        raise ValueError(f"invalid hex id {value!r}: ids are hex strings in OTLP/JSON") from exc


def _b64_to_hex(value: str) -> str:
    return base64.b64decode(value).hex()


def decode(body: bytes, message: Message) -> Message:
    """Parse an OTLP/JSON body into ``message`` (an empty export request), returned for chaining.

    Raises:
        ValueError: invalid JSON, wrong field types or non-hex ids (message says which).
    """
    try:
        tree = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from exc
    if not isinstance(tree, dict):
        raise ValueError("invalid OTLP/JSON: the body must be a JSON object")
    try:
        json_format.ParseDict(_walk(tree, _hex_to_b64), message, ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise ValueError(f"invalid OTLP/JSON: {exc}") from exc
    return message


def to_dict(message: Message) -> dict[str, Any]:
    """The OTLP/JSON object of ``message`` (camelCase keys, hex ids)."""
    tree = json_format.MessageToDict(message, use_integers_for_enums=True)
    return _walk(tree, _b64_to_hex)  # type: ignore[no-any-return]


def encode(message: Message) -> bytes:
    """Serialize ``message`` as compact OTLP/JSON."""
    return orjson.dumps(to_dict(message))
