"""The AWS CLI (`aws xray … --endpoint-url`) against `otelray backend`, with dummy credentials."""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

import pytest

from otelray.xray.ids import new_segment_id, new_trace_id

pytestmark = pytest.mark.integration


def aws(backend: Any, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["aws", "xray", *args, "--endpoint-url", backend.url, "--output", "json"],
        env=env, capture_output=True, text=True, timeout=60,
    )


def test_put_get_round_trip_with_the_cli(backend: Any, xray_env: dict[str, str]) -> None:
    now = time.time()
    trace_id = new_trace_id(now)
    doc = {"name": "cli-svc", "id": new_segment_id(), "trace_id": trace_id, "start_time": now - 1, "end_time": now}
    put = aws(backend, xray_env, "put-trace-segments", "--trace-segment-documents", json.dumps(doc), "{broken")
    assert put.returncode == 0, put.stderr
    (unprocessed,) = json.loads(put.stdout)["UnprocessedTraceSegments"]
    assert unprocessed["ErrorCode"] == "InvalidJson"

    got = aws(backend, xray_env, "batch-get-traces", "--trace-ids", trace_id)
    assert got.returncode == 0, got.stderr
    (trace,) = json.loads(got.stdout)["Traces"]
    assert json.loads(trace["Segments"][0]["Document"]) == doc

    listed = aws(backend, xray_env, "get-trace-summaries", "--start-time", str(int(now - 60)),
                 "--end-time", str(int(now + 60)))
    assert listed.returncode == 0, listed.stderr
    assert trace_id in [s["Id"] for s in json.loads(listed.stdout)["TraceSummaries"]]


def test_cli_reports_validation_errors(backend: Any, xray_env: dict[str, str]) -> None:
    out = aws(backend, xray_env, "get-trace-summaries", "--start-time", "10", "--end-time", "20",
              "--time-range-type", "Whenever")
    assert out.returncode != 0
    assert "(InvalidRequestException)" in out.stderr
    assert "Value 'Whenever' at 'TimeRangeType' failed to satisfy constraint" in out.stderr
