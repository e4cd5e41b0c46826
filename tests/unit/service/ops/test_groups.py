"""CreateGroup / GetGroup / GetGroups / UpdateGroup / DeleteGroup and group_filter."""

from __future__ import annotations

import re

import pytest

from otelray.service.config_store import ConfigState
from otelray.service.errors import InvalidRequestException

from .conftest import Call

ARN = re.compile(r"arn:aws:xray:us-east-1:000000000000:group/(?P<name>[A-Za-z0-9-]+)/(?P<id>[A-Z2-7]{26})")
OFF = {"InsightsEnabled": False, "NotificationsEnabled": False}


def test_create_and_get_by_name_and_arn(call: Call) -> None:
    group = call(
        "CreateGroup", {"GroupName": "orders-5xx", "FilterExpression": 'service("orders") AND fault'}
    )["Group"]
    match = ARN.fullmatch(group["GroupARN"])
    assert match and match["name"] == "orders-5xx"
    assert group == {
        "GroupName": "orders-5xx",
        "GroupARN": group["GroupARN"],
        "FilterExpression": 'service("orders") AND fault',
        "InsightsConfiguration": OFF,
    }
    assert call("GetGroup", {"GroupName": "orders-5xx"}) == {"Group": group}
    assert call("GetGroup", {"GroupARN": group["GroupARN"]}) == {"Group": group}


def test_each_group_gets_its_own_arn(call: Call) -> None:
    first = call("CreateGroup", {"GroupName": "a"})["Group"]["GroupARN"]
    call("DeleteGroup", {"GroupName": "a"})
    second = call("CreateGroup", {"GroupName": "a"})["Group"]["GroupARN"]
    assert first != second
    with pytest.raises(InvalidRequestException, match="Group not found"):
        call("GetGroup", {"GroupARN": first})


def test_default_group(call: Call, state: ConfigState) -> None:
    default = call("GetGroup", {"GroupName": "Default"})["Group"]
    assert default == {
        "GroupName": "Default",
        "GroupARN": "arn:aws:xray:us-east-1:000000000000:group/Default",
        "InsightsConfiguration": OFF,
    }
    assert call("GetGroup", {"GroupARN": default["GroupARN"]})["Group"] == default
    with pytest.raises(InvalidRequestException, match="reserved"):
        call("CreateGroup", {"GroupName": "Default"})
    with pytest.raises(InvalidRequestException, match="Default group cannot be deleted"):
        call("DeleteGroup", {"GroupName": "Default"})
    with pytest.raises(InvalidRequestException, match="Default group cannot be changed"):
        call("UpdateGroup", {"GroupName": "Default", "FilterExpression": "fault"})
    updated = call(
        "UpdateGroup", {"GroupName": "Default", "InsightsConfiguration": {"InsightsEnabled": True}}
    )["Group"]
    assert updated["InsightsConfiguration"] == {"InsightsEnabled": True, "NotificationsEnabled": False}
    assert call("GetGroups")["Groups"] == [updated]
    assert state.group_filter("Default", None) is None


def test_group_filter_for_trace_queries(call: Call, state: ConfigState) -> None:
    arn = call("CreateGroup", {"GroupName": "slow", "FilterExpression": "responsetime > 5"})["Group"][
        "GroupARN"
    ]
    call("CreateGroup", {"GroupName": "everything"})
    assert state.group_filter("slow", None) == "responsetime > 5"
    assert state.group_filter(None, arn) == "responsetime > 5"
    assert state.group_filter("slow", arn) == "responsetime > 5"
    assert state.group_filter("everything", None) is None
    assert state.group_filter(None, None) is None
    with pytest.raises(InvalidRequestException, match="Group not found: missing"):
        state.group_filter("missing", None)
    with pytest.raises(InvalidRequestException, match="does not match"):
        state.group_filter("everything", arn)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"GroupName": "has space"}, "only letters, digits and dashes"),
        ({"GroupName": "under_score"}, "only letters, digits and dashes"),
        ({"GroupName": "g" * 33}, "at most 32 characters"),
        ({"GroupName": ""}, "at least 1 characters"),
        ({}, "GroupName is required"),
        ({"GroupName": "g", "FilterExpression": "fault OR " * 500}, "FilterExpression must be at most 4096"),
        ({"GroupName": "g", "FilterExpression": "responsetime >"}, "Invalid filter expression at column"),
        ({"GroupName": "g", "FilterExpression": 'service("a") AND nonsense = 1'}, "unknown keyword"),
        ({"GroupName": "g", "FilterExpression": 'group.name = "nope"'}, "unknown group 'nope'"),
        (
            {"GroupName": "g", "InsightsConfiguration": {"NotificationsEnabled": True}},
            "InsightsEnabled set to true",
        ),
        (
            {"GroupName": "g", "InsightsConfiguration": {"InsightsEnabled": "yes"}},
            "InsightsEnabled must be a boolean",
        ),
        ({"GroupName": "g", "Tags": [{"Key": "aws:x", "Value": "v"}]}, "reserved prefix aws:"),
    ],
)
def test_invalid_create(call: Call, params: dict, message: str) -> None:
    with pytest.raises(InvalidRequestException, match=re.escape(message)):
        call("CreateGroup", params)
    assert len(call("GetGroups")["Groups"]) == 1


