"""The ``awsecscontainermetrics`` receiver: scrape the Task Metadata Endpoint v4 every ``collection_interval``.

Upstream: contrib ``receiver/awsecscontainermetricsreceiver/receiver.go`` (a ticker calling
``collectDataFromEndpoint``: ``/task`` + ``/task/stats`` → metrics → next consumer). A failed scrape
is counted in ``otelcol_receiver_awsecscontainermetrics_scrape_errors_total{reason}`` and logged; a
container whose stats cannot be read is counted in ``..._rejected_containers_total`` and the rest
of the task is still sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import httpx
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

from otelray.collector.component import Host, Settings, Signal
from otelray.collector.consumer import Capabilities
from otelray.collector.errors import ComponentError
from otelray.collector.receiverhelper import deliver
from otelray.collector.receivers.awsecscontainermetrics.config import (
    ENDPOINT_VARIABLE,
    AwsEcsContainerMetricsConfig,
)
from otelray.collector.receivers.awsecscontainermetrics.metrics import translate
from otelray.collector.receivers.awsecscontainermetrics.tmde import TmdeError, fetch_task


class AwsEcsContainerMetricsReceiver:
    """Periodic TMDE v4 scrapes delivered as OTLP metrics."""

    def __init__(self, settings: Settings, config: AwsEcsContainerMetricsConfig, next_consumer: Any) -> None:
        self.settings = settings
        self.config = config
        self._next = next_consumer
        self._client: httpx.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None
        self.scrapes = 0
        self.failed: dict[str, int] = {}  # failed scrapes by reason
        self.rejected = 0  # containers whose stats could not be read

    @property
    def capabilities(self) -> Capabilities:
        """Receivers do not consume."""
        return Capabilities()

    async def start(self, host: Host) -> None:
        """Check the endpoint and start the collection loop (first scrape at once)."""
        if not self.config.endpoint:
            raise ComponentError(self.settings.id, f"no task metadata endpoint: {ENDPOINT_VARIABLE} is not set "
                                 "(the receiver only works inside an ECS task, or with `endpoint`)")
        self._client = httpx.AsyncClient(timeout=self.config.timeout.total_seconds(), trust_env=False)
        self._task = asyncio.create_task(self._loop(), name=f"awsecscontainermetrics-{self.settings.id}")

    async def _loop(self) -> None:
        interval = self.config.collection_interval.total_seconds()
        while True:
            await self.scrape()
            await asyncio.sleep(interval)

    async def scrape(self) -> None:
        """One collection: fetch, translate, deliver. Never raises."""
        assert self._client is not None
        self.scrapes += 1
        try:
            task, stats = await fetch_task(self._client, self.config.endpoint)
        except TmdeError as exc:
            self.failed[exc.reason] = self.failed.get(exc.reason, 0) + 1
            self.settings.telemetry.counter("otelcol_receiver_awsecscontainermetrics_scrape_errors",
                                  "Failed task metadata endpoint scrapes.", reason=exc.reason).inc()
            self.settings.logger.warning("awsecscontainermetrics: %s", exc)
            return
        result = translate(task, stats, time.time_ns())
        if result.rejected:
            self.rejected += len(result.rejected)
            self.settings.telemetry.counter("otelcol_receiver_awsecscontainermetrics_rejected_containers",
                                  "Containers whose stats could not be read.").inc(len(result.rejected))
            self.settings.logger.warning("awsecscontainermetrics: %d container(s) skipped; first: %s: %s",
                                         len(result.rejected), *result.rejected[0])
        try:
            await deliver(self.settings, Signal.METRICS, "http", self._next.consume_metrics,
                          ExportMetricsServiceRequest(resource_metrics=result.resource_metrics))
        except Exception as exc:  # counted as refused by deliver; the next interval tries again
            self.settings.logger.warning("awsecscontainermetrics: the pipeline refused a scrape: %s", exc)

    async def shutdown(self) -> None:
        """Stop the loop and close the HTTP client. Safe twice and without start."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
