"""The ``otlp`` exporter (collector ``exporter/otlpexporter``): OTLP over gRPC to another collector.

Error mapping is upstream's ``processError``: ``CANCELLED``, ``DEADLINE_EXCEEDED``, ``ABORTED``,
``OUT_OF_RANGE``, ``UNAVAILABLE``, ``DATA_LOSS`` are retried, ``RESOURCE_EXHAUSTED`` only when the
server sent ``RetryInfo``; a ``RetryInfo`` delay becomes a ``ThrottledError``; every other code is
permanent. A partial-success answer is logged and its rejected items counted in
``otelcol_exporter_partially_rejected_<items>``. ``http://`` endpoints or ``tls: {insecure: true}``
use a plain-text channel; otherwise TLS.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc
from pydantic import Field, SecretStr, model_validator

from otelray.collector.auth import GRPCClientAuthenticator, resolve_authenticator
from otelray.collector.component import Host, Settings, Signal, Stability
from otelray.collector.config.blocks import AuthConfig, ExporterConfig, TLSClientConfig
from otelray.collector.errors import PermanentError, RetryableError, ThrottledError
from otelray.collector.exporterhelper.base import ExporterHelper
from otelray.collector.registry import ExporterFactory

_STUBS = {Signal.TRACES: trace_service_pb2_grpc.TraceServiceStub, Signal.METRICS: metrics_service_pb2_grpc.MetricsServiceStub,
          Signal.LOGS: logs_service_pb2_grpc.LogsServiceStub}
_METHODS = {Signal.TRACES: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
            Signal.METRICS: "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
            Signal.LOGS: "/opentelemetry.proto.collector.logs.v1.LogsService/Export"}
_RETRYABLE = {grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED,
              grpc.StatusCode.OUT_OF_RANGE, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DATA_LOSS}
REJECTED_FIELD = {Signal.TRACES: "rejected_spans", Signal.METRICS: "rejected_data_points",
                  Signal.LOGS: "rejected_log_records"}


class OtlpExporterConfig(ExporterConfig):
    """Config of the ``otlp`` exporter."""

    endpoint: str = Field("", description="host:port of the OTLP/gRPC server (http:// = plain text).")
    tls: TLSClientConfig = Field(default_factory=TLSClientConfig, description="TLS client settings.")
    headers: dict[str, SecretStr] = Field(default_factory=dict, description="Metadata sent with every call (secret).")
    compression: str = Field("gzip", pattern="^(gzip|none|)$", description="gzip (default) or none.")
    auth: AuthConfig | None = Field(None, description="Authenticator extension adding call metadata.")
    balancer_name: str = Field("", description="Accepted for compatibility (pick_first / round_robin).")
    wait_for_ready: bool = Field(False, description="Wait for the channel instead of failing fast.")
    keepalive: dict[str, Any] | None = Field(None, description="Accepted for compatibility.")
    write_buffer_size: int = Field(0, ge=0, description="Accepted for compatibility.")
    read_buffer_size: int = Field(0, ge=0, description="Accepted for compatibility.")

    @model_validator(mode="after")
    def _endpoint(self) -> OtlpExporterConfig:
        if not self.endpoint:
            raise ValueError('requires a non-empty "endpoint"')
        return self


def throttle_delay(exc: grpc.aio.AioRpcError) -> float | None:
    """The ``RetryInfo`` delay in a gRPC error's status details, if the server sent one."""
    for key, value in exc.trailing_metadata() or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.RetryInfo()
                if detail.Unpack(info):
                    return info.retry_delay.seconds + info.retry_delay.nanos / 1e9
    return None


def map_grpc_error(exc: grpc.aio.AioRpcError) -> Exception:
    """Upstream's retry decision for a failed Export call."""
    code, delay = exc.code(), throttle_delay(exc)
    message = f"exporting failed: rpc error: code = {code.name} desc = {exc.details()}"
    if code in _RETRYABLE or (code is grpc.StatusCode.RESOURCE_EXHAUSTED and delay is not None):
        return ThrottledError(message, delay) if delay else RetryableError(message)
    return PermanentError(message)


class OtlpGrpcPusher:
    """Sends batches of one signal over one gRPC channel."""

    def __init__(self, settings: Settings, signal: Signal, config: OtlpExporterConfig) -> None:
        self.settings = settings
        self.signal = signal
        self.config = config
        self._channel: Any = None
        self._stub: Any = None
        self._auth: GRPCClientAuthenticator | None = None
        self._target, self._secure = _target(config.endpoint, config.tls.insecure)

    async def start(self, host: Host) -> None:
        """Open the channel (lazily connected) and resolve the authenticator."""
        if self.config.auth is not None:
            self._auth = resolve_authenticator(host, self.settings.id, self.config.auth.authenticator,
                                               GRPCClientAuthenticator)
        compression = grpc.Compression.Gzip if self.config.compression == "gzip" else grpc.Compression.NoCompression
        if self._secure:
            self._channel = grpc.aio.secure_channel(self._target, self._credentials(), compression=compression)
        else:
            self._channel = grpc.aio.insecure_channel(self._target, compression=compression)
        self._stub = _STUBS[self.signal](self._channel)

    def _credentials(self) -> grpc.ChannelCredentials:
        tls = self.config.tls

        def read(path: str) -> bytes | None:
            if not path:
                return None
            with open(path, "rb") as f:
                return f.read()

        return grpc.ssl_channel_credentials(read(tls.ca_file), read(tls.key_file), read(tls.cert_file))

    async def push(self, batch: Any) -> None:
        """Export one batch; map failures to permanent / retryable / throttled errors."""
        if self._stub is None:
            raise RetryableError(f"{self.settings.id} is not started")
        metadata = [(k.lower(), v.get_secret_value()) for k, v in self.config.headers.items()]
        if self._auth is not None:
            metadata += self._auth.grpc_metadata(_METHODS[self.signal], batch.SerializeToString())
        try:
            response = await self._stub.Export(batch, metadata=metadata or None,
                                               wait_for_ready=self.config.wait_for_ready)
        except grpc.aio.AioRpcError as exc:
            raise map_grpc_error(exc) from exc
        rejected = getattr(response.partial_success, REJECTED_FIELD[self.signal])
        if rejected:
            self.settings.telemetry.add("partially_rejected", self.signal, rejected)
            self.settings.logger.warning("Partial success response: %d %s rejected: %s", rejected,
                                         self.signal.item, response.partial_success.error_message)

    async def shutdown(self) -> None:
        """Close the channel."""
        if self._channel is not None:
            channel, self._channel, self._stub = self._channel, None, None
            await channel.close()


def _target(endpoint: str, insecure: bool) -> tuple[str, bool]:
    if endpoint.startswith("http://"):
        return endpoint.removeprefix("http://").rstrip("/"), False
    if endpoint.startswith("https://"):
        return endpoint.removeprefix("https://").rstrip("/"), True
    return endpoint, not insecure


def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: OtlpExporterConfig) -> ExporterHelper:
        return ExporterHelper(settings, signal, OtlpGrpcPusher(settings, signal, config), config)

    return create


factory = ExporterFactory(
    type="otlp",
    config=OtlpExporterConfig,
    description="Sends OTLP over gRPC (to another collector or backend).",
    traces=(_create(Signal.TRACES), Stability.STABLE),
    metrics=(_create(Signal.METRICS), Stability.STABLE),
    logs=(_create(Signal.LOGS), Stability.STABLE),
    lifecycle_test_config={"endpoint": "http://127.0.0.1:1", "retry_on_failure": {"enabled": False},
                           "timeout": "2s"},
)
