"""Filters, groups, inferred segments, graphs and statistics through boto3 and the AWS CLI."""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from otelray.xray.ids import new_segment_id, new_trace_id

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def xray(backend: Any) -> Any:
    return boto3.client("xray", endpoint_url=backend.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def shop_trace(start: float, *, status: int = 200, tier: str = "gold") -> tuple[str, list[dict[str, Any]]]:
    """frontend (EC2) → backend (remote HTTP, instrumented) and → DynamoDB table (inferred)."""
    trace_id = new_trace_id(start)
    front, call_backend, call_ddb, back = (new_segment_id() for _ in range(4))
    frontend = {
        "name": "frontend", "id": front, "trace_id": trace_id, "start_time": start, "end_time": start + 0.5,
        "origin": "AWS::EC2::Instance", "annotations": {"tier": tier},
        "http": {"request": {"method": "GET", "url": "https://shop.example.com/cart"},
                 "response": {"status": status}},
        "fault": status >= 500,
        "subsegments": [
            {"name": "backend", "id": call_backend, "namespace": "remote", "start_time": start + 0.01,
             "end_time": start + 0.3, "http": {"request": {"method": "GET", "url": "http://backend/items"},
                                                "response": {"status": 200}}},
            {"name": "DynamoDB", "id": call_ddb, "namespace": "aws", "start_time": start + 0.31,
             "end_time": start + 0.4, "aws": {"operation": "GetItem", "table_name": "carts"},
             "http": {"response": {"status": 200}}},
        ],
    }
    backend_segment = {"name": "backend", "id": back, "trace_id": trace_id, "parent_id": call_backend,
                       "start_time": start + 0.02, "end_time": start + 0.28,
                       "http": {"request": {"method": "GET", "url": "http://backend/items"},
                                "response": {"status": 200}}}
    return trace_id, [frontend, backend_segment]


@pytest.fixture(scope="module")
def shop(xray: Any) -> dict[str, Any]:
    start = time.time() - 900
    good_id, good = shop_trace(start)
    bad_id, bad = shop_trace(start + 60, status=503, tier="silver")
    docs = [json.dumps(d) for d in good + bad]
    assert xray.put_trace_segments(TraceSegmentDocuments=docs)["UnprocessedTraceSegments"] == []
    return {"start": start, "good": good_id, "bad": bad_id}


def ids(xray: Any, shop: dict[str, Any], expression: str, **extra: Any) -> list[str]:
    pages = xray.get_paginator("get_trace_summaries").paginate(
        StartTime=shop["start"] - 1, EndTime=shop["start"] + 120, FilterExpression=expression, **extra)
    return [s["Id"] for p in pages for s in p["TraceSummaries"]]


def test_summaries_carry_the_derived_values(xray: Any, shop: dict[str, Any]) -> None:
    out = xray.get_trace_summaries(StartTime=shop["start"] - 1, EndTime=shop["start"] + 120)
    summaries = {s["Id"]: s for s in out["TraceSummaries"]}
    bad = summaries[shop["bad"]]
    assert bad["HasFault"] is True and bad["HasError"] is False
    assert bad["ResponseTime"] == pytest.approx(0.5)
    assert bad["Http"]["HttpStatus"] == 503 and bad["Http"]["HttpURL"] == "https://shop.example.com/cart"
    assert bad["Annotations"]["tier"][0]["AnnotationValue"] == {"StringValue": "silver"}
    assert {s["Name"] for s in bad["ServiceIds"]} >= {"frontend", "backend"}
    assert bad["EntryPoint"]["Name"] == "frontend"
    assert summaries[shop["good"]]["HasFault"] is False


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("fault", ["bad"]),
        ("!fault", ["good"]),
        ('annotation.tier = "gold"', ["good"]),
        ('service("backend")', ["bad", "good"]),
        ('service("frontend") { fault }', ["bad"]),
        ('http.url CONTAINS "/cart" AND responsetime > 0.4', ["bad", "good"]),
        ('edge("frontend", "backend") { ok }', ["bad", "good"]),
        ("http.status = 503 OR duration > 100", ["bad"]),
    ],
)
def test_filter_expressions(xray: Any, shop: dict[str, Any], expression: str, expected: list[str]) -> None:
    assert ids(xray, shop, expression) == [shop[name] for name in expected]


