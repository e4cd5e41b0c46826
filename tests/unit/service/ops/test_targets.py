"""GetSamplingTargets and GetSamplingStatisticSummaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from otelray.service.config_store import ConfigState
from otelray.service.errors import InvalidRequestException
from otelray.service.ops import HANDLERS
from otelray.service.ops.reservoir import QUOTA_TTL

from .conftest import NOW, Call, rule

CLIENT_A = "0123456789abcdef01234567"
CLIENT_B = "fedcba9876543210fedcba98"


def stats(
    rule_name: str = "api",
    client: str = CLIENT_A,
    *,
    ts: object = NOW,
    requests: int = 100,
    sampled: int = 10,
    borrowed: int = 0,
) -> dict:
    return {
        "RuleName": rule_name,
        "ClientID": client,
        "Timestamp": ts,
        "RequestCount": requests,
        "SampledCount": sampled,
        "BorrowCount": borrowed,
    }


@pytest.fixture
def api_rule(call: Call) -> None:
    call("CreateSamplingRule", {"SamplingRule": rule("api", FixedRate=0.25, ReservoirSize=10)}, now=NOW - 60)


def test_target_for_a_reported_rule(call: Call, api_rule: None) -> None:
    out = call("GetSamplingTargets", {"SamplingStatisticsDocuments": [stats()]})
    assert out == {
        "SamplingTargetDocuments": [
            {
                "RuleName": "api",
                "FixedRate": 0.25,
                "ReservoirQuota": 10,
                "ReservoirQuotaTTL": NOW + QUOTA_TTL,
                "Interval": 10,
            }
        ],
        "LastRuleModification": NOW - 60,
        "UnprocessedStatistics": [],
        "UnprocessedBoostStatistics": [],
    }


def test_default_rule_targets(call: Call) -> None:
    out = call("GetSamplingTargets", {"SamplingStatisticsDocuments": [stats("Default")]})
    [target] = out["SamplingTargetDocuments"]
    assert (target["FixedRate"], target["ReservoirQuota"]) == (0.05, 1)


def test_reservoir_is_shared_between_clients(call: Call, api_rule: None) -> None:
    def quota(client: str, now: float) -> int:
        out = call(
            "GetSamplingTargets", {"SamplingStatisticsDocuments": [stats(client=client, ts=now)]}, now=now
        )
        return out["SamplingTargetDocuments"][0]["ReservoirQuota"]

    assert quota(CLIENT_A, NOW) == 10
    assert quota(CLIENT_B, NOW + 5) == 0
    assert quota(CLIENT_A, NOW + 10) == 5
    assert quota(CLIENT_B, NOW + 15) == 5


def test_updating_the_rule_changes_the_next_targets(call: Call, api_rule: None) -> None:
    call("GetSamplingTargets", {"SamplingStatisticsDocuments": [stats()]})
    call(
        "UpdateSamplingRule",
        {"SamplingRuleUpdate": {"RuleName": "api", "FixedRate": 0.75, "ReservoirSize": 2}},
        now=NOW + 3,
    )
    out = call("GetSamplingTargets", {"SamplingStatisticsDocuments": [stats(ts=NOW + 10)]}, now=NOW + 10)
    [target] = out["SamplingTargetDocuments"]
    assert (target["FixedRate"], target["ReservoirQuota"]) == (0.75, 2)
    assert out["LastRuleModification"] == NOW + 3


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (stats("nope"), "Unknown rule"),
        (stats(client="xyz"), "ClientID must be at least 24 characters long"),
        (stats(client="g" * 24), "ClientID must be 24 hexadecimal characters"),
        (stats(requests=5, sampled=6), "SampledCount and BorrowCount cannot exceed RequestCount"),
        (stats(requests=5, sampled=1, borrowed=6), "SampledCount and BorrowCount cannot exceed RequestCount"),
        (stats(requests=-1), "RequestCount must be at least 0"),
        (stats(ts=NOW - 7200), "Statistics are too old"),
        (stats(ts=NOW + 7200), "in the future"),
        (stats(ts="yesterday"), "Timestamp is not a valid timestamp"),
        ({**stats(), "Timestamp": None}, "Timestamp is required"),
        ({"ClientID": CLIENT_A}, "RuleName is required"),
    ],
)
def test_bad_statistics_are_unprocessed_and_the_rest_processed(
    call: Call, state: ConfigState, api_rule: None, doc: dict, message: str
) -> None:
    out = call("GetSamplingTargets", {"SamplingStatisticsDocuments": [doc, stats()]})
    [bad] = out["UnprocessedStatistics"]
    assert bad["ErrorCode"] == "400"
    assert message in bad["Message"]
    assert bad.get("RuleName") == doc.get("RuleName")
    assert [t["RuleName"] for t in out["SamplingTargetDocuments"]] == ["api"]
    assert state.counters["sampling_statistics_rejected"] == 1
    summaries = call("GetSamplingStatisticSummaries")["SamplingStatisticSummaries"]
    assert [(s["RuleName"], s["RequestCount"]) for s in summaries] == [("api", 100)]


def test_unknown_rule_exact_entry(call: Call) -> None:
    out = call("GetSamplingTargets", {"SamplingStatisticsDocuments": [stats("nope")]})
    assert out["UnprocessedStatistics"] == [
        {"RuleName": "nope", "ErrorCode": "400", "Message": "Unknown rule"}
    ]
    assert out["SamplingTargetDocuments"] == []


@pytest.mark.parametrize("ts", [NOW * 1000, "2023-11-14T22:13:20Z", "2023-11-14T22:13:20+00:00", str(NOW)])
def test_timestamps_in_seconds_ms_and_iso(call: Call, api_rule: None, ts: object) -> None:
    out = call("GetSamplingTargets", {"SamplingStatisticsDocuments": [stats(ts=ts)]})
    assert out["UnprocessedStatistics"] == []
    [summary] = call("GetSamplingStatisticSummaries")["SamplingStatisticSummaries"]
    assert summary["Timestamp"] == NOW


def test_too_many_documents(call: Call) -> None:
    with pytest.raises(InvalidRequestException, match="at most 25"):
        call("GetSamplingTargets", {"SamplingStatisticsDocuments": [stats()] * 26})
    with pytest.raises(InvalidRequestException, match="SamplingStatisticsDocuments is required"):
        call("GetSamplingTargets", {})


def test_boost_statistics_are_reported_unprocessed(call: Call, state: ConfigState, api_rule: None) -> None:
    boost = {
        "RuleName": "api",
        "ServiceName": "orders",
        "Timestamp": NOW,
        "AnomalyCount": 1,
        "TotalCount": 9,
        "SampledAnomalyCount": 1,
    }
    out = call(
        "GetSamplingTargets",
        {"SamplingStatisticsDocuments": [stats()], "SamplingBoostStatisticsDocuments": [boost]},
    )
    [entry] = out["UnprocessedBoostStatistics"]
    assert entry["RuleName"] == "api" and entry["ErrorCode"] == "400"
    assert "does not implement adaptive sampling boosts" in entry["Message"]
    assert "SamplingBoost" not in out["SamplingTargetDocuments"][0]
    assert state.counters["sampling_boost_statistics_rejected"] == 1


def test_summaries_add_all_clients_per_ten_second_window(call: Call, api_rule: None) -> None:
    call(
        "GetSamplingTargets",
        {"SamplingStatisticsDocuments": [stats(ts=NOW + 1, requests=10, sampled=3, borrowed=1)]},
        now=NOW + 1,
    )
    call(
        "GetSamplingTargets",
        {"SamplingStatisticsDocuments": [stats(client=CLIENT_B, ts=NOW + 9, requests=20, sampled=4)]},
        now=NOW + 9,
    )
    call(
        "GetSamplingTargets",
        {"SamplingStatisticsDocuments": [stats(ts=NOW + 12, requests=5, sampled=5)]},
        now=NOW + 12,
    )
    call(
        "GetSamplingTargets",
        {"SamplingStatisticsDocuments": [stats("Default", ts=NOW + 12, requests=1, sampled=1)]},
        now=NOW + 12,
    )
    out = call("GetSamplingStatisticSummaries", now=NOW + 20)
    assert out["SamplingStatisticSummaries"] == [
        {
            "RuleName": "Default",
            "Timestamp": NOW + 10,
            "RequestCount": 1,
            "BorrowCount": 0,
            "SampledCount": 1,
        },
        {"RuleName": "api", "Timestamp": NOW + 10, "RequestCount": 5, "BorrowCount": 0, "SampledCount": 5},
        {"RuleName": "api", "Timestamp": NOW, "RequestCount": 30, "BorrowCount": 1, "SampledCount": 7},
    ]
    assert "NextToken" not in out


def test_summaries_paginate_and_expire(call: Call, api_rule: None) -> None:
    for i in range(150):
        t = NOW + 10 * i
        call(
            "GetSamplingTargets", {"SamplingStatisticsDocuments": [stats(ts=t, requests=i, sampled=0)]}, now=t
        )
    end = NOW + 1500
    first = call("GetSamplingStatisticSummaries", now=end)
    assert len(first["SamplingStatisticSummaries"]) == 100
    second = call("GetSamplingStatisticSummaries", {"NextToken": first["NextToken"]}, now=end)
    assert len(second["SamplingStatisticSummaries"]) == 50
    assert "NextToken" not in second
    counts = [
        s["RequestCount"] for s in first["SamplingStatisticSummaries"] + second["SamplingStatisticSummaries"]
    ]
    assert counts == list(range(149, -1, -1))
    # an hour later only the windows of the last hour are served
    later = call("GetSamplingStatisticSummaries", now=NOW + 1490 + 3600)
    assert [s["RequestCount"] for s in later["SamplingStatisticSummaries"]] == [149]


def test_statistics_and_durable_settings_survive_reopen(tmp_path: Path) -> None:
    first = ConfigState.open(tmp_path)
    HANDLERS["GetSamplingTargets"](
        first, {"SamplingStatisticsDocuments": [stats("Default", requests=7, sampled=1)]}, NOW
    )
    assert first.query("PRAGMA synchronous") == [(2,)]  # back to FULL for configuration writes
    first.close()
    second = ConfigState.open(tmp_path)
    try:
        [summary] = HANDLERS["GetSamplingStatisticSummaries"](second, {}, NOW)["SamplingStatisticSummaries"]
        assert (summary["RuleName"], summary["RequestCount"]) == ("Default", 7)
    finally:
        second.close()
