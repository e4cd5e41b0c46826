"""Acknowledged PutTraceSegments batches survive `kill -9` of `otelray backend`."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from otelray.xray.ids import new_segment_id, new_trace_id
from tests.integration.conftest import start_backend

pytestmark = pytest.mark.integration


def client(url: str) -> Any:
    return boto3.client("xray", endpoint_url=url, region_name="us-east-1", aws_access_key_id="t",
                        aws_secret_access_key="t", config=Config(retries={"max_attempts": 0}))


def test_acknowledged_documents_survive_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_backend(data)
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        xray = client(first.url)
        while not stop.is_set():
            now = time.time()
            ids = [new_trace_id(now) for _ in range(50)]
            docs = [json.dumps({"name": "d", "id": new_segment_id(), "trace_id": t, "start_time": now,
                                "end_time": now + 0.01}) for t in ids]
            try:
                out = xray.put_trace_segments(TraceSegmentDocuments=docs)
            except Exception:
                return  # the server died mid-request: this batch was never acknowledged
            assert out["UnprocessedTraceSegments"] == []
            acknowledged.extend(ids)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 2000 and time.monotonic() < deadline:
        time.sleep(0.02)
    first.stop(signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(10)
    assert first.process.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 2000

    second = start_backend(data)
    try:
        xray = client(second.url)
        missing = []
        for i in range(0, len(acknowledged), 5):
            chunk = acknowledged[i : i + 5]
            missing += xray.batch_get_traces(TraceIds=chunk)["UnprocessedTraceIds"]
        assert missing == []
        # summaries are rebuilt for everything that was stored
        now = time.time()
        pages = xray.get_paginator("get_trace_summaries").paginate(StartTime=now - 120, EndTime=now + 5)
        listed = {s["Id"] for p in pages for s in p["TraceSummaries"]}
        assert set(acknowledged) <= listed
    finally:
        second.stop()
