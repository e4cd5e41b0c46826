"""X-Ray backend benchmark: `otelray backend` against `moto_server`, side by side, same load.

Measures, in one run on this machine:
- PutTraceSegments ingest (documents/s, durable for otelray: each call answers after COMMIT with
  synchronous=FULL) with several load processes sending raw HTTP bodies of 50 documents;
- GetTraceSummaries with filter expressions over a large store (seeded through the store's bulk path,
  ``SQLiteStore.put``; moto has no filter support and answers 500, so only the unfiltered call is
  timed there, on a smaller store seeded over HTTP);
- GetServiceGraph over one hour;
- bytes per stored document (database file after a checkpoint / documents).

Targets (from the design): ingest ≥ 30,000 docs/s (moto ~7,500/s), filtered GetTraceSummaries p50 ≤
300 ms at 1,000,000 documents, GetServiceGraph p50 ≤ 200 ms, ≤ 300 B per stored document.

Run: ``python bench/backend.py [--seconds 8] [--workers 4] [--threads 16] [--seed-docs 300000] [--ingest-only]``.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

SERVICES = ["shop", "cart", "auth", "search", "pay", "ship", "mail", "stock"]
FILTERS = [
    'service("shop")',
    'annotation.customer_tier = "gold"',
    "fault = true AND responsetime > 0.5",
    'http.url CONTAINS "/api/1"',
    'http.url CONTAINS "/nomatch"',
]


# -- documents ---------------------------------------------------------------------------------


def make_trace(rng: random.Random, t: float) -> list[bytes]:
    """Three documents like the store study's: root + child segment + standalone SQL subsegment."""
    trace_id = f"1-{int(t):08x}-{rng.getrandbits(96):024x}"
    ids = [f"{rng.getrandbits(64):016x}" for _ in range(5)]
    root, child = rng.choice(SERVICES[:4]), rng.choice(SERVICES[4:])
    resp = min(30.0, rng.lognormvariate(-2.5, 1.0))
    roll = rng.random()
    status = 500 if roll < 0.025 else 429 if roll < 0.035 else 404 if roll < 0.085 else 200
    tier = rng.choices(["gold", "silver", "bronze"], [2, 3, 5])[0]
    docs = [
        {"name": root, "id": ids[0], "trace_id": trace_id, "start_time": t, "end_time": t + resp,
         "origin": "AWS::EC2::Instance", "fault": status >= 500, "error": 400 <= status < 500,
         "throttle": status == 429,
         "http": {"request": {"method": "GET", "url": f"https://{root}.example.com/api/{rng.randrange(1000)}/items",
                              "client_ip": "10.0.0.1", "user_agent": "bench/1.0"},
                  "response": {"status": status, "content_length": 512}},
         "annotations": {"customer_tier": tier, "order_count": rng.randrange(50)},
         "aws": {"ec2": {"instance_id": "i-0123456789abcdef0", "availability_zone": "us-east-1a"}},
         "subsegments": [
             {"name": "DynamoDB", "id": ids[1], "namespace": "aws", "start_time": t + resp * 0.01,
              "end_time": t + resp * 0.2, "aws": {"operation": "GetItem", "table_name": "orders"},
              "http": {"response": {"status": 200}}},
             {"name": child, "id": ids[2], "namespace": "remote", "start_time": t + resp * 0.3,
              "end_time": t + resp * 0.9, "http": {"request": {"method": "POST", "url": f"http://{child}/v1"},
                                                   "response": {"status": 200}}},
         ]},
        {"name": child, "id": ids[3], "trace_id": trace_id, "parent_id": ids[2], "start_time": t + resp * 0.31,
         "end_time": t + resp * 0.88, "origin": "AWS::ECS::Container",
         "http": {"request": {"method": "POST", "url": f"http://{child}/v1"}, "response": {"status": 200}}},
        {"type": "subsegment", "name": "orders@db.internal", "id": ids[4], "trace_id": trace_id,
         "parent_id": ids[3], "namespace": "remote", "start_time": t + resp * 0.4, "end_time": t + resp * 0.8,
         "sql": {"url": "postgres://db.internal/orders", "database_type": "PostgreSQL",
                 "sanitized_query": "SELECT * FROM orders WHERE id = ?"}},
    ]
    return [orjson.dumps(d) for d in docs]


def make_bodies(seed: int, count: int, start: float, span: float) -> list[bytes]:
    """``count`` PutTraceSegments bodies of 50 documents (one trace = 3 documents, kept together)."""
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        docs: list[str] = []
        while len(docs) < 50:
            docs += [d.decode() for d in make_trace(rng, start + rng.random() * span)]
        bodies.append(orjson.dumps({"TraceSegmentDocuments": docs[:50]}))
    return bodies


# -- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(port: int, path: str = "/", timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port}")


