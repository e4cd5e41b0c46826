"""Config of the ``prometheusremotewrite`` exporter (contrib ``exporter/prometheusremotewriteexporter/config.go``,
``factory.go``; adot-collector.md §4.2).

Upstream's own blocks are kept: ``remote_write_queue`` (enabled, queue_size 10000, num_consumers 5)
stands where other exporters have ``sending_queue``, and ``retry_on_failure`` starts at 50 ms.
``send_metadata`` and ``wal`` are refused with a clear error: otelray does not implement them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field, PositiveInt, field_validator, model_validator

from otelray.collector.config.blocks import (
    AuthConfig,
    ComponentConfig,
    Duration,
    ExporterConfig,
    QueueConfig,
    RetryConfig,
    TLSClientConfig,
)
from otelray.translate.prw import DEFAULT_MAX_BATCH_SIZE_BYTES, PrwOptions, label_name


class RemoteWriteQueueConfig(ComponentConfig):
    """``remote_write_queue``."""

    enabled: bool = Field(True, description="Queue batches in front of the sender.")
    queue_size: PositiveInt = Field(10_000, description="Maximum queued batches.")
    num_consumers: PositiveInt = Field(5, description="Concurrent senders draining the queue.")


class TargetInfoConfig(ComponentConfig):
    """``target_info``."""

    enabled: bool = Field(True, description="Send a target_info series per resource.")


class ResourceToTelemetryConfig(ComponentConfig):
    """``resource_to_telemetry_conversion``."""

    enabled: bool = Field(False, description="Copy resource attributes to every series' labels.")
    exclude_service_attributes: bool = Field(False, description="Do not copy service.name/namespace/instance.id.")


class PrometheusRemoteWriteConfig(ComponentConfig):
    """``exporters::prometheusremotewrite``."""

    endpoint: str = Field(description="Remote-write URL, e.g. https://aps-workspaces.<region>.amazonaws.com/"
                                      "workspaces/<id>/api/v1/remote_write.")
    headers: dict[str, str] = Field(default_factory=dict, description="Headers sent with every request.")
    external_labels: dict[str, str] = Field(default_factory=dict, description="Labels added to every series.")
    namespace: str = Field("", description="Prefix of every metric name.")
    add_metric_suffixes: bool = Field(True, description="Unit and _total/_ratio suffixes in names.")
    disable_scope_info: bool = Field(False, description="Do not add otel_scope_* labels.")
    resource_to_telemetry_conversion: ResourceToTelemetryConfig = Field(
        default_factory=ResourceToTelemetryConfig, description="Resource attributes as labels.")
    target_info: TargetInfoConfig = Field(default_factory=TargetInfoConfig, description="target_info series.")
    max_batch_size_bytes: PositiveInt = Field(DEFAULT_MAX_BATCH_SIZE_BYTES,
                                              description="Maximum uncompressed size of one request.")
    max_batch_request_parallelism: PositiveInt = Field(5, description="Requests of one batch in flight at once.")
    timeout: Duration = Field(timedelta(seconds=5), description="Deadline of one push.")
    retry_on_failure: RetryConfig = Field(
        default_factory=lambda: RetryConfig(initial_interval=timedelta(milliseconds=50)), description="Retry settings.")
    remote_write_queue: RemoteWriteQueueConfig = Field(default_factory=RemoteWriteQueueConfig,
                                                       description="Queue settings.")
    tls: TLSClientConfig = Field(default_factory=TLSClientConfig, description="TLS client settings.")
    auth: AuthConfig | None = Field(None, description="Authenticator extension signing requests (sigv4auth).")
    send_metadata: bool = Field(False, description="Not supported by otelray (must stay false).")
    wal: dict[str, Any] | None = Field(None, description="Not supported by otelray (must be absent).")

    @field_validator("endpoint")
    @classmethod
    def _url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f'endpoint must be a valid URL with http or https scheme, got "{url}"')
        return url

    @field_validator("external_labels")
    @classmethod
    def _labels(cls, labels: dict[str, str]) -> dict[str, str]:
        for key, value in labels.items():
            if not key or not value:
                raise ValueError(f"prometheus external label {key!r} has an empty name or value")
        return {label_name(k): v for k, v in labels.items()}

    @model_validator(mode="after")
    def _unsupported(self) -> PrometheusRemoteWriteConfig:
        if self.send_metadata:
            raise ValueError("send_metadata is not implemented by otelray's prometheusremotewrite exporter")
        if self.wal is not None:
            raise ValueError("wal is not implemented by otelray's prometheusremotewrite exporter: "
                             "use remote_write_queue")
        return self

    def options(self) -> PrwOptions:
        """The conversion options."""
        return PrwOptions(
            namespace=self.namespace, external_labels=dict(self.external_labels),
            add_metric_suffixes=self.add_metric_suffixes,
            resource_to_telemetry_conversion=self.resource_to_telemetry_conversion.enabled,
            exclude_service_attributes=self.resource_to_telemetry_conversion.exclude_service_attributes,
            target_info=self.target_info.enabled, disable_scope_info=self.disable_scope_info)

    def helper_config(self) -> ExporterConfig:
        """The exporter helper's blocks: the remote-write queue as its sending queue."""
        queue = self.remote_write_queue
        return ExporterConfig(timeout=self.timeout, retry_on_failure=self.retry_on_failure,
                              sending_queue=QueueConfig(enabled=queue.enabled, queue_size=queue.queue_size,
                                                        num_consumers=queue.num_consumers))
