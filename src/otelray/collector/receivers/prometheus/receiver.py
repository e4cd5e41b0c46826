"""The ``prometheus`` receiver: scrapes targets on their interval and passes OTLP metrics on.

One task per (scrape config, target). Each scrape: GET ``scheme://address/metrics_path`` (with
``params``) under the timeout, read at most ``body_size_limit`` bytes, parse, relabel samples with
``metric_relabel_configs``, convert (``convert``), and deliver one batch with the target's
``up`` (1 or 0), ``scrape_duration_seconds`` and ``scrape_samples_scraped`` gauges. A failed
scrape (connection, HTTP status, oversized body, unparseable text) still delivers ``up = 0`` and is
counted in ``otelcol_receiver_prometheus_scrape_failures_total{job, reason}``; the loop goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.metrics.v1.metrics_pb2 import Metric, NumberDataPoint

from otelray.collector.component import Host, Settings, Signal
from otelray.collector.consumer import Capabilities
from otelray.collector.receiverhelper import deliver
from otelray.collector.receivers.prometheus.config import PrometheusReceiverConfig, ScrapeConfig
from otelray.collector.receivers.prometheus.convert import (
    StartTimes,
    attributes,
    families_to_metrics,
    parse,
    target_resource,
)
from otelray.collector.receivers.prometheus.relabel import relabel


class ScrapeError(Exception):
    """A scrape that produced no samples; ``reason`` labels the failure counter."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class Target:
    """One scrape target after relabelling."""

    job: ScrapeConfig
    labels: dict[str, str]
    interval: float
    timeout: float
    starts: StartTimes = field(default_factory=StartTimes)

    @property
    def url(self) -> str:
        """The URL scraped."""
        return f"{self.labels['__scheme__']}://{self.labels['__address__']}{self.labels['__metrics_path__']}"


def targets(config: PrometheusReceiverConfig) -> list[Target]:
    """Every target of every scrape config, relabelled (dropped ones left out)."""
    out = []
    glob = config.config.global_
    for job in config.config.scrape_configs:
        interval = (job.scrape_interval or glob.scrape_interval).total_seconds()
        timeout = min((job.scrape_timeout or glob.scrape_timeout).total_seconds(), interval)
        for static in job.static_configs:
            for address in static.targets:
                base = {**static.labels, "job": job.job_name, "__address__": address, "__scheme__": job.scheme,
                        "__metrics_path__": job.metrics_path}
                labels = relabel(base, job.relabel_configs)
                if labels is None or not labels.get("__address__"):
                    continue
                labels.setdefault("instance", labels["__address__"])
                out.append(Target(job, labels, interval, timeout))
    return out


