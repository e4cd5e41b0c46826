"""CreateSamplingRule / GetSamplingRules / UpdateSamplingRule / DeleteSamplingRule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from otelray.service.config_store import ConfigState
from otelray.service.errors import InvalidRequestException, RuleLimitExceededException
from otelray.service.ops import HANDLERS

from .conftest import NOW, Call, rule

DEFAULT_ARN = "arn:aws:xray:us-east-1:000000000000:sampling-rule/Default"


def rules_by_name(call: Call) -> dict[str, dict]:
    records = call("GetSamplingRules")["SamplingRuleRecords"]
    return {r["SamplingRule"]["RuleName"]: r for r in records}


def test_default_rule_exists_as_aws_creates_it(call: Call) -> None:
    records = call("GetSamplingRules")["SamplingRuleRecords"]
    assert records == [
        {
            "SamplingRule": {
                "RuleName": "Default",
                "RuleARN": DEFAULT_ARN,
                "ResourceARN": "*",
                "Priority": 10000,
                "FixedRate": 0.05,
                "ReservoirSize": 1,
                "ServiceName": "*",
                "ServiceType": "*",
                "Host": "*",
                "HTTPMethod": "*",
                "URLPath": "*",
                "Version": 1,
                "Attributes": {},
            },
            "CreatedAt": 0.0,
            "ModifiedAt": 0.0,
        }
    ]


def test_create_returns_record_with_arn_and_times(call: Call) -> None:
    out = call("CreateSamplingRule", {"SamplingRule": rule("api")}, now=NOW)
    record = out["SamplingRuleRecord"]
    assert record["CreatedAt"] == record["ModifiedAt"] == NOW
    assert record["SamplingRule"]["RuleARN"] == "arn:aws:xray:us-east-1:000000000000:sampling-rule/api"
    assert record["SamplingRule"]["Attributes"] == {}
    assert rules_by_name(call)["api"] == record


def test_rules_listed_by_priority_default_last(call: Call) -> None:
    call("CreateSamplingRule", {"SamplingRule": rule("b", Priority=5)})
    call("CreateSamplingRule", {"SamplingRule": rule("a", Priority=5)})
    call("CreateSamplingRule", {"SamplingRule": rule("c", Priority=1)})
    names = [r["SamplingRule"]["RuleName"] for r in call("GetSamplingRules")["SamplingRuleRecords"]]
    assert names == ["c", "a", "b", "Default"]


def test_rules_survive_reopen(tmp_path: Path) -> None:
    first = ConfigState.open(tmp_path)
    HANDLERS["CreateSamplingRule"](
        first, {"SamplingRule": rule("kept"), "Tags": [{"Key": "k", "Value": "v"}]}, NOW
    )
    first.close()
    second = ConfigState.open(tmp_path)
    try:
        names = [
            r["SamplingRule"]["RuleName"]
            for r in HANDLERS["GetSamplingRules"](second, {}, NOW)["SamplingRuleRecords"]
        ]
        assert names == ["kept", "Default"]
        arn = "arn:aws:xray:us-east-1:000000000000:sampling-rule/kept"
        assert HANDLERS["ListTagsForResource"](second, {"ResourceARN": arn}, NOW)["Tags"] == [
            {"Key": "k", "Value": "v"}
        ]
    finally:
        second.close()


def test_region_and_account_are_configurable(tmp_path: Path) -> None:
    st = ConfigState.open(tmp_path, region="eu-west-1", account="123456789012")
    try:
        out = HANDLERS["CreateSamplingRule"](st, {"SamplingRule": rule("x")}, NOW)
        assert (
            out["SamplingRuleRecord"]["SamplingRule"]["RuleARN"]
            == "arn:aws:xray:eu-west-1:123456789012:sampling-rule/x"
        )
    finally:
        st.close()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"Priority": 0}, "Priority must be at least 1"),
        ({"Priority": 10000}, "Priority must be at most 9999"),
        ({"Priority": 1.5}, "Priority must be an integer"),
        ({"Priority": True}, "Priority must be an integer"),
        ({"FixedRate": 1.01}, "FixedRate must be at most 1"),
        ({"FixedRate": -0.1}, "FixedRate must be at least 0"),
        ({"FixedRate": "0.5"}, "FixedRate must be a number"),
        ({"ReservoirSize": -1}, "ReservoirSize must be at least 0"),
        ({"Version": 2}, "Version must be 1"),
        ({"Version": 0}, "Version must be at least 1"),
        ({"ServiceName": "s" * 65}, "ServiceName must be at most 64 characters long"),
        ({"Host": "h" * 65}, "Host must be at most 64 characters long"),
        ({"HTTPMethod": "PROPFINDXYZ"}, "HTTPMethod must be at most 10 characters long"),
        ({"URLPath": "/" * 129}, "URLPath must be at most 128 characters long"),
        ({"ResourceARN": "a" * 501}, "ResourceARN must be at most 500 characters long"),
        ({"ServiceType": None}, "ServiceType is required"),
        ({"RuleName": ""}, "RuleName must be at least 1 characters long"),
        ({"RuleName": "n" * 33}, "RuleName must be at most 32 characters long"),
        ({"RuleName": "a/b"}, "must not contain whitespace or '/'"),
        ({"Attributes": {f"k{i}": "v" for i in range(6)}}, "Attributes must have at most 5 entries"),
        ({"Attributes": {"k": ""}}, "Attributes[k] must be a string of 1 to 32 characters"),
        ({"Attributes": {"k" * 33: "v"}}, "must be 1 to 32 characters"),
        ({"SamplingRateBoost": {"MaxRate": 2, "CooldownWindowMinutes": 1}}, "MaxRate must be at most 1"),
        ({"SamplingRateBoost": {"MaxRate": 0.5}}, "CooldownWindowMinutes is required"),
        ({"RuleARN": "arn:aws:xray:us-east-1:000000000000:sampling-rule/other"}, "does not match RuleName"),
        ({"Host": "bad\x00host"}, "Host must not contain control characters"),
    ],
)
def test_invalid_rule_fields_are_rejected_with_the_member_named(
    call: Call, overrides: dict, message: str
) -> None:
    with pytest.raises(InvalidRequestException, match=re.escape(message)):
        call("CreateSamplingRule", {"SamplingRule": rule("bad", **overrides)})
    assert "bad" not in rules_by_name(call)


def test_wildcards_and_attributes_and_boost_are_kept(call: Call) -> None:
    body = rule(
        "glob",
        ServiceName="ord?rs-*",
        Host="*.example.com",
        Attributes={"tier": "gold"},
        SamplingRateBoost={"MaxRate": 0.5, "CooldownWindowMinutes": 2},
    )
    call("CreateSamplingRule", {"SamplingRule": body})
    stored = rules_by_name(call)["glob"]["SamplingRule"]
    assert stored["ServiceName"] == "ord?rs-*"
    assert stored["Host"] == "*.example.com"
    assert stored["Attributes"] == {"tier": "gold"}
    assert stored["SamplingRateBoost"] == {"MaxRate": 0.5, "CooldownWindowMinutes": 2}


def test_duplicate_and_reserved_names_are_rejected(call: Call) -> None:
    call("CreateSamplingRule", {"SamplingRule": rule("dup")})
    with pytest.raises(InvalidRequestException, match="already exists"):
        call("CreateSamplingRule", {"SamplingRule": rule("dup")})
    with pytest.raises(InvalidRequestException, match="already exists"):
        call("CreateSamplingRule", {"SamplingRule": rule("Default")})


def test_twenty_five_custom_rules_then_rule_limit(call: Call, state: ConfigState) -> None:
    call(
        "UpdateSamplingRule", {"SamplingRuleUpdate": {"RuleName": "Default", "FixedRate": 0.2}}
    )  # stored Default
    for i in range(25):
        call("CreateSamplingRule", {"SamplingRule": rule(f"r{i}")})
    with pytest.raises(RuleLimitExceededException, match="limit of 25"):
        call("CreateSamplingRule", {"SamplingRule": rule("r25")})
    assert len(call("GetSamplingRules")["SamplingRuleRecords"]) == 26
    assert state.counters["rejected.CreateSamplingRule.RuleLimitExceededException"] == 1
    call("DeleteSamplingRule", {"RuleName": "r0"})
    call("CreateSamplingRule", {"SamplingRule": rule("r25")})


def test_update_by_name_and_by_arn(call: Call) -> None:
    created = call("CreateSamplingRule", {"SamplingRule": rule("api")}, now=NOW)["SamplingRuleRecord"]
    out = call(
        "UpdateSamplingRule", {"SamplingRuleUpdate": {"RuleName": "api", "FixedRate": 0.9}}, now=NOW + 5
    )
    assert out["SamplingRuleRecord"]["SamplingRule"]["FixedRate"] == 0.9
    assert out["SamplingRuleRecord"]["CreatedAt"] == NOW
    assert out["SamplingRuleRecord"]["ModifiedAt"] == NOW + 5
    arn = created["SamplingRule"]["RuleARN"]
    out = call(
        "UpdateSamplingRule", {"SamplingRuleUpdate": {"RuleARN": arn, "Priority": 7, "URLPath": "/v2/*"}}
    )
    updated = out["SamplingRuleRecord"]["SamplingRule"]
    assert (updated["Priority"], updated["URLPath"], updated["FixedRate"]) == (7, "/v2/*", 0.9)
    assert rules_by_name(call)["api"]["SamplingRule"] == updated


def test_update_validates_like_create(call: Call) -> None:
    call("CreateSamplingRule", {"SamplingRule": rule("api")})
    with pytest.raises(InvalidRequestException, match="FixedRate must be at most 1"):
        call("UpdateSamplingRule", {"SamplingRuleUpdate": {"RuleName": "api", "FixedRate": 3}})
    with pytest.raises(InvalidRequestException, match="Either RuleName or RuleARN"):
        call("UpdateSamplingRule", {"SamplingRuleUpdate": {"FixedRate": 0.3}})
    with pytest.raises(InvalidRequestException, match="does not exist: nope"):
        call("UpdateSamplingRule", {"SamplingRuleUpdate": {"RuleName": "nope", "FixedRate": 0.3}})
    with pytest.raises(InvalidRequestException, match="does not match RuleARN"):
        call("UpdateSamplingRule", {"SamplingRuleUpdate": {"RuleName": "api", "RuleARN": DEFAULT_ARN}})
    assert rules_by_name(call)["api"]["SamplingRule"]["FixedRate"] == 0.1


def test_default_rule_changes_only_rate_and_reservoir(call: Call) -> None:
    out = call(
        "UpdateSamplingRule",
        {"SamplingRuleUpdate": {"RuleName": "Default", "FixedRate": 0.5, "ReservoirSize": 3}},
    )
    default = out["SamplingRuleRecord"]["SamplingRule"]
    assert (default["FixedRate"], default["ReservoirSize"], default["Priority"]) == (0.5, 3, 10000)
    with pytest.raises(
        InvalidRequestException, match="only FixedRate and ReservoirSize, not Priority, ServiceName"
    ):
        call(
            "UpdateSamplingRule",
            {"SamplingRuleUpdate": {"RuleName": "Default", "Priority": 5, "ServiceName": "x"}},
        )
    assert rules_by_name(call)["Default"]["SamplingRule"] == default


def test_delete_returns_the_record_and_default_cannot_be_deleted(call: Call) -> None:
    created = call("CreateSamplingRule", {"SamplingRule": rule("gone")})["SamplingRuleRecord"]
    assert call("DeleteSamplingRule", {"RuleARN": created["SamplingRule"]["RuleARN"]}) == {
        "SamplingRuleRecord": created
    }
    assert "gone" not in rules_by_name(call)
    with pytest.raises(InvalidRequestException, match="does not exist"):
        call("DeleteSamplingRule", {"RuleName": "gone"})
    with pytest.raises(InvalidRequestException, match="Default sampling rule cannot be deleted"):
        call("DeleteSamplingRule", {"RuleName": "Default"})


def test_every_change_moves_last_rule_modification(call: Call) -> None:
    def last() -> float:
        return call("GetSamplingTargets", {"SamplingStatisticsDocuments": []}, now=NOW + 100)[
            "LastRuleModification"
        ]

    assert last() == 0.0
    call("CreateSamplingRule", {"SamplingRule": rule("api")}, now=NOW + 1)
    assert last() == NOW + 1
    call("UpdateSamplingRule", {"SamplingRuleUpdate": {"RuleName": "api", "FixedRate": 0.3}}, now=NOW + 2)
    assert last() == NOW + 2
    call("DeleteSamplingRule", {"RuleName": "api"}, now=NOW + 3)
    assert last() == NOW + 3


def test_get_sampling_rules_rejects_a_foreign_token(call: Call) -> None:
    with pytest.raises(InvalidRequestException, match="NextToken"):
        call("GetSamplingRules", {"NextToken": "not-a-token"})
