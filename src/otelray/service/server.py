"""``otelray backend``: the X-Ray API on TCP and the daemon protocol on UDP, on one port number.

Like the X-Ray daemon (UDP and TCP 2000 on 127.0.0.1), so an X-Ray SDK with its default
``AWS_XRAY_DAEMON_ADDRESS`` sends segments over UDP and asks for sampling rules over TCP without
a daemon in between. uvicorn with httptools + uvloop serves HTTP (``reference/server-stack.md``);
the UDP endpoint runs on the same event loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
import uvloop

from otelray.service import analysis
from otelray.service.app import XRayApp
from otelray.service.config_store import ConfigState
from otelray.service.context import ServiceContext
from otelray.service.ingest import Ingest
from otelray.service.metrics import BackendMetrics
from otelray.service.store.sqlite import SQLiteStore
from otelray.service.udp import DaemonProtocol

if TYPE_CHECKING:
    from otelray.console.server import RunningConsole

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """How to run the backend (from the command line)."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 2000
    retention_days: float = 30.0
    console_port: int = 0
    #: UDP port of the daemon protocol: ``None`` means the API port, 0 turns UDP off (``otelray up``
    #: gives UDP to the collector and keeps the API here).
    udp_port: int | None = None

    @property
    def daemon_port(self) -> int:
        """The UDP port actually used (0 = none)."""
        return self.port if self.udp_port is None else self.udp_port


def open_context(settings: BackendSettings) -> ServiceContext:
    """Open the store and the service state under ``settings.data_dir``."""
    store = SQLiteStore(
        settings.data_dir, summarize=analysis.summarize, rollups=analysis.GraphRollup(),
        version=analysis.derivation_version(), retention_days=settings.retention_days,
    )
    config = ConfigState.open(settings.data_dir)
    metrics = BackendMetrics()
    metrics.add_source(
        "otelray_backend_store", "Rows and bytes in the trace store", store.counts, label="kind", gauge=True
    )
    metrics.add_source(
        "otelray_backend_config_events", "Configuration API events (rejections by operation and code)",
        lambda: dict(config.counters), label="event",
    )
    metrics.add_source(
        "otelray_backend_summary_failures", "Traces whose summary could not be derived",
        lambda: {"store": store.summary_failures}, label="part",
    )
    return ServiceContext(store=store, metrics=metrics, ingest=Ingest(store, metrics), config=config)


async def serve(settings: BackendSettings) -> None:
    """Serve until SIGINT/SIGTERM, then flush the store."""
    ctx = open_context(settings)
    loop = asyncio.get_running_loop()
    transport = None
    try:
        if settings.daemon_port:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: DaemonProtocol(ctx.ingest), local_addr=(settings.host, settings.daemon_port)
            )
        app = XRayApp(ctx)
        console = await _start_console(app, settings)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            http="httptools",
            lifespan="on",
            access_log=False,
            log_level="warning",
        )
        server = uvicorn.Server(config)
        log.warning(
            "otelray backend: X-Ray API on http://%s:%d, daemon UDP on %s:%d, data in %s",
            settings.host, settings.port, settings.host, settings.daemon_port, settings.data_dir,
        )
        await server.serve()
        if console is not None:
            await console.stop()
    finally:
        if transport is not None:
            transport.close()
            await asyncio.sleep(0)
        await asyncio.to_thread(ctx.close)


async def _start_console(app: XRayApp, settings: BackendSettings) -> RunningConsole | None:
    """The web console beside the API (``otelray.console``), unless ``console_port`` is 0."""
    from otelray.console.server import start_console

    extra = {"backend": {"host": settings.host, "port": settings.port, "data_dir": str(settings.data_dir)}}
    return await start_console(app, settings.host, settings.console_port, extra_config=extra)


def run(settings: BackendSettings) -> None:
    """Run the backend on uvloop in this thread."""
    uvloop.run(serve(settings))
