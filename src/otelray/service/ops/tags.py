"""TagResource, UntagResource and ListTagsForResource on sampling rules and groups.

Rules from the X-Ray API reference (``Tag``, ``TagResource``): only groups and sampling rules are
taggable; at most 50 user tags per resource; keys 1–128 and values 0–256 characters of Unicode
letters, numbers, separators and ``+ - = . _ : / @``; keys and values are case-sensitive; the
``aws:`` prefix is reserved (cannot be added or removed). Too many tags → ``TooManyTagsException``,
an ARN that names no rule or group → ``ResourceNotFoundException``.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from typing import TYPE_CHECKING, Any

from otelray.service.errors import InvalidRequestException, ResourceNotFoundException, TooManyTagsException
from otelray.service.ops import _params

if TYPE_CHECKING:
    from otelray.service.config_store import ConfigState

MAX_TAGS = 50
#: longest Tags list a request may carry (the model's TagList maximum)
MAX_REQUEST_TAGS = 200
MAX_KEY = 128
MAX_VALUE = 256
_EXTRA_CHARS = frozenset("+-=._:/@")
#: tags per ListTagsForResource page
PAGE_SIZE = 25


def parse_tags(raw: object, name: str = "Tags") -> dict[str, str]:
    """Validate a request's ``[{Key, Value}]`` list into a dict (the last duplicate key wins)."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise InvalidRequestException(f"{name} must be a list")
    if len(raw) > MAX_REQUEST_TAGS:
        raise InvalidRequestException(f"{name} must have at most {MAX_REQUEST_TAGS} members")
    tags: dict[str, str] = {}
    for index, item in enumerate(raw):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            raise InvalidRequestException(f"{where} must be a structure with Key and Value")
        key = _params.text(item, "Key", min_len=1, max_len=MAX_KEY)
        value = _params.text(item, "Value", max_len=MAX_VALUE)
        _check_text(key, f"{where}.Key")
        _check_text(value, f"{where}.Value")
        _check_not_reserved(key)
        tags[key] = value
    return tags


def _check_text(text: str, where: str) -> None:
    for ch in text:
        if ch in _EXTRA_CHARS or unicodedata.category(ch)[0] in "LNZ":
            continue
        raise InvalidRequestException(
            f"{where} contains {ch!r}; tags may contain only Unicode letters, numbers, separators and + - = . _ : / @"
        )


def _check_not_reserved(key: str) -> None:
    if key.lower().startswith("aws:"):
        raise InvalidRequestException(f"Tag key {key!r} uses the reserved prefix aws:")


def store_tags(state: ConfigState, conn: sqlite3.Connection, arn: str, tags: dict[str, str]) -> None:
    """Add ``tags`` to ``arn`` inside a transaction, enforcing the 50-tag limit."""
    existing = {row[0] for row in conn.execute("SELECT key FROM tags WHERE arn = ?", (arn,))}
    total = len(existing | set(tags))
    if total > MAX_TAGS:
        raise TooManyTagsException(
            f"A resource can have at most {MAX_TAGS} tags; this request would leave {total}",
            ResourceName=arn,
        )
    conn.executemany(
        "INSERT INTO tags (arn, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT(arn, key) DO UPDATE SET value = excluded.value",
        [(arn, key, value) for key, value in tags.items()],
    )


def _require_resource(state: ConfigState, arn: str) -> None:
    """Raise ResourceNotFoundException unless ``arn`` names an existing rule or group."""
    from otelray.service.ops import sampling  # sampling imports this module

    if sampling.rule_by_arn(state, arn) is not None:
        return
    if arn == state.default_group_arn() or state.query("SELECT 1 FROM groups WHERE arn = ?", (arn,)):
        return
    raise ResourceNotFoundException(f"Resource not found: {arn}", ResourceName=arn)


def _arn(params: dict[str, Any]) -> str:
    return _params.text(params, "ResourceARN", min_len=1, max_len=1011)


def tag_resource(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """TagResource."""
    arn = _arn(params)
    if params.get("Tags") is None:
        raise InvalidRequestException("Tags is required")
    tags = parse_tags(params["Tags"])
    _require_resource(state, arn)
    with state.transaction() as conn:
        store_tags(state, conn, arn, tags)
    return {}


def untag_resource(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UntagResource."""
    arn = _arn(params)
    keys = _params.items(params, "TagKeys", required=True, max_len=MAX_REQUEST_TAGS)
    for index, key in enumerate(keys):
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY:
            raise InvalidRequestException(f"TagKeys[{index}] must be a string of 1 to {MAX_KEY} characters")
        _check_not_reserved(key)
    _require_resource(state, arn)
    with state.transaction() as conn:
        conn.executemany("DELETE FROM tags WHERE arn = ? AND key = ?", [(arn, key) for key in keys])
    return {}


def list_tags_for_resource(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListTagsForResource (paginated)."""
    arn = _arn(params)
    _require_resource(state, arn)
    rows = state.query("SELECT key, value FROM tags WHERE arn = ? ORDER BY key", (arn,))
    chunk, token = _params.page(
        [{"Key": k, "Value": v} for k, v in rows],
        params.get("NextToken"),
        PAGE_SIZE,
        f"ListTagsForResource {arn}",
    )
    return {"Tags": chunk, **({"NextToken": token} if token else {})}


def delete_tags(conn: sqlite3.Connection, arn: str) -> None:
    """Remove every tag of a deleted resource."""
    conn.execute("DELETE FROM tags WHERE arn = ?", (arn,))
