"""The embedded SQLite trace store (the default ``Store``).

One writer thread (``store.writer``), one summary thread (``store.refresher``) and one read
connection per reader thread, each query bounded by a time budget through SQLite's progress
handler (Datasette ``sqlite_timelimit``). Retention
deletes traces not updated for ``retention_days`` (X-Ray keeps traces 30 days), then the document
blocks nothing points at any more; it runs in the background every ``prune_interval`` seconds.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from otelray.service.errors import ThrottledException
from otelray.service.store.base import Cursor, Rollups, StoredDocument, Summarizer, TimeRangeType, TraceRow
from otelray.service.store.blocks import BlockCache
from otelray.service.store.codec import FactsCodec
from otelray.service.store.refresher import Refresher
from otelray.service.store.schema import TIME_COLUMNS, connect, tid_key, tid_text
from otelray.service.store.writer import Writer

log = logging.getLogger(__name__)

DB_FILENAME = "traces.sqlite3"
DEFAULT_RETENTION_DAYS = 30.0


class SQLiteStore:
    """Segment documents and trace summaries in one SQLite file under ``data_dir``."""

    def __init__(
        self,
        data_dir: Path,
        *,
        summarize: Summarizer | None = None,
        rollups: Rollups | None = None,
        version: str = "",
        retention_days: float = DEFAULT_RETENTION_DAYS,
        query_budget: float = 5.0,
        prune_interval: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_FILENAME
        self._blocks = BlockCache()
        self._writer = Writer(self.path, self._blocks, on_commit=lambda: self._refresher.notify(), clock=clock)
        self._writer.call(lambda conn: _check_version(conn, version)).result()
        self._codec = FactsCodec()
        self._refresher = Refresher(self.path, self._blocks, summarize, rollups, self._codec)
        self._rollups = rollups
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._budget = query_budget
        self._retention = retention_days * 86400.0
        self._clock = clock
        self._stop = threading.Event()
        self._pruner = threading.Thread(
            target=self._prune_loop, args=(prune_interval,), name="otelray-store-retention", daemon=True
        )
        self._pruner.start()

    # -- writes ----------------------------------------------------------------------------------

    def put(self, documents: Sequence[StoredDocument]) -> Future[int]:
        """Store documents; the future resolves once they are committed (durable)."""
        return self._writer.put(documents)

    def sync(self) -> Future[None]:
        """Resolve once every summary row reflects all earlier (acknowledged) puts."""
        return self._refresher.sync()

    def prune(self, now: float | None = None) -> Future[int]:
        """Delete traces not updated within the retention period; resolves to the number removed."""
        cutoff = (self._clock() if now is None else now) - self._retention
        self._refresher.sync().result()
        return self._writer.call(lambda conn: self._prune(conn, cutoff))

    # -- reads -----------------------------------------------------------------------------------

    def documents(self, trace_ids: Iterable[str]) -> dict[str, list[bytes]]:
        """The stored documents of each known trace, in the order they were first stored."""
        found: dict[str, list[bytes]] = {}
        with self._reader() as conn:
            for trace_id in trace_ids:
                rows = conn.execute(
                    "SELECT blk, off, len FROM seg WHERE tid = ? ORDER BY blk, off", (tid_key(trace_id),)
                ).fetchall()
                if rows:
                    found[trace_id] = [self._blocks.get(b, conn)[o : o + n] for b, o, n in rows]
        return found

    def scan(
        self,
        range_type: TimeRangeType,
        start: float,
        end: float,
        *,
        before: Cursor | None,
        limit: int,
        where: tuple[str, tuple[Any, ...]] | None = None,
    ) -> list[TraceRow]:
        """Summary rows with the chosen time in ``[start, end)``, newest first, strictly after ``before``.

        ``where``: a condition over the summary columns, e.g. a pushed-down filter expression; every
        examined row is returned (at most ``limit``), those failing it with ``matched=False``.
        """
        if where is None:
            sql = "SELECT tid, tstart, tend, updated, ndocs, partial, facts, 1 FROM trace WHERE "
            args: list[Any] = []
        else:  # the facts of rows that fail the condition are not even read
            hit = f"IFNULL(({where[0]}), 0)"
            sql = f"SELECT tid, tstart, tend, updated, ndocs, partial, CASE WHEN {hit} THEN facts END, {hit} FROM trace WHERE "
            args = [*where[1], *where[1]]
        if range_type is TimeRangeType.TRACE_ID:
            # the trace id's own time: a range of the primary key, read newest first without an index
            col = "tid"
            sql += "tid >= ? AND tid < ?"
            args += [_epoch_key(start), _epoch_key(end)]
            if before is not None:
                sql += " AND tid < ?"
                args.append(tid_key(before.trace_id))
        else:
            col = TIME_COLUMNS[range_type.value]
            sql += f"{col} >= ? AND {col} < ?"
            args += [start, end]
            if before is not None:
                sql += f" AND ({col}, tid) < (?, ?)"
                args += [before.time, tid_key(before.trace_id)]
        sql += f" ORDER BY {col} DESC, tid DESC LIMIT ?" if col != "tid" else " ORDER BY tid DESC LIMIT ?"
        args.append(limit)
        with self._reader() as conn:
            return [_row(r, self._codec, conn) for r in conn.execute(sql, args).fetchall()]

    def rows(self, trace_ids: Iterable[str]) -> list[TraceRow]:
        """The summary rows of the given traces (unknown ids are skipped), in the order given."""
        out: list[TraceRow] = []
        with self._reader() as conn:
            for trace_id in trace_ids:
                r = conn.execute(
                    "SELECT tid, tstart, tend, updated, ndocs, partial, facts FROM trace WHERE tid = ?",
                    (tid_key(trace_id),),
                ).fetchone()
                if r is not None:
                    out.append(_row(r, self._codec, conn))
        return out

    def rollups(self, start: float, end: float, *, hours: bool = True) -> list[tuple[int, str, str, str, bytes]]:
        """Rollup rows ``(time, source, target, alias, stats)`` covering ``[start, end)`` in whole minutes.

        With ``hours``, each complete hour inside the window is read from its hourly rows (their time
        is the hour's start), which are built from the minutes in the background the first time.
        """
        first = int(start // 60 * 60)
        sql = "SELECT m, src, dst, alias, s FROM groll WHERE span = ? AND m >= ? AND m < ?"
        hour_from, hour_to = -(-first // 3600) * 3600, int(min(end, self._clock() - 60) // 3600 * 3600)
        rows: list[tuple[int, str, str, str, bytes]] = []
        with self._reader() as conn:
            if not hours or hour_to <= hour_from:
                return conn.execute(sql, (60, first, end)).fetchall()
            rows += conn.execute(sql, (60, first, hour_from)).fetchall()
            rows += conn.execute(sql, (60, hour_to, end)).fetchall()
            for hour in range(hour_from, hour_to, 3600):
                found = conn.execute(sql, (3600, hour, hour + 1)).fetchall()
                if found:
                    rows += found
                    continue
                rows += conn.execute(sql, (60, hour, hour + 3600)).fetchall()
                if self._rollups is not None:
                    self._writer.call(lambda c, h=hour: self._materialize(c, h))
        return rows

    def _materialize(self, conn: sqlite3.Connection, hour: int) -> None:
        """Build the hourly rollup rows of ``hour`` from its minute rows (writer thread)."""
        if self._rollups is None:
            return
        conn.execute("BEGIN IMMEDIATE")
        groups: dict[tuple[str, str, str], list[bytes]] = {}
        for src, dst, alias, value in conn.execute(
            "SELECT src, dst, alias, s FROM groll WHERE span = 60 AND m >= ? AND m < ?", (hour, hour + 3600)
        ):
            groups.setdefault((src, dst, alias), []).append(value)
        rows = [(hour, *key, self._rollups.merge(values)) for key, values in groups.items()]
        rows.append((hour, "", "", "", b""))  # marks the hour as built, even when it had no traffic
        conn.execute("DELETE FROM groll WHERE span = 3600 AND m = ?", (hour,))
        conn.executemany("INSERT INTO groll(span, m, src, dst, alias, s) VALUES (3600, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")

    def time_key(self, row: TraceRow, range_type: TimeRangeType) -> float:
        """The value of a row's ``range_type`` time (what cursors hold)."""
        if range_type is TimeRangeType.TRACE_ID:
            return float(int(row.trace_id[2:10], 16))
        return {"Service": row.end, "Event": row.updated}[range_type.value]

    def counts(self) -> dict[str, int]:
        """Numbers of traces and documents, and the database size in bytes (file + WAL)."""
        with self._reader() as conn:
            traces = conn.execute("SELECT count(*) FROM trace").fetchone()[0]
            documents = conn.execute("SELECT count(*) FROM seg").fetchone()[0]
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return {"traces": traces, "documents": documents, "bytes": size}

    @property
    def summary_failures(self) -> int:
        """How many trace summaries could not be derived (logged; the documents are kept)."""
        return self._refresher.failures

    def close(self) -> None:
        """Flush pending writes and close every connection; safe twice."""
        self._stop.set()
        self._writer.close()
        self._refresher.close()
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()

    # -- internals -------------------------------------------------------------------------------

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, readonly=True)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        deadline = time.monotonic() + self._budget
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            yield conn
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise ThrottledException(f"query exceeded its time budget of {self._budget:g} s") from None
            raise
        finally:
            conn.set_progress_handler(None, 0)

    def _prune(self, conn: sqlite3.Connection, cutoff: float) -> int:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM seg WHERE tid IN (SELECT tid FROM trace WHERE updated < ?)", (cutoff,))
        removed = conn.execute("DELETE FROM trace WHERE updated < ?", (cutoff,)).rowcount
        conn.execute("DELETE FROM groll WHERE m < ?", (cutoff,))
        old = [r[0] for r in conn.execute("SELECT id FROM blk WHERE t < ?", (cutoff,))]
        if old:
            used = {r[0] for r in conn.execute("SELECT DISTINCT blk FROM seg WHERE blk <= ?", (max(old),))}
            dead = [b for b in old if b not in used]
            conn.executemany("DELETE FROM blk WHERE id = ?", [(b,) for b in dead])
            self._blocks.drop(dead)
        conn.execute("COMMIT")
        if removed:
            log.info("retention removed %d traces last updated before %s", removed, time.ctime(cutoff))
        return removed

    def _prune_loop(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                self.prune().result()
            except RuntimeError:  # closed meanwhile
                return
            except Exception:
                log.exception("retention pruning failed")
            self._stop.wait(interval)


def _epoch_key(seconds: float) -> bytes:
    """The smallest trace key whose id time is at or after ``seconds`` (ids carry whole seconds)."""
    epoch = min(max(math.ceil(seconds), 0), 0xFFFFFFFF + 1)
    return epoch.to_bytes(5, "big")[1:] + bytes(12) if epoch <= 0xFFFFFFFF else b"\xff" * 17


def _check_version(conn: sqlite3.Connection, version: str) -> None:
    """When the summary format changed, mark every trace for derivation again and drop the rollups."""
    if not version:  # no summarizer version given: keep whatever was derived
        return
    row = conn.execute("SELECT v FROM meta WHERE k = 'derivation'").fetchone()
    if row is not None and row[0] == version:
        return
    conn.execute("BEGIN IMMEDIATE")
    if row is not None:
        log.warning("trace summaries were derived by %s, not %s: deriving them again", row[0], version)
        conn.execute("INSERT OR REPLACE INTO dirty(tid, t, v) SELECT tid, updated, 0 FROM trace")
        conn.execute("DELETE FROM groll")
    conn.execute("INSERT OR REPLACE INTO meta(k, v) VALUES ('derivation', ?)", (version,))
    conn.execute("COMMIT")


def _row(r: tuple[Any, ...], codec: FactsCodec, conn: sqlite3.Connection) -> TraceRow:
    matched = bool(r[7]) if len(r) > 7 else True
    return TraceRow(
        trace_id=tid_text(r[0]),
        start=r[1],
        end=r[2],
        updated=r[3],
        documents=r[4],
        partial=bool(r[5]),
        facts=codec.unpack(r[6], conn) if matched else None,
        matched=matched,
    )
