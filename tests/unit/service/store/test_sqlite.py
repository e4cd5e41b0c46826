"""The SQLite trace store: durable puts, overwrite rules, summary rows, scans, retention, restart."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from otelray.service.store import Cursor, SQLiteStore, StoredDocument, TimeRangeType
from otelray.service.store.schema import tid_key
from otelray.xray.ids import new_segment_id, new_trace_id


def doc(trace_id: str, start: float, end: float | None, seg_id: str | None = None, **extra: Any) -> StoredDocument:
    body: dict[str, Any] = {"name": "svc", "id": seg_id or new_segment_id(), "trace_id": trace_id, "start_time": start}
    if end is None:
        body["in_progress"] = True
    else:
        body["end_time"] = end
    body.update(extra)
    return StoredDocument(trace_id, body["id"], orjson.dumps(body), end is not None, start, end)


def summarize(documents: list[dict[str, Any]]) -> dict[str, Any]:
    names = sorted(d["name"] for d in documents)
    return {"facts": orjson.dumps({"names": names}).decode(), "services": "|".join(names), "flags": len(names)}


def names(row: Any) -> list[str]:
    return orjson.loads(row.facts)["names"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path, summarize=summarize, prune_interval=3600)
    yield s
    s.close()


def test_put_resolves_after_commit_and_documents_come_back_verbatim(store: SQLiteStore) -> None:
    t = new_trace_id(1000)
    a, b = doc(t, 1000, 1001), doc(t, 1000.5, 1000.7)
    assert store.put([a, b]).result(timeout=10) == 2
    assert store.documents([t, new_trace_id(5)]) == {t: [a.raw, b.raw]}


def test_complete_overwrites_in_progress_but_not_the_reverse(store: SQLiteStore) -> None:
    t, sid = new_trace_id(1000), new_segment_id()
    partial, complete = doc(t, 1000, None, sid), doc(t, 1000, 1002, sid)
    store.put([partial]).result()
    store.put([complete]).result()
    store.put([partial]).result()
    assert store.documents([t])[t] == [complete.raw]
    store.sync().result()
    (row,) = store.scan(TimeRangeType.TRACE_ID, 0, 2000, before=None, limit=10)
    assert (row.start, row.end, row.partial, row.documents) == (1000, 1002, False, 1)


def test_summary_rows_follow_every_write(store: SQLiteStore) -> None:
    t = new_trace_id(2000)
    store.put([doc(t, 2000, 2001, name="a")]).result()
    store.sync().result()
    (row,) = store.scan(TimeRangeType.TRACE_ID, 0, 3000, before=None, limit=10)
    assert names(row) == ["a"] and not row.partial
    store.put([doc(t, 1999, None, name="b")]).result()
    store.sync().result()
    (row,) = store.scan(TimeRangeType.TRACE_ID, 0, 3000, before=None, limit=10)
    assert names(row) == ["a", "b"]
    assert (row.start, row.end, row.partial, row.documents) == (1999, 2001, True, 2)


def test_scan_is_newest_first_with_cursor_and_time_keys(store: SQLiteStore) -> None:
    ids = [new_trace_id(3000 + i) for i in range(5)]
    store.put([doc(t, 3000 + i, 3000 + i + 10 * (5 - i)) for i, t in enumerate(ids)]).result()
    store.sync().result()
    rows = store.scan(TimeRangeType.TRACE_ID, 3000, 3005, before=None, limit=3)
    assert [r.trace_id for r in rows] == ids[::-1][:3]
    after = Cursor(store.time_key(rows[-1], TimeRangeType.TRACE_ID), rows[-1].trace_id)
    rest = store.scan(TimeRangeType.TRACE_ID, 3000, 3005, before=after, limit=3)
    assert [r.trace_id for r in rest] == ids[::-1][3:]
    # by end time: trace i ends at 3050 - 9 i, so the order reverses
    by_end = store.scan(TimeRangeType.SERVICE, 0, 4000, before=None, limit=10)
    assert [r.trace_id for r in by_end] == ids
    assert store.scan(TimeRangeType.TRACE_ID, 3001, 3002, before=None, limit=10)[0].trace_id == ids[1]


def test_retention_removes_old_traces_and_their_blocks(tmp_path: Path) -> None:
    clock = [10_000.0]
    store = SQLiteStore(tmp_path, retention_days=1, prune_interval=3600, clock=lambda: clock[0])
    try:
        old, new = new_trace_id(100), new_trace_id(200)
        store.put([doc(old, 100, 101)]).result()
        clock[0] += 86400 * 2
        store.put([doc(new, 200, 201)]).result()
        assert store.prune().result() == 1
        assert set(store.documents([old, new])) == {new}
        with sqlite3.connect(store.path) as conn:
            assert conn.execute("SELECT count(*) FROM blk").fetchone()[0] == 1
    finally:
        store.close()


def test_data_and_dirty_marks_survive_a_restart(tmp_path: Path) -> None:
    t = new_trace_id(500)
    first = SQLiteStore(tmp_path)  # no summarizer: rows hold only the store's own columns
    first.put([doc(t, 500, 501)]).result()
    first.close()
    with sqlite3.connect(tmp_path / "traces.sqlite3") as conn:  # as if the process died before refreshing
        conn.execute("DELETE FROM trace")
        conn.execute("INSERT INTO dirty(tid, t, v) VALUES (?, ?, 1)", (tid_key(t), time.time()))
    second = SQLiteStore(tmp_path, summarize=summarize)
    try:
        second.sync().result()
        (row,) = second.scan(TimeRangeType.TRACE_ID, 0, 1000, before=None, limit=5)
        assert row.trace_id == t and names(row) == ["svc"]
    finally:
        second.close()


def test_a_failing_summarizer_keeps_the_documents_and_is_counted(tmp_path: Path) -> None:
    def broken(documents: list[dict[str, Any]]) -> dict[str, Any]:
        raise ValueError("boom")

    store = SQLiteStore(tmp_path, summarize=broken)
    try:
        t = new_trace_id(700)
        store.put([doc(t, 700, 701)]).result()
        store.sync().result()
        (row,) = store.scan(TimeRangeType.TRACE_ID, 0, 1000, before=None, limit=5)
        assert row.facts is None and store.summary_failures == 1
        assert store.documents([t])
    finally:
        store.close()


def test_put_after_close_fails_loudly(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path)
    store.close()
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.put([doc(new_trace_id(1), 1, 2)]).result()


def test_scan_pushes_a_condition_down_to_the_summary_columns(store: SQLiteStore) -> None:
    a, b = new_trace_id(100), new_trace_id(101)
    store.put([doc(a, 100, 101, name="x"), doc(b, 101, 102, name="y"), doc(b, 101, 102, name="z")]).result()
    store.sync().result()
    rows = store.scan(TimeRangeType.TRACE_ID, 0, 200, before=None, limit=10, where=("flags = ?", (2,)))
    assert [(r.trace_id, r.matched) for r in rows] == [(b, True), (a, False)]  # every examined row
    assert rows[0].facts is not None and rows[1].facts is None  # facts are read for matches only
    rows = store.scan(TimeRangeType.TRACE_ID, 0, 200, before=None, limit=10, where=("instr(services, 'x')", ()))
    assert [r.trace_id for r in rows if r.matched] == [a]
    assert [r.trace_id for r in store.rows([b, new_trace_id(5), a])] == [b, a]


def test_counts(store: SQLiteStore) -> None:
    t = new_trace_id(1000)
    store.put([doc(t, 1000, 1001), doc(t, 1000, 1001)]).result()
    store.sync().result()
    counts = store.counts()
    assert counts["traces"] == 1 and counts["documents"] == 2 and counts["bytes"] > 0


def test_a_new_derivation_version_derives_every_trace_again(tmp_path: Path) -> None:
    t = new_trace_id(int(time.time()))
    first = SQLiteStore(tmp_path, summarize=summarize, version="v1")
    first.put([doc(t, 500, 501)]).result()
    first.close()

    def upper(documents: list[dict[str, Any]]) -> dict[str, Any]:
        return {"facts": orjson.dumps({"names": [d["name"].upper() for d in documents]}).decode()}

    same = SQLiteStore(tmp_path, summarize=upper, version="v1")  # same version: rows are kept as they are
    same.sync().result()
    assert names(same.rows([t])[0]) == ["svc"]
    same.close()
    second = SQLiteStore(tmp_path, summarize=upper, version="v2")
    try:
        second.sync().result()
        assert names(second.rows([t])[0]) == ["SVC"]
    finally:
        second.close()
