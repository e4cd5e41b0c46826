"""A small LRU cache of decompressed document blocks (one zstd frame per write transaction)."""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict

import cramjam


class BlockCache:
    """Decompressed ``blk`` payloads by block id, shared by the writer and the readers."""

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._items: OrderedDict[int, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, block_id: int, data: bytes) -> None:
        """Remember a block's payload (the writer calls this right after COMMIT)."""
        with self._lock:
            self._items[block_id] = data
            self._items.move_to_end(block_id)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def get(self, block_id: int, conn: sqlite3.Connection) -> bytes:
        """The payload of ``block_id``, read and decompressed through ``conn`` on a miss."""
        with self._lock:
            data = self._items.get(block_id)
            if data is not None:
                self._items.move_to_end(block_id)
                return data
        row = conn.execute("SELECT z FROM blk WHERE id = ?", (block_id,)).fetchone()
        if row is None:
            return b""
        data = bytes(cramjam.zstd.decompress(row[0]))
        self.put(block_id, data)
        return data

    def drop(self, block_ids: list[int]) -> None:
        """Forget deleted blocks."""
        with self._lock:
            for block_id in block_ids:
                self._items.pop(block_id, None)
