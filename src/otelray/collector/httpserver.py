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
import ssl
from typing import Any

import uvicorn

from otelray.collector.config.blocks import TLSServerConfig, split_host_port
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


async def serve_asgi(app: Any, sock: socket.socket, tls: TLSServerConfig | None = None) -> tuple[Any, asyncio.Task[None]]:
    """Run ``app`` on ``sock`` with uvicorn (httptools) in the current loop; returns (server, task).

    ``tls`` with ``cert_file``/``key_file`` turns on HTTPS; ``client_ca_file`` requires client certificates.
    """
    on = tls is not None and bool(tls.cert_file)
    client_ca = tls.client_ca_file if on and tls is not None else ""
    config = uvicorn.Config(app, http="httptools", lifespan="off", log_config=None, access_log=False,
                            log_level="warning", ssl_certfile=tls.cert_file if on and tls else None,
                            ssl_keyfile=tls.key_file if on and tls else None, ssl_ca_certs=client_ca or None,
                            ssl_cert_reqs=ssl.CERT_REQUIRED if client_ca else ssl.CERT_NONE,
                            timeout_graceful_shutdown=5)
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
