"""The exporter helper (collector ``exporterhelper/internal/base_exporter.go``).

An exporter implements only ``async push(batch)`` (plus optional ``start(host)`` / ``shutdown()``);
``ExporterHelper`` composes, from the outside in, queue → retry → timeout → push, each layer
configured by the shared blocks (``sending_queue``, ``retry_on_failure``, ``timeout``) and optional.

- With a queue, ``consume_<signal>`` returns once the batch is queued (persistent queue: once it is
  on disk); ``num_consumers`` tasks drain it. Without one, the caller waits for the push.
- Every item counts once: ``otelcol_exporter_sent_<items>`` on success,
  ``otelcol_exporter_send_failed_<items>`` when a batch is dropped (permanent error, retries
  exhausted), ``otelcol_exporter_enqueue_failed_<items>`` when the queue refuses; each drop is
  logged once per batch. ``otelcol_exporter_queue_size`` / ``_capacity`` track the queue.
- Shutdown order is upstream's: retry (stop waiting) → queue (drain what is in memory; a persistent
  queue keeps the rest on disk) → exporter.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol

from otelray.collector.component import Host, Settings, Signal
from otelray.collector.config.blocks import ExporterConfig
from otelray.collector.consumer import Capabilities, count_items
from otelray.collector.errors import ComponentError, PermanentError
from otelray.collector.exporterhelper.persistent_queue import PersistentQueue, StorageExtension
from otelray.collector.exporterhelper.queue import BatchQueue, MemoryQueue
from otelray.collector.exporterhelper.retry import RetrySender
from otelray.collector.exporterhelper.timeout import with_timeout


class Pusher(Protocol):
    """What an exporter implements: send one batch, raising an ``ExportError`` on failure."""

    async def push(self, batch: Any) -> None:
        """Send ``batch``; ``PermanentError`` if it can never be accepted, else retryable."""


class ExporterHelper:
    """An exporter component built around a ``Pusher``; consumes one signal."""

    def __init__(self, settings: Settings, signal: Signal, pusher: Pusher, config: ExporterConfig | None = None) -> None:
        self.settings = settings
        self.signal = signal
        self.pusher = pusher
        self.config = config or ExporterConfig()
        self._retry = RetrySender(self.config.retry_on_failure)
        self._send = with_timeout(pusher.push, self.config.timeout)
        self._queue: BatchQueue | None = None
        self._consumers: list[asyncio.Task[None]] = []
        self._started = False
        self._stopped = False
        self._queue_size: Any = None
        setattr(self, f"consume_{signal.value}", self._consume)

    @property
    def capabilities(self) -> Capabilities:
        """Exporters never edit the batch."""
        return Capabilities(mutates_data=False)

    async def start(self, host: Host) -> None:
        """Start the exporter, then open the queue and its consumers."""
        start = getattr(self.pusher, "start", None)
        if start is not None:
            await start(host)
        qcfg = self.config.sending_queue
        if qcfg.enabled:
            self._queue = self._make_queue(host)
            await self._queue.open()
            tel = self.settings.telemetry
            tel.gauge("otelcol_exporter_queue_capacity", "Capacity of the sending queue.",
                      data_type=self.signal.value).set(self._queue.capacity)
            self._queue_size = tel.gauge("otelcol_exporter_queue_size", "Current size of the sending queue.",
                                         data_type=self.signal.value)
            self._queue_size.set(self._queue.size())
            self._consumers = [asyncio.create_task(self._drain()) for _ in range(qcfg.num_consumers)]
        self._started = True

    def _make_queue(self, host: Host) -> BatchQueue:
        qcfg = self.config.sending_queue
        if qcfg.storage is None:
            return MemoryQueue(qcfg.queue_size, count_items=qcfg.sizer == "items",
                               block_on_overflow=qcfg.block_on_overflow)
        ext = host.extensions().get(qcfg.storage)
        if ext is None:
            raise ComponentError(self.settings.id, f"storage extension {qcfg.storage} not found: add it to "
                                 "extensions and to service::extensions")
        if not isinstance(ext, StorageExtension):
            raise ComponentError(self.settings.id, f"extension {qcfg.storage} is not a storage extension")
        path = ext.storage_path(self.settings.kind, self.settings.id, self.signal.value)
        return PersistentQueue(path, self.signal, qcfg.queue_size, block_on_overflow=qcfg.block_on_overflow,
                               count_items=qcfg.sizer == "items", on_corrupt=self._dropped_corrupt)

    def _dropped_corrupt(self, items: int, reason: str) -> None:
        self.settings.telemetry.add("send_failed", self.signal, items)
        self.settings.logger.error("Dropping %d %s from the persistent queue: %s", items, self.signal.item, reason)

    async def _consume(self, batch: Any) -> None:
        items = count_items(self.signal, batch)
        if self._queue is None:
            await self._export(batch, items, raise_errors=True)
            return
        try:
            await self._queue.put(batch, items)
        except Exception as exc:
            self.settings.telemetry.add("enqueue_failed", self.signal, items)
            self.settings.logger.error("Failed to enqueue %d %s: %s", items, self.signal.item, exc)
            raise
        self._queue_size.set(self._queue.size())

    async def _export(self, batch: Any, items: int, *, raise_errors: bool) -> str:
        """Send with retries; returns ``sent``, ``dropped`` or ``interrupted`` (shutdown during a retry wait)."""
        try:
            await self._retry.send(self._send, batch)
        except Exception as exc:
            permanent = isinstance(exc, PermanentError)
            if not permanent and self._retry.stopped and isinstance(self._queue, PersistentQueue):
                self.settings.logger.info("Shutdown interrupted sending %d %s; they stay in the persistent queue",
                                          items, self.signal.item)
                return "interrupted"
            self.settings.telemetry.add("send_failed", self.signal, items)
            kind = "permanent error" if permanent else "error"
            self.settings.logger.error("Exporting failed, dropping %d %s (%s): %s", items, self.signal.item, kind, exc)
            if raise_errors:
                raise
            return "dropped"
        self.settings.telemetry.add("sent", self.signal, items)
        self.settings.logger.debug("Exported %d %s", items, self.signal.item)
        return "sent"

    async def _drain(self) -> None:
        queue = self._queue
        while queue is not None:
            try:
                entry = await queue.get()
                if entry is None:
                    return
                key, batch, items = entry
                if await self._export(batch, items, raise_errors=False) == "interrupted":
                    continue  # keep it on disk for the next start
                await queue.done(key)
                self._queue_size.set(queue.size())
            except Exception as exc:  # a consumer must outlive any single failure (disk full, a bug)
                self.settings.logger.error("Sending queue consumer error: %s", exc)
                await asyncio.sleep(0.1)

    async def shutdown(self) -> None:
        """Stop retrying, drain the queue, then shut the exporter down. Safe twice and without start."""
        if self._stopped:
            return
        self._stopped = True
        self._retry.stop()
        if self._queue is not None:
            await self._queue.close()
            if self._consumers:
                await asyncio.gather(*self._consumers, return_exceptions=True)
            if isinstance(self._queue, PersistentQueue):
                self._queue.release()
        shutdown = getattr(self.pusher, "shutdown", None)
        if shutdown is not None:
            await shutdown()

    async def cancel(self) -> None:
        """Abort the consumers at once (used when a drain exceeds the shutdown deadline)."""
        for task in self._consumers:
            task.cancel()
        for task in self._consumers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
