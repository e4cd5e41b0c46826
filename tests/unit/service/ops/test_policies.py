"""PutResourcePolicy / DeleteResourcePolicy / ListResourcePolicies."""

from __future__ import annotations

import json

import pytest

from otelray.service.config_store import ConfigState
from otelray.service.errors import (
    InvalidPolicyRevisionIdException,
    InvalidRequestException,
    MalformedPolicyDocumentException,
    PolicyCountLimitExceededException,
    PolicySizeLimitExceededException,
)

from .conftest import NOW, Call

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SNS",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": ["xray:PutTraceSegments", "xray:GetSamplingRules"],
                "Resource": "*",
            }
        ],
    }
)


def test_put_list_update_delete(call: Call) -> None:
    created = call("PutResourcePolicy", {"PolicyName": "sns", "PolicyDocument": POLICY}, now=NOW)[
        "ResourcePolicy"
    ]
    assert created == {
        "PolicyName": "sns",
        "PolicyDocument": POLICY,
        "PolicyRevisionId": "1",
        "LastUpdatedTime": NOW,
    }
    assert call("ListResourcePolicies") == {"ResourcePolicies": [created]}
    updated = call(
        "PutResourcePolicy",
        {"PolicyName": "sns", "PolicyDocument": POLICY, "PolicyRevisionId": "1"},
        now=NOW + 1,
    )["ResourcePolicy"]
    assert (updated["PolicyRevisionId"], updated["LastUpdatedTime"]) == ("2", NOW + 1)
    assert call("DeleteResourcePolicy", {"PolicyName": "sns", "PolicyRevisionId": "2"}) == {}
    assert call("ListResourcePolicies") == {"ResourcePolicies": []}


def test_revision_ids(call: Call, state: ConfigState) -> None:
    call("PutResourcePolicy", {"PolicyName": "p", "PolicyDocument": POLICY, "PolicyRevisionId": "0"})
    with pytest.raises(InvalidPolicyRevisionIdException, match="current revision of p"):
        call("PutResourcePolicy", {"PolicyName": "p", "PolicyDocument": POLICY, "PolicyRevisionId": "0"})
    with pytest.raises(InvalidPolicyRevisionIdException, match=r"\(1\)"):
        call("PutResourcePolicy", {"PolicyName": "p", "PolicyDocument": POLICY, "PolicyRevisionId": "7"})
    with pytest.raises(InvalidPolicyRevisionIdException, match="does not exist"):
        call("PutResourcePolicy", {"PolicyName": "q", "PolicyDocument": POLICY, "PolicyRevisionId": "3"})
    with pytest.raises(InvalidPolicyRevisionIdException):
        call("DeleteResourcePolicy", {"PolicyName": "p", "PolicyRevisionId": "9"})
    assert [p["PolicyRevisionId"] for p in call("ListResourcePolicies")["ResourcePolicies"]] == ["1"]
    assert state.counters["rejected.PutResourcePolicy.InvalidPolicyRevisionIdException"] == 3


def test_five_policies_then_count_limit(call: Call) -> None:
    for i in range(5):
        call("PutResourcePolicy", {"PolicyName": f"p{i}", "PolicyDocument": POLICY})
    with pytest.raises(PolicyCountLimitExceededException, match="at most 5"):
        call("PutResourcePolicy", {"PolicyName": "p5", "PolicyDocument": POLICY})
    call("PutResourcePolicy", {"PolicyName": "p4", "PolicyDocument": POLICY})  # replacing still works
    assert len(call("ListResourcePolicies")["ResourcePolicies"]) == 5


def test_size_limit(call: Call) -> None:
    padded = json.loads(POLICY)
    padded["Statement"][0]["Sid"] = "x" * 5200
    with pytest.raises(PolicySizeLimitExceededException, match="at most 5120 bytes"):
        call("PutResourcePolicy", {"PolicyName": "big", "PolicyDocument": json.dumps(padded)})


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"Version": "2012-10-17"}', "must have a Statement"),
        ('{"Statement": [{"Effect": "Maybe", "Action": "*"}]}', r"Statement\[0\] must have Effect"),
        ('{"Statement": {"Effect": "Allow"}}', r"Statement\[0\] must have an Action"),
    ],
)
def test_malformed_documents(call: Call, document: str, message: str) -> None:
    with pytest.raises(MalformedPolicyDocumentException, match=message):
        call("PutResourcePolicy", {"PolicyName": "bad", "PolicyDocument": document})
    assert call("ListResourcePolicies")["ResourcePolicies"] == []


def test_names(call: Call) -> None:
    with pytest.raises(InvalidRequestException, match="must match"):
        call("PutResourcePolicy", {"PolicyName": "no spaces", "PolicyDocument": POLICY})
    with pytest.raises(InvalidRequestException, match="at most 128"):
        call("PutResourcePolicy", {"PolicyName": "p" * 129, "PolicyDocument": POLICY})
    with pytest.raises(InvalidRequestException, match="does not exist"):
        call("DeleteResourcePolicy", {"PolicyName": "ghost"})
