"""The service graph of traces recorded by aws-xray-sdk over real UDP, and the paginators boto3
offers for the graph, time-series, trace-graph and tag operations."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from aws_xray_sdk.core.recorder import AWSXRayRecorder

pytestmark = pytest.mark.integration
REQUESTS, FAULTS = 6, 2


@pytest.fixture(scope="module")
def xray(backend: Any) -> Any:
    return boto3.client("xray", endpoint_url=backend.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def recorded(backend: Any, xray: Any) -> list[str]:
    """REQUESTS traces of service `ledger`, each calling the un-instrumented `rates.example.com`;
    the last FAULTS calls answer 503."""
    rec = AWSXRayRecorder()
    rec.configure(sampling=False, context_missing="LOG_ERROR", daemon_address=f"127.0.0.1:{backend.port}",
                  service="ledger")
    trace_ids = []
    for n in range(REQUESTS):
        segment = rec.begin_segment("ledger")
        segment.put_http_meta("method", "GET")
        segment.put_http_meta("url", "https://ledger.example.com/balance")
        status = 503 if n >= REQUESTS - FAULTS else 200
        sub = rec.begin_subsegment("rates.example.com", namespace="remote")
        sub.put_http_meta("method", "GET")
        sub.put_http_meta("url", "https://rates.example.com/eur")
        sub.put_http_meta("status", status)
        if status >= 500:
            sub.add_fault_flag()
        time.sleep(0.01)
        rec.end_subsegment()
        segment.put_http_meta("status", 502 if status >= 500 else 200)
        if status >= 500:
            segment.add_fault_flag()
        rec.end_segment()
        trace_ids.append(segment.trace_id)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = set()
        for i in range(0, len(trace_ids), 5):
            found |= {t["Id"] for t in xray.batch_get_traces(TraceIds=trace_ids[i:i + 5])["Traces"]}
        if found == set(trace_ids):
            break
        time.sleep(0.1)
    return trace_ids


def _services(xray: Any) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 15
    while True:
        services = xray.get_service_graph(StartTime=time.time() - 300, EndTime=time.time() + 60)["Services"]
        ledger = [s for s in services if s["Name"] == "ledger" and s.get("Type") != "client"]
        if ledger and ledger[0]["Edges"] and ledger[0]["Edges"][0]["SummaryStatistics"]["TotalCount"] == REQUESTS:
            return services
        if time.monotonic() > deadline:
            return services
        time.sleep(0.2)


def test_graph_has_client_service_and_inferred_remote_node_with_counts(recorded: list[str], xray: Any) -> None:
    services = _services(xray)
    by_ref = {s["ReferenceId"]: s for s in services}
    client = next(s for s in services if s.get("Type") == "client")
    ledger = next(s for s in services if s["Name"] == "ledger" and s.get("Type") != "client")
    remote = next(s for s in services if s["Name"] == "rates.example.com")
    assert remote["Type"] == "remote" and remote["Edges"] == []
    (client_edge,) = [e for e in client["Edges"] if by_ref[e["ReferenceId"]] is ledger]
    assert client_edge["SummaryStatistics"]["TotalCount"] == REQUESTS
    assert client_edge["SummaryStatistics"]["FaultStatistics"]["TotalCount"] == FAULTS
    (downstream,) = ledger["Edges"]
    assert by_ref[downstream["ReferenceId"]] is remote
    stats = downstream["SummaryStatistics"]
    assert stats["TotalCount"] == REQUESTS
    assert stats["OkCount"] == REQUESTS - FAULTS and stats["FaultStatistics"]["TotalCount"] == FAULTS
    assert sum(bucket["Count"] for bucket in downstream["ResponseTimeHistogram"]) == REQUESTS


def test_graph_paginators(recorded: list[str], xray: Any) -> None:
    _services(xray)
    window = {"StartTime": time.time() - 300, "EndTime": time.time() + 60}
    pages = list(xray.get_paginator("get_service_graph").paginate(**window))
    assert {s["Name"] for page in pages for s in page["Services"]} >= {"ledger", "rates.example.com"}
    series = list(xray.get_paginator("get_time_series_service_statistics").paginate(
        **window, EntitySelectorExpression='service("ledger")', Period=60))
    points = [p for page in series for p in page["TimeSeriesServiceStatistics"]]
    assert sum(p["ServiceSummaryStatistics"]["TotalCount"] for p in points) == REQUESTS
    graphs = list(xray.get_paginator("get_trace_graph").paginate(TraceIds=recorded))
    assert {s["Name"] for page in graphs for s in page["Services"]} >= {"ledger", "rates.example.com"}


def test_list_tags_paginator(xray: Any) -> None:
    tags = [{"Key": f"team-{n:02d}", "Value": str(n)} for n in range(30)]
    arn = xray.create_group(GroupName="paged-tags", FilterExpression='service("ledger")', Tags=tags)["Group"]["GroupARN"]
    pages = list(xray.get_paginator("list_tags_for_resource").paginate(ResourceARN=arn))
    assert sorted(t["Key"] for page in pages for t in page["Tags"]) == [t["Key"] for t in tags]
