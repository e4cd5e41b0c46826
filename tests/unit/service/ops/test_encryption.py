"""PutEncryptionConfig / GetEncryptionConfig."""

from __future__ import annotations

from pathlib import Path

import pytest

from otelray.service.config_store import ConfigState
from otelray.service.errors import InvalidRequestException
from otelray.service.ops import HANDLERS

from .conftest import NOW, Call

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_default_is_none_active(call: Call) -> None:
    assert call("GetEncryptionConfig") == {"EncryptionConfig": {"Type": "NONE", "Status": "ACTIVE"}}
    assert call("GetEncryptionConfig", None) == {"EncryptionConfig": {"Type": "NONE", "Status": "ACTIVE"}}


@pytest.mark.parametrize(
    "key",
    [
        "alias/MyKey",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        KEY_ARN,
        "arn:aws:kms:us-east-1:123456789012:alias/MyKey",
    ],
)
def test_kms_keys_in_every_form(call: Call, key: str) -> None:
    expected = {"EncryptionConfig": {"Type": "KMS", "Status": "ACTIVE", "KeyId": key}}
    assert call("PutEncryptionConfig", {"Type": "KMS", "KeyId": key}) == expected
    assert call("GetEncryptionConfig") == expected


def test_back_to_none_and_durable(tmp_path: Path) -> None:
    st = ConfigState.open(tmp_path)
    HANDLERS["PutEncryptionConfig"](st, {"Type": "KMS", "KeyId": "alias/k"}, NOW)
    st.close()
    st = ConfigState.open(tmp_path)
    try:
        assert HANDLERS["GetEncryptionConfig"](st, {}, NOW)["EncryptionConfig"]["KeyId"] == "alias/k"
        HANDLERS["PutEncryptionConfig"](st, {"Type": "NONE"}, NOW)
        assert HANDLERS["GetEncryptionConfig"](st, {}, NOW) == {
            "EncryptionConfig": {"Type": "NONE", "Status": "ACTIVE"}
        }
    finally:
        st.close()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"Type": "AES"}, "Type must be NONE or KMS"),
        ({}, "Type is required"),
        ({"Type": "KMS"}, "KeyId is required when Type is KMS"),
        ({"Type": "NONE", "KeyId": "alias/k"}, "KeyId must be omitted when Type is NONE"),
        ({"Type": "KMS", "KeyId": "not a key"}, "is not a KMS key"),
        ({"Type": "KMS", "KeyId": "k" * 3001}, "KeyId must be at most 3000"),
    ],
)
def test_invalid(call: Call, params: dict, message: str) -> None:
    with pytest.raises(InvalidRequestException, match=message):
        call("PutEncryptionConfig", params)
    assert call("GetEncryptionConfig")["EncryptionConfig"]["Type"] == "NONE"
