"""Summary rows: the thread that keeps one ``trace`` row per trace up to date.

The writer marks every trace it touches in ``dirty`` (time of the write, block id as version) in
the transaction that stores the documents. This thread, on its own connection, reads the marked
traces' documents back, derives the row (the store's own time columns plus the summarizer's
columns, ``facts.SUMMARY_COLUMNS``) and deletes each mark only if its version did not change
meanwhile, so a write racing a refresh is refreshed again. With ``rollups``, the same transaction
adds the trace's new rollup to the minute rows of ``groll`` and subtracts the one of the row it
replaces (and drops the hourly rows of the hours it touched). Marks are durable, so summaries lost to
a crash are rebuilt on restart. ``sync()`` resolves once every mark present at the call is done —
GetTraceSummaries calls it first, so a trace is listed as soon as its PutTraceSegments answered.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import orjson

from otelray.service.store.base import ROLLUP_KEY, RollupKey, Rollups, Summarizer
from otelray.service.store.blocks import BlockCache
from otelray.service.store.codec import FactsCodec
from otelray.service.store.schema import DERIVED_COLUMNS, connect, tid_text

log = logging.getLogger(__name__)

_TRACE_UPSERT = "INSERT OR REPLACE INTO trace(tid, tstart, tend, updated, ndocs, partial, {}) VALUES ({})".format(
    ", ".join(DERIVED_COLUMNS), ", ".join("?" * (6 + len(DERIVED_COLUMNS)))
)
#: Traces refreshed per transaction.
SLICE = 50
#: While documents are being written (a commit within this many seconds) and nobody waits in
#: ``sync``, the thread rests twice as long as each slice took, leaving most of the core (and the
#: GIL) to ingest: documents stay durable at full speed and summaries catch up when the burst ends.
BUSY_WINDOW = 0.05


class Refresher:
    """Derives summary rows for dirty traces on a background thread."""

    def __init__(
        self,
        path: Path,
        blocks: BlockCache,
        summarize: Summarizer | None,
        rollups: Rollups | None = None,
        codec: FactsCodec | None = None,
    ) -> None:
        self._conn = connect(path)
        self._blocks = blocks
        self._codec = codec or FactsCodec()
        self._codec.load(self._conn)
        self._summarize = summarize
        self._rollups = rollups
        self._wake = threading.Condition()
        self._pending = True  # marks may be left from before a restart
        self._waiters: list[Future[None]] = []
        self._closed = False
        self._last_commit = 0.0
        self._urgent = False
        self.failures = 0
        self._thread = threading.Thread(target=self._run, name="otelray-store-summaries", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        """Called after each commit that marked traces dirty."""
        self._last_commit = time.monotonic()
        with self._wake:
            self._pending = True
            self._wake.notify()

    def sync(self) -> Future[None]:
        """Resolve once every trace marked before this call has its summary row."""
        future: Future[None] = Future()
        with self._wake:
            if self._closed:
                future.set_exception(RuntimeError("the trace store is closed"))
                return future
            self._waiters.append(future)
            self._pending = True
            self._wake.notify()
        return future

    def close(self, timeout: float = 60.0) -> None:
        """Refresh what is marked, then stop; safe twice."""
        with self._wake:
            if self._closed:
                return
            self._closed = True
            self._wake.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait(1.0)
                self._pending = False
                waiters, self._waiters = self._waiters, []
                closing = self._closed
            self._urgent = bool(waiters)
            self._drain()
            for future in waiters:
                future.set_result(None)
            if closing:
                self._conn.close()
                return

    def _drain(self) -> None:
        while True:
            marks = self._conn.execute("SELECT tid, t, v FROM dirty LIMIT ?", (SLICE,)).fetchall()
            if not marks:
                return
            began = time.monotonic()
            try:
                self._refresh(marks)
            except Exception:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                log.exception("refreshing %d trace summaries failed", len(marks))
                return
            now = time.monotonic()
            if not (self._urgent or self._waiters or self._closed) and now - self._last_commit < BUSY_WINDOW:
                time.sleep(2 * (now - began))

    def _refresh(self, marks: list[tuple[bytes, float, int]]) -> None:
        keys = [m[0] for m in marks]
        located: dict[bytes, list[tuple[int, int, int, int]]] = defaultdict(list)
        placeholders = ",".join("?" * len(keys))
        for tid, blk, off, length, done in self._conn.execute(
            f"SELECT tid, blk, off, len, done FROM seg WHERE tid IN ({placeholders}) ORDER BY blk, off", keys
        ):
            located[tid].append((blk, off, length, done))
        old: dict[bytes, Any] = {}
        if self._rollups is not None:
            old = dict(self._conn.execute(f"SELECT tid, facts FROM trace WHERE tid IN ({placeholders})", keys))
        rows: list[tuple[Any, ...]] = []
        changes: dict[RollupKey, tuple[list[Any], list[Any]]] = defaultdict(lambda: ([], []))
        for tid, updated, _ in marks:
            if not located.get(tid):
                continue
            row, added = self._row(tid, located[tid], updated)
            rows.append(row)
            if self._rollups is not None:
                for key, stats in added.items():
                    changes[key][0].append(stats)
                for key, stats in self._rollups.of(tid_text(tid), self._codec.unpack(old.get(tid), self._conn)).items():
                    changes[key][1].append(stats)
        self._codec.save(self._conn)  # a dictionary trained meanwhile is stored before rows packed with it
        self._conn.execute("BEGIN IMMEDIATE")
        self._conn.executemany(_TRACE_UPSERT, rows)
        self._apply(changes)
        self._conn.executemany("DELETE FROM dirty WHERE tid = ? AND v = ?", [(m[0], m[2]) for m in marks])
        self._conn.execute("COMMIT")

    def _apply(self, changes: dict[RollupKey, tuple[list[Any], list[Any]]]) -> None:
        """Fold rollup changes into the minute rows of ``groll`` (inside the caller's transaction);
        hourly rows of the hours touched are dropped, to be built again from the minutes when read."""
        if self._rollups is None or not changes:
            return
        where = "span = 60 AND m = ? AND src = ? AND dst = ? AND alias = ?"
        for key, (added, removed) in changes.items():
            found = self._conn.execute(f"SELECT s FROM groll WHERE {where}", key).fetchone()
            value = self._rollups.combine(found[0] if found else None, added, removed)
            if value is None:
                self._conn.execute(f"DELETE FROM groll WHERE {where}", key)
            else:
                self._conn.execute("INSERT OR REPLACE INTO groll(span, m, src, dst, alias, s) VALUES (60, ?, ?, ?, ?, ?)",
                                   (*key, value))
        for hour in {key[0] // 3600 * 3600 for key in changes}:
            self._conn.execute("DELETE FROM groll WHERE span = 3600 AND m = ?", (hour,))

    def _row(
        self, tid: bytes, found: list[tuple[int, int, int, int]], updated: float
    ) -> tuple[tuple[Any, ...], dict[RollupKey, Any]]:
        documents: list[dict[str, Any]] = []
        partial = False
        for blk, off, length, done in found:
            data = self._blocks.get(blk, self._conn)
            try:
                documents.append(orjson.loads(data[off : off + length]))
            except orjson.JSONDecodeError:  # stored documents were validated; a damaged block is skipped
                continue
            partial = partial or not done
        starts = [d["start_time"] for d in documents if isinstance(d.get("start_time"), (int, float))]
        ends = [d["end_time"] for d in documents if isinstance(d.get("end_time"), (int, float))]
        start = min(starts) if starts else float(int(tid[:4].hex(), 16))
        end = max(ends + starts) if (ends or starts) else start
        derived = self._derived(tid, documents)
        added = derived.pop(ROLLUP_KEY, None) or {}
        facts = derived.get("facts")
        if isinstance(facts, str):  # kept compressed: it is most of a summary row's bytes
            derived["facts"] = self._codec.pack(facts)
        row = (tid, start, end, updated, len(documents), int(partial), *(derived.get(c) for c in DERIVED_COLUMNS))
        return row, added

    def _derived(self, tid: bytes, documents: list[dict[str, Any]]) -> dict[str, Any]:
        if self._summarize is None:
            return {}
        try:
            return self._summarize(documents) or {}
        except Exception:  # one odd trace must not stop the others; counted and logged
            self.failures += 1
            log.exception("deriving the summary of trace %s failed", tid_text(tid))
            return {}

