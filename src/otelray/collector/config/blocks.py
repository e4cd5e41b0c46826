"""Shared config blocks, nested under their upstream keys (collector ``config/*`` and ``exporterhelper``).

- ``ComponentConfig``: base of every component config — ``extra="forbid"`` (an unknown key is an
  error, as in the collector's decoder) and frozen; ``ComponentConfig()`` of a subclass *is* its
  default config (upstream ``createDefaultConfig``).
- ``Duration``: Go duration strings as the collector reads them (``200ms``, ``1s``, ``1m30s``,
  ``1.5h``); a bare integer is nanoseconds in Go, but YAML users write seconds by mistake so a bare
  number is refused with a hint.
- ``QueueConfig`` (``sending_queue``), ``RetryConfig`` (``retry_on_failure``) with upstream defaults
  (``exporterhelper/internal/queuebatch/config.go``, ``configretry/backoff.go``), ``timeout`` (5s).
- ``TLSClientConfig`` / ``TLSServerConfig`` (``config/configtls``), ``AuthConfig`` (``configauth``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    PlainSerializer,
    PositiveInt,
    model_validator,
)

from otelray.collector.component import ComponentID

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: Any) -> Any:
    """Parse a Go duration string (``time.ParseDuration``) into a ``timedelta``.

    Raises:
        ValueError: for anything Go would refuse, e.g. ``5`` (missing unit) or ``5 s``.
    """
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("expected a duration such as 200ms, 5s or 1m30s")
    if isinstance(value, int | float):
        if value == 0:
            return timedelta(0)
        raise ValueError(f'missing unit in duration "{value}" (write e.g. {value}s)')
    text = value.strip()
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    if body == "0":
        return timedelta(0)
    pos, total = 0, 0.0
    while pos < len(body):
        match = _DURATION_PART.match(body, pos)
        if match is None:
            raise ValueError(f'invalid duration "{value}" (write e.g. 200ms, 5s or 1m30s)')
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if not body:
        raise ValueError(f'invalid duration "{value}"')
    return timedelta(seconds=sign * total)


def format_duration(value: timedelta) -> str:
    """Render a ``timedelta`` the way Go prints a duration, shortest form (``1.5s``, ``200ms``)."""
    seconds = value.total_seconds()
    if seconds == 0:
        return "0s"
    if abs(seconds) < 1:
        return f"{seconds * 1000:g}ms"
    return f"{seconds:g}s"


Duration = Annotated[timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration)]


def _parse_id(value: Any) -> Any:
    return ComponentID.parse(value) if isinstance(value, str) else value


#: a component ID field written ``type[/name]`` in YAML, validated like upstream
ComponentIDField = Annotated[ComponentID, BeforeValidator(_parse_id), PlainSerializer(str)]


class ComponentConfig(BaseModel):
    """Base of every component config: unknown keys refused, values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class QueueConfig(ComponentConfig):
    """``sending_queue``: the exporter helper's queue in front of the retry and the push."""

    enabled: bool = Field(True, description="Queue batches in front of the exporter.")
    num_consumers: PositiveInt = Field(10, description="Concurrent senders draining the queue.")
    queue_size: PositiveInt = Field(1000, description="Maximum queued batches (requests) before refusing.")
    block_on_overflow: bool = Field(
        False,
        validation_alias=AliasChoices("block_on_overflow", "blocking"),
        description="Wait for room instead of refusing when the queue is full.",
    )
    sizer: Literal["requests", "items"] = Field("requests", description="Unit of queue_size.")
    storage: ComponentIDField | None = Field(
        None, description="ID of a storage extension (file_storage) making the queue persistent."
    )


