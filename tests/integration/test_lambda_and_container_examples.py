"""The ECS example end to end: a real ``otelray collector`` process runs the awsecscontainermetrics
receiver against recorded Task Metadata Endpoint v4 documents served over HTTP, filters to the 8 task
metrics of examples/ecs/otel-task-metrics.yaml and writes them with the file exporter."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import start_collector

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "unit" / "collector" / "receivers" / "awsecscontainermetrics" / "fixtures"


@pytest.fixture
def tmde() -> Iterator[str]:
    documents = {"/v4/t/task": (FIXTURES / "task_metadata.json").read_bytes(),
                 "/v4/t/task/stats": (FIXTURES / "task_stats.json").read_bytes()}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            body = documents.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v4/t"
    server.shutdown()
    server.server_close()


def test_ecs_task_metrics_pipeline(tmde: str, tmp_path: Path) -> None:
    example = yaml.safe_load((ROOT / "examples" / "ecs" / "otel-task-metrics.yaml").read_text())
    out = tmp_path / "metrics.json"
    config = {
        "receivers": {"awsecscontainermetrics": {**example["receivers"]["awsecscontainermetrics"],
                                                 "collection_interval": "1s"}},
        "processors": {"filter": example["processors"]["filter"]},
        "exporters": {"file": {"path": str(out), "flush_interval": "100ms"}},
        "service": {"telemetry": {"metrics": {"address": "127.0.0.1:{metrics_port}"}},
                    "pipelines": {"metrics": {"receivers": ["awsecscontainermetrics"], "processors": ["filter"],
                                              "exporters": ["file"]}}},
    }
    env = {**os.environ, "ECS_CONTAINER_METADATA_URI_V4": tmde}
    collector = start_collector(yaml.safe_dump(config), tmp_path, env=env)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (out.exists() and out.read_text().strip()):
            time.sleep(0.1)
    finally:
        collector.stop()
    batch = json.loads(out.read_text().splitlines()[0])
    points: dict[str, Any] = {}
    for rm in batch["resourceMetrics"]:
        attrs = {a["key"]: a["value"] for a in rm["resource"]["attributes"]}
        assert attrs["aws.ecs.cluster.name"] == {"stringValue": "test200"}
        for sm in rm["scopeMetrics"]:
            for metric in sm["metrics"]:
                data = metric.get("gauge") or metric.get("sum")
                point = data["dataPoints"][0]
                points[metric["name"]] = point.get("asInt", point.get("asDouble"))
    assert sorted(points) == sorted(example["processors"]["filter"]["metrics"]["include"]["metric_names"])
    assert int(points["ecs.task.memory.reserved"]) == 512
    assert float(points["ecs.task.cpu.reserved"]) == 512.0
    assert int(points["ecs.task.storage.read_bytes"]) == 3452928
    assert float(points["ecs.task.network.rate.rx"]) == pytest.approx(101.091 + 10 + 10)
