"""PutResourcePolicy, DeleteResourcePolicy and ListResourcePolicies.

X-Ray API reference: at most 5 resource policies per account (``PolicyCountLimitExceededException``),
each at most 5 KB (``PolicySizeLimitExceededException``); names 1–128 characters of
``[\\w+=,.@-]``; a document that is not a JSON IAM policy (an object with a ``Statement``) →
``MalformedPolicyDocumentException``. Each put creates the policy or replaces it with the next
revision id; a given ``PolicyRevisionId`` must equal the current one (``0`` means "must not exist
yet"), otherwise ``InvalidPolicyRevisionIdException``. otelray stores policies but does not enforce
them: the local API has no principals, so ``LockoutPreventionException`` never arises.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from otelray.service.errors import (
    InvalidPolicyRevisionIdException,
    InvalidRequestException,
    MalformedPolicyDocumentException,
    PolicyCountLimitExceededException,
    PolicySizeLimitExceededException,
)
from otelray.service.ops import _params

if TYPE_CHECKING:
    from otelray.service.config_store import ConfigState

MAX_POLICIES = 5
MAX_POLICY_BYTES = 5120
#: policies per ListResourcePolicies page
PAGE_SIZE = 5
_NAME = re.compile(r"[\w+=,.@-]{1,128}")


def _name(params: dict[str, Any]) -> str:
    name = _params.text(params, "PolicyName", min_len=1, max_len=128)
    if not _NAME.fullmatch(name):
        raise InvalidRequestException(f"PolicyName {name!r} must match [\\w+=,.@-]+")
    return name


def _check_document(document: str) -> None:
    size = len(document.encode())
    if size > MAX_POLICY_BYTES:
        raise PolicySizeLimitExceededException(
            f"The policy document is {size} bytes; a resource policy can be at most {MAX_POLICY_BYTES} bytes"
        )
    try:
        policy = json.loads(document)
    except ValueError as exc:
        raise MalformedPolicyDocumentException(f"The policy document is not valid JSON: {exc}") from None
    if not isinstance(policy, dict):
        raise MalformedPolicyDocumentException("The policy document must be a JSON object")
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise MalformedPolicyDocumentException("The policy document must have a Statement")
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise MalformedPolicyDocumentException(f"Statement[{index}] must have Effect Allow or Deny")
        if "Action" not in statement and "NotAction" not in statement:
            raise MalformedPolicyDocumentException(f"Statement[{index}] must have an Action")


def _policy(row: tuple[Any, ...]) -> dict[str, Any]:
    name, document, revision, updated = row
    return {
        "PolicyName": name,
        "PolicyDocument": document,
        "PolicyRevisionId": revision,
        "LastUpdatedTime": updated,
    }


def put_resource_policy(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """PutResourcePolicy."""
    name = _name(params)
    document = _params.text(params, "PolicyDocument")
    expected = _params.string(params, "PolicyRevisionId")
    _params.boolean(params, "BypassPolicyLockoutCheck")
    _check_document(document)
    with state.transaction() as conn:
        current = conn.execute("SELECT revision_id FROM policies WHERE name = ?", (name,)).fetchone()
        if expected is not None and expected != (current[0] if current else "0"):
            raise InvalidPolicyRevisionIdException(
                f"PolicyRevisionId {expected} does not match the current revision of {name}"
                + (f" ({current[0]})" if current else " (the policy does not exist)")
            )
        if current is None:
            count = conn.execute("SELECT COUNT(*) FROM policies").fetchone()[0]
            if count >= MAX_POLICIES:
                raise PolicyCountLimitExceededException(
                    f"An account can have at most {MAX_POLICIES} resource policies"
                )
        row = (name, document, str(int(current[0]) + 1 if current else 1), now)
        conn.execute(
            "INSERT INTO policies (name, document, revision_id, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET document = excluded.document, "
            "revision_id = excluded.revision_id, updated = excluded.updated",
            row,
        )
    return {"ResourcePolicy": _policy(row)}


def delete_resource_policy(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """DeleteResourcePolicy."""
    name = _name(params)
    expected = _params.string(params, "PolicyRevisionId")
    with state.transaction() as conn:
        current = conn.execute("SELECT revision_id FROM policies WHERE name = ?", (name,)).fetchone()
        if current is None:
            raise InvalidRequestException(f"Resource policy {name} does not exist")
        if expected is not None and expected != current[0]:
            raise InvalidPolicyRevisionIdException(
                f"PolicyRevisionId {expected} does not match the current revision of {name} ({current[0]})"
            )
        conn.execute("DELETE FROM policies WHERE name = ?", (name,))
    return {}


def list_resource_policies(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListResourcePolicies (paginated)."""
    token = _params.string(params, "NextToken", max_len=100)
    rows = state.query("SELECT name, document, revision_id, updated FROM policies ORDER BY name")
    chunk, next_token = _params.page([_policy(row) for row in rows], token, PAGE_SIZE, "ListResourcePolicies")
    return {"ResourcePolicies": chunk, **({"NextToken": next_token} if next_token else {})}
