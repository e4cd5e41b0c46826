"""Config of the ``awsxray`` exporter (contrib ``exporter/awsxrayexporter/config.go``, awsutil defaults).

Field names and defaults are upstream's (adot-collector.md §1.15). ``sending_queue``,
``retry_on_failure`` and ``timeout`` are the exporter helper's shared blocks; upstream's factory sets
none of them and relies on the AWS SDK retryer alone, otelray keeps the SDK retryer
(``max_retries``) and adds the helper's queue and retry on top so the persistent queue
(``sending_queue: {storage: file_storage}``) works for X-Ray as for every other exporter.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, NonNegativeInt, PositiveInt, field_validator

from otelray.collector.config.blocks import ComponentConfig, Duration, ExporterConfig


class XRayTelemetryConfig(ComponentConfig):
    """``telemetry``: periodic ``PutTelemetryRecords`` with the exporter's own counts."""

    enabled: bool = Field(False, description="Send telemetry records to X-Ray every minute.")
    include_metadata: bool = Field(False, description="Add hostname, instance id and resource ARN.")
    contributors: list[str] = Field(default_factory=list, description="Components whose counts are reported.")
    hostname: str = Field("", description="Hostname reported in the records.")
    instance_id: str = Field("", description="EC2 instance id reported in the records.")
    resource_arn: str = Field("", description="Resource ARN reported in the records.")


class AwsXrayExporterConfig(ExporterConfig):
    """``exporters::awsxray``."""

    timeout: Duration = Field(timedelta(seconds=30), description="Deadline of one push (all chunks of a batch).")
    region: str = Field("", description="AWS region; else AWS_REGION / EC2 IMDS.")
    endpoint: str = Field("", description="X-Ray endpoint URL, e.g. an otelray backend http://127.0.0.1:2772.")
    role_arn: str = Field("", description="IAM role to assume (STS AssumeRole) for sending.")
    external_id: str = Field("", description="External id passed to AssumeRole.")
    resource_arn: str = Field("", description="ARN of the resource running the collector.")
    local_mode: bool = Field(False, description="Not on AWS: skip EC2/ECS metadata lookups for the region.")
    no_verify_ssl: bool = Field(False, description="Do not verify the endpoint's TLS certificate.")
    proxy_address: str = Field("", description="HTTP(S) proxy for the X-Ray requests.")
    max_retries: NonNegativeInt = Field(2, description="Total attempts of the AWS SDK retryer per request.")
    num_workers: PositiveInt = Field(8, description="Concurrent HTTP connections to X-Ray.")
    request_timeout_seconds: PositiveInt = Field(30, description="Timeout of one PutTraceSegments request.")
    indexed_attributes: list[str] = Field(default_factory=list, description="Attributes sent as annotations.")
    index_all_attributes: bool = Field(False, description="Send every scalar attribute as an annotation.")
    aws_log_groups: list[str] = Field(default_factory=list, description="CloudWatch log groups linked to traces.")
    telemetry: XRayTelemetryConfig = Field(default_factory=XRayTelemetryConfig, description="X-Ray telemetry.")

    @field_validator("endpoint", "proxy_address")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)


def check_url(value: str) -> str:
    """An empty string or an ``http(s)://host[:port][/path]`` URL (what botocore and urllib3 accept)."""
    if value and not value.startswith(("http://", "https://")):
        raise ValueError(f'"{value}" is not a URL: write http://{value} or https://{value}')
    return value
