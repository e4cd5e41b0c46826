"""The ``statsd`` receiver: StatsD/DogStatsD lines over UDP aggregated into OTLP metrics."""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Settings, Stability
from otelray.collector.receivers.statsd.config import StatsdReceiverConfig
from otelray.collector.receivers.statsd.receiver import StatsdReceiver
from otelray.collector.registry import ReceiverFactory


def create_metrics(settings: Settings, config: StatsdReceiverConfig, next_consumer: Any) -> StatsdReceiver:
    """The receiver feeding ``next_consumer``."""
    return StatsdReceiver(settings, config, next_consumer)


factory = ReceiverFactory(
    type="statsd",
    config=StatsdReceiverConfig,
    description="Receives StatsD over UDP and sends counters, gauges and timer aggregates each interval.",
    metrics=(create_metrics, Stability.BETA),
    lifecycle_test_config={"endpoint": "127.0.0.1:0"},
)

__all__ = ["StatsdReceiver", "StatsdReceiverConfig", "create_metrics", "factory"]
