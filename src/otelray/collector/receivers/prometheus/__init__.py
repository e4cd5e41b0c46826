"""The ``prometheus`` receiver: scrapes Prometheus text expositions into OTLP metrics."""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Settings, Stability
from otelray.collector.receivers.prometheus.config import PrometheusReceiverConfig
from otelray.collector.receivers.prometheus.receiver import PrometheusReceiver
from otelray.collector.registry import ReceiverFactory


def create_metrics(settings: Settings, config: PrometheusReceiverConfig, next_consumer: Any) -> PrometheusReceiver:
    """The receiver feeding ``next_consumer``."""
    return PrometheusReceiver(settings, config, next_consumer)


factory = ReceiverFactory(
    type="prometheus",
    config=PrometheusReceiverConfig,
    description="Scrapes Prometheus targets (static_configs, relabel_configs) into OTLP metrics.",
    metrics=(create_metrics, Stability.BETA),
)

__all__ = ["PrometheusReceiver", "PrometheusReceiverConfig", "create_metrics", "factory"]
