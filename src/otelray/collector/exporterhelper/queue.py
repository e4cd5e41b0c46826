"""The in-memory sending queue (collector ``exporterhelper/internal/queue`` bounded memory queue).

``queue_size`` batches (``sizer: requests``) or items (``sizer: items``) at most; when full, ``put``
refuses with ``QueueFullError`` (a retryable error the receiver passes back to its client) unless
``block_on_overflow`` is set, in which case it waits for room. Both the in-memory and the persistent
queue hand out ``(key, batch)`` and are told ``done(key)`` once the batch left for good.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Protocol

from otelray.collector.errors import RetryableError


class QueueFullError(RetryableError):
    """The sending queue has no room for the batch."""

    def __init__(self) -> None:
        super().__init__("sending queue is full")


class BatchQueue(Protocol):
    """A queue of batches between the exporter helper's intake and its consumers."""

    capacity: int

    async def open(self) -> None:
        """Prepare the queue (load what a previous run left on disk)."""

    async def put(self, batch: Any, items: int) -> None:
        """Accept ``batch`` (``items`` spans/points/records) or raise ``QueueFullError``."""

    async def get(self) -> tuple[int, Any, int] | None:
        """The next ``(key, batch, items)``; ``None`` once the queue is closed and empty."""

    async def done(self, key: int) -> None:
        """Forget ``key``: it was sent or dropped."""

    def size(self) -> int:
        """Current occupancy in the queue's sizer unit."""

    async def close(self) -> None:
        """Refuse new batches; ``get`` returns ``None`` once drained."""


class MemoryQueue:
    """A bounded FIFO of batches in memory; lost on process exit."""

    def __init__(self, capacity: int, *, count_items: bool = False, block_on_overflow: bool = False) -> None:
        self.capacity = capacity
        self._count_items = count_items
        self._block = block_on_overflow
        self._items: deque[tuple[int, Any, int]] = deque()
        self._used = 0
        self._next_key = 0
        self._closed = False
        self._changed = asyncio.Condition()

    async def open(self) -> None:
        """Nothing to load for a memory queue."""

    def _cost(self, items: int) -> int:
        return items if self._count_items else 1

    async def put(self, batch: Any, items: int) -> None:
        """Append ``batch``; refuse or wait when full."""
        cost = self._cost(items)
        async with self._changed:
            while self._used + cost > self.capacity and not self._closed:
                if not self._block or cost > self.capacity:
                    raise QueueFullError()
                await self._changed.wait()
            if self._closed:
                raise RetryableError("sending queue is closed (collector shutting down)")
            self._next_key += 1
            self._items.append((self._next_key, batch, items))
            self._used += cost
            self._changed.notify_all()

    async def get(self) -> tuple[int, Any, int] | None:
        """Wait for the next batch; ``None`` once closed and empty."""
        async with self._changed:
            while not self._items and not self._closed:
                await self._changed.wait()
            if not self._items:
                return None
            entry = self._items.popleft()
            self._used -= self._cost(entry[2])
            self._changed.notify_all()
            return entry

    async def done(self, key: int) -> None:
        """Nothing to forget: ``get`` already removed it."""

    def size(self) -> int:
        """Queued batches (or items)."""
        return self._used

    async def close(self) -> None:
        """Stop intake and wake every waiter."""
        async with self._changed:
            self._closed = True
            self._changed.notify_all()
