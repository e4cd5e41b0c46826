"""Groups: CreateGroup, GetGroup, GetGroups, UpdateGroup, DeleteGroup.

Rules from the X-Ray developer guide ("Configuring groups") and API reference: a group is a name
(1–32 characters, letters, digits and dashes, case-sensitive), an optional filter expression and an
InsightsConfiguration (notifications only with insights enabled); the filter expression must
compile (``otelray.service.filters``; it may name other groups with ``group.name``), and an empty
one means "every trace"; ``Default`` is reserved — it
always exists, has no filter expression and cannot be deleted; at most 25 groups besides Default.
The ARN is ``arn:aws:xray:<region>:<account>:group/<name>/<unique id>``; a group is named by
GroupName or GroupARN. Changing a filter affects only traces stored afterwards in AWS; otelray
evaluates group filters at query time, so a change applies to stored traces too (see README).
"""

from __future__ import annotations

import json
import re
import secrets
from typing import TYPE_CHECKING, Any

from otelray.service.errors import InvalidRequestException
from otelray.service.ops import _params, tags

if TYPE_CHECKING:
    from otelray.service.config_store import ConfigState

DEFAULT = "Default"
MAX_GROUPS = 25
#: groups per GetGroups page
PAGE_SIZE = 10
_NAME = re.compile(r"[A-Za-z0-9-]{1,32}")
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _group(row: tuple[Any, ...]) -> dict[str, Any]:
    name, arn, expr, insights = row
    group: dict[str, Any] = {"GroupName": name, "GroupARN": arn}
    if expr is not None:
        group["FilterExpression"] = expr
    group["InsightsConfiguration"] = json.loads(insights)
    return group


def _insights(params: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    raw = _params.struct(params, "InsightsConfiguration") or {}
    merged = dict(current or {"InsightsEnabled": False, "NotificationsEnabled": False})
    for key in ("InsightsEnabled", "NotificationsEnabled"):
        value = _params.boolean(raw, key)
        if value is not None:
            merged[key] = value
    if merged["NotificationsEnabled"] and not merged["InsightsEnabled"]:
        raise InvalidRequestException(
            "Notifications can only be enabled on a group with InsightsEnabled set to true"
        )
    return merged


def _filter(state: ConfigState, params: dict[str, Any]) -> str | None:
    """The request's FilterExpression, compiled to prove it valid; ``""`` means "no filter"."""
    from otelray.service.filters import MAX_EXPRESSION_LENGTH, compile_filter  # lark grammar: load on use

    expr = _params.string(params, "FilterExpression", max_len=MAX_EXPRESSION_LENGTH)
    if expr is None or not expr.strip():
        return expr
    compile_filter(expr, state.resolve_group)
    return expr


def _find(state: ConfigState, params: dict[str, Any]) -> tuple[Any, ...]:
    name = _params.string(params, "GroupName", min_len=1, max_len=32)
    arn = _params.string(params, "GroupARN", min_len=1, max_len=400)
    return state.find_group(name, arn)


def create_group(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateGroup."""
    name = _params.text(params, "GroupName", min_len=1, max_len=32)
    if not _NAME.fullmatch(name):
        raise InvalidRequestException(f"GroupName {name!r} may contain only letters, digits and dashes")
    if name == DEFAULT:
        raise InvalidRequestException("Default is a reserved group name")
    expr = _filter(state, params) or None
    insights = _insights(params)
    new_tags = tags.parse_tags(params.get("Tags"))
    unique = "".join(secrets.choice(_ID_ALPHABET) for _ in range(26))
    row = (name, state.arn("group", f"{name}/{unique}"), expr, json.dumps(insights))
    with state.transaction() as conn:
        if conn.execute("SELECT 1 FROM groups WHERE name = ?", (name,)).fetchone():
            raise InvalidRequestException(f"Group {name} already exists")
        count = conn.execute("SELECT COUNT(*) FROM groups WHERE name != ?", (DEFAULT,)).fetchone()[0]
        if count >= MAX_GROUPS:
            raise InvalidRequestException(
                f"Cannot create group {name}: the limit of {MAX_GROUPS} groups is reached"
            )
        conn.execute(
            "INSERT INTO groups (name, arn, filter, insights, created_at) VALUES (?, ?, ?, ?, ?)", (*row, now)
        )
        tags.store_tags(state, conn, row[1], new_tags)
    return {"Group": _group(row)}


def get_group(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetGroup."""
    return {"Group": _group(_find(state, params))}


def get_groups(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetGroups (paginated; Default first, then by name)."""
    token = _params.string(params, "NextToken", max_len=100)
    rows = state.query(
        "SELECT name, arn, filter, insights FROM groups WHERE name != ? ORDER BY name", (DEFAULT,)
    )
    groups = [_group(state.find_group(DEFAULT, None))] + [_group(row) for row in rows]
    chunk, next_token = _params.page(groups, token, PAGE_SIZE, "GetGroups")
    return {"Groups": chunk, **({"NextToken": next_token} if next_token else {})}


def update_group(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UpdateGroup: FilterExpression and/or InsightsConfiguration."""
    name, arn, expr, insights = _find(state, params)
    new_expr = _filter(state, params)
    if new_expr is not None:
        if name == DEFAULT:
            raise InvalidRequestException("The filter expression of the Default group cannot be changed")
        expr = new_expr or None
    merged = _insights(params, json.loads(insights))
    row = (name, arn, expr, json.dumps(merged))
    with state.transaction() as conn:
        conn.execute(
            "INSERT INTO groups (name, arn, filter, insights, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET filter = excluded.filter, insights = excluded.insights",
            (*row, now),
        )
    return {"Group": _group(row)}


def delete_group(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """DeleteGroup; the Default group cannot be deleted."""
    name, arn, _, _ = _find(state, params)
    if name == DEFAULT:
        raise InvalidRequestException("The Default group cannot be deleted")
    with state.transaction() as conn:
        conn.execute("DELETE FROM groups WHERE name = ?", (name,))
        tags.delete_tags(conn, arn)
    return {}
