"""Config of the ``awsemf`` exporter (contrib ``exporter/awsemfexporter/config.go``; adot-collector.md §3.1).

Field names and defaults are upstream's. Upstream builds the exporter without the helper's queue
and retry (its CloudWatch Logs pusher has its own retry loop); otelray keeps both off by default too,
because cumulative-to-delta state advances when a batch is translated: a queue with several
consumers would reorder points and a helper retry would translate the same points twice.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import Field, NonNegativeInt, PositiveInt, field_validator, model_validator

from otelray.collector.config.blocks import (
    ComponentConfig,
    Duration,
    ExporterConfig,
    QueueConfig,
    RetryConfig,
)
from otelray.translate.emf import (
    CLOUDWATCH_UNITS,
    EmfOptions,
    LabelMatcher,
    MetricDeclaration,
    MetricDescriptor,
    RollupOption,
)

LOG_RETENTION_DAYS = frozenset({0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 2192,
                                2557, 2922, 3288, 3653})


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return pattern


class LabelMatcherConfig(ComponentConfig):
    """``label_matchers`` entry."""

    label_names: list[str] = Field(min_length=1, description="Labels whose values are joined and matched.")
    separator: str = Field(";", description="Separator between the joined values.")
    regex: str = Field(min_length=1, description="Regular expression (unanchored) the joined values must match.")

    _check_regex = field_validator("regex")(classmethod(lambda cls, v: _regex(v)))


class MetricDeclarationConfig(ComponentConfig):
    """``metric_declarations`` entry."""

    dimensions: list[list[str]] = Field(default_factory=list, description="Dimension sets (≤ 10 names each).")
    metric_name_selectors: list[str] = Field(min_length=1, description="Regexes selecting metric names.")
    label_matchers: list[LabelMatcherConfig] = Field(default_factory=list, description="Label filters (any).")

    @field_validator("metric_name_selectors")
    @classmethod
    def _selectors(cls, selectors: list[str]) -> list[str]:
        return [_regex(s) for s in selectors]


class MetricDescriptorConfig(ComponentConfig):
    """``metric_descriptors`` entry."""

    metric_name: str = Field(min_length=1, description="Metric the unit applies to.")
    unit: str = Field(description="CloudWatch unit (Seconds, Bytes, Count…).")
    overwrite: bool = Field(False, description="Use this unit even when the metric has one.")

    @field_validator("unit")
    @classmethod
    def _cloudwatch_unit(cls, unit: str) -> str:
        if unit not in CLOUDWATCH_UNITS:
            raise ValueError(f"unit {unit!r} is not a CloudWatch unit ({', '.join(sorted(CLOUDWATCH_UNITS))})")
        return unit


class ResourceToTelemetryConfig(ComponentConfig):
    """``resource_to_telemetry_conversion``."""

    enabled: bool = Field(False, description="Copy resource attributes to every data point's labels.")


class AwsEmfExporterConfig(ExporterConfig):
    """``exporters::awsemf``."""

    timeout: Duration = Field(timedelta(seconds=30), description="Deadline of one push.")
    sending_queue: QueueConfig = Field(default_factory=lambda: QueueConfig(enabled=False),
                                       description="Queue settings (off by default, as upstream).")
    retry_on_failure: RetryConfig = Field(default_factory=lambda: RetryConfig(enabled=False),
                                          description="Helper retry (off by default; the pusher retries itself).")
    namespace: str = Field("", description="CloudWatch namespace; else service.namespace/service.name.")
    log_group_name: str = Field("", description="Log group (placeholders allowed); default /metrics/<namespace>.")
    log_stream_name: str = Field("", description="Log stream (placeholders allowed); default otel-stream-<uuid>.")
    dimension_rollup_option: RollupOption = Field(RollupOption.ZERO_AND_SINGLE, description="Dimension rollup.")
    metric_declarations: list[MetricDeclarationConfig] = Field(default_factory=list,
                                                               description="Which metrics get which dimensions.")
    metric_descriptors: list[MetricDescriptorConfig] = Field(default_factory=list, description="Units per metric.")
    parse_json_encoded_attr_values: list[str] = Field(default_factory=list,
                                                      description="Labels whose JSON values become nested fields.")
    output_destination: Literal["cloudwatch", "stdout"] = Field("cloudwatch", description="cloudwatch or stdout.")
    detailed_metrics: bool = Field(False, description="Summaries as _sum/_count and one point per quantile.")
    retain_initial_value_of_delta_metric: bool = Field(False, description="Emit the first cumulative value.")
    resource_to_telemetry_conversion: ResourceToTelemetryConfig = Field(
        default_factory=ResourceToTelemetryConfig, description="Resource attributes as labels.")
    log_retention: NonNegativeInt = Field(0, description="Retention in days of created log groups (0 = never expire).")
    tags: dict[str, str] | None = Field(None, description="Tags of created log groups (1–50).")
    version: Literal["0", "1"] = Field("1", description="EMF version: 1 (default) or 0 (legacy).")
    eks_fargate_container_insights_enabled: bool = Field(False, description="Accepted for compatibility.")
    region: str = Field("", description="AWS region; else AWS_REGION / EC2 IMDS.")
    endpoint: str = Field("", description="CloudWatch Logs endpoint URL (e.g. a local moto_server).")
    role_arn: str = Field("", description="IAM role to assume for sending.")
    external_id: str = Field("", description="External id passed to AssumeRole.")
    local_mode: bool = Field(False, description="Not on AWS: skip EC2/ECS metadata lookups for the region.")
    no_verify_ssl: bool = Field(False, description="Do not verify the endpoint's TLS certificate.")
    proxy_address: str = Field("", description="HTTP(S) proxy for CloudWatch Logs requests.")
    max_retries: NonNegativeInt = Field(2, description="PutLogEvents attempts after creating a missing group/stream.")
    request_timeout_seconds: PositiveInt = Field(30, description="Timeout of one CloudWatch Logs request.")

    @field_validator("log_retention")
    @classmethod
    def _retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(f"invalid value for retention policy: {days}. Please make sure to use the "
                             "following values: 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, "
                             "731, 1827, 2192, 2557, 2922, 3288, or 3653")
        return days

    @model_validator(mode="after")
    def _tags(self) -> AwsEmfExporterConfig:
        if self.tags is not None:
            if not 1 <= len(self.tags) <= 50:
                raise ValueError("invalid amount of items. Please input at least 1 tag or remove the tag field")
            for key, value in self.tags.items():
                if not 1 <= len(key) <= 128 or not 1 <= len(value) <= 256:
                    raise ValueError(f"invalid tag {key!r}: keys must be 1-128 and values 1-256 characters")
        return self

    def options(self, default_stream: str) -> EmfOptions:
        """The translation options; ``default_stream`` is used when ``log_stream_name`` is empty."""
        return EmfOptions(
            namespace=self.namespace,
            log_group_name=self.log_group_name,
            log_stream_name=self.log_stream_name or default_stream,
            dimension_rollup_option=self.dimension_rollup_option,
            metric_declarations=tuple(
                MetricDeclaration(
                    dimensions=tuple(tuple(d) for d in decl.dimensions),
                    metric_name_selectors=tuple(decl.metric_name_selectors),
                    label_matchers=tuple(LabelMatcher(tuple(m.label_names), m.regex, m.separator or ";")
                                         for m in decl.label_matchers),
                ) for decl in self.metric_declarations),
            metric_descriptors=tuple(MetricDescriptor(d.metric_name, d.unit, d.overwrite)
                                     for d in self.metric_descriptors),
            parse_json_encoded_attr_values=tuple(self.parse_json_encoded_attr_values),
            detailed_metrics=self.detailed_metrics,
            retain_initial_value_of_delta_metric=self.retain_initial_value_of_delta_metric,
            resource_to_telemetry_conversion=self.resource_to_telemetry_conversion.enabled,
            version=self.version,
        )
