"""SQLite schema, settings and key encoding of the embedded trace store.

Follows the lean layout measured in ``reference/store-feasibility.md`` (V3n-zbatch): documents are
kept verbatim in one zstd frame per write transaction (``blk``), located through ``seg``; one summary
row per trace (``trace``) with indexes on the Service and Event time keys of GetTraceSummaries
(the TraceId key is the primary key itself) and the derived
columns of ``facts.SUMMARY_COLUMNS`` that filter expressions are pushed down to; per-minute
service-graph rollups (``groll``, span 60) that graphs without a group are read from, and hourly
rows (span 3600) built from the minutes the first time a complete hour is read, dropped when one of
its minutes changes (an hour of graph is then about 40 rows to merge instead of a few thousand). A trace id is
stored as 16 bytes (4-byte epoch then 12 random bytes) so primary-key order is time order. WAL with
``synchronous=FULL``: a committed write survives a process kill and an OS crash. The ``facts`` column
is packed by ``store.codec`` (zstd with a dictionary kept in ``zdict``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from otelray.service.facts import SUMMARY_COLUMNS

SCHEMA_VERSION = 8
#: Earlier versions this one reads as they are and upgrades by writing its own number (version 8
#: added ``zdict``, the facts compression dictionary, which version 7 cannot read).
UPGRADABLE = (7,)
#: Summary columns the store fills itself (``tid``, ``tstart``, ``tend``) instead of from the facts.
_OWN = ("trace_id", "start_time", "end_time")
#: The derived per-trace columns, named as ``facts.SUMMARY_COLUMNS`` so filter pushdown applies as is.
DERIVED_COLUMNS = tuple(name for name in SUMMARY_COLUMNS if name not in _OWN)

DDL = """
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS zdict(id INTEGER PRIMARY KEY, d BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blk(id INTEGER PRIMARY KEY, t REAL NOT NULL, z BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS seg(
    tid BLOB NOT NULL, sid INTEGER NOT NULL, blk INTEGER NOT NULL, off INTEGER NOT NULL,
    len INTEGER NOT NULL, done INTEGER NOT NULL, PRIMARY KEY(tid, sid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dirty(tid BLOB PRIMARY KEY, t REAL NOT NULL, v INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trace(
    tid BLOB PRIMARY KEY, tstart REAL NOT NULL, tend REAL NOT NULL, updated REAL NOT NULL,
    ndocs INTEGER NOT NULL, partial INTEGER NOT NULL, {summary}) WITHOUT ROWID;
-- a rowid table: statistics with histograms are 1-2 KB, which a WITHOUT ROWID row would spill
-- into an overflow page of its own (the store study's pitfall)
CREATE TABLE IF NOT EXISTS groll(
    id INTEGER PRIMARY KEY, span INTEGER NOT NULL, m INTEGER NOT NULL, src TEXT NOT NULL,
    dst TEXT NOT NULL, alias TEXT NOT NULL, s BLOB NOT NULL);  -- span: 60 or 3600 s
CREATE UNIQUE INDEX IF NOT EXISTS groll_key ON groll(span, m, src, dst, alias);
CREATE INDEX IF NOT EXISTS trace_by_end ON trace(tend, tid);
CREATE INDEX IF NOT EXISTS trace_by_updated ON trace(updated, tid);
""".format(summary=", ".join(f"{name} {kind}" for name, kind in SUMMARY_COLUMNS.items() if name not in _OWN))

#: Column of ``trace`` holding the Service and Event time keys of GetTraceSummaries; the TraceId
#: key is the time inside the trace id, i.e. the primary key's first four bytes.
TIME_COLUMNS = {"Service": "tend", "Event": "updated"}


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the database with the store's settings (autocommit mode; callers issue BEGIN)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA cache_size=-65536")  # 64 MiB
    conn.execute("PRAGMA temp_store=MEMORY")
    if readonly:
        conn.execute("PRAGMA query_only=1")
    return conn


def create(conn: sqlite3.Connection) -> None:
    """Create the tables if needed and check the schema version."""
    conn.executescript(DDL)
    row = conn.execute("SELECT v FROM meta WHERE k='schema'").fetchone()
    if row is None:
        conn.execute("INSERT INTO meta(k, v) VALUES ('schema', ?)", (SCHEMA_VERSION,))
    elif row[0] in UPGRADABLE:
        conn.execute("UPDATE meta SET v = ? WHERE k = 'schema'", (SCHEMA_VERSION,))
    elif row[0] != SCHEMA_VERSION:
        raise RuntimeError(f"store schema version {row[0]} is not {SCHEMA_VERSION}; use a new --data-dir")


def tid_key(trace_id: str) -> bytes:
    """``1-5759e988-bd862e3fe1be46a994272793`` → 16 bytes (epoch first, so keys sort by time)."""
    return bytes.fromhex(trace_id[2:10] + trace_id[11:35])


def tid_text(key: bytes) -> str:
    """The inverse of ``tid_key``."""
    h = key.hex()
    return f"1-{h[:8]}-{h[8:]}"


def sid_key(segment_id: str) -> int:
    """A 16-hex-digit segment id as a signed 64-bit SQLite integer."""
    value = int(segment_id, 16)
    return value - (1 << 64) if value >= (1 << 63) else value
