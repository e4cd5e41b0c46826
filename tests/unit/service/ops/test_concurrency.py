"""Operations racing from many threads (the backend runs handlers on a thread pool)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from otelray.service.config_store import ConfigState
from otelray.service.errors import RuleLimitExceededException
from otelray.service.ops import HANDLERS

from .conftest import NOW, rule


def test_racing_creates_never_pass_the_rule_limit(state: ConfigState) -> None:
    def create(i: int) -> str:
        try:
            HANDLERS["CreateSamplingRule"](state, {"SamplingRule": rule(f"r{i}")}, NOW)
        except RuleLimitExceededException:
            return "limit"
        return "created"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(create, range(40)))
    assert outcomes.count("created") == 25
    assert outcomes.count("limit") == 15
    assert len(HANDLERS["GetSamplingRules"](state, {}, NOW)["SamplingRuleRecords"]) == 26


def test_racing_statistics_all_counted(state: ConfigState) -> None:
    def report(i: int) -> int:
        doc = {
            "RuleName": "Default",
            "ClientID": f"{i % 7:024x}",
            "Timestamp": NOW,
            "RequestCount": 3,
            "SampledCount": 1,
            "BorrowCount": 0,
        }
        out = HANDLERS["GetSamplingTargets"](state, {"SamplingStatisticsDocuments": [doc]}, NOW)
        return int(out["SamplingTargetDocuments"][0]["ReservoirQuota"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        quotas = list(pool.map(report, range(200)))
    assert all(0 <= q <= 1 for q in quotas)
    [summary] = HANDLERS["GetSamplingStatisticSummaries"](state, {}, NOW)["SamplingStatisticSummaries"]
    assert (summary["RequestCount"], summary["SampledCount"]) == (600, 200)
