"""Sinks: consumers that keep every batch they receive (collector ``consumertest/sink.go``).

A sink is a test component, not a mock of something otelray ships. It can be told to fail with a
given error (to drive retry and refusal paths) and can be awaited until a number of items arrived.
"""

from __future__ import annotations

import asyncio
from typing import Any

from otelray.collector.component import Host, Signal
from otelray.collector.consumer import Capabilities, count_items


class Sink:
    """Records batches of one signal; ``error`` (if set) is raised instead of accepting."""

    signal: Signal = Signal.TRACES

    def __init__(self) -> None:
        self.batches: list[Any] = []
        self.error: BaseException | None = None
        self.started = False
        self.shutdowns = 0
        self._arrived = asyncio.Event()
        setattr(self, f"consume_{self.signal.value}", self._consume)

    @property
    def capabilities(self) -> Capabilities:
        """Sinks never edit batches."""
        return Capabilities()

    async def _consume(self, batch: Any) -> None:
        if self.error is not None:
            raise self.error
        self.batches.append(batch)
        self._arrived.set()

    @property
    def item_count(self) -> int:
        """Spans / data points / log records received so far."""
        return sum(count_items(self.signal, b) for b in self.batches)

    async def wait_for(self, items: int, timeout: float = 5.0) -> None:
        """Wait until at least ``items`` items arrived.

        Raises:
            TimeoutError: when they did not arrive within ``timeout`` seconds.
        """
        async with asyncio.timeout(timeout):
            while self.item_count < items:
                self._arrived.clear()
                await self._arrived.wait()

    def reset(self) -> None:
        """Forget every batch."""
        self.batches.clear()

    async def start(self, host: Host) -> None:
        """Mark started."""
        self.started = True

    async def shutdown(self) -> None:
        """Count shutdowns."""
        self.shutdowns += 1


class TracesSink(Sink):
    """Keeps trace batches."""

    signal = Signal.TRACES


class MetricsSink(Sink):
    """Keeps metric batches."""

    signal = Signal.METRICS


class LogsSink(Sink):
    """Keeps log batches."""

    signal = Signal.LOGS


SINKS: dict[Signal, type[Sink]] = {Signal.TRACES: TracesSink, Signal.METRICS: MetricsSink, Signal.LOGS: LogsSink}
