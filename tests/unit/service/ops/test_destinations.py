"""Trace segment destination and indexing rules."""

from __future__ import annotations

import pytest

from otelray.service.errors import InvalidRequestException, ResourceNotFoundException

from .conftest import NOW, Call


def test_destination_default_and_update(call: Call) -> None:
    assert call("GetTraceSegmentDestination") == {"Destination": "XRay", "Status": "ACTIVE"}
    assert call("UpdateTraceSegmentDestination", {"Destination": "CloudWatchLogs"}) == {
        "Destination": "CloudWatchLogs",
        "Status": "ACTIVE",
    }
    assert call("GetTraceSegmentDestination") == {"Destination": "CloudWatchLogs", "Status": "ACTIVE"}
    assert call("UpdateTraceSegmentDestination", {})["Destination"] == "CloudWatchLogs"
    with pytest.raises(InvalidRequestException, match="XRay or CloudWatchLogs"):
        call("UpdateTraceSegmentDestination", {"Destination": "S3"})


def test_indexing_rule_default_and_update(call: Call) -> None:
    assert call("GetIndexingRules") == {
        "IndexingRules": [
            {
                "Name": "Default",
                "ModifiedAt": 0.0,
                "Rule": {
                    "Probabilistic": {"DesiredSamplingPercentage": 1.0, "ActualSamplingPercentage": 100.0}
                },
            }
        ]
    }
    out = call(
        "UpdateIndexingRule",
        {"Name": "Default", "Rule": {"Probabilistic": {"DesiredSamplingPercentage": 25}}},
        now=NOW,
    )
    assert out["IndexingRule"]["Rule"]["Probabilistic"]["DesiredSamplingPercentage"] == 25.0
    assert out["IndexingRule"]["ModifiedAt"] == NOW
    assert call("GetIndexingRules")["IndexingRules"] == [out["IndexingRule"]]


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        (
            {"Name": "Other", "Rule": {"Probabilistic": {"DesiredSamplingPercentage": 5}}},
            ResourceNotFoundException,
            "Indexing rule not found: Other",
        ),
        ({"Name": "Default", "Rule": {}}, InvalidRequestException, "Rule.Probabilistic is required"),
        (
            {"Name": "Default", "Rule": {"Probabilistic": {"DesiredSamplingPercentage": 101}}},
            InvalidRequestException,
            "at most 100",
        ),
        (
            {"Name": "Default", "Rule": {"Probabilistic": {}}},
            InvalidRequestException,
            "DesiredSamplingPercentage is required",
        ),
        ({"Name": "Default"}, InvalidRequestException, "Rule is required"),
    ],
)
def test_invalid_indexing_updates(call: Call, params: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call("UpdateIndexingRule", params)
    assert (
        call("GetIndexingRules")["IndexingRules"][0]["Rule"]["Probabilistic"]["DesiredSamplingPercentage"]
        == 1.0
    )


def test_indexing_rules_reject_foreign_token(call: Call) -> None:
    with pytest.raises(InvalidRequestException, match="NextToken"):
        call("GetIndexingRules", {"NextToken": "abc"})