def test_processed_count_includes_traces_that_did_not_match(xray: Any, shop: dict[str, Any]) -> None:
    out = xray.get_trace_summaries(StartTime=shop["start"] - 1, EndTime=shop["start"] + 120,
                                   FilterExpression="fault")
    assert [s["Id"] for s in out["TraceSummaries"]] == [shop["bad"]]
    assert out["TracesProcessedCount"] == 2


def test_bad_filter_expression_names_the_position(xray: Any, shop: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as err:
        ids(xray, shop, "responsetime >>> 2")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "column" in err.value.response["Error"]["Message"]


def test_group_scopes_summaries_and_graph(xray: Any, shop: dict[str, Any]) -> None:
    xray.create_group(GroupName="faulty", FilterExpression="fault = true")
    # GetTraceSummaries has no GroupName member in the model: groups are named in the expression
    assert ids(xray, shop, 'group.name = "faulty"') == [shop["bad"]]
    assert ids(xray, shop, 'group.name = "faulty" AND responsetime > 0') == [shop["bad"]]
    graph = xray.get_service_graph(StartTime=shop["start"] - 1, EndTime=shop["start"] + 120, GroupName="faulty")
    front = next(s for s in graph["Services"] if s["Name"] == "frontend" and s.get("Type") != "client")
    assert front["SummaryStatistics"]["TotalCount"] == 1
    with pytest.raises(ClientError) as err:
        xray.get_service_graph(StartTime=1, EndTime=2, GroupName="nosuchgroup")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"


def test_batch_get_traces_adds_inferred_segments(xray: Any, shop: dict[str, Any]) -> None:
    (trace,) = xray.batch_get_traces(TraceIds=[shop["good"]])["Traces"]
    docs = [json.loads(s["Document"]) for s in trace["Segments"]]
    inferred = [d for d in docs if d.get("inferred")]
    assert [(d["name"], d["origin"]) for d in inferred] == [("carts", "AWS::DynamoDB::Table")]
    assert len(docs) == 3  # frontend, backend (answered the remote call, so not inferred), carts


def test_service_graph(xray: Any, shop: dict[str, Any]) -> None:
    out = xray.get_service_graph(StartTime=shop["start"] - 1, EndTime=shop["start"] + 120)
    nodes = {(s["Name"], s.get("Type")): s for s in out["Services"]}
    assert ("frontend", "AWS::EC2::Instance") in nodes and ("frontend", "client") in nodes
    assert ("carts", "AWS::DynamoDB::Table") in nodes
    front = nodes[("frontend", "AWS::EC2::Instance")]
    assert front["SummaryStatistics"]["TotalCount"] == 2
    assert front["SummaryStatistics"]["FaultStatistics"]["TotalCount"] == 1
    targets = {e["ReferenceId"] for e in front["Edges"]}
    by_ref = {s["ReferenceId"]: s["Name"] for s in out["Services"]}
    assert {by_ref[t] for t in targets} == {"backend", "carts"}


def test_trace_graph_is_the_graph_of_one_trace(xray: Any, shop: dict[str, Any]) -> None:
    out = xray.get_trace_graph(TraceIds=[shop["bad"]])
    front = next(s for s in out["Services"] if s["Name"] == "frontend" and s.get("Type") != "client")
    assert front["SummaryStatistics"]["TotalCount"] == 1
    assert front["SummaryStatistics"]["FaultStatistics"]["TotalCount"] == 1


def test_time_series_statistics(xray: Any, shop: dict[str, Any]) -> None:
    out = xray.get_time_series_service_statistics(
        StartTime=shop["start"] - 60, EndTime=shop["start"] + 120, Period=60,
        EntitySelectorExpression='service("frontend")')
    points = out["TimeSeriesServiceStatistics"]
    assert len(points) == 3
    totals = [p.get("ServiceSummaryStatistics", {}).get("TotalCount", 0) for p in points]
    assert totals == [0, 1, 1]
    with pytest.raises(ClientError) as err:
        xray.get_time_series_service_statistics(StartTime=shop["start"], EndTime=shop["start"] + 60, Period=7)
    assert "Period" in err.value.response["Error"]["Message"]


def test_cli_get_service_graph(backend: Any, xray_env: dict[str, str], shop: dict[str, Any]) -> None:
    out = subprocess.run(
        ["aws", "xray", "get-service-graph", "--start-time", str(int(shop["start"] - 1)),
         "--end-time", str(int(shop["start"] + 120)), "--endpoint-url", backend.url, "--output", "json"],
        env=xray_env, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    names = {s["Name"] for s in json.loads(out.stdout)["Services"]}
    assert names >= {"frontend", "backend", "carts"}
