"""aws-xray-sdk sends segments over real UDP to `otelray backend`; boto3 reads them back."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import boto3
import httpx
import pytest
from aws_xray_sdk.core.recorder import AWSXRayRecorder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def xray(backend: Any) -> Any:
    return boto3.client("xray", endpoint_url=backend.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def recorder(port: int, **options: Any) -> AWSXRayRecorder:
    rec = AWSXRayRecorder()
    rec.configure(sampling=False, context_missing="LOG_ERROR", daemon_address=f"127.0.0.1:{port}",
                  service="checkout", **options)
    return rec


def names(trace: dict[str, Any]) -> set[str]:
    """Names of every document and embedded subsegment of a BatchGetTraces trace."""
    found: set[str] = set()
    stack = [json.loads(s["Document"]) for s in trace["Segments"]]
    while stack:
        entity = stack.pop()
        found.add(entity["name"])
        stack.extend(entity.get("subsegments", []))
    return found


def wait_for_trace(xray: Any, trace_id: str, expected: set[str], timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        traces = xray.batch_get_traces(TraceIds=[trace_id])["Traces"]
        if traces and expected <= names(traces[0]) or time.monotonic() > deadline:
            assert traces, f"trace {trace_id} never arrived"
            return traces[0]
        time.sleep(0.05)


def test_sdk_segment_with_subsegments(backend: Any, xray: Any) -> None:
    rec = recorder(backend.port)
    segment = rec.begin_segment("checkout")
    segment.put_http_meta("method", "POST")
    segment.put_http_meta("url", "https://shop.example.com/cart")
    segment.put_annotation("customer_tier", "gold")
    with rec.in_subsegment("load-cart") as sub:
        sub.put_metadata("items", 3)
        time.sleep(0.12)
    segment.put_http_meta("status", 200)
    rec.end_segment()

    trace = wait_for_trace(xray, segment.trace_id, {"checkout", "load-cart"})
    (doc,) = [json.loads(s["Document"]) for s in trace["Segments"] if s["Id"] == segment.id]
    assert doc["name"] == "checkout"
    assert doc["http"]["request"]["url"] == "https://shop.example.com/cart"
    assert doc["annotations"] == {"customer_tier": "gold"}
    assert [s["name"] for s in doc["subsegments"]] == ["load-cart"]
    assert trace["Duration"] >= 0.12

    summaries = xray.get_trace_summaries(StartTime=time.time() - 60, EndTime=time.time() + 5)["TraceSummaries"]
    assert segment.trace_id in [s["Id"] for s in summaries]
    slow = xray.get_trace_summaries(StartTime=time.time() - 60, EndTime=time.time() + 5,
                                    FilterExpression='service("checkout") AND responsetime > 0.1')
    assert segment.trace_id in [s["Id"] for s in slow["TraceSummaries"]]
    fast = xray.get_trace_summaries(StartTime=time.time() - 60, EndTime=time.time() + 5,
                                    FilterExpression='service("checkout") AND responsetime > 5')
    assert segment.trace_id not in [s["Id"] for s in fast["TraceSummaries"]]


def test_sdk_streaming_sends_independent_subsegments(backend: Any, xray: Any) -> None:
    rec = recorder(backend.port, streaming_threshold=2)
    segment = rec.begin_segment("checkout")
    for i in range(5):
        with rec.in_subsegment(f"step-{i}"):
            pass
    rec.end_segment()

    steps = {f"step-{i}" for i in range(5)}
    trace = wait_for_trace(xray, segment.trace_id, steps | {"checkout"})
    docs = [json.loads(s["Document"]) for s in trace["Segments"]]
    streamed = [d for d in docs if d.get("type") == "subsegment"]
    assert streamed, "the SDK streamed no subsegments"
    assert all(d["trace_id"] == segment.trace_id and d["parent_id"] == segment.id for d in streamed)
    assert names(trace) == steps | {"checkout"}


def test_udp_garbage_is_counted_and_the_server_keeps_working(backend: Any, xray: Any) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for datagram in (b"\x00\xff garbage", b'{"format":"json","version":1}\n{"id":', b"x" * 65_000):
            sock.sendto(datagram, ("127.0.0.1", backend.port))
    test_sdk_segment_with_subsegments(backend, xray)
    text = httpx.get(f"{backend.url}/-/metrics").text
    assert 'otelray_backend_datagrams_rejected_total{reason="missing_header"}' in text
    assert 'otelray_backend_segments_rejected_total{reason="InvalidJson",source="udp"} 1.0' in text
