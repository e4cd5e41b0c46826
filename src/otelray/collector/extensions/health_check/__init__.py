"""The ``health_check`` extension (collector-contrib ``extension/healthcheckextension``, legacy mode).

``GET <path>`` on ``endpoint`` (default ``127.0.0.1:13133``, upstream ``localhost:13133``; ADOT's
``/healthcheck`` binary and ECS health checks call it) answers, as upstream:

- 200 ``{"status":"Server available","upSince":"<RFC 3339>","uptime":"<duration>"}`` once every
  pipeline started;
- 503 ``{"status":"Server not available","upSince":"0001-01-01T00:00:00Z","uptime":""}`` before
  that and while shutting down.

``response_body: {healthy, unhealthy}`` replaces those bodies. The graph calls ``ready()`` /
``not_ready()`` (upstream ``PipelineWatcher``).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import Field

from otelray.collector.component import Host, Settings, Stability
from otelray.collector.config.blocks import ComponentConfig, HostPort, TLSServerConfig
from otelray.collector.httpserver import bind, serve_asgi, stop_asgi
from otelray.collector.registry import ExtensionFactory


class ResponseBody(ComponentConfig):
    """Fixed bodies instead of the status JSON."""

    healthy: str = Field("", description="Body when healthy.")
    unhealthy: str = Field("", description="Body when not healthy.")


class HealthCheckConfig(ComponentConfig):
    """Config of ``health_check``."""

    endpoint: HostPort = Field("127.0.0.1:13133", description="host:port to listen on.")
    path: str = Field("/", description="Path answering the health status.")
    response_body: ResponseBody | None = Field(None, description="Custom healthy/unhealthy bodies.")
    tls: TLSServerConfig | None = Field(None, description="TLS server settings.")
    check_collector_pipeline: dict[str, Any] | None = Field(None, description="Deprecated upstream; ignored.")


def _trim(value: str) -> str:
    return value.rstrip("0").rstrip(".") if "." in value else value


def go_duration(seconds: float) -> str:
    """Render a duration as Go's ``time.Duration.String`` does (``1h2m3.5s``, ``250ms``, ``0s``)."""
    ns = round(seconds * 1e9)
    if ns == 0:
        return "0s"
    if ns < 1_000:
        return f"{ns}ns"
    if ns < 1_000_000:
        return _trim(f"{ns / 1e3:.3f}") + "µs"
    if ns < 1_000_000_000:
        return _trim(f"{ns / 1e6:.6f}") + "ms"
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = _trim(f"{rest / 1e9:.9f}") + "s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    return f"{minutes}m{text}" if minutes else text


class HealthCheck:
    """Serves the collector's readiness."""

    def __init__(self, settings: Settings, config: HealthCheckConfig) -> None:
        self.settings = settings
        self.config = config
        self.address: tuple[str, int] | None = None
        self._ready_since: tuple[datetime, float] | None = None
        self._running: tuple[Any, asyncio.Task[None]] | None = None

    def ready(self) -> None:
        """Every pipeline started."""
        self._ready_since = (datetime.now(UTC), time.monotonic())

    def not_ready(self) -> None:
        """The collector is shutting down."""
        self._ready_since = None

    def _body(self) -> tuple[int, bytes]:
        custom = self.config.response_body
        if self._ready_since is None:
            if custom is not None:
                return 503, custom.unhealthy.encode()
            return 503, orjson.dumps({"status": "Server not available", "upSince": "0001-01-01T00:00:00Z", "uptime": ""})
        if custom is not None:
            return 200, custom.healthy.encode()
        since, mono = self._ready_since
        return 200, orjson.dumps({"status": "Server available",
                                  "upSince": since.isoformat().replace("+00:00", "Z"),
                                  "uptime": go_duration(time.monotonic() - mono)})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] != self.config.path:
            status, body, ctype = 404, b"404 page not found\n", b"text/plain; charset=utf-8"
        else:
            status, body = self._body()
            ctype = b"application/json" if self.config.response_body is None else b"text/plain; charset=utf-8"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def start(self, host: Host) -> None:
        """Listen on ``endpoint``."""
        sock = bind(self.config.endpoint, self.settings.id)
        self.address = sock.getsockname()[:2]
        self._running = await serve_asgi(self, sock, self.config.tls)
        self.settings.logger.info("Health Check state change: listening on %s:%d", *self.address)

    async def shutdown(self) -> None:
        """Stop listening. Safe twice and without start."""
        self.not_ready()
        if self._running is not None:
            running, self._running = self._running, None
            await stop_asgi(*running)


factory = ExtensionFactory(
    type="health_check",
    config=HealthCheckConfig,
    description="HTTP health endpoint (default 127.0.0.1:13133) for load balancers and container checks.",
    create_extension=HealthCheck,
    stability_level=Stability.BETA,
    lifecycle_test_config={"endpoint": "127.0.0.1:0"},
)
