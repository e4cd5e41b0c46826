"""The ``awsxray`` exporter: spans to AWS X-Ray (or any X-Ray-API server such as otelray's backend)."""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Settings, Signal, Stability
from otelray.collector.exporterhelper.base import ExporterHelper
from otelray.collector.exporters.awsxray.config import AwsXrayExporterConfig, XRayTelemetryConfig
from otelray.collector.registry import ExporterFactory


def create_traces(settings: Settings, config: AwsXrayExporterConfig) -> ExporterHelper:
    """An exporter helper around an ``AwsXrayPusher``."""
    # imported here: the runtime needs botocore, validating a config does not
    from otelray.collector.exporters.awsxray.exporter import AwsXrayPusher

    return ExporterHelper(settings, Signal.TRACES, AwsXrayPusher(settings, config), config)


factory = ExporterFactory(
    type="awsxray",
    config=AwsXrayExporterConfig,
    description="Sends spans as X-Ray segment documents with PutTraceSegments (SigV4).",
    traces=(create_traces, Stability.BETA),
    lifecycle_test_config={
        "region": "us-east-1", "endpoint": "http://127.0.0.1:9", "max_retries": 1,
        "retry_on_failure": {"enabled": False},
    },
)


def __getattr__(name: str) -> Any:
    """``AwsXrayPusher`` on first use, so validating a config does not import botocore."""
    if name == "AwsXrayPusher":
        from otelray.collector.exporters.awsxray.exporter import AwsXrayPusher

        return AwsXrayPusher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AwsXrayExporterConfig", "AwsXrayPusher", "XRayTelemetryConfig", "create_traces", "factory"]
