"""A real Flask app auto-instrumented by `otelray run` and by upstream `opentelemetry-instrument`
(which finds otelray's distro and configurator through their entry points), exporting OTLP/HTTP to
a local capture server; an incoming X-Amzn-Trace-Id is continued and carried on by `requests`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from otelray.xray.header import TraceHeader
from tests.integration.conftest import free_port
from tests.unit.distro.otlp_capture import OtlpCapture

pytestmark = pytest.mark.integration

OTELRAY = str(Path(sys.executable).with_name("otelray"))
INSTRUMENT = str(Path(sys.executable).with_name("opentelemetry-instrument"))

APP = """
import os, sys
import flask, requests
app = flask.Flask("shop")

@app.route("/hello")
def hello():
    answer = requests.get(os.environ["DOWNSTREAM"] + "/inventory", timeout=5)
    return {"downstream": answer.status_code}

@app.route("/health")
def health():
    return "ok"

app.run(host="127.0.0.1", port=int(sys.argv[1]))
"""


class Downstream:
    """An HTTP server that records the X-Amzn-Trace-Id headers it receives."""

    def __init__(self) -> None:
        self.headers: list[str | None] = []
        seen = self.headers

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.headers.get("X-Amzn-Trace-Id"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def downstream() -> Iterator[Downstream]:
    server = Downstream()
    yield server
    server.close()


def start_app(launcher: list[str], tmp_path: Path, env_extra: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """Start the Flask app under ``launcher`` and wait until it answers."""
    app = tmp_path / "app.py"
    app.write_text(APP)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(OTEL_BSP_SCHEDULE_DELAY="50", OTEL_SERVICE_NAME="shop", **env_extra)
    with open(tmp_path / "app.log", "wb") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen([*launcher, sys.executable, str(app), str(port)], env=env, cwd=tmp_path,
                                   stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/health", timeout=1)
            return process, url
        except requests.ConnectionError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    stop(process)
    raise RuntimeError((tmp_path / "app.log").read_text(errors="replace"))


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


LAUNCHERS = {
    "otelray-run": lambda endpoint: ([OTELRAY, "run", "--endpoint", endpoint, "--"], {}),
    "opentelemetry-instrument": lambda endpoint: ([INSTRUMENT], {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}),
}


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_incoming_xray_header_is_continued_and_propagated(launcher: str, tmp_path: Path,
                                                          downstream: Downstream) -> None:
    with OtlpCapture() as capture:
        command, extra = LAUNCHERS[launcher](capture.endpoint)
        process, url = start_app(command, tmp_path, {"DOWNSTREAM": downstream.url, **extra})
        try:
            incoming = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
            assert requests.get(f"{url}/hello", headers={"X-Amzn-Trace-Id": incoming}, timeout=10).ok
            spans = [s for s in capture.wait_for(3) if s.name != "GET /health"]
        finally:
            stop(process)
    server = next(s for s in spans if s.kind == 2)  # SPAN_KIND_SERVER
    client = next(s for s in spans if s.kind == 3)  # SPAN_KIND_CLIENT
    assert server.trace_id == "5759e988bd862e3fe1be46a994272793"
    assert server.parent_span_id == "53995c3f42cd8ad8"
    assert server.attributes.get("http.route") == "/hello"
    assert (client.trace_id, client.parent_span_id) == (server.trace_id, server.span_id)
    assert server.resource["service.name"] == "shop"
    assert server.resource["telemetry.distro.name"] == "otelray"
    outgoing = TraceHeader.parse(downstream.headers[-1])
    assert (outgoing.root, outgoing.parent, outgoing.sampled) == (
        "1-5759e988-bd862e3fe1be46a994272793", client.span_id, True)


def test_new_traces_get_xray_ids(tmp_path: Path, downstream: Downstream) -> None:
    with OtlpCapture() as capture:
        command, extra = LAUNCHERS["otelray-run"](capture.endpoint)
        process, url = start_app(command, tmp_path, {"DOWNSTREAM": downstream.url, **extra})
        try:
            before = int(time.time())
            assert requests.get(f"{url}/hello", timeout=10).ok
            after = int(time.time())
            spans = [s for s in capture.wait_for(3) if s.name != "GET /health"]
        finally:
            stop(process)
    server = next(s for s in spans if s.kind == 2)
    assert server.parent_span_id == ""
    assert before - 1 <= int(server.trace_id[:8], 16) <= after + 1  # epoch seconds in the first 32 bits
    header = TraceHeader.parse(downstream.headers[-1])
    assert header.root == f"1-{server.trace_id[:8]}-{server.trace_id[8:]}"
