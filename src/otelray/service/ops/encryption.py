"""PutEncryptionConfig and GetEncryptionConfig.

X-Ray API reference ``EncryptionConfig``: ``Type`` is ``NONE`` (default encryption) or ``KMS`` with a
``KeyId`` given as an alias (``alias/MyKey``), a key id (UUID) or a key or alias ARN, 1–3000
characters. AWS answers ``Status: UPDATING`` while it re-encrypts and ``ACTIVE`` afterwards;
otelray keeps its data on the local disk and has nothing to re-encrypt, so the configuration is
recorded and reported ``ACTIVE`` at once. otelray does not call KMS (README, compatibility table).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from otelray.service.errors import InvalidRequestException
from otelray.service.ops import _params

if TYPE_CHECKING:
    from otelray.service.config_store import ConfigState

KEY = "encryption_config"
_KEY_FORMS = (
    re.compile(r"alias/[A-Za-z0-9/_-]{1,250}"),
    re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
    re.compile(r"mrk-[0-9a-fA-F]{32}"),
    re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/\S+"),
)


def get_encryption_config(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetEncryptionConfig (default: ``Type NONE``, ``Status ACTIVE``)."""
    return {"EncryptionConfig": state.setting(KEY, {"Type": "NONE", "Status": "ACTIVE"})}


def put_encryption_config(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """PutEncryptionConfig."""
    kind = _params.text(params, "Type")
    key_id = _params.string(params, "KeyId", min_len=1, max_len=3000)
    if kind not in ("NONE", "KMS"):
        raise InvalidRequestException(f"Type must be NONE or KMS, not {kind[:20]!r}")
    config: dict[str, Any] = {"Type": kind, "Status": "ACTIVE"}
    if kind == "NONE" and key_id is not None:
        raise InvalidRequestException("KeyId must be omitted when Type is NONE")
    if kind == "KMS":
        if key_id is None:
            raise InvalidRequestException("KeyId is required when Type is KMS")
        if not any(form.fullmatch(key_id) for form in _KEY_FORMS):
            raise InvalidRequestException(
                f"KeyId {key_id[:80]!r} is not a KMS key alias (alias/…), key id or key/alias ARN"
            )
        config["KeyId"] = key_id
    with state.transaction() as conn:
        state.put_setting(conn, KEY, config)
    return {"EncryptionConfig": config}
