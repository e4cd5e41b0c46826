"""The ``batch`` processor (collector ``processor/batchprocessor``).

Batches accumulate until ``send_batch_size`` items are pending or ``timeout`` passed since the first
pending item, then leave as one merged batch, cut at ``send_batch_max_size`` (0 = uncut);
``timeout: 0`` sends every batch at once, only cut at ``send_batch_max_size`` (as upstream). Like
upstream, ``consume`` returns once the data is buffered; a failure downstream is logged once per
batch (the exporter counts the items it failed). Shutdown flushes what is pending.
Telemetry: ``otelcol_processor_batch_batch_size_trigger_send`` / ``_timeout_trigger_send``.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from pydantic import Field, NonNegativeInt, model_validator

from otelray.collector.component import Host, Settings, Signal, Stability
from otelray.collector.config.blocks import ComponentConfig, Duration
from otelray.collector.consumer import Capabilities, consume_fn, count_items
from otelray.collector.processors.batch.split import merge, split
from otelray.collector.registry import ProcessorFactory


class BatchConfig(ComponentConfig):
    """Config of the ``batch`` processor."""

    timeout: Duration = Field(timedelta(milliseconds=200), description="Send a non-empty batch after this long (0 = at once).")
    send_batch_size: NonNegativeInt = Field(8192, description="Send as soon as this many items are pending.")
    send_batch_max_size: NonNegativeInt = Field(0, description="Upper bound of one sent batch; 0 = no bound.")
    metadata_keys: list[str] = Field(default_factory=list, description="Not supported: must stay empty.")
    metadata_cardinality_limit: NonNegativeInt = Field(1000, description="Accepted for compatibility.")

    @model_validator(mode="after")
    def _check(self) -> BatchConfig:
        if self.send_batch_max_size and self.send_batch_max_size < self.send_batch_size:
            raise ValueError("send_batch_max_size must be greater or equal to send_batch_size")
        if self.metadata_keys:
            raise ValueError("metadata_keys is not supported by otelray's batch processor; remove it")
        if self.timeout.total_seconds() < 0:
            raise ValueError("timeout must not be negative")
        return self


class BatchProcessor:
    """Buffers batches of one signal and sends them merged."""

    def __init__(self, settings: Settings, signal: Signal, config: BatchConfig, next_consumer: Any) -> None:
        self.settings = settings
        self.signal = signal
        self.config = config
        self._next = consume_fn(next_consumer, signal)
        self._pending: list[Any] = []
        self._count = 0
        self._deadline: float | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        setattr(self, f"consume_{signal.value}", self._consume)

    @property
    def capabilities(self) -> Capabilities:
        """Merging reuses the first batch of a send, so it mutates."""
        return Capabilities(mutates_data=True)

    async def _consume(self, batch: Any) -> None:
        if self._task is None or self._task.done():  # not running: pass straight through
            await self._next(batch)
            return
        if self.config.timeout.total_seconds() == 0:  # upstream: send at once, cut at send_batch_max_size only
            for piece in split(self.signal, batch, self.config.send_batch_max_size):
                await self._next(piece)
            return
        self._pending.append(batch)
        self._count += count_items(self.signal, batch)
        if self._deadline is None:
            self._deadline = asyncio.get_running_loop().time() + self.config.timeout.total_seconds()
        self._wake.set()

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        size = self.config.send_batch_size
        while not self._stopped:
            self._wake.clear()
            if size and self._count >= size:
                await self._flush("batch_size")
                continue
            if self._deadline is None:
                await self._wake.wait()
                continue
            remaining = self._deadline - loop.time()
            if remaining <= 0:
                await self._flush("timeout")
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), remaining)

    async def _flush(self, trigger: str) -> None:
        pending, self._pending, self._count, self._deadline = self._pending, [], 0, None
        if not pending:
            return
        self.settings.telemetry.counter(f"otelcol_processor_batch_{trigger}_trigger_send",
                                        f"Batches sent because of {trigger}.").inc()
        for piece in split(self.signal, merge(self.signal, pending), self.config.send_batch_max_size):
            try:
                await self._next(piece)
            except Exception as exc:  # the exporter counted the items; say it once per batch
                self.settings.logger.warning("Sender failed for %d %s: %s", count_items(self.signal, piece),
                                             self.signal.item, exc)

    async def start(self, host: Host) -> None:
        """Start the sending loop."""
        self._task = asyncio.create_task(self._loop())

    async def shutdown(self) -> None:
        """Stop the loop and flush what is pending. Safe twice and without start."""
        if self._stopped:
            return
        self._stopped = True
        if self._task is not None:
            self._wake.set()  # the loop finishes its current send, sees _stopped and returns
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._flush("timeout")


def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: BatchConfig, next_consumer: Any) -> BatchProcessor:
        return BatchProcessor(settings, signal, config, next_consumer)

    return create


factory = ProcessorFactory(
    type="batch",
    config=BatchConfig,
    description="Groups data into batches by size and time before export.",
    traces=(_create(Signal.TRACES), Stability.BETA),
    metrics=(_create(Signal.METRICS), Stability.BETA),
    logs=(_create(Signal.LOGS), Stability.BETA),
)
