"""Durable configuration state of the local X-Ray service: sampling rules, groups, tags, settings.

The X-Ray control-plane resources (X-Ray API reference: sampling rules, groups, tags, encryption
config, resource policies, trace segment destination, indexing rules, sampling statistic summaries)
live in their own SQLite file, ``config.sqlite`` in the data directory, apart from the trace store:
they are small, written rarely, and must survive a restart. The file runs in WAL mode with
``synchronous=FULL`` so that an answered request is on disk (sampling statistics, re-reported by
every client each 10 s, skip the fsync: see :meth:`ConfigState.transaction`). One connection guarded by a lock
serves every thread; these operations are cold paths, so a lock is simpler than a pool.

This module owns storage only. The semantic checks of each operation live in
``otelray.service.ops``; the per-second reservoir bookkeeping, which is transient by nature, lives
in memory in ``otelray.service.ops.reservoir``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from otelray.service.errors import InvalidRequestException
from otelray.service.ops.reservoir import ReservoirBook

#: file name of the configuration database inside the data directory
CONFIG_FILE = "config.sqlite"
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "000000000000"
#: name of the built-in sampling rule and of the built-in group
DEFAULT_NAME = "Default"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rules (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL UNIQUE, rule TEXT NOT NULL,
    created_at REAL NOT NULL, modified_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS groups (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL UNIQUE, filter TEXT, insights TEXT NOT NULL,
    created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tags (
    arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (arn, key));
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS policies (
    name TEXT PRIMARY KEY, document TEXT NOT NULL, revision_id TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sampling_stats (
    rule TEXT NOT NULL, window REAL NOT NULL, request INTEGER NOT NULL, borrow INTEGER NOT NULL,
    sampled INTEGER NOT NULL, PRIMARY KEY (rule, window));
"""


class ConfigState:
    """The configuration resources of one local X-Ray service, backed by ``config.sqlite``.

    Args:
        conn: an open SQLite connection (use :meth:`open`).
        region: region written into ARNs.
        account: account id written into ARNs.
    """

    def __init__(self, conn: sqlite3.Connection, *, region: str, account: str) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.region = region
        self.account = account
        #: per-rule reservoir quotas handed to clients (in memory: quotas live seconds)
        self.reservoirs = ReservoirBook()
        #: rejections and other events, keyed by name (exported by the service's metrics page)
        self.counters: Counter[str] = Counter()
        self._counter_lock = threading.Lock()

    @classmethod
    def open(
        cls, data_dir: Path, *, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT
    ) -> ConfigState:
        """Open (creating if needed) ``config.sqlite`` in ``data_dir``."""
        data_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            data_dir / CONFIG_FILE, check_same_thread=False, isolation_level=None, timeout=10.0
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(_SCHEMA)
        return cls(conn, region=region, account=account)

    def close(self) -> None:
        """Close the database; safe to call twice."""
        with self._lock:
            self._conn.close()

    # -- plumbing -----------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, fsync: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic write: ``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on error).

        Args:
            fsync: wait for the disk (``synchronous=FULL``). Without it the commit survives a
                crash of the process but not of the machine (WAL ``synchronous=NORMAL``): enough
                for sampling statistics, which every client re-reports each 10 seconds.
        """
        with self._lock:
            if not fsync:
                self._conn.execute("PRAGMA synchronous=NORMAL")
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            finally:
                if not fsync:
                    self._conn.execute("PRAGMA synchronous=FULL")

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only query."""
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    @property
    def lock(self) -> threading.RLock:
        """Held by each configuration operation for its whole run, so check-then-write is atomic."""
        return self._lock

    def count(self, name: str, amount: int = 1) -> None:
        """Add ``amount`` to the counter ``name`` (thread-safe)."""
        with self._counter_lock:
            self.counters[name] += amount

    def arn(self, kind: str, name: str) -> str:
        """``arn:aws:xray:<region>:<account>:<kind>/<name>``."""
        return f"arn:aws:xray:{self.region}:{self.account}:{kind}/{name}"

    # -- settings (small JSON values) -----------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        """The JSON value stored under ``key``, or ``default``."""
        rows = self.query("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def put_setting(self, conn: sqlite3.Connection, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` inside an open transaction."""
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    # -- groups, for the trace operations -------------------------------------------------------

    def group_filter(self, group_name: str | None, group_arn: str | None) -> str | None:
        """The filter expression of a group, for GetTraceSummaries / GetServiceGraph.

        Returns None when no group is named, for the Default group, and for a group without a
        filter expression.

        Raises:
            InvalidRequestException: the group does not exist, or name and ARN disagree.
        """
        if group_name is None and group_arn is None:
            return None
        return self.find_group(group_name, group_arn)[2]

    def find_group(self, group_name: str | None, group_arn: str | None) -> tuple[Any, ...]:
        """The row ``(name, arn, filter, insights JSON)`` of a group, the Default group included.

        Raises:
            InvalidRequestException: neither given, unknown group, or name and ARN disagree.
        """
        if group_name is None and group_arn is None:
            raise InvalidRequestException("Either GroupName or GroupARN must be provided")
        if group_arn is not None:
            rows = self.query("SELECT name, arn, filter, insights FROM groups WHERE arn = ?", (group_arn,))
            if not rows and group_arn == self.default_group_arn():
                rows = [_default_group_row(group_arn)]
        else:
            rows = self.query("SELECT name, arn, filter, insights FROM groups WHERE name = ?", (group_name,))
            if not rows and group_name == DEFAULT_NAME:
                rows = [_default_group_row(self.default_group_arn())]
        if not rows:
            raise InvalidRequestException(f"Group not found: {group_arn or group_name}")
        row = rows[0]
        if group_name is not None and group_arn is not None and row[0] != group_name:
            raise InvalidRequestException(f"GroupName {group_name} does not match GroupARN {group_arn}")
        return row

    def resolve_group(self, field: str, value: str) -> str | None:
        """The filter expression of the group whose ``field`` (``name`` or ``arn``) is ``value``.

        The resolver ``otelray.service.filters.compile_filter`` uses for ``group.name = "…"``;
        None for an unknown group or one without a filter expression.
        """
        column = "arn" if field == "arn" else "name"
        rows = self.query(f"SELECT filter FROM groups WHERE {column} = ?", (value,))
        return rows[0][0] if rows else None

    def default_group_arn(self) -> str:
        """ARN of the built-in Default group (X-Ray gives it the fixed id ``Default``)."""
        return self.arn("group", f"{DEFAULT_NAME}")


def _default_group_row(arn: str) -> tuple[Any, ...]:
    return (DEFAULT_NAME, arn, None, json.dumps({"InsightsEnabled": False, "NotificationsEnabled": False}))
