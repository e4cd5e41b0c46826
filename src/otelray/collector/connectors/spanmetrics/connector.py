"""The ``spanmetrics`` connector: spans → request counts and duration histograms (contrib
``connector/spanmetricsconnector/connector.go``).

Per resource, per (service.name, span.name, span.kind, status.code + configured dimensions):
``<namespace>.calls`` (monotonic Sum) and ``<namespace>.duration`` (explicit-bucket Histogram in
``ms`` or ``s``). Kind and status are written as upstream writes them (``SPAN_KIND_SERVER``,
``STATUS_CODE_ERROR``). Metrics go to the next pipeline every ``metrics_flush_interval`` and at
shutdown; cumulative series keep counting from their first sighting, delta series restart each
flush. Series past ``dimensions_cache_size`` are refused and counted in
``otelcol_connector_spanmetrics_dropped_series_total``.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AggregationTemporality,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from otelray.collector.component import Host, Settings, Signal
from otelray.collector.connectors.spanmetrics.config import SpanMetricsConfig
from otelray.collector.consumer import Capabilities, TracesBatch
from otelray.collector.receiverhelper import deliver
from otelray.translate.to_xray.values import as_string, attrs_of

SCOPE_NAME = "spanmetricsconnector"
Attrs = tuple[tuple[str, str], ...]


@dataclass
class _Series:
    start_ns: int
    calls: int = 0
    total: float = 0.0
    counts: list[int] = field(default_factory=list)


class SpanMetricsConnector:
    """Consumes traces, emits metrics to the next (metrics) consumer."""

    def __init__(self, settings: Settings, config: SpanMetricsConfig, next_consumer: Any) -> None:
        self.settings = settings
        self.config = config
        self._next = next_consumer
        scale = 1000.0 if config.histogram.unit == "ms" else 1.0
        self.bounds = [b.total_seconds() * scale for b in config.histogram.explicit.buckets]
        self._scale = scale
        self._delta = config.aggregation_temporality == "AGGREGATION_TEMPORALITY_DELTA"
        self._series: dict[Attrs, dict[Attrs, _Series]] = {}
        self._count = 0
        self._task: asyncio.Task[None] | None = None
        self._dropped = settings.telemetry.counter(
            "otelcol_connector_spanmetrics_dropped_series", "Span series refused past dimensions_cache_size.")

    @property
    def capabilities(self) -> Capabilities:
        """The connector only reads spans."""
        return Capabilities()

    async def start(self, host: Host) -> None:
        """Start the flush timer."""
        self._task = asyncio.create_task(self._loop(), name=f"spanmetrics-{self.settings.id}")

    async def consume_traces(self, batch: TracesBatch) -> None:
        """Count every span of ``batch``."""
        now = time.time_ns()
        for rs in batch.resource_spans:
            resource = {k: as_string(v) for k, v in attrs_of(rs.resource.attributes).items()}
            res_key = tuple(sorted(resource.items()))
            per_resource = self._series.setdefault(res_key, {})
            for ss in rs.scope_spans:
                for span in ss.spans:
                    self._add(per_resource, resource, span, now)

    def _key(self, resource: dict[str, str], span: Span) -> Attrs:
        span_attrs = {k: as_string(v) for k, v in attrs_of(span.attributes).items()}
        out = {"service.name": resource.get("service.name", ""), "span.name": span.name,
               "span.kind": Span.SpanKind.Name(span.kind), "status.code": Status.StatusCode.Name(span.status.code)}
        for name in self.config.exclude_dimensions:
            out.pop(name, None)
        for dim in self.config.dimensions:
            value = span_attrs.get(dim.name, resource.get(dim.name, dim.default))
            if value is not None:
                out[dim.name] = value
        return tuple(out.items())

    def _add(self, per_resource: dict[Attrs, _Series], resource: dict[str, str], span: Span, now: int) -> None:
        key = self._key(resource, span)
        series = per_resource.get(key)
        if series is None:
            if self._count >= self.config.dimensions_cache_size:
                self._dropped.inc()
                return
            series = per_resource[key] = _Series(start_ns=now, counts=[0] * (len(self.bounds) + 1))
            self._count += 1
        duration = max(0, span.end_time_unix_nano - span.start_time_unix_nano) / 1e9 * self._scale
        series.calls += 1
        series.total += duration
        series.counts[bisect.bisect_left(self.bounds, duration)] += 1

    def metrics(self, now_ns: int) -> ExportMetricsServiceRequest:
        """The current metrics (delta state is reset)."""
        request = ExportMetricsServiceRequest()
        temporality = (AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA if self._delta
                       else AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
        prefix = f"{self.config.namespace}." if self.config.namespace else ""
        for res_key, per_resource in self._series.items():
            if not per_resource:
                continue
            rm: ResourceMetrics = request.resource_metrics.add()
            rm.resource.attributes.extend(_kv(res_key))
            sm = rm.scope_metrics.add()
            sm.scope.name = SCOPE_NAME
            calls = Metric(name=f"{prefix}calls")
            calls.sum.aggregation_temporality = temporality
            calls.sum.is_monotonic = True
            duration = Metric(name=f"{prefix}duration", unit=self.config.histogram.unit)
            duration.histogram.aggregation_temporality = temporality
            for key, s in per_resource.items():
                calls.sum.data_points.append(NumberDataPoint(start_time_unix_nano=s.start_ns, time_unix_nano=now_ns,
                                                             as_int=s.calls, attributes=_kv(key)))
                duration.histogram.data_points.append(HistogramDataPoint(
                    start_time_unix_nano=s.start_ns, time_unix_nano=now_ns, count=s.calls, sum=s.total,
                    explicit_bounds=self.bounds, bucket_counts=s.counts, attributes=_kv(key)))
            sm.metrics.append(calls)
            if not self.config.histogram.disable:
                sm.metrics.append(duration)
        if self._delta:
            self._series, self._count = {}, 0
        return request

    async def flush(self) -> None:
        """Emit the current metrics to the next pipeline (nothing when no span arrived yet)."""
        request = self.metrics(time.time_ns())
        if not request.resource_metrics:
            return
        try:
            await deliver(self.settings, Signal.METRICS, "connector", self._next.consume_metrics, request)
        except Exception as exc:
            self.settings.logger.warning("spanmetrics: the metrics pipeline refused the span metrics: %s", exc)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.metrics_flush_interval.total_seconds())
            await self.flush()

    async def shutdown(self) -> None:
        """Stop the timer and emit the last metrics. Safe twice and without start."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        await self.flush()


def _kv(attrs: Attrs) -> list[KeyValue]:
    return [KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in attrs]
