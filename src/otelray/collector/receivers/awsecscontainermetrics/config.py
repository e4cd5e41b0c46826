"""Config of the ``awsecscontainermetrics`` receiver (contrib ``receiver/awsecscontainermetricsreceiver/config.go``).

Upstream has one setting, ``collection_interval`` (default 20 s), and reads the Task Metadata
Endpoint v4 from ``ECS_CONTAINER_METADATA_URI_V4``. otelray adds ``endpoint`` (default: that
variable) so the receiver can be pointed at recorded metadata, and ``timeout`` for each request.
"""

from __future__ import annotations

import os
from datetime import timedelta

from pydantic import Field, field_validator

from otelray.collector.config.blocks import ComponentConfig, Duration

ENDPOINT_VARIABLE = "ECS_CONTAINER_METADATA_URI_V4"


def _endpoint_from_environment() -> str:
    return os.environ.get(ENDPOINT_VARIABLE, "")


class AwsEcsContainerMetricsConfig(ComponentConfig):
    """``receivers::awsecscontainermetrics``."""

    collection_interval: Duration = Field(timedelta(seconds=20), description="How often task metadata and "
                                          "container stats are read and metrics sent.")
    endpoint: str = Field(default_factory=_endpoint_from_environment, validate_default=True,
                          description="Task Metadata Endpoint v4 base URL (otelray addition); default "
                                      "${ECS_CONTAINER_METADATA_URI_V4}. Empty: the receiver refuses to start.")
    timeout: Duration = Field(timedelta(seconds=5), description="Deadline of each metadata request (otelray addition).")

    @field_validator("collection_interval", "timeout")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be greater than 0")
        return value

    @field_validator("endpoint")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")
