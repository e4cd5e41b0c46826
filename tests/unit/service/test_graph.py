"""Service graph and trace graph: nodes, client node, inferred nodes, edges, statistics, aliases."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.validate import ParamValidator
from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.service.facts import ROOT, trace_facts
from otelray.service.graph import (
    build_service_graph,
    entries_from_rows,
    merge_row,
    rollup,
    rollup_rows,
    service_graph_from_entries,
    trace_graph,
)
from otelray.service.stats import Stats
from tests.unit.service.filters.corpus import T0, corpus, front_trace, game, shop

MODEL = botocore.session.get_session().get_service_model("xray")


def by_name(services: list[dict]) -> dict[tuple[str, str | None], dict]:
    return {(s["Name"], s.get("Type")): s for s in services}


def test_statistics_of_the_guide_example_ok_3_error_1() -> None:
    facts = [trace_facts(front_trace(i, status, 0.1 * (i + 1))) for i, status in enumerate((200, 200, 404, 200))]
    services = build_service_graph(facts, T0, T0 + 60)
    nodes = by_name(services)
    front = nodes[("front", "AWS::EC2::Instance")]
    assert front["State"] == "active" and front["Root"] is True
    assert front["SummaryStatistics"] == {
        "OkCount": 3, "ErrorStatistics": {"ThrottleCount": 0, "OtherCount": 1, "TotalCount": 1},
        "FaultStatistics": {"OtherCount": 0, "TotalCount": 0}, "TotalCount": 4,
        "TotalResponseTime": pytest.approx(1.0)}
    assert front["ResponseTimeHistogram"] == [{"Value": v, "Count": 1} for v in (0.1, 0.2, 0.3, 0.4)]
    assert front["DurationHistogram"] == front["ResponseTimeHistogram"]
    assert (front["StartTime"], front["EndTime"]) == (T0, pytest.approx(T0 + 3.4))
    # client node: same name, type client, only edges, whose statistics are the root segments'
    client = nodes[("front", "client")]
    assert client["State"] == "unknown" and "SummaryStatistics" not in client and client["Root"] is False
    assert client["Edges"][0]["ReferenceId"] == front["ReferenceId"]
    assert client["Edges"][0]["SummaryStatistics"] == front["SummaryStatistics"]
    # inferred DynamoDB table, fed by the caller's subsegments
    table = nodes[("users", "AWS::DynamoDB::Table")]
    assert table["State"] == "unknown" and table["SummaryStatistics"]["OkCount"] == 4
    (edge,) = front["Edges"]
    assert edge["ReferenceId"] == table["ReferenceId"]
    assert edge["SummaryStatistics"]["TotalResponseTime"] == pytest.approx(0.5)
    assert edge["Aliases"] == []


def test_reference_ids_are_dense_and_edges_point_at_targets() -> None:
    services = trace_graph([trace_facts(docs) for docs in corpus().values()])
    assert [s["ReferenceId"] for s in services] == list(range(len(services)))
    ids = {s["ReferenceId"] for s in services}
    assert all(e["ReferenceId"] in ids for s in services for e in s["Edges"])
    report = ParamValidator().validate({"Services": services}, MODEL.operation_model("GetTraceGraph").output_shape)
    assert not report.has_errors(), report.generate_report()


def test_instrumented_callee_replaces_the_inferred_node_and_alias_is_kept() -> None:
    nodes = by_name(trace_graph([trace_facts(shop())]))
    assert ("payments.example.com", "remote") not in nodes
    payments = nodes[("payments", None)]
    assert payments["State"] == "active" and payments["Root"] is False
    shop_node = nodes[("shop", "AWS::EC2::Instance")]
    edge = next(e for e in shop_node["Edges"] if e["ReferenceId"] == payments["ReferenceId"])
    assert edge["Aliases"] == [{"Name": "payments.example.com", "Names": ["payments.example.com"], "Type": "remote"}]
    # the edge holds the caller's round trip (0.35 s), the node the callee's own time (0.33 s)
    assert edge["SummaryStatistics"]["TotalResponseTime"] == pytest.approx(0.35)
    assert payments["SummaryStatistics"]["TotalResponseTime"] == pytest.approx(0.33)
    assert edge["SummaryStatistics"]["FaultStatistics"]["TotalCount"] == 1
    sql = nodes[("orders@db.internal", "Database::SQL")]
    assert any(e["ReferenceId"] == sql["ReferenceId"] for e in payments["Edges"])
    assert shop_node["AccountId"] == "123456789012"


def test_throttle_and_in_progress_calls() -> None:
    nodes = by_name(trace_graph([trace_facts(corpus()["api"])]))
    api = nodes[("api.example.com", None)]
    assert api["SummaryStatistics"]["ErrorStatistics"] == {"ThrottleCount": 1, "OtherCount": 0, "TotalCount": 1}
    s3 = nodes[("S3", "AWS::S3")]
    assert s3["SummaryStatistics"]["TotalCount"] == 1  # the in-progress GetObject is not counted
    queue = nodes[("jobs", "AWS::SQS::Queue")]
    assert queue["SummaryStatistics"]["OkCount"] == 1


def test_window_selects_requests_that_started_inside_it() -> None:
    facts = [trace_facts(front_trace(i, 200, 0.1)) for i in range(10)]
    front = by_name(build_service_graph(facts, T0 + 2, T0 + 5))[("front", "AWS::EC2::Instance")]
    assert front["SummaryStatistics"]["TotalCount"] == 3
    assert build_service_graph(facts, T0 + 100, T0 + 200) == []


def test_same_service_from_many_traces_is_one_node() -> None:
    services = trace_graph([trace_facts(game()), trace_facts(game(status=200, response_time=1.0))])
    api = by_name(services)[("api.example.com", None)]
    assert api["SummaryStatistics"]["TotalCount"] == 2 and api["SummaryStatistics"]["OkCount"] == 1
    assert len(services) == 3  # client, api.example.com, backend.example.com


def test_graph_from_per_minute_rollups_equals_graph_from_facts() -> None:
    facts = [trace_facts(front_trace(i * 7, (200, 404, 500, 429)[i % 4], 0.05 * (i + 1))) for i in range(40)]
    facts += [trace_facts(docs) for docs in corpus().values()]
    store: dict = {}
    for f in facts:
        for key, stats in rollup(f).items():
            # what a store keeps: the compact form, merged per (minute, source, target, alias)
            if key in store:
                merged = Stats.from_list(store[key])
                merged.merge(stats)
                store[key] = merged.to_list()
            else:
                store[key] = stats.to_list()
    items = [(k[0], k[1], k[2], k[3], Stats.from_list(v)) for k, v in store.items()]
    start, end = T0 - 60, T0 + 600
    assert service_graph_from_entries(items, start, end) == build_service_graph(facts, start, end)


def test_rollup_update_subtracts_the_old_contribution() -> None:
    old = trace_facts(game()[:2])  # in-progress root and the backend so far
    new = trace_facts(game())
    minute: dict = {}
    for key, stats in rollup(old).items():
        minute[key] = stats
    for key, stats in rollup(old).items():
        minute[key].subtract(stats)
    for key, stats in rollup(new).items():
        minute.setdefault(key, Stats()).merge(stats)
    items = [(k[0], k[1], k[2], k[3], s) for k, s in minute.items()]
    rebuilt = by_name(service_graph_from_entries(items, T0, T0 + 60))
    direct = by_name(build_service_graph([new], T0, T0 + 60))
    assert rebuilt[("api.example.com", None)]["SummaryStatistics"] == direct[("api.example.com", None)][
        "SummaryStatistics"]
    assert rebuilt[("api.example.com", None)]["SummaryStatistics"]["ErrorStatistics"]["OtherCount"] == 1


def test_stored_rollup_rows_rebuild_the_graph_through_updates() -> None:
    """What a store does: keep (minute, key) rows, add each trace's rows, replace them on updates."""
    table: dict[tuple[int, str], list] = {}

    def apply(facts, subtract=False):
        for minute, key, value in rollup_rows(facts):
            merged = merge_row(table.get((minute, key)), value, subtract=subtract)
            if merged is None:
                table.pop((minute, key), None)
            else:
                table[(minute, key)] = merged

    first = trace_facts(game()[:2])  # in progress so far
    final = trace_facts(game())
    others = [trace_facts(docs) for name, docs in corpus().items() if name != "game"]
    for facts in [*others, first]:
        apply(facts)
    apply(first, subtract=True)
    apply(final)
    rows = [(minute, key, json.loads(json.dumps(value))) for (minute, key), value in table.items()]
    start, end = T0 // 60 * 60, T0 // 60 * 60 + 120
    rebuilt = service_graph_from_entries(entries_from_rows(rows), start, end)
    direct = build_service_graph([*others, final], start, end)
    # counts, sums, histograms and aliases agree; start/end times of rollups only widen on updates
    assert _counts(rebuilt) == _counts(direct)


