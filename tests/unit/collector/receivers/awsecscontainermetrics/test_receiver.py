"""awsecscontainermetrics: recorded TMDE v4 documents served over real HTTP → metric names, units,
values and resource attributes of the upstream receiver; bad stats and failed scrapes are counted."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from otelray.collector.component import Kind, Signal
from otelray.collector.receivers.awsecscontainermetrics import (
    AwsEcsContainerMetricsConfig,
    AwsEcsContainerMetricsReceiver,
)
from otelray.collector.receivers.awsecscontainermetrics.metrics import METRICS, parse_time_ns, translate
from otelray.collector.receivers.awsecscontainermetrics.resource import parse_image
from otelray.collector.testing import NopHost, make_settings
from otelray.collector.testing.sink import MetricsSink

FIXTURES = Path(__file__).parent / "fixtures"
NGINX300 = "4a984770705c4f4f95e1267af3623ab0923c602b7cd4ed7d77b7f8356537337f"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class Tmde:
    """A local HTTP server answering /task and /task/stats with the given documents (or a status)."""

    def __init__(self, task: Any, stats: Any, status: int = 200) -> None:
        self.task, self.stats, self.status, self.requests = task, stats, status, []
        tmde = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                tmde.requests.append(self.path)
                doc = {"/v4/abc/task": tmde.task, "/v4/abc/task/stats": tmde.stats}.get(self.path)
                body = json.dumps(doc).encode() if doc is not None else b"not found"
                self.send_response(tmde.status if doc is not None else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v4/abc"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tmde() -> Iterator[Tmde]:
    server = Tmde(load("task_metadata.json"), load("task_stats.json"))
    yield server
    server.close()


def scrape(url: str) -> tuple[AwsEcsContainerMetricsReceiver, MetricsSink]:
    async def run() -> tuple[AwsEcsContainerMetricsReceiver, MetricsSink]:
        sink = MetricsSink()
        config = AwsEcsContainerMetricsConfig.model_validate({"endpoint": url, "collection_interval": "1h"})
        receiver = AwsEcsContainerMetricsReceiver(
            make_settings("awsecscontainermetrics", Kind.RECEIVER, signal=Signal.METRICS), config, sink)
        await receiver.start(NopHost())
        async with asyncio.timeout(5):
            while receiver.scrapes < 1 or (receiver._task is not None and not sink.batches and not receiver.failed):
                await asyncio.sleep(0.01)
        await receiver.shutdown()
        return receiver, sink

    return asyncio.run(run())


def by_resource(sink: MetricsSink) -> dict[str, dict[str, Any]]:
    """container name (or "task") -> {"attrs": {...}, metric name: (unit, kind, value)}."""
    (batch,) = sink.batches
    out: dict[str, dict[str, Any]] = {}
    for rm in batch.resource_metrics:
        attrs = {kv.key: getattr(kv.value, kv.value.WhichOneof("value")) for kv in rm.resource.attributes}
        entry: dict[str, Any] = {"attrs": attrs}
        for metric in rm.scope_metrics[0].metrics:
            kind = metric.WhichOneof("data")
            point = getattr(metric, kind).data_points[0]
            entry[metric.name] = (metric.unit, kind, getattr(point, point.WhichOneof("value")))
        out[str(attrs.get("container.name", "task"))] = entry
    return out


def test_recorded_task_becomes_upstream_metrics(tmde: Tmde) -> None:
    _, sink = scrape(tmde.url)
    assert tmde.requests == ["/v4/abc/task", "/v4/abc/task/stats"]
    got = by_resource(sink)
    assert sorted(got) == ["init", "nginx100", "nginx200", "nginx300", "task"]
    nginx300, task = got["nginx300"], got["task"]
    assert len(nginx300) - 1 == len(METRICS) == 26 and len(task) - 1 == 28
    assert nginx300["container.memory.usage"] == ("Bytes", "gauge", 2658304)
    assert nginx300["container.memory.usage.max"] == ("Bytes", "gauge", 6320128)
    assert nginx300["container.memory.usage.limit"] == ("Bytes", "gauge", 134217728)
    assert nginx300["container.memory.utilized"] == ("Megabytes", "gauge", (2658304 - 65536) // 1048576)
    assert nginx300["container.memory.reserved"] == ("Megabytes", "gauge", 128)
    assert nginx300["container.cpu.usage.total"] == ("Nanoseconds", "sum", 276034312)
    assert nginx300["container.cpu.usage.kernelmode"] == ("Nanoseconds", "sum", 10000000)
    assert nginx300["container.cpu.usage.usermode"] == ("Nanoseconds", "sum", 280000000)
    assert nginx300["container.cpu.usage.system"] == ("Nanoseconds", "sum", 61978880000000)
    assert nginx300["container.cpu.cores"] == ("Count", "gauge", 2)
    assert nginx300["container.cpu.onlines"] == ("Count", "gauge", 2)
    vcpu = 50_000_000 / 1_002_002_957
    assert nginx300["container.cpu.usage.vcpu"][:2] == ("vCPU", "gauge")
    assert nginx300["container.cpu.usage.vcpu"][2] == pytest.approx(vcpu)
    assert nginx300["container.cpu.reserved"] == ("None", "gauge", 256.0)
    assert nginx300["container.cpu.utilized"][2] == pytest.approx(vcpu * 100 / 256)
    assert nginx300["container.network.rate.rx"] == ("Bytes/Second", "gauge", 101.091)
    assert nginx300["container.network.io.usage.rx_bytes"] == ("Bytes", "sum", 2156 + 100)
    assert nginx300["container.network.io.usage.rx_packets"] == ("Count", "sum", 28 + 100)
    assert nginx300["container.storage.read_bytes"] == ("Bytes", "sum", 3452928)
    assert nginx300["container.storage.write_bytes"] == ("Bytes", "sum", 0)
    # task: sums over the running containers, then the task limits
    assert task["ecs.task.memory.usage"][2] == 2658304 + 2568192 + 3305472
    assert task["ecs.task.network.io.usage.rx_bytes"][2] == 2256 + 2066 + 2156
    assert task["ecs.task.memory.reserved"] == ("Megabytes", "gauge", 512)
    assert task["ecs.task.cpu.reserved"] == ("None", "gauge", 0.5 * 1024)
    assert task["ecs.task.cpu.utilized"][2] == pytest.approx(vcpu * 1024)
    assert task["ecs.task.cpu.cores"][2] == 6
    assert task["ecs.task.ephemeral_storage.utilized"] == ("MiB", "gauge", 221)
    assert task["ecs.task.ephemeral_storage.reserved"] == ("MiB", "gauge", 20496)
    # a stopped container has only its duration
    assert {k: v for k, v in got["init"].items() if k != "attrs"} == {"container.duration": ("Seconds", "gauge", 60.0)}


def test_resource_attributes(tmde: Tmde) -> None:
    _, sink = scrape(tmde.url)
    got = by_resource(sink)
    task_attrs = {
        "aws.ecs.cluster.name": "test200",
        "aws.ecs.task.arn": "arn:aws:ecs:us-west-2:803860917211:task/test200/d22aaa11bf0e4ab19c2c940a1cbabbee",
        "aws.ecs.task.id": "d22aaa11bf0e4ab19c2c940a1cbabbee", "aws.ecs.task.family": "three-nginx",
        "aws.ecs.task.version": "1", "aws.ecs.task.revision": "1", "aws.ecs.service.name": "nginx-service",
        "cloud.availability_zone": "us-west-2a", "aws.ecs.task.pull_started_at": "2020-07-30T22:12:25.705983342Z",
        "aws.ecs.task.pull_stopped_at": "2020-07-30T22:12:29.827677602Z", "aws.ecs.task.known_status": "RUNNING",
        "aws.ecs.task.launch_type": "FARGATE", "aws.ecs.launchtype": "fargate", "cloud.region": "us-west-2",
        "cloud.account.id": "803860917211",
    }
    assert got["task"]["attrs"] == task_attrs
    assert got["nginx300"]["attrs"] == {
        **task_attrs, "container.name": "nginx300", "container.id": NGINX300,
        "aws.ecs.docker.name": "ecs-three-nginx-1-nginx300-88d6f5ddacff93ad1d00", "container.image.name": "nginx",
        "aws.ecs.container.image.id": "sha256:8cf1bfb43ff5d9b05af9b6b63983440f137c6a08320fa7592197c1474ef30241",
        "container.image.tag": "latest", "aws.ecs.container.created_at": "2020-07-30T22:12:29.825124697Z",
        "aws.ecs.container.started_at": "2020-07-30T22:12:31.153459485Z", "aws.ecs.container.know_status": "RUNNING",
    }
    stopped = got["init"]["attrs"]
    assert stopped["aws.ecs.container.exit_code"] == 0
    assert stopped["aws.ecs.container.finished_at"] == "2020-07-30T22:13:31.153459485Z"
    assert (stopped["container.image.name"], stopped["container.image.tag"]) == ("public.ecr.aws/nginx/nginx", "1.25")


def test_bad_container_stats_are_counted_and_the_rest_is_sent() -> None:
    stats = load("task_stats.json")
    stats[NGINX300]["memory_stats"] = "corrupt"
    server = Tmde(load("task_metadata.json"), stats)
    try:
        receiver, sink = scrape(server.url)
    finally:
        server.close()
    got = by_resource(sink)
    assert "nginx300" not in got and {"nginx100", "nginx200", "task"} <= set(got)
    assert got["task"]["ecs.task.memory.usage"][2] == 2568192 + 3305472
    assert receiver.rejected == 1


@pytest.mark.parametrize(("status", "reason"), [(500, "http_status")])
def test_failed_scrape_is_counted_and_nothing_is_sent(status: int, reason: str) -> None:
    server = Tmde(load("task_metadata.json"), load("task_stats.json"), status=status)
    try:
        receiver, sink = scrape(server.url)
    finally:
        server.close()
    assert sink.batches == []
    assert receiver.failed == {reason: 1}


def test_unreachable_endpoint_is_counted() -> None:
    receiver, sink = scrape("http://127.0.0.1:9/v4/x")
    assert sink.batches == [] and receiver.failed == {"unreachable": 1}


def test_translate_without_task_limits_keeps_summed_reservations() -> None:
    task = load("task_metadata.json")
    del task["Limits"]
    rms = translate(task, load("task_stats.json"), 1).resource_metrics
    metrics = {m.name: m for m in rms[-1].scope_metrics[0].metrics}
    assert metrics["ecs.task.cpu.reserved"].gauge.data_points[0].as_double == 256.0
    assert metrics["ecs.task.memory.reserved"].gauge.data_points[0].as_int == 3 * 128


def test_time_and_image_parsing() -> None:
    assert parse_time_ns("2020-07-31T06:47:36.391793715Z") - parse_time_ns("2020-07-31T06:47:35.389790758Z") == 1_002_002_957
    assert parse_image("nginx") == ("nginx", "latest")
    assert parse_image("localhost:5000/app") == ("localhost:5000/app", "latest")
    assert parse_image("repo/app:v2@sha256:abc") == ("repo/app", "v2")


def test_endpoint_defaults_to_the_ecs_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECS_CONTAINER_METADATA_URI_V4", "http://169.254.170.2/v4/abc/")
    assert AwsEcsContainerMetricsConfig().endpoint == "http://169.254.170.2/v4/abc"
    monkeypatch.delenv("ECS_CONTAINER_METADATA_URI_V4")
    assert AwsEcsContainerMetricsConfig().endpoint == ""
    with pytest.raises(ValueError, match="http"):
        AwsEcsContainerMetricsConfig(endpoint="169.254.170.2/v4")
