"""The collector's own metrics endpoint (``service::telemetry::metrics``; upstream default :8888).

Serves the Prometheus text exposition of ``Telemetry`` at ``/metrics`` on ``address`` (default
127.0.0.1:8888); ``level: none`` turns it off.
"""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client.exposition import CONTENT_TYPE_LATEST

from otelray.collector.config.model import MetricsTelemetryConfig
from otelray.collector.httpserver import bind, serve_asgi, stop_asgi
from otelray.collector.telemetry import Telemetry


class TelemetryServer:
    """``GET /metrics`` over uvicorn."""

    def __init__(self, telemetry: Telemetry, config: MetricsTelemetryConfig) -> None:
        self.telemetry = telemetry
        self.config = config
        self.address: tuple[str, int] | None = None
        self._running: tuple[Any, asyncio.Task[None]] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/metrics" and scope["method"] in ("GET", "HEAD"):
            status, body, ctype = 200, self.telemetry.exposition(), CONTENT_TYPE_LATEST.encode()
        else:
            status, body, ctype = 404, b"404 page not found: metrics are at /metrics\n", b"text/plain"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def start(self) -> None:
        """Bind and serve (nothing when ``level: none``).

        Raises:
            ComponentError: the address cannot be bound.
        """
        if self.config.level == "none":
            return
        sock = bind(self.config.address, "service::telemetry::metrics")
        self.address = sock.getsockname()[:2]
        self._running = await serve_asgi(self, sock)

    async def stop(self) -> None:
        """Stop serving."""
        if self._running is not None:
            running, self._running = self._running, None
            await stop_asgi(*running)