class RetryConfig(ComponentConfig):
    """``retry_on_failure``: exponential backoff for retryable export errors."""

    enabled: bool = Field(True, description="Retry batches that failed with a retryable error.")
    initial_interval: Duration = Field(timedelta(seconds=5), description="Wait before the first retry.")
    randomization_factor: float = Field(0.5, ge=0, le=1, description="Jitter: wait × (1 ± factor).")
    multiplier: float = Field(1.5, ge=1, description="Growth of the wait after each retry.")
    max_interval: Duration = Field(timedelta(seconds=30), description="Upper bound of one wait.")
    max_elapsed_time: Duration = Field(
        timedelta(seconds=300), description="Give up after this long; 0 means retry forever."
    )


class TLSClientConfig(ComponentConfig):
    """``tls`` of a client (exporters): trust and identity."""

    insecure: bool = Field(False, description="Plain-text connection (gRPC exporters).")
    insecure_skip_verify: bool = Field(False, description="Do not verify the server certificate.")
    ca_file: str = Field("", description="PEM file of trusted CAs.")
    cert_file: str = Field("", description="PEM client certificate.")
    key_file: str = Field("", description="PEM client key.")
    server_name_override: str = Field("", description="Server name expected in the certificate.")
    min_version: str = Field("", description="Minimum TLS version, e.g. 1.2.")
    max_version: str = Field("", description="Maximum TLS version.")


class TLSServerConfig(ComponentConfig):
    """``tls`` of a server (receivers); setting ``cert_file`` and ``key_file`` turns TLS on."""

    cert_file: str = Field("", description="PEM server certificate.")
    key_file: str = Field("", description="PEM server key.")
    ca_file: str = Field("", description="PEM CAs (client use).")
    client_ca_file: str = Field("", description="PEM CAs for verifying client certificates (mTLS).")
    min_version: str = Field("", description="Minimum TLS version: empty or 1.2 (Python's floor; 1.0/1.1 are refused).")
    max_version: str = Field("", description="Maximum TLS version: empty or 1.3.")

    @model_validator(mode="after")
    def _pair(self) -> TLSServerConfig:
        if bool(self.cert_file) != bool(self.key_file):
            raise ValueError("tls needs both cert_file and key_file")
        if self.min_version not in ("", "1.2") or self.max_version not in ("", "1.3"):
            raise ValueError("otelray servers speak TLS 1.2 and 1.3 only: leave min_version/max_version empty "
                             "or set 1.2 / 1.3")
        return self


class AuthConfig(ComponentConfig):
    """``auth``: the ID of an authenticator extension (e.g. ``sigv4auth``)."""

    authenticator: ComponentIDField = Field(description="ID of the authenticator extension.")


class ExporterConfig(ComponentConfig):
    """Base of exporter configs with the exporter helper's blocks: timeout, queue, retry."""

    timeout: Duration = Field(timedelta(seconds=5), description="Deadline of one push.")
    sending_queue: QueueConfig = Field(default_factory=QueueConfig, description="Queue settings.")
    retry_on_failure: RetryConfig = Field(default_factory=RetryConfig, description="Retry settings.")


def split_host_port(endpoint: str, *, default_port: int | None = None) -> tuple[str, int]:
    """Split ``host:port`` (``[::1]:4317``) as Go's ``net.SplitHostPort``; empty host means all.

    Raises:
        ValueError: when the port is missing (and no default) or not a number in 0..65535.
    """
    host, sep, port = endpoint.rpartition(":")
    if not sep or (host.count(":") and not host.startswith("[")):
        if default_port is None:
            raise ValueError(f'missing port in address "{endpoint}" (write host:port, e.g. 127.0.0.1:4317)')
        return endpoint.strip("[]"), default_port
    if not port.isdigit() or int(port) > 65535:
        raise ValueError(f'invalid port "{port}" in address "{endpoint}"')
    return host.strip("[]"), int(port)


def _check_endpoint(value: Any) -> Any:
    if isinstance(value, str):
        split_host_port(value)
    return value


HostPort = Annotated[str, BeforeValidator(_check_endpoint)]
NonNegative = NonNegativeInt
