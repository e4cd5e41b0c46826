"""The store's single writer thread: group commit of documents, and every other mutation.

Datasette's pattern (``database.py``) with the settings measured in ``reference/store-feasibility.md``:
one thread owns the write connection and drains a queue. Pending ``put`` jobs are grouped (up to
``max_batch_documents`` documents; an fsync costs milliseconds, so grouping is what scales) into one ``BEGIN IMMEDIATE`` transaction holding one zstd frame
and a batched ``executemany``; each job's future resolves only after COMMIT, so an acknowledged
batch survives ``kill -9``. The same transaction marks the touched traces dirty (``dirty``: time of
the write and the block id as version); ``store.refresher`` turns dirty marks into summary rows on
its own thread, so ingest latency does not wait for summary work.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cramjam

from otelray.service.store.base import StoredDocument
from otelray.service.store.blocks import BlockCache
from otelray.service.store.schema import connect, create, sid_key, tid_key

log = logging.getLogger(__name__)

_SEG_UPSERT = (
    "INSERT INTO seg(tid, sid, blk, off, len, done) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(tid, sid) DO UPDATE SET blk=excluded.blk, off=excluded.off, len=excluded.len, "
    "done=excluded.done WHERE excluded.done >= seg.done"
)
_DIRTY = (
    "INSERT INTO dirty(tid, t, v) VALUES (?, ?, ?) "
    "ON CONFLICT(tid) DO UPDATE SET t=max(t, excluded.t), v=excluded.v"
)


@dataclass(slots=True)
class _Put:
    documents: Sequence[StoredDocument]
    future: Future[int] = field(default_factory=Future)


@dataclass(slots=True)
class _Call:
    fn: Callable[[sqlite3.Connection], Any]
    future: Future[Any] = field(default_factory=Future)


class Writer:
    """Owns the write connection; every mutation of documents goes through it."""

    def __init__(
        self,
        path: Path,
        blocks: BlockCache,
        *,
        on_commit: Callable[[], None] = lambda: None,
        max_batch_documents: int = 2000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._conn = connect(path)
        create(self._conn)
        self._blocks = blocks
        self._on_commit = on_commit
        self._max_batch = max_batch_documents
        self._clock = clock
        self._queue: queue.SimpleQueue[_Put | _Call | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="otelray-store-writer", daemon=True)
        self._closed = False
        self._thread.start()

    def put(self, documents: Sequence[StoredDocument]) -> Future[int]:
        """Queue documents; the future resolves to their count after COMMIT."""
        job = _Put(documents)
        self._submit(job, job.future)
        return job.future

    def call(self, fn: Callable[[sqlite3.Connection], Any]) -> Future[Any]:
        """Run ``fn(connection)`` on the writer thread, after all earlier puts."""
        job = _Call(fn)
        self._submit(job, job.future)
        return job.future

    def _submit(self, job: _Put | _Call, future: Future[Any]) -> None:
        if self._closed:
            future.set_exception(RuntimeError("the trace store is closed"))
        else:
            self._queue.put(job)

    def close(self, timeout: float = 30.0) -> None:
        """Finish queued work and close the connection; safe twice."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            jobs = [job]
            count = len(job.documents) if isinstance(job, _Put) else 0
            while count < self._max_batch and job is not None:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                jobs.append(job)
                count += len(job.documents) if isinstance(job, _Put) else 0
            puts = [j for j in jobs if isinstance(j, _Put)]
            if puts:
                self._write(puts)
            for j in jobs:
                if isinstance(j, _Call):
                    self._run_call(j)
            if any(j is None for j in jobs):
                self._conn.close()
                return

    def _run_call(self, job: _Call) -> None:
        try:
            job.future.set_result(job.fn(self._conn))
        except Exception as exc:  # reported to the caller through its future
            self._rollback()
            job.future.set_exception(exc)

    def _write(self, puts: list[_Put]) -> None:
        payload = bytearray()
        rows: list[tuple[bytes, int, int, int, int]] = []
        dirty: set[bytes] = set()
        for job in puts:
            for doc in job.documents:
                tid = tid_key(doc.trace_id)
                rows.append((tid, sid_key(doc.id), len(payload), len(doc.raw), int(doc.complete)))
                payload += doc.raw
                dirty.add(tid)
        data = bytes(payload)
        now = self._clock()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            blk = self._conn.execute(
                "INSERT INTO blk(t, z) VALUES (?, ?)", (now, bytes(cramjam.zstd.compress(data, level=3)))
            ).lastrowid
            self._conn.executemany(_SEG_UPSERT, [(t, s, blk, o, n, d) for t, s, o, n, d in rows])
            self._conn.executemany(_DIRTY, [(t, now, blk) for t in dirty])
            self._conn.execute("COMMIT")
        except Exception as exc:
            self._rollback()
            log.exception("storing %d documents failed", len(rows))
            for job in puts:
                job.future.set_exception(exc)
            return
        if blk is not None:
            self._blocks.put(blk, data)
        for job in puts:
            job.future.set_result(len(job.documents))
        self._on_commit()

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