def _counts(services: list[dict]) -> dict:
    return {(s["Name"], s.get("Type")): (s.get("SummaryStatistics"), s.get("ResponseTimeHistogram"),
                                        [(e["ReferenceId"], e["SummaryStatistics"], e["Aliases"]) for e in s["Edges"]])
            for s in services}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([200, 201, 404, 429, 500, 503]), st.floats(0.001, 5.0)),
                min_size=1, max_size=12),
       st.integers(-60, 600), st.integers(1, 700))
def test_graph_invariants_hold_for_any_window(plan: list, start: int, width: int) -> None:
    facts = [trace_facts(front_trace(i, status, seconds)) for i, (status, seconds) in enumerate(plan)]
    facts += [trace_facts(docs) for docs in corpus().values()]
    services = build_service_graph(facts, T0 + start, T0 + start + width)
    refs = [s["ReferenceId"] for s in services]
    assert refs == list(range(len(services)))
    for service in services:
        assert all(e["ReferenceId"] in refs for e in service["Edges"])
        stats = [service.get("SummaryStatistics")] + [e["SummaryStatistics"] for e in service["Edges"]]
        for s in filter(None, stats):
            assert s["TotalCount"] == s["OkCount"] + s["ErrorStatistics"]["TotalCount"] + s["FaultStatistics"][
                "TotalCount"]
            assert s["ErrorStatistics"]["TotalCount"] == s["ErrorStatistics"]["ThrottleCount"] + s[
                "ErrorStatistics"]["OtherCount"]
        if service.get("Type") == "client":
            assert "SummaryStatistics" not in service and service["Edges"]
        else:
            histogram = service["ResponseTimeHistogram"]
            assert sum(h["Count"] for h in histogram) == service["SummaryStatistics"]["TotalCount"]
    # the client edges carry exactly the root requests that started in the window
    roots = sum(1 for f in facts for o in f.observations
                if o.flags & ROOT and o.end is not None and T0 + start <= o.start < T0 + start + width)
    assert sum(e["SummaryStatistics"]["TotalCount"] for s in services if s.get("Type") == "client"
               for e in s["Edges"]) == roots
