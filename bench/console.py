"""Console benchmark: service-map layout time by graph size, and opening a 20,000-subsegment trace.

``python bench/console.py`` prints two tables:

1. ``otelray.console.layout.layout_services`` (grandalf) on service-graph-shaped inputs — a client,
   entry services fanning out to downstream services and AWS resources, a few cross calls — of
   growing size. Target: a 100-node map in ≤ 0.5 s.
2. ``otelray backend`` with its console on free ports, one trace of N subsegments sent through
   boto3 PutTraceSegments, opened in headless Chromium: time until the waterfall is drawn and the
   number of rows in the DOM. Target: 20,000 subsegments open in ≤ 3 s with < 200 rows in the DOM.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from otelray.console.layout import layout_services  # noqa: E402


def service_graph(nodes: int, seed: int = 7) -> list[dict[str, Any]]:
    """A layered, service-map-like graph: ~5 % entry services, 3 downstream calls each, some cross calls."""
    rng = random.Random(seed)
    stats = {"TotalCount": 10, "OkCount": 9, "TotalResponseTime": 1.0,
             "FaultStatistics": {"TotalCount": 1, "OtherCount": 1}}
    entries = max(1, nodes // 20)
    services: list[dict[str, Any]] = [{"ReferenceId": 0, "Name": "client", "Type": "client",
                                       "Edges": [{"ReferenceId": i, "SummaryStatistics": stats}
                                                 for i in range(1, entries + 1)]}]
    for ref in range(1, nodes):
        targets = {min(nodes - 1, ref + entries + rng.randrange(1, 3 * entries + 2)) for _ in range(3)}
        if rng.random() < 0.1:
            targets.add(rng.randrange(1, nodes))
        targets.discard(ref)
        services.append({"ReferenceId": ref, "Name": f"svc-{ref}", "Type": "AWS::ECS::Container",
                         "SummaryStatistics": stats,
                         "Edges": [{"ReferenceId": t, "SummaryStatistics": stats} for t in sorted(targets)
                                   if ref < nodes - entries]})
    return services


def bench_layout() -> None:
    print(f"{'nodes':>6} {'edges':>6} {'layout s':>9}")
    for nodes in (10, 50, 100, 200, 400, 1000):
        services = service_graph(nodes)
        edges = sum(len(s["Edges"]) for s in services)
        began = time.perf_counter()
        layout_services(services)
        print(f"{nodes:>6} {edges:>6} {time.perf_counter() - began:>9.3f}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_waterfall(sizes: tuple[int, ...] = (1_000, 5_000, 20_000)) -> None:
    import httpx
    from playwright.sync_api import expect, sync_playwright
    from tests.integration.console_seed import seed_big, wait_for_summaries

    api, console = _free_port(), _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen([sys.executable, "-m", "otelray", "backend", "--port", str(api),
                                    "--console-port", str(console), "--data-dir", f"{tmp}/data"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    httpx.get(f"http://127.0.0.1:{console}/-/versions.json", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            traces = {n: seed_big(f"http://127.0.0.1:{api}", n) for n in sizes}
            wait_for_summaries(f"http://127.0.0.1:{api}", list(traces.values()), timeout=60)
            print(f"\n{'subsegments':>11} {'open s':>7} {'DOM rows':>9}")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                for n, trace_id in traces.items():
                    began = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{console}/traces/{trace_id}")
                    expect(page.locator("#main")).to_have_attribute("data-rows", str(n + 1), timeout=60_000)
                    took = time.perf_counter() - began
                    print(f"{n:>11} {took:>7.2f} {page.locator('.wf-row').count():>9}")
                browser.close()
        finally:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


if __name__ == "__main__":
    bench_layout()
    bench_waterfall()