def start(kind: str, data_dir: Path | None = None) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    if kind == "otelray":
        cmd = [sys.executable, "-m", "otelray", "backend", "--port", str(port), "--data-dir", str(data_dir)]
        probe = "/-/health"
    else:
        cmd = ["moto_server", "-p", str(port)]
        probe = "/moto-api/"
    proc = subprocess.Popen(["taskset", "-c", "0", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(port, probe)
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)


def signed_headers(port: int, path: str, body: bytes) -> dict[str, str]:
    """SigV4 headers for a POST (service xray, dummy credentials), as boto3 would send them."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest("POST", f"http://127.0.0.1:{port}{path}", data=body,
                         headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("testing", "testing"), "xray", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def post(conn: http.client.HTTPConnection, path: str, body: bytes, headers: dict[str, str] | None = None
         ) -> tuple[int, bytes]:
    port = conn.port or 80
    conn.request("POST", path, body, headers or signed_headers(port, path, body))
    response = conn.getresponse()
    return response.status, response.read()


def _load_worker(port: int, seed: int, nbodies: int, seconds: float, threads: int, barrier: Any, out: Any) -> None:
    """One load process: ``threads`` keep-alive connections posting pre-signed 50-document bodies."""
    import threading

    try:
        os.sched_setaffinity(0, {1})
    except (AttributeError, OSError):
        pass
    now = time.time()
    bodies = make_bodies(seed, nbodies, now - 600, 600)
    headers = [signed_headers(port, "/TraceSegments", body) for body in bodies]
    counts = [[0, 0, False] for _ in range(threads)]
    start = threading.Event()

    def run(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        deadline = time.monotonic() + seconds
        mine = range(k, len(bodies), threads)
        for n, i in enumerate(mine):
            if time.monotonic() >= deadline:
                return
            status, answer = post(conn, "/TraceSegments", bodies[i], headers[i])
            if status == 200 and b'"UnprocessedTraceSegments":[]' in answer.replace(b" ", b""):
                counts[k][0] += 50
            else:
                counts[k][1] += 1
            counts[k][2] = n == len(mine) - 1

    pool = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    start.set()
    for t in pool:
        t.join()
    out.put((sum(c[0] for c in counts), sum(c[1] for c in counts), any(c[2] for c in counts)))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all threads (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ingest(port: int, workers: int, threads: int, seconds: float, docs_per_s_cap: int, pid: int
           ) -> tuple[float, int, float]:
    """Documents/s acknowledged over ``seconds`` with ``workers`` load processes of ``threads`` each,
    failed calls, and documents per second of server CPU (robust against other load on the machine)."""
    nbodies = int(docs_per_s_cap * seconds / 50 / workers) + 1
    barrier, out = mp.Barrier(workers + 1), mp.Queue()
    procs = [mp.Process(target=_load_worker, args=(port, 1000 + w, nbodies, seconds, threads, barrier, out))
             for w in range(workers)]
    for p in procs:
        p.start()
    barrier.wait()
    t0, cpu0 = time.monotonic(), cpu_seconds(pid)
    results = [out.get() for _ in procs]
    elapsed, cpu = time.monotonic() - t0, cpu_seconds(pid) - cpu0
    for p in procs:
        p.join()
    if any(r[2] for r in results):
        print("  (a worker ran out of pre-built bodies: raise --cap)", file=sys.stderr)
    done = sum(r[0] for r in results)
    return done / elapsed, sum(r[1] for r in results), done / cpu if cpu else 0.0


def timed(port: int, path: str, body: dict[str, Any], reps: int) -> tuple[float, int]:
    """p50 milliseconds of a POST and the HTTP status of the last answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    raw = orjson.dumps(body)
    headers = signed_headers(port, path, raw)
    times, status = [], 0
    for _ in range(reps):
        t0 = time.perf_counter()
        status, _ = post(conn, path, raw, headers)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), status


# -- seeding -----------------------------------------------------------------------------------


def seed_store(data_dir: Path, docs: int, start: float) -> tuple[float, float]:
    """Write ``docs`` documents over one hour from ``start`` through ``SQLiteStore.put``; docs/s, s."""
    from otelray.service import analysis
    from otelray.service.store.base import StoredDocument
    from otelray.service.store.sqlite import SQLiteStore

    store = SQLiteStore(data_dir, summarize=analysis.summarize, rollups=analysis.GraphRollup(),
                        version=analysis.derivation_version())
    rng = random.Random(7)
    t0 = time.perf_counter()
    pending = []
    made = 0
    batch: list[StoredDocument] = []
    while made < docs:
        t = start + 3600.0 * made / docs
        for raw in make_trace(rng, t):
            d = orjson.loads(raw)
            batch.append(StoredDocument(d["trace_id"], d["id"], raw, True, d["start_time"], d.get("end_time")))
        made += 3
        if len(batch) >= 500:
            pending.append(store.put(batch))
            batch = []
            if len(pending) > 8:
                pending.pop(0).result()
    if batch:
        pending.append(store.put(batch))
    for future in pending:
        future.result()
    store.sync().result()
    elapsed = time.perf_counter() - t0
    store.close()
    with sqlite3.connect(data_dir / "traces.sqlite3") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return made / elapsed, elapsed


