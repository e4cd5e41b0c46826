"""UDP intake of X-Ray daemon datagrams (contrib ``receiver/awsxrayreceiver/internal/udppoller``).

The poller binds a UDP socket, splits every datagram with ``otelray.xray.wire.decode_datagram``
(header line + ``\\n`` + one document, at most 64 KiB) and hands the document bytes to a callback.
Rejected datagrams are counted per reason (``too_large``, ``missing_header``, ``bad_header``,
``missing_body``) and logged at most once per second, so a flood of garbage cannot flood the log;
the socket keeps serving. The kernel receive buffer is raised to hold bursts, as the daemon's
buffer pool does; datagrams the kernel still drops because that buffer was full never reach the
process, so ``kernel_drops`` reads the socket's drop count from ``/proc/net/udp`` (Linux) for the
receiver to report.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable

from otelray.xray.errors import DatagramError
from otelray.xray.wire import decode_datagram

_log = logging.getLogger(__name__)

#: Kernel receive buffer asked for (the OS may grant less).
SOCKET_RECEIVE_BUFFER = 4 * 1024 * 1024
_LOG_INTERVAL = 1.0


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, poller: UdpPoller) -> None:
        self._poller = poller

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self._poller.handle_datagram(data)

    def error_received(self, exc: Exception) -> None:
        self._poller.count_rejection("socket_error", str(exc))


class UdpPoller:
    """Receives daemon-protocol datagrams on ``host:port`` and passes each document on.

    Args:
        host: address to bind (``127.0.0.1`` by default in otelray; ADOT configs use ``0.0.0.0``).
        port: UDP port (0 picks a free one; see ``address`` after ``start``).
        on_document: called with the document bytes of every valid datagram.
        on_rejected: called with the reason of every rejected datagram (e.g. to feed a metric).
    """

    def __init__(self, host: str, port: int, on_document: Callable[[bytes], None],
                 on_rejected: Callable[[str], None] | None = None) -> None:
        self._host = host
        self._port = port
        self._on_document = on_document
        self._on_rejected = on_rejected
        self._transport: asyncio.DatagramTransport | None = None
        self._inode = 0
        self.received = 0
        self.rejected: Counter[str] = Counter()
        self._last_log = 0.0
        self._unlogged = 0

    @property
    def address(self) -> tuple[str, int]:
        """The bound ``(host, port)``."""
        if self._transport is None:
            return self._host, self._port
        host, port = self._transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    async def start(self) -> None:
        """Bind the socket; raises ``OSError`` when the address is in use."""
        loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_RECEIVE_BUFFER)
            sock.bind((self._host, self._port))
        except OSError:
            sock.close()
            raise
        self._inode = os.fstat(sock.fileno()).st_ino
        transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=sock)
        self._transport = transport

    def handle_datagram(self, data: bytes) -> None:
        """Decode one datagram and pass its document on, or count why it was rejected."""
        self.received += 1
        try:
            document = decode_datagram(data)
        except DatagramError as exc:
            self.count_rejection(exc.reason, str(exc))
            return
        self._on_document(document)

    def count_rejection(self, reason: str, message: str) -> None:
        """Count one rejected datagram and log it, rate-limited to one line per second."""
        self.rejected[reason] += 1
        if self._on_rejected is not None:
            self._on_rejected(reason)
        now = time.monotonic()
        if now - self._last_log >= _LOG_INTERVAL:
            more = f" ({self._unlogged} more rejected since the last report)" if self._unlogged else ""
            _log.warning("awsxray receiver dropped a UDP datagram: %s: %s%s", reason, message, more)
            self._last_log = now
            self._unlogged = 0
        else:
            self._unlogged += 1

    def kernel_drops(self) -> int | None:
        """Datagrams the kernel dropped for this socket (receive buffer full); ``None`` if unknown."""
        if not self._inode:
            return None
        needle = f" {self._inode} "
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            try:
                with open(table, encoding="ascii") as fh:
                    for line in fh:
                        if needle in line:
                            return int(line.split()[-1])
            except (OSError, ValueError):
                continue
        return None

    async def close(self) -> None:
        """Close the socket; safe to call twice and before ``start``."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None
