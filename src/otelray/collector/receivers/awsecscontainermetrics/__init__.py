"""The ``awsecscontainermetrics`` receiver: ECS task and container metrics from the Task Metadata Endpoint v4."""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Settings, Stability
from otelray.collector.receivers.awsecscontainermetrics.config import AwsEcsContainerMetricsConfig
from otelray.collector.receivers.awsecscontainermetrics.receiver import AwsEcsContainerMetricsReceiver
from otelray.collector.registry import ReceiverFactory


def create_metrics(settings: Settings, config: AwsEcsContainerMetricsConfig,
                   next_consumer: Any) -> AwsEcsContainerMetricsReceiver:
    """The receiver feeding ``next_consumer``."""
    return AwsEcsContainerMetricsReceiver(settings, config, next_consumer)


factory = ReceiverFactory(
    type="awsecscontainermetrics",
    config=AwsEcsContainerMetricsConfig,
    description="Reads ECS task metadata and Docker stats (Task Metadata Endpoint v4) into task and container metrics.",
    metrics=(create_metrics, Stability.BETA),
    lifecycle_test_config={"endpoint": "http://127.0.0.1:9", "collection_interval": "1h", "timeout": "100ms"},
)

__all__ = ["AwsEcsContainerMetricsConfig", "AwsEcsContainerMetricsReceiver", "create_metrics", "factory"]
