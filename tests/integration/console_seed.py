"""Trace data for the console's browser tests, sent by real clients.

aws-xray-sdk sends the small traces over UDP to the backend's daemon port, exactly as an instrumented
application would; the 20,000-subsegment trace goes through boto3's PutTraceSegments (50 documents
per call), because a UDP burst of that size is what the daemon protocol is not for.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aws_xray_sdk.core.recorder import AWSXRayRecorder

from tests.integration.conftest import aws_client

HOSTILE = "<img src=x onerror=alert(1)>"


@dataclass
class Seeded:
    """What was sent: trace ids by kind and the entity count of each trace."""

    ok: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    hostile: str = ""
    big: str = ""
    entities: dict[str, int] = field(default_factory=dict)

    @property
    def small(self) -> list[str]:
        return [*self.ok, *self.faults, self.hostile]


def xray_client(url: str) -> Any:
    return aws_client("xray", url)


def _recorder(port: int, service: str) -> AWSXRayRecorder:
    rec = AWSXRayRecorder()
    rec.configure(sampling=False, context_missing="LOG_ERROR", daemon_address=f"127.0.0.1:{port}",
                  service=service, streaming_threshold=1000)
    return rec


def _request(front: AWSXRayRecorder, back: AWSXRayRecorder, status: int) -> tuple[str, int]:
    """One request: frontend → (remote call) → inventory → (SQL call). Returns (trace id, entity count)."""
    segment = front.begin_segment("frontend")
    segment.put_http_meta("method", "GET")
    segment.put_http_meta("url", "https://shop.example.com/cart")
    segment.put_annotation("tier", "gold" if status < 500 else "silver")
    with front.in_subsegment("inventory") as call:
        call.namespace = "remote"
        call.put_http_meta("method", "GET")
        call.put_http_meta("url", "http://inventory.local/items")
        downstream = back.begin_segment("inventory", traceid=segment.trace_id, parent_id=call.id, sampling=1)
        downstream.put_http_meta("method", "GET")
        downstream.put_http_meta("url", "http://inventory.local/items")
        with back.in_subsegment("query-stock") as sql:
            sql.namespace = "remote"
            sql.set_sql({"url": "sqlite:///stock.db", "database_type": "SQLite", "sanitized_query": "SELECT 1"})
            time.sleep(0.002)
        downstream.put_http_meta("status", status)
        if status >= 500:
            downstream.add_fault_flag()
        back.end_segment()
        call.put_http_meta("status", status)
    segment.put_http_meta("status", status)
    if status >= 500:
        segment.add_fault_flag()
    front.end_segment()
    return segment.trace_id, 4


def seed_small(port: int, url: str, *, ok: int = 6, faults: int = 2) -> Seeded:
    """Send ``ok`` successful and ``faults`` failing requests (aws-xray-sdk over UDP to ``port``) and
    one trace full of hostile text (boto3 to ``url``: the SDK strips such names itself)."""
    seeded = Seeded()
    front, back = _recorder(port, "frontend"), _recorder(port, "inventory")
    for _ in range(ok):
        trace_id, count = _request(front, back, 200)
        seeded.ok.append(trace_id)
        seeded.entities[trace_id] = count
    for _ in range(faults):
        trace_id, count = _request(front, back, 500)
        seeded.faults.append(trace_id)
        seeded.entities[trace_id] = count
    seeded.hostile = seed_hostile(url)
    seeded.entities[seeded.hostile] = 4
    return seeded


def seed_hostile(url: str) -> str:
    """A trace whose subsegment names, annotation, metadata, URL and exception carry HTML, with one
    subsegment still in progress."""
    now = time.time()
    trace_id = _trace_id(now)
    doc = {
        "trace_id": trace_id, "id": secrets.token_hex(8), "name": "guestbook", "start_time": now - 0.3,
        "end_time": now, "annotations": {"comment": HOSTILE},
        "metadata": {"default": {"body": HOSTILE}},
        "http": {"request": {"method": "POST", "url": f"https://guestbook.example.com/?q={HOSTILE}"},
                 "response": {"status": 200}},
        "subsegments": [
            {"id": secrets.token_hex(8), "name": HOSTILE, "start_time": now - 0.25, "end_time": now - 0.1,
             "error": True, "cause": {"working_directory": "/srv", "exceptions": [
                 {"id": secrets.token_hex(8), "type": "ValueError", "message": HOSTILE,
                  "stack": [{"path": "app.py", "line": 7, "label": HOSTILE}]}]}},
            {"id": secrets.token_hex(8), "name": "render", "start_time": now - 0.09, "end_time": now - 0.01},
        ],
    }
    # an independent subsegment still in progress (sent at its start, as SDKs stream long calls)
    pending = {"type": "subsegment", "trace_id": trace_id, "parent_id": doc["id"], "id": secrets.token_hex(8),
               "name": "notify", "start_time": now - 0.05, "in_progress": True}
    answer = xray_client(url).put_trace_segments(TraceSegmentDocuments=[json.dumps(doc), json.dumps(pending)])
    assert not answer["UnprocessedTraceSegments"], answer["UnprocessedTraceSegments"]
    return trace_id


def _trace_id(now: float) -> str:
    return f"1-{int(now):08x}-{secrets.token_hex(12)}"


def big_trace_documents(subsegments: int, *, per_document: int = 250) -> tuple[str, list[str]]:
    """A trace of one segment and ``subsegments`` subsegments, in independent-subsegment documents:
    ``chunk-<n>`` subsegments of ``per_document`` − 1 children ``step-1``, ``step-2``, … each."""
    now = time.time()
    trace_id = _trace_id(now)
    root_id = secrets.token_hex(8)
    docs = [json.dumps({"trace_id": trace_id, "id": root_id, "name": "batch-job", "start_time": now - 2,
                        "end_time": now, "http": {"response": {"status": 200}}})]
    made = steps = 0
    while made < subsegments:
        count = min(per_document, subsegments - made)
        parent = secrets.token_hex(8)
        children = [{"id": secrets.token_hex(8), "name": f"step-{steps + i + 1}",
                     "start_time": now - 2 + (made + i) * 1e-4, "end_time": now - 2 + (made + i + 1) * 1e-4}
                    for i in range(count - 1)]
        docs.append(json.dumps({"type": "subsegment", "trace_id": trace_id, "parent_id": root_id, "id": parent,
                                "name": f"chunk-{len(docs)}", "start_time": now - 2, "end_time": now - 0.5,
                                "subsegments": children}))
        made += count
        steps += count - 1
    return trace_id, docs


def seed_big(url: str, subsegments: int = 20_000) -> str:
    """PutTraceSegments a trace of ``subsegments`` subsegments; returns its id."""
    trace_id, docs = big_trace_documents(subsegments)
    client = xray_client(url)
    for i in range(0, len(docs), 50):
        answer = client.put_trace_segments(TraceSegmentDocuments=docs[i : i + 50])
        assert not answer["UnprocessedTraceSegments"], answer["UnprocessedTraceSegments"]
    return trace_id


def wait_for_summaries(url: str, trace_ids: list[str], timeout: float = 15.0) -> None:
    """Wait until GetTraceSummaries lists every id (UDP ingest is asynchronous)."""
    client = xray_client(url)
    deadline = time.monotonic() + timeout
    missing = set(trace_ids)
    while missing and time.monotonic() < deadline:
        found = set()
        for page in client.get_paginator("get_trace_summaries").paginate(
                StartTime=time.time() - 600, EndTime=time.time() + 60):
            found.update(s["Id"] for s in page["TraceSummaries"])
        missing -= found
        if missing:
            time.sleep(0.1)
    assert not missing, f"traces never listed: {sorted(missing)}"


def seed_old_page(url: str, count: int, *, age: float = 7200.0) -> tuple[float, list[str]]:
    """PutTraceSegments ``count`` one-segment traces, one a second from ``age`` seconds ago, annotated
    ``paged``; returns the first one's start time and the ids."""
    then = time.time() - age
    docs, ids = [], []
    for i in range(count):
        trace_id = _trace_id(then + i)
        ids.append(trace_id)
        docs.append(json.dumps({"trace_id": trace_id, "id": secrets.token_hex(8), "name": "archive",
                                "start_time": then + i, "end_time": then + i + 0.01 * (i % 7 + 1),
                                "annotations": {"paged": True}, "http": {"response": {"status": 200}}}))
    client = xray_client(url)
    for i in range(0, len(docs), 50):
        answer = client.put_trace_segments(TraceSegmentDocuments=docs[i : i + 50])
        assert not answer["UnprocessedTraceSegments"], answer["UnprocessedTraceSegments"]
    return then, ids
