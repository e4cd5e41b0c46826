"""Console benchmark: service-map layout by graph size, and the console's acceptance figures in Chromium.

``python bench/console.py`` prints two tables:

1. ``otelray.console.layout.layout_services`` (grandalf) on service-graph-shaped inputs — a client,
   entry services fanning out to downstream services and AWS resources, a few cross calls — of
   growing size. Target: a 100-node map in ≤ 0.5 s.
2. The console's acceptance measures, in headless system Chromium (playwright), each read from the
   Performance API: the marks the console's JS sets once its data is in the DOM
   (``otelray:traces-ready``, ``otelray:trace-ready``, ``otelray:map-ready``), relative to the
   navigation's time origin, and ``performance.now()`` around a scroll. One data dir is seeded with
   100,000 traces over the last hour across 50 services through the store's bulk path
   (``bench/backend.py``'s ``seed_store``), ``otelray backend --console-port`` is started on it on
   free ports, and one 20,000-subsegment trace is sent through boto3 PutTraceSegments. Targets:
   traces page (list + histogram) ≤ 1 s; the 20,000-subsegment waterfall drawn and scrolled to its
   last row ≤ 2 s; the 50-service map drawn ≤ 1 s. Each figure is the median of ``--runs`` fresh
   page loads (the worst one is printed beside it).

Run: ``python bench/console.py [--traces 100000] [--services 50] [--subsegments 20000] [--runs 5]
[--skip-layout]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
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


SCROLL_TO_END = """async (last) => {
  const viewport = document.getElementById("wf-viewport");
  const began = performance.now();
  viewport.scrollTop = viewport.scrollHeight;
  while (!viewport.querySelector(`.wf-row[data-key="${last}"]`)) {
    await new Promise((done) => requestAnimationFrame(done));
    if (performance.now() - began > 30000) throw new Error(`row ${last} never rendered`);
  }
  await new Promise((done) => requestAnimationFrame(done));
  return { ms: performance.now() - began, rows: viewport.querySelectorAll(".wf-row").length };
}"""


def _mark(page: Any, name: str) -> float:
    """Milliseconds from navigation start to the page's first ``name`` mark."""
    page.wait_for_function("(n) => performance.getEntriesByName(n, 'mark').length > 0", arg=name, timeout=60_000)
    return float(page.evaluate("(n) => performance.getEntriesByName(n, 'mark')[0].startTime", name))


def _fetched(page: Any, path: str) -> float:
    """Milliseconds from navigation start to the end of the last response whose URL contains ``path``."""
    return float(page.evaluate("(p) => Math.max(0, ...performance.getEntriesByType('resource')"
                               ".filter((e) => e.name.includes(p)).map((e) => e.responseEnd))", path))


def _traces_page(browser: Any, console: str) -> tuple[float, str]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{console}/traces?range=3600")
    ms = _mark(page, "otelray:traces-ready")
    data = _fetched(page, "/xray/TraceSummaries")
    rows = page.locator("#trace-rows tr").count()
    bars = page.locator("#histogram rect.bar").count()
    page.close()
    if not rows or not bars:
        raise RuntimeError(f"traces page marked ready with {rows} rows and {bars} histogram bars")
    return ms, f"data in at {data:.0f} ms; {rows} rows, {bars} bars"


def _waterfall(browser: Any, console: str, trace_id: str, entities: int) -> tuple[float, str]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{console}/traces/{trace_id}")
    opened = _mark(page, "otelray:trace-ready")
    data = _fetched(page, "/xray/Traces")
    rows = page.locator("#main").get_attribute("data-rows")
    if rows != str(entities):
        raise RuntimeError(f"waterfall has {rows} rows, expected {entities}")
    scrolled = page.evaluate(SCROLL_TO_END, entities - 1)
    page.close()
    return opened + scrolled["ms"], (f"data in at {data:.0f} ms; open {opened:.0f} + scroll {scrolled['ms']:.0f} ms, "
                                        f"{scrolled['rows']} DOM rows")


def _service_map(browser: Any, console: str, services: int, query: str) -> tuple[float, str]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{console}/map{query}")
    ms = _mark(page, "otelray:map-ready")
    data = _fetched(page, "/api/map-layout")
    nodes = page.locator("svg.map g.node:not(.client)").count()
    edges = page.locator("svg.map g.edge").count()
    page.close()
    if nodes < services:
        raise RuntimeError(f"map drawn with {nodes} nodes, expected at least {services} services")
    return ms, f"data in at {data:.0f} ms; {nodes} nodes, {edges} edges"


def _seed(data_dir: Path, traces: int, services: int) -> float:
    """100,000-trace store (3 documents each) over the last hour; returns seeding seconds."""
    import backend

    # backend.make_trace draws entry services from SERVICES[:4] and their callees from the rest.
    backend.SERVICES = ["shop", "cart", "auth", "search", *(f"svc-{i:02d}" for i in range(services - 4))]
    _, seconds = backend.seed_store(data_dir, traces * 3, time.time() - 3500.0)
    return seconds


def bench_console(args: argparse.Namespace) -> None:
    """Seed, start ``otelray backend`` with its console, and time the three pages in Chromium."""
    import backend
    from playwright.sync_api import sync_playwright
    from tests.integration.console_seed import seed_big

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        seeded_in = _seed(data_dir, args.traces, args.services)
        api_port, console_port = backend.free_port(), backend.free_port()
        process = subprocess.Popen([sys.executable, "-m", "otelray", "backend", "--port", str(api_port),
                                    "--console-port", str(console_port), "--data-dir", str(data_dir)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            backend.wait_http(console_port, "/-/versions.json")
            api, console = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{console_port}"
            big = seed_big(api, args.subsegments)  # each PutTraceSegments answers after COMMIT
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
                measures = [
                    (f"traces page ready, {args.traces:,} traces stored", 1000.0,
                     lambda: _traces_page(browser, console)),
                    (f"{args.subsegments:,}-subsegment trace open + scrolled to end", 2000.0,
                     lambda: _waterfall(browser, console, big, args.subsegments + 1)),
                    # As opened from the menu: the console's default window, the last 15 minutes.
                    (f"service map drawn, {args.services} services, 15 min", 1000.0,
                     lambda: _service_map(browser, console, args.services, "")),
                    (f"service map drawn, {args.services} services, 1 hour", 1000.0,
                     lambda: _service_map(browser, console, args.services, "?range=3600")),
                ]
                results = [(name, target, [run() for _ in range(args.runs)]) for name, target, run in measures]
                browser.close()
        finally:
            backend.stop(process)
    print(f"\nstore seeded in {seeded_in:.1f} s; median of {args.runs} page loads (worst in brackets)")
    print(f"{'measure':<52} {'otelray ms':>16} {'target ms':>10}  detail")
    for name, target, runs in results:
        times = [ms for ms, _ in runs]
        figure = f"{statistics.median(times):.0f} ({max(times):.0f})"
        verdict = "ok" if statistics.median(times) <= target else "MISSED"
        print(f"{name:<52} {figure:>16} {target:>10.0f}  {verdict}; {runs[-1][1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=int, default=100_000)
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--subsegments", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-layout", action="store_true")
    args = parser.parse_args()
    if not args.skip_layout:
        bench_layout()
    bench_console(args)


if __name__ == "__main__":
    main()
