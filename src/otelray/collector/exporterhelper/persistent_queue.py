"""The persistent sending queue (collector ``exporterhelper/internal/queue/persistent_queue.go``).

Enabled by ``sending_queue: {storage: file_storage}``: batches are written to an SQLite database in
the storage extension's directory (WAL journal, ``synchronous=FULL``, so the commit is on disk)
*before* ``put`` returns, i.e. before the receiver acknowledges its client. A batch leaves the
database only when it was sent or dropped for good, so a ``kill -9`` loses nothing: on the next start
every stored batch is queued again, oldest first (at-least-once, as upstream). Upstream keeps items
in a key-value storage client; one SQLite table is the same contract with crash safety from SQLite.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from google.protobuf.message import DecodeError

from otelray.collector.component import ComponentID, Kind, Signal
from otelray.collector.consumer import BATCH_TYPES
from otelray.collector.errors import RetryableError
from otelray.collector.exporterhelper.queue import QueueFullError

_IN_MEMORY = 8  # decoded batches kept in memory at the head of the queue
_SCHEMA = "CREATE TABLE IF NOT EXISTS batches (id INTEGER PRIMARY KEY, items INTEGER NOT NULL, data BLOB NOT NULL)"


@runtime_checkable
class StorageExtension(Protocol):
    """An extension that hands out a private directory per client (``file_storage``)."""

    def storage_path(self, kind: Kind, component_id: ComponentID, name: str) -> Path:
        """A file path owned by one client, e.g. the queue of ``exporter otlp/2`` for traces."""
        ...


class PersistentQueue:
    """A bounded FIFO of batches backed by SQLite; survives process crashes."""

    def __init__(self, path: Path, signal: Signal, capacity: int, *, block_on_overflow: bool = False,
                 count_items: bool = False, on_corrupt: Callable[[int, str], None] | None = None) -> None:
        self.capacity = capacity
        self._on_corrupt = on_corrupt
        self._count_items = count_items
        self._path = path
        self._decode = BATCH_TYPES[signal].FromString
        self._block = block_on_overflow
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._pending: deque[tuple[int, Any, int]] = deque()  # (key, batch or None, items)
        self._stored = 0  # occupancy in the sizer unit (rows or items), in flight included
        self._costs: dict[int, int] = {}
        self._closed = False
        self._changed = asyncio.Condition()

    async def open(self) -> None:
        """Open (or create) the database and queue what a previous run left."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute(_SCHEMA)
        rows = db.execute("SELECT id, items FROM batches ORDER BY id").fetchall()
        self._db = db
        self._pending.extend((key, None, items) for key, items in rows)
        self._costs = {key: self._cost(items) for key, items in rows}
        self._stored = sum(self._costs.values())

    def _cost(self, items: int) -> int:
        return items if self._count_items else 1

    def _insert(self, data: bytes, items: int) -> int:
        if self._db is None:
            raise RetryableError(f"persistent queue {self._path} is not open")
        with self._lock:
            cur = self._db.execute("INSERT INTO batches (items, data) VALUES (?, ?)", (items, data))
            return int(cur.lastrowid or 0)

    async def put(self, batch: Any, items: int) -> None:
        """Store ``batch`` durably, then queue it; refuse (or wait) when full."""
        cost = self._cost(items)
        async with self._changed:
            while self._stored + cost > self.capacity and not self._closed:
                if not self._block or cost > self.capacity:
                    raise QueueFullError()
                await self._changed.wait()
            if self._closed:
                raise RetryableError("sending queue is closed (collector shutting down)")
            self._stored += cost
        try:
            key = await asyncio.to_thread(self._insert, batch.SerializeToString(), items)
        except (sqlite3.Error, RetryableError) as exc:
            self._stored -= cost
            raise RetryableError(f"persistent queue {self._path}: {exc}") from exc
        async with self._changed:
            self._costs[key] = cost
            # keep only the head of a backlog decoded in memory; the rest is read back from disk when due
            self._pending.append((key, batch if len(self._pending) < _IN_MEMORY else None, items))
            self._changed.notify_all()

    def _load(self, key: int) -> Any:
        if self._db is None:
            raise RetryableError(f"persistent queue {self._path} is not open")
        with self._lock:
            row = self._db.execute("SELECT data FROM batches WHERE id = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return self._decode(row[0])
        except DecodeError as exc:
            return exc

    async def get(self) -> tuple[int, Any, int] | None:
        """Wait for the next batch; ``None`` once closed."""
        while True:
            async with self._changed:
                while not self._pending and not self._closed:
                    await self._changed.wait()
                if self._closed:
                    return None  # whatever is left stays on disk for the next start
                key, batch, items = self._pending.popleft()
            if batch is None:
                batch = await asyncio.to_thread(self._load, key)
                if isinstance(batch, DecodeError):  # a damaged row: drop it, say so, go on
                    await self.done(key)
                    if self._on_corrupt is not None:
                        self._on_corrupt(items, f"stored batch {key} in {self._path} cannot be decoded: {batch}")
                    continue
                if batch is None:
                    continue
            return key, batch, items

    def _delete(self, key: int) -> None:
        if self._db is None:
            raise RetryableError(f"persistent queue {self._path} is not open")
        with self._lock:
            self._db.execute("DELETE FROM batches WHERE id = ?", (key,))

    async def done(self, key: int) -> None:
        """Delete ``key`` from disk: it was sent or dropped for good."""
        await asyncio.to_thread(self._delete, key)
        async with self._changed:
            self._stored -= self._costs.pop(key, 1)
            self._changed.notify_all()

    def size(self) -> int:
        """Stored batches (or items with ``sizer: items``), in flight included."""
        return self._stored

    async def close(self) -> None:
        """Stop handing out batches and close the database; unsent batches stay on disk."""
        async with self._changed:
            self._closed = True
            self._changed.notify_all()

    def release(self) -> None:
        """Close the database file (after the consumers stopped)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
