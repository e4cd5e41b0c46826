"""Statistics, histograms and GetTimeSeriesServiceStatistics."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.validate import ParamValidator

from otelray.service.errors import InvalidRequestException
from otelray.service.facts import ERROR, FAULT, THROTTLE, Observation, trace_facts
from otelray.service.graph import rollup
from otelray.service.stats import Stats, round_value, time_series_from_entries, time_series_statistics
from tests.unit.service.filters.corpus import T0, front_trace, shop

MODEL = botocore.session.get_session().get_service_model("xray")


def test_each_request_counts_once_fault_before_throttle_before_error() -> None:
    stats = Stats()
    for flags in (0, ERROR, THROTTLE | ERROR, FAULT | ERROR, FAULT | THROTTLE):
        stats.add(Observation(0, 0.0, 1.0, flags))
    stats.add(Observation(0, 0.0, None, FAULT))  # in progress: seen, not counted
    assert stats.statistics() == {
        "OkCount": 1, "ErrorStatistics": {"ThrottleCount": 1, "OtherCount": 1, "TotalCount": 2},
        "FaultStatistics": {"OtherCount": 2, "TotalCount": 2}, "TotalCount": 5, "TotalResponseTime": 5.0}


def test_histogram_rounds_to_three_significant_digits_and_merges() -> None:
    assert [round_value(v) for v in (0.0012345, 1.23456, 12345.6, 0.0, -1.0)] == [0.00123, 1.23, 12300.0, 0.0, 0.0]
    a, b = Stats(), Stats()
    for start, end in ((0.0, 0.1231), (0.0, 0.1234), (0.0, 2.0)):
        a.add(Observation(0, start, end, 0))
    b.add(Observation(0, 5.0, 5.1232, 0))
    a.merge(b)
    assert a.response_time_histogram() == [{"Value": 0.123, "Count": 3}, {"Value": 2.0, "Count": 1}]
    assert (a.start, a.end, a.total) == (0.0, 5.1232, 4)


def facts_per_minute() -> list:
    # minute 0: two ok requests; minute 1: a 404; minute 3: a 500 from front (status drives the flags)
    plan = [(0, 200, 0.1), (30, 200, 0.2), (70, 404, 0.3), (190, 500, 0.4)]
    out = []
    for n, (offset, status, seconds) in enumerate(plan):
        docs = front_trace(n, status, seconds)
        docs[0]["start_time"] = T0 + offset
        docs[0]["end_time"] = T0 + offset + seconds
        docs[0]["subsegments"][0]["start_time"] = T0 + offset
        docs[0]["subsegments"][0]["end_time"] = T0 + offset + seconds / 2
        out.append(trace_facts(docs))
    return out


def test_service_selector_time_series() -> None:
    series = time_series_statistics(facts_per_minute(), T0, T0 + 240, 60, 'service("front")')
    assert [p["Timestamp"] for p in series] == [T0, T0 + 60, T0 + 120, T0 + 180]
    totals = [p["ServiceSummaryStatistics"]["TotalCount"] for p in series]
    assert totals == [2, 1, 0, 1]
    assert series[1]["ServiceSummaryStatistics"]["ErrorStatistics"]["OtherCount"] == 1
    assert series[3]["ServiceSummaryStatistics"]["FaultStatistics"]["TotalCount"] == 1
    assert series[0]["ResponseTimeHistogram"] == [{"Value": 0.1, "Count": 1}, {"Value": 0.2, "Count": 1}]
    # calls into front: the client edge carries the root segments
    assert [p["EdgeSummaryStatistics"]["TotalCount"] for p in series] == [2, 1, 0, 1]
    report = ParamValidator().validate({"TimeSeriesServiceStatistics": series},
                                       MODEL.operation_model("GetTimeSeriesServiceStatistics").output_shape)
    assert not report.has_errors(), report.generate_report()


def test_edge_and_id_selectors() -> None:
    facts = facts_per_minute()
    edge = time_series_statistics(facts, T0, T0 + 120, 60, 'edge("front", "users")')
    assert [p["EdgeSummaryStatistics"]["TotalCount"] for p in edge] == [2, 1]
    assert edge[0]["EdgeSummaryStatistics"]["TotalResponseTime"] == pytest.approx(0.15)
    assert "ServiceSummaryStatistics" not in edge[0]
    table = time_series_statistics(facts, T0, T0 + 120, 60, 'id(name: "users", type: "AWS::DynamoDB::Table")')
    assert [p["ServiceSummaryStatistics"]["TotalCount"] for p in table] == [2, 1]
    assert [p["EdgeSummaryStatistics"]["TotalCount"] for p in table] == [2, 1]
    none = time_series_statistics(facts, T0, T0 + 120, 60, 'service("nobody")')
    assert all(p["ServiceSummaryStatistics"]["TotalCount"] == 0 for p in none)


def test_no_selector_gives_entry_requests() -> None:
    series = time_series_statistics(facts_per_minute() + [trace_facts(shop())], T0, T0 + 120, 120)
    assert series[0]["ServiceSummaryStatistics"]["TotalCount"] == 4  # three front requests + the shop root
    assert series[0]["EdgeSummaryStatistics"]["FaultStatistics"]["TotalCount"] == 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"period": 30}, "Period must be a positive multiple of 60"),
    ({"period": 0}, "Period must be a positive multiple of 60"),
    ({"end": T0}, "EndTime must be after StartTime"),
    ({"end": T0 + 60 * 20_000}, "more than 10000 periods"),
    ({"entity_selector": 'service("a") { fault }'}, "without a filter body"),
    ({"entity_selector": "fault"}, "must be service"),
    ({"entity_selector": "service("}, "Invalid filter expression at column 9"),
])
def test_bad_requests(kwargs: dict, message: str) -> None:
    args = {"start": T0, "end": T0 + 60, "period": 60, "entity_selector": None, **kwargs}
    with pytest.raises(InvalidRequestException, match=message.replace("(", r"\(")):
        time_series_statistics([], **args)


def test_time_series_from_rollups_equals_time_series_from_facts() -> None:
    facts = facts_per_minute()
    items = [(k[0], k[1], k[2], k[3], s) for f in facts for k, s in rollup(f).items()]
    minute = T0 // 60 * 60  # rollups are per minute: windows on minute boundaries agree exactly
    for selector in (None, 'service("front")', 'edge("front", "users")'):
        assert time_series_from_entries(items, minute, minute + 300, 60, selector) == time_series_statistics(
            facts, minute, minute + 300, 60, selector)


def test_stats_compact_form_round_trips() -> None:
    stats = Stats()
    for flags, end in ((0, 1.5), (FAULT, 2.25), (THROTTLE | ERROR, None)):
        stats.add(Observation(0, 1.0, end, flags))
    assert Stats.from_list(stats.to_list()) == stats
