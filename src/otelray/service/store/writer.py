"""The store's single writer thread: group commit, summary refresh and retention.

Datasette's pattern (``database.py``) with the settings measured in ``reference/store-feasibility.md``:
one thread owns the write connection and drains a queue. Pending ``put`` jobs are grouped (up to
``max_batch_documents`` documents) into one ``BEGIN IMMEDIATE`` transaction holding one zstd frame
and a batched ``executemany``; each job's future resolves only after COMMIT, so an acknowledged
batch survives ``kill -9``. The same transaction marks the touched traces dirty; summary rows are
recomputed from the stored documents right after (bounded per cycle, all of them on ``sync``), so a
crash between the two only delays summaries: dirty marks are durable and are worked off on restart.
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
import orjson

from otelray.service.store.base import StoredDocument, Summarizer
from otelray.service.store.blocks import BlockCache
from otelray.service.store.schema import DERIVED_COLUMNS, connect, create, sid_key, tid_key, tid_text

log = logging.getLogger(__name__)

_SEG_UPSERT = (
    "INSERT INTO seg(tid, sid, blk, off, len, done) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(tid, sid) DO UPDATE SET blk=excluded.blk, off=excluded.off, len=excluded.len, "
    "done=excluded.done WHERE excluded.done >= seg.done"
)
_DIRTY = "INSERT INTO dirty(tid, t) VALUES (?, ?) ON CONFLICT(tid) DO UPDATE SET t=max(t, excluded.t)"
_TRACE_UPSERT = "INSERT OR REPLACE INTO trace(tid, tstart, tend, updated, ndocs, partial, {}) VALUES ({})".format(
    ", ".join(DERIVED_COLUMNS), ", ".join("?" * (6 + len(DERIVED_COLUMNS)))
)


@dataclass(slots=True)
class _Put:
    documents: Sequence[StoredDocument]
    future: Future[int] = field(default_factory=Future)


@dataclass(slots=True)
class _Call:
    fn: Callable[[sqlite3.Connection], Any]
    future: Future[Any] = field(default_factory=Future)
    sync_first: bool = False


class Writer:
    """Owns the write connection; every mutation of the database goes through it."""

    def __init__(
        self,
        path: Path,
        blocks: BlockCache,
        summarize: Summarizer | None,
        *,
        max_batch_documents: int = 500,
        refresh_per_cycle: int = 1000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._conn = connect(path)
        create(self._conn)
        self._blocks = blocks
        self._summarize = summarize
        self._max_batch = max_batch_documents
        self._refresh_per_cycle = refresh_per_cycle
        self._clock = clock
        self._queue: queue.SimpleQueue[_Put | _Call | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="otelray-store-writer", daemon=True)
        self._closed = False
        self.summary_failures = 0
        self._thread.start()

    def put(self, documents: Sequence[StoredDocument]) -> Future[int]:
        """Queue documents; the future resolves to their count after COMMIT."""
        job = _Put(documents)
        if self._closed:
            job.future.set_exception(RuntimeError("the trace store is closed"))
        else:
            self._queue.put(job)
        return job.future

    def call(self, fn: Callable[[sqlite3.Connection], Any], *, sync_first: bool = False) -> Future[Any]:
        """Run ``fn(connection)`` on the writer thread (after all earlier puts)."""
        job = _Call(fn, sync_first=sync_first)
        if self._closed:
            job.future.set_exception(RuntimeError("the trace store is closed"))
        else:
            self._queue.put(job)
        return job.future

    def close(self, timeout: float = 30.0) -> None:
        """Finish queued work, refresh summaries and close the connection; safe twice."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)

    # -- the thread -------------------------------------------------------------------------------

    def _run(self) -> None:
        self._refresh(None)  # dirty marks left by a crash
        while True:
            try:
                job = self._queue.get(timeout=0.5)
            except queue.Empty:
                self._refresh(self._refresh_per_cycle)
                continue
            jobs = [job]
            count = len(job.documents) if isinstance(job, _Put) else 0
            while count < self._max_batch and job is not None:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                jobs.append(job)
                count += len(job.documents) if isinstance(job, _Put) else 0
            if self._cycle(jobs):
                self._refresh(None)
                self._conn.close()
                return

    def _cycle(self, jobs: list[_Put | _Call | None]) -> bool:
        puts = [job for job in jobs if isinstance(job, _Put)]
        if puts:
            self._write(puts)
        self._refresh(self._refresh_per_cycle)
        for job in jobs:
            if isinstance(job, _Call):
                self._run_call(job)
        return any(job is None for job in jobs)

    def _run_call(self, job: _Call) -> None:
        try:
            if job.sync_first:
                self._refresh(None)
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
            cur = self._conn.execute(
                "INSERT INTO blk(t, z) VALUES (?, ?)", (now, bytes(cramjam.zstd.compress(data, level=3)))
            )
            blk = cur.lastrowid
            self._conn.executemany(_SEG_UPSERT, [(t, s, blk, o, n, d) for t, s, o, n, d in rows])
            self._conn.executemany(_DIRTY, [(t, now) for t in dirty])
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

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    # -- summary rows -----------------------------------------------------------------------------

    def _refresh(self, limit: int | None) -> None:
        """Recompute the summary rows of dirty traces (all of them when ``limit`` is None)."""
        while True:
            step = 500 if limit is None else min(500, limit)
            marks = dict(self._conn.execute("SELECT tid, t FROM dirty LIMIT ?", (step,)).fetchall())
            if not marks:
                return
            try:
                self._refresh_keys(marks)
            except Exception:
                self._rollback()
                log.exception("refreshing %d trace summaries failed", len(marks))
                return
            if limit is not None:
                limit -= len(marks)
                if limit <= 0:
                    return

    def _refresh_keys(self, marks: dict[bytes, float]) -> None:
        keys = list(marks)
        located: dict[bytes, list[tuple[int, int, int, int]]] = {k: [] for k in keys}
        placeholders = ",".join("?" * len(keys))
        for tid, blk, off, length, done in self._conn.execute(
            f"SELECT tid, blk, off, len, done FROM seg WHERE tid IN ({placeholders})", keys
        ):
            located[tid].append((blk, off, length, done))
        rows = [self._trace_row(tid, found, marks[tid]) for tid, found in located.items() if found]
        self._conn.execute("BEGIN IMMEDIATE")
        self._conn.executemany(_TRACE_UPSERT, rows)
        # a mark rewritten meanwhile (same thread, so only by this transaction's own writes) stays
        self._conn.executemany("DELETE FROM dirty WHERE tid = ? AND t = ?", list(marks.items()))
        self._conn.execute("COMMIT")

    def _trace_row(self, tid: bytes, found: list[tuple[int, int, int, int]], updated: float) -> tuple[Any, ...]:
        documents: list[dict[str, Any]] = []
        partial = False
        for blk, off, length, done in found:
            data = self._blocks.get(blk, self._conn)
            try:
                doc = orjson.loads(data[off : off + length])
            except orjson.JSONDecodeError:
                continue
            documents.append(doc)
            partial = partial or not done
        starts = [d["start_time"] for d in documents if isinstance(d.get("start_time"), (int, float))]
        ends = [d["end_time"] for d in documents if isinstance(d.get("end_time"), (int, float))]
        start = min(starts) if starts else float(int(tid[:4].hex(), 16))
        end = max(ends + starts) if (ends or starts) else start
        derived = self._derived(tid, documents)
        return (tid, start, end, updated, len(documents), int(partial), *(derived.get(c) for c in DERIVED_COLUMNS))

    def _derived(self, tid: bytes, documents: list[dict[str, Any]]) -> dict[str, Any]:
        if self._summarize is None:
            return {}
        try:
            return self._summarize(documents) or {}
        except Exception:  # one odd trace must not stop the others; counted and logged
            self.summary_failures += 1
            log.exception("deriving the summary of trace %s failed", tid_text(tid))
            return {}
