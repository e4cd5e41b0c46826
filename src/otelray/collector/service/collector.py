"""Running a collector process: config → graph → start → wait for SIGTERM/SIGINT → drain → stop.

``Collector.run()`` is what ``otelray collector`` calls. A signal starts a graceful shutdown:
receivers close first (clients get UNAVAILABLE / connection refused and retry elsewhere),
processors flush, exporter queues drain (persistent queues keep what is left on disk), extensions
stop last. A second signal during the drain stops at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field

from otelray.collector.component import BuildInfo
from otelray.collector.config.model import Config
from otelray.collector.registry import Registry
from otelray.collector.service.graph import Graph
from otelray.collector.service.telemetry_server import TelemetryServer
from otelray.collector.telemetry import Telemetry

_log = logging.getLogger("otelray.collector")


@dataclass
class Collector:
    """One collector: its graph, its own telemetry endpoint and its lifecycle."""

    config: Config
    registry: Registry
    telemetry: Telemetry = field(default_factory=Telemetry)
    build_info: BuildInfo = field(default_factory=BuildInfo)
    graph: Graph | None = None
    telemetry_server: TelemetryServer | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Start the metrics endpoint and the pipelines.

        Raises:
            ComponentError: a component (or the metrics endpoint) failed to start.
        """
        self.telemetry_server = TelemetryServer(self.telemetry, self.config.telemetry.metrics)
        await self.telemetry_server.start()
        self.graph = Graph(self.config, self.registry, self.telemetry, self.build_info).build()
        try:
            await self.graph.start()
        except Exception:
            await self.telemetry_server.stop()
            raise

    async def shutdown(self) -> None:
        """Stop the pipelines, then the metrics endpoint."""
        try:
            if self.graph is not None:
                await self.graph.shutdown()
        finally:
            if self.telemetry_server is not None:
                await self.telemetry_server.stop()

    def request_stop(self) -> None:
        """Begin a graceful shutdown (what SIGTERM does)."""
        self._stop.set()

    async def run(self) -> None:
        """Start, serve until SIGTERM/SIGINT, then shut down gracefully."""
        loop = asyncio.get_running_loop()
        current = asyncio.current_task()

        def on_signal(signum: int) -> None:
            if self._stop.is_set() and current is not None:
                _log.warning("Second signal %s: stopping without draining", signal.Signals(signum).name)
                current.cancel()
                return
            _log.info("Received signal %s, shutting down", signal.Signals(signum).name)
            self._stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal, sig)
        try:
            await self.start()
            await self._stop.wait()
            await self.shutdown()
            _log.info("Shutdown complete.")
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
