"""The ``awsemf`` exporter: metrics as CloudWatch Embedded Metric Format log events."""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Settings, Signal, Stability
from otelray.collector.exporterhelper.base import ExporterHelper
from otelray.collector.exporters.awsemf.config import AwsEmfExporterConfig
from otelray.collector.registry import ExporterFactory


def create_metrics(settings: Settings, config: AwsEmfExporterConfig) -> ExporterHelper:
    """An exporter helper around an ``AwsEmfPusher``."""
    # imported here: the runtime needs botocore, validating a config does not
    from otelray.collector.exporters.awsemf.exporter import AwsEmfPusher

    return ExporterHelper(settings, Signal.METRICS, AwsEmfPusher(settings, config), config)


factory = ExporterFactory(
    type="awsemf",
    config=AwsEmfExporterConfig,
    description="Sends metrics to CloudWatch as EMF log events (PutLogEvents, SigV4) or prints them.",
    metrics=(create_metrics, Stability.BETA),
    lifecycle_test_config={"output_destination": "stdout", "namespace": "lifecycle"},
)


def __getattr__(name: str) -> Any:
    """``AwsEmfPusher`` on first use, so validating a config does not import botocore."""
    if name == "AwsEmfPusher":
        from otelray.collector.exporters.awsemf.exporter import AwsEmfPusher

        return AwsEmfPusher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AwsEmfExporterConfig", "AwsEmfPusher", "create_metrics", "factory"]
