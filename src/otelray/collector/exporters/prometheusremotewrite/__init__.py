"""The ``prometheusremotewrite`` exporter: metrics to Prometheus / Amazon Managed Prometheus by remote write."""

from __future__ import annotations

from otelray.collector.component import Settings, Signal, Stability
from otelray.collector.exporterhelper.base import ExporterHelper
from otelray.collector.exporters.prometheusremotewrite.config import PrometheusRemoteWriteConfig
from otelray.collector.exporters.prometheusremotewrite.exporter import RemoteWritePusher
from otelray.collector.registry import ExporterFactory


def create_metrics(settings: Settings, config: PrometheusRemoteWriteConfig) -> ExporterHelper:
    """An exporter helper (remote_write_queue → retry → timeout) around a ``RemoteWritePusher``."""
    return ExporterHelper(settings, Signal.METRICS, RemoteWritePusher(settings, config), config.helper_config())


#: Upstream renamed the type to ``prometheus_remote_write``; ADOT configs (and most users) still write
#: ``prometheusremotewrite``, so both names select this exporter.
factory = ExporterFactory(
    type="prometheusremotewrite",
    deprecated_alias="prometheus_remote_write",
    config=PrometheusRemoteWriteConfig,
    description="Sends metrics with Prometheus Remote Write 1.0 (snappy protobuf), optionally SigV4-signed for AMP.",
    metrics=(create_metrics, Stability.BETA),
    lifecycle_test_config={"endpoint": "http://127.0.0.1:1/api/v1/write", "retry_on_failure": {"enabled": False},
                           "timeout": "2s"},
)

__all__ = ["PrometheusRemoteWriteConfig", "RemoteWritePusher", "create_metrics", "factory"]
