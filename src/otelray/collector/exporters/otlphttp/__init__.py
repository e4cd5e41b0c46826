"""The ``otlphttp`` exporter (collector ``exporter/otlphttpexporter``): OTLP over HTTP.

``endpoint`` is a base URL to which ``/v1/traces`` etc. are appended; ``traces_endpoint`` &
co. override it per signal. Bodies are protobuf (``encoding: proto``, default) or OTLP/JSON, gzip
compressed by default. ``auth: {authenticator: sigv4auth}`` hands each finished request to the
extension (``otelray.collector.auth.HTTPClientAuthenticator``) which returns the signed headers.
Status mapping as upstream: 429/502/503/504 are retried, honouring ``Retry-After`` (seconds or
HTTP date) as a throttle; every other non-2xx is permanent; connection failures are retried.
"""

from __future__ import annotations

import email.utils
import gzip
import ssl
import time
from datetime import timedelta
from typing import Any

import httpx
from google.protobuf.message import DecodeError
from google.rpc import status_pb2
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from pydantic import Field, SecretStr, model_validator

from otelray.collector import otlpjson
from otelray.collector.auth import HTTPClientAuthenticator, resolve_authenticator
from otelray.collector.component import Host, Settings, Signal, Stability
from otelray.collector.config.blocks import AuthConfig, Duration, ExporterConfig, TLSClientConfig
from otelray.collector.errors import ComponentError, PermanentError, RetryableError, ThrottledError
from otelray.collector.exporterhelper.base import ExporterHelper
from otelray.collector.exporters.otlp import REJECTED_FIELD
from otelray.collector.registry import ExporterFactory

_RESPONSES: dict[Signal, Any] = {Signal.TRACES: ExportTraceServiceResponse, Signal.METRICS: ExportMetricsServiceResponse,
                                 Signal.LOGS: ExportLogsServiceResponse}
_RETRYABLE_STATUS = {429, 502, 503, 504}


class OtlpHttpExporterConfig(ExporterConfig):
    """Config of the ``otlphttp`` exporter."""

    timeout: Duration = Field(timedelta(seconds=30), description="Deadline of one request (upstream: 30s).")
    endpoint: str = Field("", description="Base URL; /v1/<signal> is appended.")
    traces_endpoint: str = Field("", description="Full URL for traces (overrides endpoint).")
    metrics_endpoint: str = Field("", description="Full URL for metrics.")
    logs_endpoint: str = Field("", description="Full URL for logs.")
    tls: TLSClientConfig = Field(default_factory=TLSClientConfig, description="TLS client settings.")
    headers: dict[str, SecretStr] = Field(default_factory=dict, description="Headers sent with every request (secret).")
    compression: str = Field("gzip", pattern="^(gzip|none|)$", description="gzip (default) or none.")
    encoding: str = Field("proto", pattern="^(proto|json)$", description="proto (default) or json.")
    auth: AuthConfig | None = Field(None, description="Authenticator extension signing requests (sigv4auth).")
    max_idle_conns: int = Field(100, ge=0, description="Idle keep-alive connections kept.")
    idle_conn_timeout: Duration = Field(timedelta(seconds=90), description="Idle connection lifetime.")
    proxy_url: str = Field("", description="HTTP proxy URL.")
    read_buffer_size: int = Field(0, ge=0, description="Accepted for compatibility.")
    write_buffer_size: int = Field(0, ge=0, description="Accepted for compatibility.")

    @model_validator(mode="after")
    def _endpoint(self) -> OtlpHttpExporterConfig:
        if not (self.endpoint or self.traces_endpoint or self.metrics_endpoint or self.logs_endpoint):
            raise ValueError("at least one endpoint must be specified")
        for name in ("endpoint", "traces_endpoint", "metrics_endpoint", "logs_endpoint"):
            url = getattr(self, name)
            if url and not url.startswith(("http://", "https://")):
                raise ValueError(f'{name} must be a valid URL with http or https scheme, got "{url}"')
        return self

    def url(self, signal: Signal) -> str:
        """The URL batches of ``signal`` are posted to."""
        explicit = getattr(self, f"{signal.value}_endpoint")
        if explicit:
            return str(explicit)
        return f"{self.endpoint.rstrip('/')}/v1/{signal.value}"


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), if any."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _status_message(response: httpx.Response) -> str:
    if "protobuf" in response.headers.get("content-type", ""):
        try:
            return status_pb2.Status.FromString(response.content).message or response.reason_phrase
        except DecodeError:
            pass
    return response.text[:512] or response.reason_phrase


