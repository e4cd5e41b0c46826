"""End to end through the real otelray stack: a Flask app under `otelray run` sends OTLP to the
collector started by `otelray up`, which writes X-Ray segments into the backend; the app samples with
the X-Ray remote sampler against the same backend. The trace read back with boto3 continues the
incoming X-Amzn-Trace-Id and holds the app's outgoing `requests` call."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests

from tests.integration.stack import start_stack
from tests.integration.test_distro_flask import OTELRAY, Downstream, downstream, start_app, stop

pytestmark = pytest.mark.integration
__all__ = ["downstream"]  # the fixture, shared with test_distro_flask


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    proc, ports, _log = start_stack(tmp_path_factory.mktemp("distro-up"))
    yield ports
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except Exception:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_flask_trace_lands_in_the_backend(stack: dict[str, int], tmp_path: Path, downstream: Downstream) -> None:
    xray_url = f"http://127.0.0.1:{stack['xray']}"
    command = [OTELRAY, "run", "--endpoint", f"http://127.0.0.1:{stack['otlp_http']}", "--sampler", "xray",
               "--sampler-arg", f"endpoint={xray_url}", "--"]
    process, url = start_app(command, tmp_path, {"DOWNSTREAM": downstream.url})
    root = f"1-{int(time.time()):08x}-{os.urandom(12).hex()}"
    try:
        incoming = f"Root={root};Parent=53995c3f42cd8ad8;Sampled=1"
        assert requests.get(f"{url}/hello", headers={"X-Amzn-Trace-Id": incoming}, timeout=10).ok
        xray = boto3.client("xray", endpoint_url=xray_url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")
        deadline = time.monotonic() + 30
        segments: list[dict] = []
        while time.monotonic() < deadline and not any(d.get("type") == "subsegment" for d in segments):
            traces = xray.batch_get_traces(TraceIds=[root])["Traces"]
            segments = [json.loads(s["Document"]) for t in traces for s in t["Segments"]]
            time.sleep(0.2)
    finally:
        stop(process)
    app = next(d for d in segments if d.get("parent_id") == "53995c3f42cd8ad8")  # continued, not a new trace
    assert (app["trace_id"], app["name"]) == (root, "shop")
    assert app["http"]["request"]["method"] == "GET" and app["http"]["request"]["url"].endswith("/hello")
    call = next(d for d in segments if d.get("type") == "subsegment")  # the requests call, a CLIENT span
    assert (call["trace_id"], call["parent_id"], call["namespace"]) == (root, app["id"], "remote")
    assert downstream.headers[-1] == f"Root={root};Parent={call['id']};Sampled=1"
    log = (tmp_path / "app.log").read_text(errors="replace")
    assert "otelray:" not in log  # no sampling-rule, export or configuration problem was reported
