"""The X-Ray daemon protocol on UDP (aws-xray-daemon; awsxray receiver): one document per datagram.

Datagrams are decoded by ``otelray.xray.wire.decode_datagram``; a malformed datagram is counted by
reason (``otelray_backend_datagrams_rejected_total``) and dropped, a malformed document by its X-Ray
error code. Valid documents are gathered for up to ``flush_interval`` seconds or ``max_batch``
documents and stored through the same ingest path as PutTraceSegments — the daemon's own batching
(50 documents / 1 s), done here without the network hop.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future

from otelray.service.ingest import Ingest, prepare
from otelray.xray.errors import DatagramError
from otelray.xray.wire import decode_datagram

log = logging.getLogger(__name__)


class DaemonProtocol(asyncio.DatagramProtocol):
    """Receives daemon-format datagrams and feeds them to ``Ingest``."""

    def __init__(self, ingest: Ingest, *, flush_interval: float = 0.05, max_batch: int = 500) -> None:
        self._ingest = ingest
        self._flush_interval = flush_interval
        self._max_batch = max_batch
        self._pending: list[bytes] = []
        self._timer: asyncio.TimerHandle | None = None
        self._inflight: set[Future[int]] = set()

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        try:
            body = decode_datagram(data)
        except DatagramError as exc:
            self._ingest.metrics.datagrams_rejected.labels(exc.reason).inc()
            log.debug("rejected datagram from %s: %s", addr, exc)
            return
        self._pending.append(body)
        if len(self._pending) >= self._max_batch:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._flush_interval, self.flush)

    def error_received(self, exc: Exception) -> None:
        log.warning("UDP receive error: %s", exc)

    def flush(self) -> None:
        """Validate and store what has arrived so far."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        batch = prepare(pending)
        self._ingest.count(batch, "udp")
        if batch.accepted:
            future = self._ingest.store.put(batch.accepted)
            self._inflight.add(future)
            future.add_done_callback(self._done)

    def _done(self, future: Future[int]) -> None:
        self._inflight.discard(future)
        if future.exception() is not None:
            log.error("storing UDP documents failed: %s", future.exception())

    def connection_lost(self, exc: Exception | None) -> None:
        self.flush()
