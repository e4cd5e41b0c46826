"""prometheus receiver: scraping a real prometheus_client exposition, type conversion, relabelling, failures."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary, generate_latest
from pydantic import ValidationError

from otelray.collector.component import Kind, Signal
from otelray.collector.receivers.prometheus import PrometheusReceiver, PrometheusReceiverConfig
from otelray.collector.receivers.prometheus.relabel import RelabelConfig, relabel
from otelray.collector.testing import NopHost, make_settings
from otelray.collector.testing.sink import MetricsSink


class Exposition:
    """A tiny HTTP server serving a prometheus_client registry (or a fixed body) on 127.0.0.1."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.body: bytes | None = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = owner.body if owner.body is not None else generate_latest(owner.registry)
                self.send_response(200 if self.path.startswith("/metrics") else 404)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_port}"


@pytest.fixture
def exposition() -> Iterator[Exposition]:
    exp = Exposition()
    yield exp
    exp.server.shutdown()
    exp.server.server_close()


def make(address: str, **job) -> tuple[PrometheusReceiver, MetricsSink]:
    config = PrometheusReceiverConfig.model_validate({"config": {"scrape_configs": [{
        "job_name": "app", "scrape_interval": "1h", "static_configs": [{"targets": [address], "labels": {"env": "test"}}],
        **job}]}})
    sink = MetricsSink()
    return PrometheusReceiver(make_settings("prometheus", Kind.RECEIVER, signal=Signal.METRICS), config, sink), sink


def scrape_once(receiver: PrometheusReceiver) -> None:
    async def run() -> None:
        await receiver.start(NopHost())
        for task in receiver._tasks:  # scrape on demand instead of on the interval
            task.cancel()
        await receiver.scrape(receiver.targets[0])
        await receiver.shutdown()

    asyncio.run(run())


def metrics_of(sink: MetricsSink) -> tuple[dict, dict]:
    (batch,) = sink.batches
    (rm,) = batch.resource_metrics
    resource = {kv.key: kv.value.string_value for kv in rm.resource.attributes}
    return resource, {m.name: m for m in rm.scope_metrics[0].metrics}


def attrs(point) -> dict[str, str]:
    return {kv.key: kv.value.string_value for kv in point.attributes}


def test_scrape_converts_every_type(exposition):
    reg = exposition.registry
    Counter("jobs", "Jobs done", ["queue"], registry=reg).labels("a").inc(7)
    Gauge("temperature", "Temp", registry=reg).set(21.5)
    hist = Histogram("latency_seconds", "Latency", buckets=(0.1, 1.0), registry=reg)
    for v in (0.05, 0.5, 5):
        hist.observe(v)
    Summary("payload_bytes", "Payload", registry=reg).observe(100)
    receiver, sink = make(exposition.address)
    scrape_once(receiver)
    resource, metrics = metrics_of(sink)
    assert resource == {"service.name": "app", "service.instance.id": exposition.address,
                        "server.address": "127.0.0.1", "server.port": exposition.address.split(":")[1],
                        "url.scheme": "http"}
    jobs = metrics["jobs_total"]
    assert jobs.sum.is_monotonic and jobs.sum.data_points[0].as_double == 7
    assert attrs(jobs.sum.data_points[0]) == {"queue": "a", "env": "test"}
    assert metrics["temperature"].gauge.data_points[0].as_double == 21.5
    point = metrics["latency_seconds"].histogram.data_points[0]
    assert (list(point.explicit_bounds), list(point.bucket_counts), point.count, point.sum) == ([0.1, 1.0], [1, 1, 1], 3, 5.55)
    summary = metrics["payload_bytes"].summary.data_points[0]
    assert (summary.count, summary.sum) == (1, 100)
    assert metrics["up"].gauge.data_points[0].as_double == 1
    assert metrics["scrape_samples_scraped"].gauge.data_points[0].as_double > 4


def test_failed_scrape_reports_up_zero_and_counts(exposition):
    exposition.body = b"this is { not prometheus"
    receiver, sink = make(exposition.address)
    scrape_once(receiver)
    _, metrics = metrics_of(sink)
    assert metrics["up"].gauge.data_points[0].as_double == 0
    tel = receiver.settings.telemetry.telemetry
    assert tel.value("otelcol_receiver_prometheus_scrape_failures_total",
                     {"receiver": "prometheus", "job": "app", "reason": "invalid_text"}) == 1


def test_oversized_body_is_refused(exposition):
    exposition.body = b"big_metric 1\n" * 1000
    receiver, sink = make(exposition.address, body_size_limit=100)
    scrape_once(receiver)
    _, metrics = metrics_of(sink)
    assert metrics["up"].gauge.data_points[0].as_double == 0 and "big_metric" not in metrics


def test_metric_relabel_drops_and_renames(exposition):
    exposition.body = b"keep_me 1\ndrop_me 2\n"
    receiver, sink = make(exposition.address, metric_relabel_configs=[
        {"source_labels": ["__name__"], "regex": "drop_.*", "action": "drop"},
        {"source_labels": ["__name__"], "regex": "keep_(.*)", "target_label": "__name__", "replacement": "kept_$1"}])
    scrape_once(receiver)
    _, metrics = metrics_of(sink)
    assert "kept_me" in metrics and "drop_me" not in metrics and "keep_me" not in metrics


@pytest.mark.parametrize(("honor", "expected"), [
    (False, {"env": "test", "exported_env": "scraped", "exported_job": "other"}),
    (True, {"env": "scraped", "job": "other"}),
])
def test_honor_labels(exposition, honor, expected):
    exposition.body = b'clash{env="scraped",job="other"} 1\n'
    receiver, sink = make(exposition.address, honor_labels=honor)
    scrape_once(receiver)
    resource, metrics = metrics_of(sink)
    assert attrs(metrics["clash"].gauge.data_points[0]) == expected
    assert resource["service.name"] == "app"


def test_target_relabelling():
    rules = [RelabelConfig(source_labels=["__address__"], regex="(.*):9100", target_label="instance",
                           replacement="${1}"),
             RelabelConfig(source_labels=["env"], regex="prod", action="drop"),
             RelabelConfig(regex="team_(.*)", action="labelmap", replacement="owner_$1"),
             RelabelConfig(regex="tmp_.*", action="labeldrop")]
    assert relabel({"__address__": "host:9100", "env": "dev", "team_a": "x", "tmp_1": "y"}, rules) == {
        "__address__": "host:9100", "env": "dev", "team_a": "x", "owner_a": "x", "instance": "host"}
    assert relabel({"__address__": "h:1", "env": "prod"}, rules) is None
    keep = [RelabelConfig(source_labels=["a", "b"], regex="x;y", action="keep")]
    assert relabel({"a": "x", "b": "y"}, keep) is not None and relabel({"a": "x", "b": "z"}, keep) is None


def test_config_refusals():
    with pytest.raises(ValidationError, match="multiple scrape configs with job name 'a'"):
        PrometheusReceiverConfig.model_validate({"config": {"scrape_configs": [{"job_name": "a"}, {"job_name": "a"}]}})
    with pytest.raises(ValidationError, match="kubernetes_sd_configs"):
        PrometheusReceiverConfig.model_validate({"config": {"scrape_configs": [
            {"job_name": "a", "kubernetes_sd_configs": [{"role": "pod"}]}]}})
    with pytest.raises(ValidationError, match="invalid regular expression"):
        RelabelConfig(regex="(")
