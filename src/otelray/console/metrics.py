"""Counters of the console, served as Prometheus text at the console's ``GET /-/metrics``.

Every request the console refuses is counted by reason (collector guidelines, "Bad Input Handling"):
``cross_origin`` / ``content_type`` (API proxy), ``foreign_host`` (Host header not the console's),
``bad_window`` / ``bad_trace_id`` / ``graph_too_large`` (layout calls), ``api:<ErrorCode>`` (an X-Ray
API error behind a layout call). API calls forwarded through ``/xray/…`` are counted by the
backend's own ``otelray_backend_requests`` counter. One registry per console app.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, generate_latest

__all__ = ["ConsoleMetrics"]


class ConsoleMetrics:
    """The console's counters; ``render()`` gives the exposition text."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.rejected = Counter("otelray_console_rejected_requests", "Console requests refused, by reason",
                                ["reason"], registry=self.registry)

    def reject(self, reason: str) -> None:
        """Count one refused request."""
        self.rejected.labels(reason).inc()

    def render(self) -> bytes:
        """Prometheus text exposition of every counter."""
        return generate_latest(self.registry)