class PrometheusReceiver:
    """Scrape loops feeding the next consumer."""

    def __init__(self, settings: Settings, config: PrometheusReceiverConfig, next_consumer: Any) -> None:
        self.settings = settings
        self.config = config
        self._next = next_consumer
        self.targets = targets(config)
        self._tasks: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None
        self._failures = lambda job, reason: settings.telemetry.counter(
            "otelcol_receiver_prometheus_scrape_failures", "Scrapes that produced no samples.", job=job, reason=reason)

    @property
    def capabilities(self) -> Capabilities:
        """Receivers do not consume."""
        return Capabilities()

    async def start(self, host: Host) -> None:
        """Start one scrape loop per target."""
        self._client = httpx.AsyncClient(timeout=None, follow_redirects=True)
        self._tasks = [asyncio.create_task(self._loop(t), name=f"scrape-{t.url}") for t in self.targets]

    async def _loop(self, target: Target) -> None:
        while True:
            started = time.monotonic()
            try:
                await self.scrape(target)
            except Exception as exc:  # the pipeline refused: counted by deliver, keep scraping
                self.settings.logger.warning("prometheus: delivering the scrape of %s failed: %s", target.url, exc)
            await asyncio.sleep(max(0.0, target.interval - (time.monotonic() - started)))

    async def scrape(self, target: Target) -> None:
        """Scrape ``target`` once and deliver what it gave (or ``up = 0``)."""
        now_ns = time.time_ns()
        began = time.monotonic()
        metrics: list[Metric] = []
        rm, extra = target_resource(target.labels)
        try:
            text = await self._fetch(target)
            try:
                families = parse(text)
            except ValueError as exc:
                raise ScrapeError("invalid_text", str(exc)) from exc
            families = _resolve_conflicts(self._relabel_samples(families, target.job), target)
            metrics = families_to_metrics(families, extra, now_ns, target.starts)
            up = 1.0
        except ScrapeError as exc:
            self._failures(target.job.job_name, exc.reason).inc()
            self.settings.logger.warning("prometheus: scrape of %s failed (%s): %s", target.url, exc.reason, exc)
            up = 0.0
        samples = sum(len(getattr(m, m.WhichOneof("data") or "gauge").data_points) for m in metrics)
        metrics += [_gauge("up", up, extra, now_ns), _gauge("scrape_duration_seconds", time.monotonic() - began,
                                                            extra, now_ns),
                    _gauge("scrape_samples_scraped", float(samples), extra, now_ns)]
        rm.scope_metrics[0].metrics.extend(metrics)
        batch = ExportMetricsServiceRequest(resource_metrics=[rm])
        await deliver(self.settings, Signal.METRICS, "http", self._next.consume_metrics, batch)

    async def _fetch(self, target: Target) -> str:
        client = self._client
        if client is None:
            raise ScrapeError("not_started", "receiver not started")
        limit = target.job.body_size_limit
        headers = {"Accept": "text/plain;version=0.0.4;q=0.9,*/*;q=0.1"}
        try:
            async with asyncio.timeout(target.timeout):
                async with client.stream("GET", target.url, params=target.job.params, headers=headers) as response:
                    if response.status_code != 200:
                        raise ScrapeError("http_status", f"server returned HTTP status {response.status_code}")
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if limit and len(body) > limit:
                            raise ScrapeError("body_too_large", f"body exceeds body_size_limit of {limit} bytes")
        except TimeoutError as exc:
            raise ScrapeError("timeout", f"no answer within {target.timeout}s") from exc
        except httpx.HTTPError as exc:
            raise ScrapeError("connection", str(exc) or type(exc).__name__) from exc
        try:
            return body.decode()
        except UnicodeDecodeError as exc:
            raise ScrapeError("invalid_text", f"body is not UTF-8: {exc}") from exc

    def _relabel_samples(self, families: list[Any], job: ScrapeConfig) -> list[Any]:
        if not job.metric_relabel_configs:
            return families
        for family in families:
            kept = []
            for sample in family.samples:
                labels = relabel({**sample.labels, "__name__": sample.name}, job.metric_relabel_configs)
                if labels is not None:
                    name = labels.pop("__name__", sample.name)
                    kept.append(sample._replace(name=name, labels=labels))
            family.samples = kept
        return families

    async def shutdown(self) -> None:
        """Stop the scrape loops and close the client. Safe twice and without start."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


def _resolve_conflicts(families: list[Any], target: Target) -> list[Any]:
    """``honor_labels: false`` (default): a scraped label clashing with a target label is kept as
    ``exported_<name>`` and the target's value wins; ``true``: the scraped value wins (Prometheus rule)."""
    if target.job.honor_labels:
        return families
    names = {k for k in target.labels if not k.startswith("__")}
    for family in families:
        if any(k in names for sample in family.samples for k in sample.labels):
            family.samples = [sample._replace(labels={(f"exported_{k}" if k in names else k): v
                                                      for k, v in sample.labels.items()})
                              for sample in family.samples]
    return families


def _gauge(name: str, value: float, extra: dict[str, str], now_ns: int) -> Metric:
    metric = Metric(name=name)
    metric.gauge.data_points.append(NumberDataPoint(time_unix_nano=now_ns, as_double=value, attributes=attributes(extra)))
    return metric
