"""Consumers: what receives a batch of one signal (collector ``consumer`` package).

A batch is the OTLP export request message of its signal, exactly as it travels on the wire:
``ExportTraceServiceRequest`` (traces), ``ExportMetricsServiceRequest`` (metrics),
``ExportLogsServiceRequest`` (logs) from ``opentelemetry.proto``. Receivers decode into it once,
processors edit it in place (declaring ``Capabilities(mutates_data=True)``), and the OTLP exporters
send it unchanged, so there is no intermediate model to translate to and from.

A consumer raises ``PermanentError`` for data it will never accept, ``RetryableError`` (or
``DataRefusedError``) for data the sender should offer again; returning means accepted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, runtime_checkable

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from otelray.collector.component import Signal

TracesBatch: TypeAlias = ExportTraceServiceRequest
MetricsBatch: TypeAlias = ExportMetricsServiceRequest
LogsBatch: TypeAlias = ExportLogsServiceRequest
Batch: TypeAlias = ExportTraceServiceRequest | ExportMetricsServiceRequest | ExportLogsServiceRequest

BATCH_TYPES: dict[Signal, type[Any]] = {
    Signal.TRACES: ExportTraceServiceRequest,
    Signal.METRICS: ExportMetricsServiceRequest,
    Signal.LOGS: ExportLogsServiceRequest,
}


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a consumer does to the data it is given.

    Attributes:
        mutates_data: True when the consumer edits the batch in place; a fan-out then hands it a copy.
    """

    mutates_data: bool = False


@runtime_checkable
class TracesConsumer(Protocol):
    """Receives trace batches."""

    @property
    def capabilities(self) -> Capabilities: ...

    async def consume_traces(self, batch: TracesBatch) -> None:
        """Accept ``batch`` or raise an ``ExportError``."""


@runtime_checkable
class MetricsConsumer(Protocol):
    """Receives metric batches."""

    @property
    def capabilities(self) -> Capabilities: ...

    async def consume_metrics(self, batch: MetricsBatch) -> None:
        """Accept ``batch`` or raise an ``ExportError``."""


@runtime_checkable
class LogsConsumer(Protocol):
    """Receives log batches."""

    @property
    def capabilities(self) -> Capabilities: ...

    async def consume_logs(self, batch: LogsBatch) -> None:
        """Accept ``batch`` or raise an ``ExportError``."""


Consumer: TypeAlias = TracesConsumer | MetricsConsumer | LogsConsumer
ConsumeFn: TypeAlias = Callable[[Any], Awaitable[None]]


def consume_fn(consumer: object, signal: Signal) -> ConsumeFn:
    """The ``consume_<signal>`` method of ``consumer`` (one generic code path for all signals)."""
    fn: ConsumeFn = getattr(consumer, f"consume_{signal.value}")
    return fn


def new_batch(signal: Signal) -> Batch:
    """An empty batch of ``signal``."""
    batch: Batch = BATCH_TYPES[signal]()
    return batch


def count_items(signal: Signal, batch: Batch) -> int:
    """Spans, metric data points or log records in ``batch`` (the units of the collector's metrics)."""
    if signal is Signal.TRACES:
        return sum(len(ss.spans) for rs in batch.resource_spans for ss in rs.scope_spans)  # type: ignore[union-attr]
    if signal is Signal.LOGS:
        return sum(len(sl.log_records) for rl in batch.resource_logs for sl in rl.scope_logs)  # type: ignore[union-attr]
    return sum(
        _metric_points(m)
        for rm in batch.resource_metrics  # type: ignore[union-attr]
        for sm in rm.scope_metrics
        for m in sm.metrics
    )


def _metric_points(metric: Any) -> int:
    kind = metric.WhichOneof("data")
    if kind is None:
        return 0
    return len(getattr(metric, kind).data_points)