def seed_moto(port: int, docs: int, start: float) -> None:
    rng = random.Random(9)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    made = 0
    while made < docs:
        batch: list[str] = []
        while len(batch) < 48:
            batch += [d.decode() for d in make_trace(rng, start + 3600.0 * made / docs)]
            made += 3
        post(conn, "/TraceSegments", orjson.dumps({"TraceSegmentDocuments": batch}))


# -- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="ingest duration per server")
    parser.add_argument("--workers", type=int, default=4, help="load-generating processes")
    parser.add_argument("--threads", type=int, default=16, help="connections (threads) per load process")
    parser.add_argument("--cap", type=int, default=80_000, help="highest docs/s the pre-built load can feed")
    parser.add_argument("--seed-docs", type=int, default=300_000, help="documents in the query store (1 hour)")
    parser.add_argument("--moto-seed-docs", type=int, default=30_000, help="documents seeded into moto")
    parser.add_argument("--ingest-only", action="store_true", help="skip the query measurements")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    work = Path(tempfile.mkdtemp(prefix="otelray-bench-"))
    try:
        proc, port = start("otelray", work / "ingest")
        otel_rate, otel_fail, otel_cpu = ingest(port, args.workers, args.threads, args.seconds, args.cap, proc.pid)
        stop(proc)
        proc, port = start("moto")
        moto_rate, moto_fail, moto_cpu = ingest(port, args.workers, args.threads, args.seconds, args.cap, proc.pid)
        stop(proc)
        rows.append(("PutTraceSegments docs/s (50/call)", f"{otel_rate:,.0f} (durable)", f"{moto_rate:,.0f} (memory)",
                     f"{otel_rate / moto_rate:.1f}x" if moto_rate else "-"))
        rows.append(("  same, per server CPU-second", f"{otel_cpu:,.0f}", f"{moto_cpu:,.0f}",
                     f"{otel_cpu / moto_cpu:.1f}x" if moto_cpu else "-"))
        if otel_fail or moto_fail:
            print(f"failed calls: otelray {otel_fail}, moto {moto_fail}", file=sys.stderr)

        if args.ingest_only:
            return report(rows, args)
        hour = (time.time() - 2 * 3600) // 3600 * 3600  # one whole, complete hour
        seed_rate, seed_s = seed_store(work / "query", args.seed_docs, hour)
        size = (work / "query" / "traces.sqlite3").stat().st_size
        rows.append((f"bulk seed {args.seed_docs:,} docs", f"{seed_rate:,.0f} docs/s ({seed_s:.0f} s)", "-", "-"))
        rows.append(("bytes per stored document", f"{size / args.seed_docs:.0f}", "-", "-"))

        proc, port = start("otelray", work / "query")
        moto, mport = start("moto")
        seed_moto(mport, args.moto_seed_docs, hour)
        window = {"StartTime": hour, "EndTime": hour + 3600}
        for expression in [None, *FILTERS]:
            body = dict(window, **({"FilterExpression": expression} if expression else {}))
            ms, status = timed(port, "/TraceSummaries", body, 20)
            mms, mstatus = timed(mport, "/TraceSummaries", body, 5)
            moto_cell = f"{mms:.1f} ms @{args.moto_seed_docs // 1000}k" if mstatus == 200 else f"HTTP {mstatus}"
            rows.append((f"GetTraceSummaries {expression or '(no filter)'} p50", f"{ms:.1f} ms ({status})",
                         moto_cell, "-"))
        first, _ = timed(port, "/ServiceGraph", window, 1)  # builds the hourly rollup rows
        rows.append(("GetServiceGraph 1 hour, first call", f"{first:.0f} ms", "-", "-"))
        ms, status = timed(port, "/ServiceGraph", window, 5)
        mms, mstatus = timed(mport, "/ServiceGraph", window, 5)
        rows.append(("GetServiceGraph 1 hour p50", f"{ms:.0f} ms ({status})",
                     f"{mms:.1f} ms (always empty)" if mstatus == 200 else f"HTTP {mstatus}", "-"))
        stop(proc)
        stop(moto)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(rows, args)


def report(rows: list[tuple[str, str, str, str]], args: argparse.Namespace) -> None:
    """Print the comparison table."""
    print(f"\nX-Ray backend benchmark ({os.cpu_count()} cores; servers on core 0, load on core 1; "
          f"query store {args.seed_docs:,} docs over 1 hour; load average {os.getloadavg()[0]:.1f})\n")
    widths = [max(len(r[i]) for r in [*rows, ("measure", "otelray", "moto_server", "ratio")]) for i in range(4)]
    for row in [("measure", "otelray", "moto_server", "ratio"), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
