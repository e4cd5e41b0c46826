"""The one way collector components run an HTTP server: uvicorn (httptools) on the shared loop.

Reference server-stack.md: uvicorn with httptools and a hand-written ASGI app is the cheapest
stack measured. The socket is bound by ``bind`` before uvicorn starts so a busy port is a clear
``ComponentError`` at start (uvicorn would ``sys.exit``); uvicorn's own signal handlers are disabled
because the collector process owns SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

import uvicorn

from otelray.collector.config.blocks import split_host_port
from otelray.collector.errors import ComponentError


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the collector owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


def bind(endpoint: str, owner: Any) -> socket.socket:
    """A listening TCP socket on ``endpoint`` (``host:port``; port 0 picks a free one).

    Raises:
        ComponentError: the address cannot be bound (in use, no permission…).
    """
    host, port = split_host_port(endpoint)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host or "0.0.0.0", port))
    except OSError as exc:
        sock.close()
        raise ComponentError(owner, f"cannot listen on {endpoint}: {exc.strerror or exc}") from exc
    sock.listen(1024)
    sock.setblocking(False)
    return sock


async def serve_asgi(app: Any, sock: socket.socket, ssl: tuple[str, str] | None = None) -> tuple[Any, asyncio.Task[None]]:
    """Run ``app`` on ``sock`` with uvicorn (httptools) in the current loop; returns (server, task)."""
    config = uvicorn.Config(app, http="httptools", lifespan="off", log_config=None, access_log=False,
                            log_level="warning", ssl_certfile=ssl[0] if ssl else None,
                            ssl_keyfile=ssl[1] if ssl else None, timeout_graceful_shutdown=5)
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.005)
    if task.done():
        task.result()
    return server, task


async def stop_asgi(server: Any, task: asyncio.Task[None]) -> None:
    """Ask uvicorn to exit, wait for in-flight requests, close the socket."""
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task
