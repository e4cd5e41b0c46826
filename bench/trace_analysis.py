"""Benchmark: trace analysis — facts per trace, filter evaluation and GetTraceSummaries-style queries.

Generates traces shaped like ``reference/store-feasibility.md`` ("Test data": a root segment with HTTP,
annotations ``customer_tier``/``order_count``, EC2 data, a DynamoDB call and a remote call answered
by a second service, whose independent SQL subsegment arrives first; 8 services, 4 of them roots;
2.5 % faults, 1 % throttles, 5 % other 4xx; log-normal response times around 80 ms), spread evenly
over one hour, then measures on one core:

(a) ``trace_facts`` + ``to_row`` per trace (the cost the store pays per trace update),
(b) ``TraceFacts.from_row`` + ``TraceFilter.matches`` per trace (the exact check),
(c) first page (100 summaries, newest first) of GetTraceSummaries over the whole hour for the
    store-feasibility filters: SQL pushdown over a ``SUMMARY_COLUMNS`` table keyed by
    ``(start_time, trace_id)`` (the facts blob in its own table), then ``matches`` and ``summary()``
    on each candidate — wall p50/p95 and CPU p50 over repetitions (CPU time shows the work itself
    when other jobs share the machine).

Target: (c) p50 ≤ 300 ms for 333,334 traces.

    python bench/trace_analysis.py [--traces 333334] [--repeat 15] [--db /tmp/analysis.db]
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from otelray.service.facts import SUMMARY_COLUMNS, TraceFacts, trace_facts
from otelray.service.filters import compile_filter

HOUR0 = 1_795_500_000.0
SERVICES = ["shop", "cart", "search", "auth", "payments", "inventory", "shipping", "reviews"]
ROOTS = SERVICES[:4]
PAGE = 100
TARGET_MS = 300.0
QUERIES = [
    ("time range only", None),
    ('service("shop")', 'service("shop")'),
    ('annotation.customer_tier = "gold"', 'annotation.customer_tier = "gold"'),
    ("fault = true AND responsetime > 0.5", "fault = true AND responsetime > 0.5"),
    ('http.url CONTAINS "/api/1"', 'http.url CONTAINS "/api/1"'),
    ('service("payments") { fault }', 'service("payments") { fault }'),
    ("annotation.order_count = 7 AND fault", "annotation.order_count = 7 AND fault"),
    ('worst: http.url CONTAINS "/nomatch"', 'http.url CONTAINS "/nomatch"'),
    ('worst: service("nosuch")', 'service("nosuch")'),
    ('worst: annotation.customer_tier = "platinum"', 'annotation.customer_tier = "platinum"'),
    ('edge("shop", "payments") { error }', 'edge("shop", "payments") { error }'),
]


def _status(rng: random.Random) -> int:
    r = rng.random()
    return 500 if r < 0.025 else 429 if r < 0.035 else 404 if r < 0.085 else 200


def make_trace(i: int, t: float, rng: random.Random) -> list[dict[str, Any]]:
    """One generated trace: root + DynamoDB + remote call → child service → independent SQL subsegment."""
    trace_id = f"1-{int(t):08x}-{i:024x}"
    root_name, child_name = ROOTS[i % 4], SERVICES[4 + (i // 4) % 4]
    resp = min(30.0, rng.lognormvariate(math.log(0.08), 0.8))
    status = _status(rng)
    ids = [f"{i * 8 + k:016x}" for k in range(6)]
    root = {
        "id": ids[0], "trace_id": trace_id, "name": root_name, "origin": "AWS::EC2::Instance",
        "start_time": t, "end_time": t + resp,
        "http": {"request": {"method": "GET", "url": f"https://{root_name}.example.com/api/{i % 1000}/items",
                             "client_ip": "10.0.0.1", "user_agent": "bench"}, "response": {"status": status}},
        "aws": {"ec2": {"instance_id": f"i-{i % 16:04x}", "availability_zone": "us-east-1a"}},
        "annotations": {"customer_tier": rng.choices(["gold", "silver", "bronze"], [2, 3, 5])[0],
                        "order_count": rng.randrange(50)},
        "subsegments": [
            {"id": ids[1], "name": "DynamoDB", "namespace": "aws", "start_time": t + resp * 0.05,
             "end_time": t + resp * 0.2, "aws": {"operation": "GetItem", "table_name": "orders"}},
            {"id": ids[2], "name": child_name, "namespace": "remote", "start_time": t + resp * 0.3,
             "end_time": t + resp * 0.9, "fault": status == 500,
             "http": {"request": {"method": "POST", "url": f"https://{child_name}.internal/x"},
                      "response": {"status": 500 if status == 500 else 200}}},
        ],
    }
    child = {"id": ids[3], "trace_id": trace_id, "name": child_name, "parent_id": ids[2],
             "start_time": t + resp * 0.32, "end_time": t + resp * 0.88, "fault": status == 500,
             "http": {"request": {"method": "POST", "url": f"https://{child_name}.internal/x"},
                      "response": {"status": 500 if status == 500 else 200}}}
    sql = {"id": ids[4], "trace_id": trace_id, "type": "subsegment", "parent_id": ids[3], "name": "app@db.internal",
           "namespace": "remote", "start_time": t + resp * 0.4, "end_time": t + resp * 0.8,
           "sql": {"database_type": "PostgreSQL", "sanitized_query": "SELECT 1"}}
    return [sql, root, child]


def build(n: int, path: Path) -> tuple[sqlite3.Connection, float, list[list[dict[str, Any]]]]:
    rng = random.Random(7)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA cache_size=-65536")
    columns = ", ".join(f'"{c}" {k}' for c, k in SUMMARY_COLUMNS.items() if c != "facts")
    # time-ordered primary key, as the store keeps traces (trace id = epoch + random): scans are sequential;
    # the facts blob lives in its own table so that scans read only the small filter columns
    conn.execute(f"CREATE TABLE trace({columns}, PRIMARY KEY(start_time, trace_id)) WITHOUT ROWID")
    conn.execute("CREATE TABLE facts(trace_id TEXT PRIMARY KEY, facts TEXT)")
    names = [c for c in SUMMARY_COLUMNS if c != "facts"]
    insert = f"INSERT INTO trace VALUES ({', '.join('?' * len(names))})"
    sample: list[list[dict[str, Any]]] = []
    cpu = 0.0
    batch: list[tuple[Any, ...]] = []
    blobs: list[tuple[str, str]] = []
    for i in range(n):
        docs = make_trace(i, HOUR0 + 3600.0 * i / n, rng)
        if i < 2000:
            sample.append(docs)
        t0 = time.process_time()
        row = trace_facts(docs).to_row()
        cpu += time.process_time() - t0
        batch.append(tuple(row[c] for c in names))
        blobs.append((row["trace_id"], row["facts"]))
        if len(batch) == 5000:
            conn.executemany(insert, batch)
            conn.executemany("INSERT INTO facts VALUES (?, ?)", blobs)
            batch.clear()
            blobs.clear()
    conn.executemany(insert, batch)
    conn.executemany("INSERT INTO facts VALUES (?, ?)", blobs)
    conn.commit()
    return conn, cpu / n * 1e6, sample


def first_page(conn: sqlite3.Connection, expression: str | None) -> int:
    filt = compile_filter(expression) if expression else None
    where = filt.sql() if filt else None
    clause = f" AND ({where.clause})" if where else ""
    params: tuple[Any, ...] = where.params if where else ()
    sql = (f"SELECT trace_id, start_time FROM trace WHERE start_time >= ? AND start_time < ?{clause} "
           "ORDER BY start_time DESC LIMIT 1000")
    found: list[dict[str, Any]] = []
    upper = HOUR0 + 3600.0
    while len(found) < PAGE:
        rows = conn.execute(sql, (HOUR0, upper, *params)).fetchall()
        for trace_id, _ in rows:
            blob = conn.execute("SELECT facts FROM facts WHERE trace_id = ?", (trace_id,)).fetchone()[0]
            item = TraceFacts.from_row({"trace_id": trace_id, "facts": blob})
            if filt is None or where is None or where.exact or filt.matches(item):
                found.append(item.summary())
                if len(found) == PAGE:
                    break
        if len(rows) < 1000:
            break
        upper = rows[-1][1]
    return len(found)


def per_trace(sample: list[list[dict[str, Any]]]) -> tuple[float, float]:
    rows = [trace_facts(d).to_row() for d in sample]
    filt = compile_filter('service("payments") { fault } AND annotation.customer_tier = "gold"')
    t0 = time.process_time()
    for row in rows:
        TraceFacts.from_row(row)
    decode = time.process_time() - t0
    facts = [TraceFacts.from_row(r) for r in rows]
    t0 = time.process_time()
    for f in facts:
        filt.matches(f)
    match = time.process_time() - t0
    return decode / len(rows) * 1e6, match / len(rows) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=333_334)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", help="database file to build once and reuse on later runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        if path.exists():  # reuse a database built by an earlier run (--db), measuring (a) on a sample
            conn = sqlite3.connect(path)
            rng = random.Random(7)
            sample = [make_trace(i, HOUR0 + i, rng) for i in range(2000)]
            t1 = time.process_time()
            for docs in sample:
                trace_facts(docs).to_row()
            facts_us = (time.process_time() - t1) / len(sample) * 1e6
            print(f"reusing {path} ({conn.execute('SELECT count(*) FROM trace').fetchone()[0]:,} traces)")
        else:
            conn, facts_us, sample = build(args.traces, path)
            print(f"built {args.traces:,} traces in {time.perf_counter() - t0:.1f} s")
        decode_us, match_us = per_trace(sample)
        print(f"(a) trace_facts + to_row : {facts_us:8.1f} µs/trace (CPU)")
        print(f"(b) from_row             : {decode_us:8.1f} µs/trace;  matches: {match_us:.2f} µs/trace")
        print(f"\n(c) first page of {PAGE}, whole hour, target p50 ≤ {TARGET_MS:.0f} ms")
        print(f"{'query':48} {'hits':>5} {'pushdown':>9} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8}  verdict")
        for label, expression in QUERIES:
            times, cpu = [], []
            hits = 0
            for _ in range(args.repeat):
                t1, c1 = time.perf_counter(), time.process_time()
                hits = first_page(conn, expression)
                times.append((time.perf_counter() - t1) * 1000)
                cpu.append((time.process_time() - c1) * 1000)
            p50 = statistics.median(times)
            p95 = sorted(times)[max(0, math.ceil(0.95 * len(times)) - 1)]
            kind = "-" if expression is None else ("exact" if compile_filter(expression).sql().exact else "partial")
            verdict = "ok" if p50 <= TARGET_MS else "MISSED"
            print(f"{label:48} {hits:5d} {kind:>9} {p50:8.2f} {p95:8.2f} {statistics.median(cpu):8.2f}  {verdict}")
        conn.close()


if __name__ == "__main__":
    main()
