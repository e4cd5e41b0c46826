"""Run an ASGI app with uvicorn inside the collector's event loop, on a socket bound first.

Binding the socket here turns "address in use" into a plain ``OSError`` at start (uvicorn would
call ``sys.exit``), and signal capture is left to the collector process, which owns SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Generator
from typing import Any

import uvicorn


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class EmbeddedHTTPServer:
    """One uvicorn server for ``app`` on ``host:port`` (0 = a free port)."""

    def __init__(self, app: Any, host: str, port: int, *, name: str) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._name = name
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._sock: socket.socket | None = None

    @property
    def address(self) -> tuple[str, int]:
        """The bound ``(host, port)``."""
        if self._sock is None:
            return self._host, self._port
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    async def start(self) -> None:
        """Bind and start serving; raises ``OSError`` when the address is in use."""
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        self._sock = sock
        config = uvicorn.Config(self._app, log_level="warning", access_log=False, lifespan="off", interface="asgi3",
                                proxy_headers=False,
                                server_header=False, date_header=False)
        self._server = _EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name=self._name)
        while not self._server.started and not self._task.done():
            await asyncio.sleep(0.005)
        if self._task.done():
            self._task.result()

    async def close(self) -> None:
        """Stop serving and release the socket; safe twice and before start."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self._task, 5)
        self._server = None
        self._task = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