def test_duplicate_and_limit(call: Call, state: ConfigState) -> None:
    call("CreateGroup", {"GroupName": "g0"})
    with pytest.raises(InvalidRequestException, match="already exists"):
        call("CreateGroup", {"GroupName": "g0"})
    for i in range(1, 25):
        call("CreateGroup", {"GroupName": f"g{i}"})
    with pytest.raises(InvalidRequestException, match="limit of 25 groups"):
        call("CreateGroup", {"GroupName": "g25"})
    assert state.counters["rejected.CreateGroup.InvalidRequestException"] == 2


def test_get_groups_paginates_default_first(call: Call) -> None:
    for i in range(12):
        call("CreateGroup", {"GroupName": f"g{i:02d}"})
    pages, token = [], None
    while True:
        out = call("GetGroups", {"NextToken": token} if token else {})
        pages.append([g["GroupName"] for g in out["Groups"]])
        token = out.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [10, 3]
    assert sum(pages, []) == ["Default"] + [f"g{i:02d}" for i in range(12)]


def test_update_filter_and_insights(call: Call, state: ConfigState) -> None:
    arn = call("CreateGroup", {"GroupName": "g", "FilterExpression": "fault"})["Group"]["GroupARN"]
    out = call(
        "UpdateGroup",
        {
            "GroupARN": arn,
            "FilterExpression": "error",
            "InsightsConfiguration": {"InsightsEnabled": True, "NotificationsEnabled": True},
        },
    )
    assert out["Group"]["FilterExpression"] == "error"
    assert out["Group"]["InsightsConfiguration"] == {"InsightsEnabled": True, "NotificationsEnabled": True}
    assert state.group_filter("g", None) == "error"
    with pytest.raises(InvalidRequestException, match="InsightsEnabled set to true"):
        call("UpdateGroup", {"GroupName": "g", "InsightsConfiguration": {"InsightsEnabled": False}})
    assert call("GetGroup", {"GroupName": "g"}) == out


def test_update_and_delete_unknown_group(call: Call) -> None:
    with pytest.raises(InvalidRequestException, match="Group not found: nope"):
        call("UpdateGroup", {"GroupName": "nope", "FilterExpression": "fault"})
    with pytest.raises(InvalidRequestException, match="Group not found: nope"):
        call("DeleteGroup", {"GroupName": "nope"})
    with pytest.raises(InvalidRequestException, match="Either GroupName or GroupARN"):
        call("GetGroup", {})


def test_delete_removes_group_and_tags(call: Call) -> None:
    arn = call("CreateGroup", {"GroupName": "g", "Tags": [{"Key": "team", "Value": "a"}]})["Group"][
        "GroupARN"
    ]
    assert call("DeleteGroup", {"GroupName": "g"}) == {}
    assert [g["GroupName"] for g in call("GetGroups")["Groups"]] == ["Default"]
    call("CreateGroup", {"GroupName": "g2"})
    with pytest.raises(Exception, match="Resource not found"):
        call("ListTagsForResource", {"ResourceARN": arn})


def test_filters_may_build_on_other_groups(call: Call, state: ConfigState) -> None:
    call("CreateGroup", {"GroupName": "slow", "FilterExpression": "responsetime > 5"})
    out = call(
        "CreateGroup", {"GroupName": "slow-faults", "FilterExpression": 'group.name = "slow" AND fault'}
    )
    assert out["Group"]["FilterExpression"] == 'group.name = "slow" AND fault'
    assert state.group_filter("slow-faults", None) == 'group.name = "slow" AND fault'


def test_invalid_update_keeps_the_old_filter_and_empty_clears_it(call: Call, state: ConfigState) -> None:
    call("CreateGroup", {"GroupName": "g", "FilterExpression": "fault"})
    with pytest.raises(InvalidRequestException, match="Invalid filter expression"):
        call("UpdateGroup", {"GroupName": "g", "FilterExpression": "fault AND AND"})
    assert state.group_filter("g", None) == "fault"
    out = call("UpdateGroup", {"GroupName": "g", "FilterExpression": ""})
    assert "FilterExpression" not in out["Group"]
    assert state.group_filter("g", None) is None
    created = call("CreateGroup", {"GroupName": "h", "FilterExpression": ""})["Group"]
    assert "FilterExpression" not in created
