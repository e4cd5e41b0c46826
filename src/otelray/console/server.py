"""Serving the console beside the X-Ray API, on the backend's event loop (``otelray backend --console-port``).

The console gets its own uvicorn server on its own port (default 2020, bound to the backend's host,
127.0.0.1 unless told otherwise). It does not take over the process's signal handlers — the API's
server owns SIGINT/SIGTERM and the backend stops the console when the API server returns. A busy
console port is reported in one warning and the API keeps running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn

from otelray.console.app import ConsoleSettings, create_app

__all__ = ["DEFAULT_CONSOLE_PORT", "RunningConsole", "start_console"]

log = logging.getLogger(__name__)

#: The console's port unless ``--console-port`` says otherwise (0 disables it).
DEFAULT_CONSOLE_PORT = 2020


class _SignalFreeServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the server it runs beside."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass(slots=True)
class RunningConsole:
    """A console being served; ``url`` is where a browser opens it."""

    url: str
    server: uvicorn.Server
    task: asyncio.Task[None]

    async def stop(self) -> None:
        """Stop serving and wait for open requests to finish (safe twice)."""
        self.server.should_exit = True
        with contextlib.suppress(Exception):
            await self.task


async def start_console(xray_app: Any, host: str = "127.0.0.1", port: int = DEFAULT_CONSOLE_PORT,
                        *, extra_config: dict[str, Any] | None = None) -> RunningConsole | None:
    """Serve the console for ``xray_app`` on ``host:port``; ``None`` when disabled or the port is busy.

    Args:
        xray_app: the backend's X-Ray ASGI app, called in-process for every API request.
        host: address to bind (the backend's ``--host``).
        port: TCP port; 0 disables the console.
        extra_config: reported by ``/-/config.json`` beside the console's own settings.
    """
    if port == 0:
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        log.warning("otelray console: cannot listen on %s:%d (%s); the X-Ray API runs without it "
                    "(choose another port with --console-port, or 0 to turn it off)", host, port, exc)
        return None
    sock.set_inheritable(True)
    settings = ConsoleSettings(host=host, port=port, extra=extra_config or {})
    config = uvicorn.Config(create_app(xray_app, settings), http="httptools", lifespan="off",
                            access_log=False, log_level="warning")
    server = _SignalFreeServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="otelray-console")
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    log.warning("otelray console on %s", url)
    return RunningConsole(url=url, server=server, task=task)
