"""Config of the ``otlp`` receiver (collector ``receiver/otlpreceiver/config.go``).

``otlp:`` with no keys listens on both protocols with their defaults; ``protocols: {grpc:}`` turns
on only the protocols named (a key present with no value means "defaults"); ``protocols: {}`` is an
error, as upstream ("must specify at least one protocol"). Defaults bind 127.0.0.1 (upstream:
``localhost``); ADOT configs say ``0.0.0.0:4317`` and that is honoured as written.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from otelray.collector.config.blocks import AuthConfig, ComponentConfig, HostPort, TLSServerConfig

DEFAULT_GRPC_ENDPOINT = "127.0.0.1:4317"
DEFAULT_HTTP_ENDPOINT = "127.0.0.1:4318"


class CorsConfig(ComponentConfig):
    """``cors`` of the HTTP server."""

    allowed_origins: list[str] = Field(default_factory=list, description="Origins allowed to POST (browser SDKs).")
    allowed_headers: list[str] = Field(default_factory=list, description="Extra request headers allowed.")
    max_age: int = Field(0, description="Seconds a preflight answer may be cached.")


class GrpcServerConfig(ComponentConfig):
    """``protocols::grpc``."""

    endpoint: HostPort = Field(DEFAULT_GRPC_ENDPOINT, description="host:port to listen on.")
    transport: str = Field("tcp", pattern="^tcp$", description="Only tcp is supported.")
    max_recv_msg_size_mib: PositiveFloat = Field(4, description="Largest accepted message, MiB.")
    max_concurrent_streams: int = Field(0, ge=0, description="Streams per connection (0 = gRPC default).")
    read_buffer_size: int = Field(524288, ge=0, description="Accepted for compatibility; gRPC sizes its own buffers.")
    write_buffer_size: int = Field(0, ge=0, description="Accepted for compatibility.")
    include_metadata: bool = Field(False, description="Accepted for compatibility; metadata is not propagated.")
    tls: TLSServerConfig | None = Field(None, description="TLS server settings.")
    auth: AuthConfig | None = Field(None, description="Server authenticator (not supported yet).")
    keepalive: dict[str, Any] | None = Field(None, description="Accepted for compatibility; gRPC defaults apply.")


class HttpServerConfig(ComponentConfig):
    """``protocols::http``."""

    endpoint: HostPort = Field(DEFAULT_HTTP_ENDPOINT, description="host:port to listen on.")
    traces_url_path: str = Field("/v1/traces", description="Path receiving traces.")
    metrics_url_path: str = Field("/v1/metrics", description="Path receiving metrics.")
    logs_url_path: str = Field("/v1/logs", description="Path receiving logs.")
    max_request_body_size: PositiveInt = Field(20 * 1024 * 1024, description="Largest body, bytes, after decompression.")
    include_metadata: bool = Field(False, description="Accepted for compatibility; metadata is not propagated.")
    cors: CorsConfig | None = Field(None, description="CORS for browser clients.")
    tls: TLSServerConfig | None = Field(None, description="TLS server settings.")
    auth: AuthConfig | None = Field(None, description="Server authenticator (not supported yet).")
    response_headers: dict[str, str] = Field(default_factory=dict, description="Headers added to every response.")


class Protocols(ComponentConfig):
    """``protocols``: which servers to run."""

    grpc: GrpcServerConfig | None = Field(None, description="OTLP/gRPC server; on when the key is present.")
    http: HttpServerConfig | None = Field(None, description="OTLP/HTTP server; on when the key is present.")

    @model_validator(mode="before")
    @classmethod
    def _present_means_on(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: ({} if v is None and k in ("grpc", "http") else v) for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _at_least_one(self) -> Protocols:
        if self.grpc is None and self.http is None:
            raise ValueError("must specify at least one protocol when using the OTLP receiver")
        return self


class OtlpReceiverConfig(ComponentConfig):
    """The ``otlp`` receiver."""

    protocols: Protocols = Field(
        default_factory=lambda: Protocols(grpc=GrpcServerConfig(), http=HttpServerConfig()),
        description="grpc and/or http servers.",
    )

    @model_validator(mode="after")
    def _no_server_auth(self) -> OtlpReceiverConfig:
        for name in ("grpc", "http"):
            proto = getattr(self.protocols, name)
            if proto is not None and proto.auth is not None:
                raise ValueError(f"protocols::{name}::auth: server authenticators are not supported by otelray yet")
        return self
