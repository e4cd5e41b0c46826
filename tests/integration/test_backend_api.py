"""`otelray backend` driven by boto3's xray client: the trace operations and their paginators."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from otelray.xray.ids import new_segment_id, new_trace_id

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def xray(backend: Any) -> Any:
    return boto3.client(
        "xray",
        endpoint_url=backend.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def segment(trace_id: str, start: float, duration: float = 0.2, **extra: Any) -> dict[str, Any]:
    doc = {"name": "orders", "id": new_segment_id(), "trace_id": trace_id, "start_time": start,
           "end_time": start + duration}
    doc.update(extra)
    return doc


def test_put_then_batch_get_returns_documents_as_sent(xray: Any) -> None:
    now = time.time()
    trace_id = new_trace_id(now)
    root = segment(trace_id, now - 1, 0.5, http={"request": {"method": "GET", "url": "http://x/a"},
                                                  "response": {"status": 200}})
    child = {"type": "subsegment", "name": "db", "id": new_segment_id(), "trace_id": trace_id,
             "parent_id": root["id"], "start_time": now - 0.9, "end_time": now - 0.6}
    sent = [json.dumps(root), json.dumps(child)]
    assert xray.put_trace_segments(TraceSegmentDocuments=sent)["UnprocessedTraceSegments"] == []

    out = xray.batch_get_traces(TraceIds=[trace_id])
    assert out["UnprocessedTraceIds"] == []
    (trace,) = out["Traces"]
    assert trace["Id"] == trace_id
    assert trace["Duration"] == pytest.approx(0.5)
    by_id = {s["Id"]: json.loads(s["Document"]) for s in trace["Segments"]}
    assert by_id[root["id"]] == root
    assert by_id[child["id"]] == child


def test_bad_documents_are_reported_and_the_rest_stored(xray: Any) -> None:
    now = time.time()
    trace_id = new_trace_id(now)
    good = segment(trace_id, now - 2)
    no_parent = {"type": "subsegment", "name": "s", "id": new_segment_id(), "trace_id": trace_id,
                 "start_time": now - 2, "end_time": now - 1}
    bad_trace = segment("1-abc-def", now - 2)
    huge = segment(trace_id, now - 2, metadata={"default": {"blob": "x" * 70_000}})
    out = xray.put_trace_segments(
        TraceSegmentDocuments=["{not json", json.dumps(no_parent), json.dumps(good), json.dumps(bad_trace),
                               json.dumps(huge), "[]"]
    )
    codes = [(u.get("Id"), u["ErrorCode"]) for u in out["UnprocessedTraceSegments"]]
    assert codes == [
        (None, "InvalidJson"),
        (no_parent["id"], "MissingParentId"),
        (bad_trace["id"], "InvalidTraceId"),
        (None, "DocumentTooLarge"),
        (None, "MissingId"),
    ]
    assert all(u["Message"] for u in out["UnprocessedTraceSegments"])
    (trace,) = xray.batch_get_traces(TraceIds=[trace_id])["Traces"]
    assert [s["Id"] for s in trace["Segments"]] == [good["id"]]


def test_complete_document_replaces_in_progress_and_not_the_reverse(xray: Any) -> None:
    now = time.time()
    trace_id = new_trace_id(now)
    doc = segment(trace_id, now - 3, 1.0)
    in_progress = {k: v for k, v in doc.items() if k != "end_time"} | {"in_progress": True}
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(in_progress)])
    summary = _summaries(xray, now - 10, now + 10, trace_id)
    assert summary["IsPartial"] is True
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(doc)])
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(in_progress)])  # late retry: ignored
    (trace,) = xray.batch_get_traces(TraceIds=[trace_id])["Traces"]
    assert [json.loads(s["Document"]) for s in trace["Segments"]] == [doc]
    assert _summaries(xray, now - 10, now + 10, trace_id)["IsPartial"] is False


def _summaries(xray: Any, start: float, end: float, trace_id: str) -> dict[str, Any]:
    pages = xray.get_paginator("get_trace_summaries").paginate(StartTime=start, EndTime=end)
    found = [s for page in pages for s in page["TraceSummaries"] if s["Id"] == trace_id]
    assert len(found) == 1
    return found[0]


def test_batch_get_traces_reports_unknown_ids_and_limits_the_batch(xray: Any) -> None:
    unknown = new_trace_id()
    out = xray.batch_get_traces(TraceIds=[unknown, "not-a-trace-id"])
    assert out["Traces"] == []
    assert out["UnprocessedTraceIds"] == [unknown, "not-a-trace-id"]
    with pytest.raises(ClientError) as err:
        xray.batch_get_traces(TraceIds=[new_trace_id() for _ in range(6)])
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "maximum query size: 5" in err.value.response["Error"]["Message"]


def test_batch_get_traces_paginates_large_traces(xray: Any) -> None:
    now = time.time()
    ids = [new_trace_id(now) for _ in range(4)]
    for trace_id in ids:  # 8 documents of ~60 KB: ~480 KB per trace, so a 1 MB page holds two
        docs = [segment(trace_id, now - 5, metadata={"d": {"pad": "x" * 60_000}}) for _ in range(8)]
        out = xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(d) for d in docs])
        assert out["UnprocessedTraceSegments"] == []
    pages = list(xray.get_paginator("batch_get_traces").paginate(TraceIds=ids))
    assert len(pages) == 2
    assert [t["Id"] for p in pages for t in p["Traces"]] == ids
    assert all(len(t["Segments"]) == 8 for p in pages for t in p["Traces"])


def test_trace_summaries_are_newest_first_and_paginate(xray: Any) -> None:
    base = time.time() - 3600  # a window no other test writes to
    ids = []
    for i in range(250):
        trace_id = new_trace_id(base + i)  # the TraceId time range type reads the id's own time
        ids.append(trace_id)
        xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(segment(trace_id, base + i))])
    pages = list(xray.get_paginator("get_trace_summaries").paginate(StartTime=base, EndTime=base + 300))
    assert len(pages) == 3
    got = [s["Id"] for p in pages for s in p["TraceSummaries"]]
    assert got == ids[::-1]
    assert [p["TracesProcessedCount"] for p in pages] == [100, 100, 50]
    assert all("NextToken" in p for p in pages[:2]) and "NextToken" not in pages[2]
    first = pages[0]["TraceSummaries"][0]
    assert first["StartTime"].timestamp() == pytest.approx(base + 249, abs=1e-3)
    assert first["Duration"] == pytest.approx(0.2)


def test_time_range_types(xray: Any) -> None:
    base = time.time() - 7200
    trace_id = new_trace_id(base)
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(segment(trace_id, base, duration=100.0))])

    def ids(kind: str, start: float, end: float) -> list[str]:
        out = xray.get_trace_summaries(StartTime=start, EndTime=end, TimeRangeType=kind)
        return [s["Id"] for s in out["TraceSummaries"]]

    assert trace_id in ids("TraceId", base - 1, base + 1)
    assert trace_id not in ids("Service", base - 1, base + 1)
    assert trace_id in ids("Service", base + 99, base + 101)
    now = time.time()
    assert trace_id in ids("Event", now - 60, now + 1)
    assert trace_id not in ids("Event", base - 1, base + 1)


def test_request_validation_names_the_member(xray: Any) -> None:
    with pytest.raises(ClientError) as err:
        xray.get_trace_summaries(StartTime=1, EndTime=2, TimeRangeType="Sometime")
    error = err.value.response["Error"]
    assert error["Code"] == "InvalidRequestException"
    assert "TimeRangeType" in error["Message"] and "enum" in error["Message"]
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err.value.response["ResponseMetadata"]["RequestId"]


def test_next_token_from_another_query_is_rejected(xray: Any) -> None:
    base = time.time() - 5400
    docs = [json.dumps(segment(new_trace_id(base), base + i)) for i in range(101)]
    assert xray.put_trace_segments(TraceSegmentDocuments=docs)["UnprocessedTraceSegments"] == []
    page = xray.get_trace_summaries(StartTime=base, EndTime=base + 300)
    assert "NextToken" in page
    with pytest.raises(ClientError) as err:
        xray.get_trace_summaries(StartTime=base, EndTime=base + 200, NextToken=page["NextToken"])
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"


def test_put_telemetry_records_is_accepted_and_counted(xray: Any, backend: Any) -> None:
    import httpx

    xray.put_telemetry_records(TelemetryRecords=[{"Timestamp": time.time(), "SegmentsReceivedCount": 3}] * 2)
    text = httpx.get(f"{backend.url}/-/metrics").text
    assert "otelray_backend_telemetry_records_total 2.0" in text