class OtlpHttpPusher:
    """Posts batches of one signal to one URL."""

    def __init__(self, settings: Settings, signal: Signal, config: OtlpHttpExporterConfig) -> None:
        self.settings = settings
        self.signal = signal
        self.config = config
        self.url = config.url(signal)
        self._client: httpx.AsyncClient | None = None
        self._auth: HTTPClientAuthenticator | None = None

    async def start(self, host: Host) -> None:
        """Create the HTTP client and resolve the authenticator."""
        if self.config.auth is not None:
            self._auth = resolve_authenticator(host, self.settings.id, self.config.auth.authenticator,
                                               HTTPClientAuthenticator)
        limits = httpx.Limits(max_keepalive_connections=self.config.max_idle_conns,
                              keepalive_expiry=self.config.idle_conn_timeout.total_seconds())
        self._client = httpx.AsyncClient(verify=self._ssl_context(), limits=limits, proxy=self.config.proxy_url or None,
                                         timeout=None, trust_env=not self.config.proxy_url)

    def _ssl_context(self) -> ssl.SSLContext:
        tls = self.config.tls
        try:
            ctx = ssl.create_default_context(cafile=tls.ca_file or None)
            if tls.insecure_skip_verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            if tls.cert_file:
                ctx.load_cert_chain(tls.cert_file, tls.key_file or None)
        except (OSError, ssl.SSLError) as exc:
            raise ComponentError(self.settings.id, f"invalid tls settings: {exc}") from exc
        return ctx

    def _request(self, batch: Any) -> tuple[bytes, dict[str, str]]:
        json = self.config.encoding == "json"
        body = otlpjson.encode(batch) if json else batch.SerializeToString()
        headers = {"Content-Type": "application/json" if json else "application/x-protobuf",
                   "User-Agent": f"{self.settings.build_info.command}/{self.settings.build_info.version}",
                   **{k: v.get_secret_value() for k, v in self.config.headers.items()}}
        if self.config.compression == "gzip":
            body = gzip.compress(body, compresslevel=6)
            headers["Content-Encoding"] = "gzip"
        if self._auth is not None:
            headers = self._auth.sign_request("POST", self.url, headers, body)
        return body, headers

    async def push(self, batch: Any) -> None:
        """Post one batch; map failures to permanent / retryable / throttled errors."""
        if self._client is None:
            raise RetryableError(f"{self.settings.id} is not started")
        body, headers = self._request(batch)
        try:
            response = await self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise RetryableError(f"failed to make an HTTP request to {self.url}: {exc!r}") from exc
        if 200 <= response.status_code < 300:
            self._partial(response)
            return
        message = f"error exporting items, request to {self.url} responded with HTTP Status Code " \
                  f"{response.status_code}, Message={_status_message(response)}"
        if response.status_code in _RETRYABLE_STATUS:
            delay = retry_after_seconds(response.headers.get("retry-after"))
            raise ThrottledError(message, delay) if delay else RetryableError(message)
        raise PermanentError(message)

    def _partial(self, response: httpx.Response) -> None:
        if not response.content:
            return
        try:
            if "json" in response.headers.get("content-type", ""):
                parsed = otlpjson.decode(response.content, _RESPONSES[self.signal]())
            else:
                parsed = _RESPONSES[self.signal].FromString(response.content)
        except (ValueError, DecodeError):
            return  # upstream ignores bodies it cannot read on success
        rejected = getattr(parsed.partial_success, REJECTED_FIELD[self.signal])
        if rejected:
            self.settings.telemetry.add("partially_rejected", self.signal, rejected)
            self.settings.logger.warning("Partial success response: %d %s rejected: %s", rejected, self.signal.item,
                                         parsed.partial_success.error_message)

    async def shutdown(self) -> None:
        """Close the client."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: OtlpHttpExporterConfig) -> ExporterHelper:
        return ExporterHelper(settings, signal, OtlpHttpPusher(settings, signal, config), config)

    return create


factory = ExporterFactory(
    type="otlphttp",
    config=OtlpHttpExporterConfig,
    description="Sends OTLP over HTTP (protobuf or JSON), optionally signed by an auth extension (sigv4auth).",
    traces=(_create(Signal.TRACES), Stability.STABLE),
    metrics=(_create(Signal.METRICS), Stability.STABLE),
    logs=(_create(Signal.LOGS), Stability.BETA),
    lifecycle_test_config={"endpoint": "http://127.0.0.1:1", "retry_on_failure": {"enabled": False},
                           "timeout": "2s"},
)
