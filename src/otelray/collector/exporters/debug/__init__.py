"""The ``debug`` exporter (collector ``exporter/debugexporter``): writes what it receives to the log.

``verbosity: basic`` logs one line per batch with the item counts (``TracesExporter
{"resource spans": 1, "spans": 2}``), ``normal`` one line per item, ``detailed`` the whole batch as
OTLP/JSON. ``sampling_initial`` / ``sampling_thereafter`` rate-limit the lines per second as
upstream (first N per second logged, then every Mth). Log lines go to the collector's logger
``otelray.collector.exporter.debug``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pydantic import Field, PositiveInt

from otelray.collector import otlpjson
from otelray.collector.component import Settings, Signal, Stability
from otelray.collector.config.blocks import ComponentConfig, ExporterConfig, QueueConfig, RetryConfig
from otelray.collector.consumer import count_items
from otelray.collector.exporterhelper.base import ExporterHelper
from otelray.collector.processors.batch.split import FIELDS
from otelray.collector.registry import ExporterFactory

_KIND = {Signal.TRACES: "TracesExporter", Signal.METRICS: "MetricsExporter", Signal.LOGS: "LogsExporter"}


class DebugConfig(ComponentConfig):
    """Config of the ``debug`` exporter."""

    verbosity: str = Field("basic", pattern="^(basic|normal|detailed)$", description="basic, normal or detailed.")
    sampling_initial: PositiveInt = Field(2, description="Lines logged per second before sampling starts.")
    sampling_thereafter: PositiveInt = Field(1, description="Then log every Nth line in that second.")
    use_internal_logger: bool = Field(True, description="Accepted for compatibility; always the collector log.")


class DebugPusher:
    """Formats batches into log lines."""

    def __init__(self, settings: Settings, signal: Signal, config: DebugConfig) -> None:
        self.logger = settings.logger
        self.signal = signal
        self.config = config
        self._second = 0
        self._lines = 0

    def _sampled(self) -> bool:
        now = int(time.monotonic())
        if now != self._second:
            self._second, self._lines = now, 0
        self._lines += 1
        extra = self._lines - self.config.sampling_initial
        return extra <= 0 or extra % self.config.sampling_thereafter == 0

    async def push(self, batch: Any) -> None:
        """Log ``batch`` at the configured verbosity."""
        if not self._sampled():
            return
        rfield, _, _ = FIELDS[self.signal]
        resources = len(getattr(batch, rfield))
        self.logger.info("%s {\"resource %s\": %d, \"%s\": %d}", _KIND[self.signal], self.signal.item.replace("_", " "),
                         resources, self.signal.item, count_items(self.signal, batch))
        if self.config.verbosity == "detailed":
            self.logger.info("%s", otlpjson.encode(batch).decode())
        elif self.config.verbosity == "normal" and self.logger.isEnabledFor(logging.INFO):
            for line in _item_lines(self.signal, batch):
                self.logger.info("%s", line)


def _item_lines(signal: Signal, batch: Any) -> list[str]:
    rfield, sfield, ifield = FIELDS[signal]
    lines = []
    for res in getattr(batch, rfield):
        for scope in getattr(res, sfield):
            for item in getattr(scope, ifield):
                if signal is Signal.TRACES:
                    lines.append(f"{item.trace_id.hex()} {item.span_id.hex()} {item.name}")
                elif signal is Signal.METRICS:
                    lines.append(f"{item.name} {item.WhichOneof('data')}")
                else:
                    lines.append(otlpjson.encode(item.body).decode())
    return lines


def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: DebugConfig) -> ExporterHelper:
        plain = ExporterConfig(sending_queue=QueueConfig(enabled=False), retry_on_failure=RetryConfig(enabled=False))
        return ExporterHelper(settings, signal, DebugPusher(settings, signal, config), plain)

    return create


factory = ExporterFactory(
    type="debug",
    config=DebugConfig,
    description="Logs received data (counts, items or full OTLP/JSON).",
    traces=(_create(Signal.TRACES), Stability.DEVELOPMENT),
    metrics=(_create(Signal.METRICS), Stability.DEVELOPMENT),
    logs=(_create(Signal.LOGS), Stability.DEVELOPMENT),
)
