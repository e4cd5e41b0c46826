"""Metric export that stays quiet and quick when the collector is away.

The metric twin of ``otelray.distro.exporter.GuardedSpanExporter`` (same rules: one warning per
outage, upstream's per-attempt log lines held back, every failed batch counted, the final export at
exit bounded). Kept apart so that programs without metrics never import the metrics SDK.
"""

from __future__ import annotations

import atexit
from typing import Any

from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, MetricsData

from otelray.distro.exporter import ExportGuard


class GuardedMetricExporter(ExportGuard, MetricExporter):
    """Wraps a push metric exporter (built already: the reader needs its temporality at once)."""

    what = "metrics"

    def __init__(self, inner: MetricExporter, endpoint: str, *, shutdown_timeout: float = 0.5) -> None:
        ExportGuard.__init__(self, lambda: inner, endpoint, shutdown_timeout=shutdown_timeout)
        MetricExporter.__init__(
            self,
            preferred_temporality=getattr(inner, "_preferred_temporality", None),
            preferred_aggregation=getattr(inner, "_preferred_aggregation", None),
        )
        self._inner = inner

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
        def send(exporter: MetricExporter) -> bool:
            return exporter.export(metrics_data, timeout_millis=timeout_millis, **kwargs) is MetricExportResult.SUCCESS

        return MetricExportResult.SUCCESS if self._guarded(1, send) else MetricExportResult.FAILURE

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return bool(self._inner.force_flush(timeout_millis=timeout_millis))

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        self._shutdown_inner(timeout_millis=timeout_millis, **kwargs)


def bound_at_exit(guards: list[GuardedMetricExporter]) -> None:
    """Bound the final exports of ``guards`` once the process exits.

    Call after the ``MeterProvider`` is built: ``atexit`` runs last-registered first, so the bound is
    in place before the provider's own exit hook collects and exports the last time.
    """
    def begin() -> None:
        for guard in guards:
            guard.begin_shutdown(prepare=False)

    atexit.register(begin)
