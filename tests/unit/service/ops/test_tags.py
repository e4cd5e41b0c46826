"""TagResource / UntagResource / ListTagsForResource."""

from __future__ import annotations

import pytest

from otelray.service.config_store import ConfigState
from otelray.service.errors import InvalidRequestException, ResourceNotFoundException, TooManyTagsException

from .conftest import Call, rule


@pytest.fixture
def rule_arn(call: Call) -> str:
    return call("CreateSamplingRule", {"SamplingRule": rule("api")})["SamplingRuleRecord"]["SamplingRule"][
        "RuleARN"
    ]


@pytest.fixture
def group_arn(call: Call) -> str:
    return call("CreateGroup", {"GroupName": "g"})["Group"]["GroupARN"]


def tags_of(call: Call, arn: str) -> dict[str, str]:
    out: dict[str, str] = {}
    token = None
    while True:
        page = call("ListTagsForResource", {"ResourceARN": arn, **({"NextToken": token} if token else {})})
        out.update({t["Key"]: t["Value"] for t in page["Tags"]})
        token = page.get("NextToken")
        if not token:
            return out


def test_tag_untag_list_on_rule_and_group(call: Call, rule_arn: str, group_arn: str) -> None:
    for arn in (rule_arn, group_arn):
        assert (
            call(
                "TagResource",
                {"ResourceARN": arn, "Tags": [{"Key": "team", "Value": "a"}, {"Key": "Env", "Value": ""}]},
            )
            == {}
        )
        call("TagResource", {"ResourceARN": arn, "Tags": [{"Key": "team", "Value": "b"}]})
        assert tags_of(call, arn) == {"team": "b", "Env": ""}
        assert call("UntagResource", {"ResourceARN": arn, "TagKeys": ["team", "absent"]}) == {}
        assert tags_of(call, arn) == {"Env": ""}


def test_default_rule_and_group_are_taggable(call: Call) -> None:
    for arn in (
        "arn:aws:xray:us-east-1:000000000000:sampling-rule/Default",
        "arn:aws:xray:us-east-1:000000000000:group/Default",
    ):
        call("TagResource", {"ResourceARN": arn, "Tags": [{"Key": "k", "Value": "v"}]})
        assert tags_of(call, arn) == {"k": "v"}


def test_tags_on_create(call: Call) -> None:
    out = call("CreateSamplingRule", {"SamplingRule": rule("t"), "Tags": [{"Key": "a", "Value": "1"}]})
    assert tags_of(call, out["SamplingRuleRecord"]["SamplingRule"]["RuleARN"]) == {"a": "1"}


def test_fifty_tags_then_too_many(call: Call, state: ConfigState, rule_arn: str) -> None:
    call(
        "TagResource", {"ResourceARN": rule_arn, "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(50)]}
    )
    call(
        "TagResource", {"ResourceARN": rule_arn, "Tags": [{"Key": "k0", "Value": "changed"}]}
    )  # replacing is fine
    with pytest.raises(TooManyTagsException, match="at most 50 tags") as info:
        call("TagResource", {"ResourceARN": rule_arn, "Tags": [{"Key": "k50", "Value": "v"}]})
    assert info.value.body()["ResourceName"] == rule_arn
    listed = tags_of(call, rule_arn)
    assert len(listed) == 50 and listed["k0"] == "changed"
    assert state.counters["rejected.TagResource.TooManyTagsException"] == 1


def test_list_paginates(call: Call, rule_arn: str) -> None:
    call(
        "TagResource",
        {"ResourceARN": rule_arn, "Tags": [{"Key": f"k{i:02d}", "Value": "v"} for i in range(30)]},
    )
    first = call("ListTagsForResource", {"ResourceARN": rule_arn})
    assert len(first["Tags"]) == 25 and "NextToken" in first
    assert len(tags_of(call, rule_arn)) == 30


def test_too_many_tags_on_create(call: Call) -> None:
    with pytest.raises(TooManyTagsException):
        call("CreateGroup", {"GroupName": "g", "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]})
    assert [g["GroupName"] for g in call("GetGroups")["Groups"]] == ["Default"]


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ([{"Key": "aws:owner", "Value": "x"}], "reserved prefix aws:"),
        ([{"Key": "AWS:owner", "Value": "x"}], "reserved prefix aws:"),
        ([{"Key": "", "Value": "x"}], "Key must be at least 1"),
        ([{"Key": "k" * 129, "Value": "x"}], "Key must be at most 128"),
        ([{"Key": "k", "Value": "v" * 257}], "Value must be at most 256"),
        ([{"Key": "k"}], "Value is required"),
        ([{"Key": "semi;colon", "Value": "x"}], "Tags[0].Key contains ';'"),
        ([{"Key": "k", "Value": "a<b"}], "Tags[0].Value contains '<'"),
        (["k=v"], "must be a structure"),
        ([{"Key": "k", "Value": "v"}] * 201, "Tags must have at most 200 members"),
    ],
)
def test_invalid_tags(call: Call, rule_arn: str, tags: list, message: str) -> None:
    with pytest.raises(InvalidRequestException, match=message.replace("[", r"\[").replace("]", r"\]")):
        call("TagResource", {"ResourceARN": rule_arn, "Tags": tags})
    assert tags_of(call, rule_arn) == {}


def test_unicode_letters_and_specials_allowed(call: Call, rule_arn: str) -> None:
    call("TagResource", {"ResourceARN": rule_arn, "Tags": [{"Key": "équipe dev", "Value": "a+b-c=d._:/@"}]})
    assert tags_of(call, rule_arn) == {"équipe dev": "a+b-c=d._:/@"}


def test_unknown_resource(call: Call) -> None:
    arn = "arn:aws:xray:us-east-1:000000000000:sampling-rule/ghost"
    for op, extra in (
        ("TagResource", {"Tags": [{"Key": "k", "Value": "v"}]}),
        ("UntagResource", {"TagKeys": ["k"]}),
        ("ListTagsForResource", {}),
    ):
        with pytest.raises(ResourceNotFoundException, match="ghost") as info:
            call(op, {"ResourceARN": arn, **extra})
        assert info.value.body()["ResourceName"] == arn


def test_untag_cannot_remove_system_tags(call: Call, rule_arn: str) -> None:
    with pytest.raises(InvalidRequestException, match="reserved prefix aws:"):
        call("UntagResource", {"ResourceARN": rule_arn, "TagKeys": ["aws:cloudformation:stack-name"]})
    with pytest.raises(InvalidRequestException, match="TagKeys is required"):
        call("UntagResource", {"ResourceARN": rule_arn})


def test_a_token_is_only_valid_for_its_resource(call: Call, rule_arn: str, group_arn: str) -> None:
    call(
        "TagResource",
        {"ResourceARN": rule_arn, "Tags": [{"Key": f"k{i:02d}", "Value": "v"} for i in range(30)]},
    )
    token = call("ListTagsForResource", {"ResourceARN": rule_arn})["NextToken"]
    with pytest.raises(InvalidRequestException, match="different request"):
        call("ListTagsForResource", {"ResourceARN": group_arn, "NextToken": token})
