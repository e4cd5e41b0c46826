"""The ``spanmetrics`` connector: call counts and duration histograms computed from spans."""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Settings, Signal, Stability
from otelray.collector.connectors.spanmetrics.config import SpanMetricsConfig
from otelray.collector.connectors.spanmetrics.connector import SpanMetricsConnector
from otelray.collector.registry import ConnectorFactory


def create_traces_to_metrics(settings: Settings, config: SpanMetricsConfig, next_consumer: Any) -> SpanMetricsConnector:
    """The connector feeding the metrics pipelines ``next_consumer``."""
    return SpanMetricsConnector(settings, config, next_consumer)


factory = ConnectorFactory(
    type="spanmetrics",
    config=SpanMetricsConfig,
    description="Computes calls and duration histograms per service, span name, kind and status from spans.",
    pairs={(Signal.TRACES, Signal.METRICS): (create_traces_to_metrics, Stability.ALPHA)},
)

__all__ = ["SpanMetricsConfig", "SpanMetricsConnector", "create_traces_to_metrics", "factory"]
