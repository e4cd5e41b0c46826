"""Screenshots of the otelray console for the README (docs/console-*.png).

``python scripts/screenshots.py`` starts ``otelray backend`` with its console on free ports and a
temporary data directory, sends a small shop's traces through boto3's PutTraceSegments, opens the
service map, the trace list and one trace's waterfall in the system Chromium and saves
``docs/console-map.png``, ``docs/console-traces.png`` and ``docs/console-waterfall.png``.
``take(console_url, out_dir, trace_id)`` does the browser part for any running console (the
browser tests call it).
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 860}
SHOTS = ("console-map.png", "console-traces.png", "console-waterfall.png")


def take(console_url: str, out_dir: Path, trace_id: str, browser: Any = None) -> list[Path]:
    """Save the map, the trace list and the waterfall of ``trace_id`` as PNG files in ``out_dir``.

    ``browser`` is a running playwright ``Browser``; without one, the system Chromium is started.
    """
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    if browser is not None:
        return _shoot(browser, console_url, out_dir, trace_id)
    with sync_playwright() as p:
        own = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            return _shoot(own, console_url, out_dir, trace_id)
        finally:
            own.close()


def _shoot(browser: Any, console_url: str, out_dir: Path, trace_id: str) -> list[Path]:
    from playwright.sync_api import expect

    paths = [out_dir / name for name in SHOTS]
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(f"{console_url}/map?range=900")
        page.wait_for_selector("svg.map .node")
        nodes = page.locator("svg.map .node:not(.client)")
        nodes.nth(min(1, nodes.count() - 1)).click()
        page.wait_for_selector("#panel .panel-title")
        page.screenshot(path=str(paths[0]))
        page.goto(f"{console_url}/traces?range=900")
        page.wait_for_selector("#trace-rows tr")
        page.screenshot(path=str(paths[1]))
        page.goto(f"{console_url}/traces/{trace_id}")
        expect(page.locator("#main")).to_have_attribute("data-rows", re.compile(r"\d+"))
        page.locator(".wf-row").first.click()
        page.wait_for_selector("#panel .tabs")
        page.screenshot(path=str(paths[2]))
    finally:
        page.close()
    return paths


def _id() -> str:
    return secrets.token_hex(8)


def _call(name: str, start: float, took: float, status: int, **extra: Any) -> dict[str, Any]:
    entity: dict[str, Any] = {"id": _id(), "name": name, "start_time": start, "end_time": start + took,
                              "http": {"response": {"status": status}}, **extra}
    if status == 429:
        entity.update(error=True, throttle=True)
    elif status >= 500:
        entity["fault"] = True
    elif status >= 400:
        entity["error"] = True
    return entity


def shop_trace(now: float, rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    """One request through a small shop: frontend → orders → DynamoDB, payments, PostgreSQL."""
    trace_id = f"1-{int(now):08x}-{secrets.token_hex(12)}"
    status = rng.choices([200, 404, 429, 500], weights=[85, 6, 3, 6])[0]
    orders_took = rng.uniform(0.03, 0.4)
    start = now - orders_took - 0.02
    table = _call("DynamoDB", start + 0.012, rng.uniform(0.004, 0.02), 200, namespace="aws",
                  aws={"operation": "GetItem", "table_name": "orders", "region": "us-east-1"})
    pay = _call("payments.example.com", start + 0.04, orders_took * 0.5, 500 if status == 500 else 200,
                namespace="remote", http={"request": {"method": "POST", "url": "https://payments.example.com/charge"},
                                          "response": {"status": 500 if status == 500 else 200}})
    sql = _call("orders@db.internal", start + 0.03, 0.006, 200, namespace="remote",
                sql={"url": "postgresql://db.internal/orders", "database_type": "PostgreSQL",
                     "sanitized_query": "SELECT * FROM orders WHERE id = $1"})
    call = _call("orders", start + 0.005, orders_took + 0.01, status, namespace="remote")
    frontend = _call("frontend", start, orders_took + 0.02, status, trace_id=trace_id, origin="AWS::EC2::Instance",
                     annotations={"customer_tier": rng.choice(["gold", "silver"])},
                     http={"request": {"method": rng.choice(["GET", "POST"]), "url": "https://shop.example.com/cart",
                                       "client_ip": "203.0.113.7"}, "response": {"status": status}},
                     subsegments=[call])
    orders = _call("orders", start + 0.007, orders_took, status, trace_id=trace_id, parent_id=call["id"],
                   origin="AWS::ECS::Container", subsegments=[table, sql, pay])
    if status == 500:
        pay["cause"] = {"working_directory": "/srv/orders", "exceptions": [
            {"id": _id(), "type": "PaymentDeclined", "message": "card issuer unavailable",
             "stack": [{"path": "orders/pay.py", "line": 42, "label": "charge"}]}]}
    return trace_id, [frontend, orders]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, timeout: float = 20.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def main() -> None:
    """Start a backend, send demo traces, write the screenshots to docs/."""
    import boto3

    out_dir = Path(__file__).resolve().parents[1] / "docs"
    api_port, console_port = _free_port(), _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen([sys.executable, "-m", "otelray", "backend", "--port", str(api_port),
                                    "--console-port", str(console_port), "--data-dir", f"{tmp}/data"])
        try:
            _wait(f"http://127.0.0.1:{console_port}/-/versions.json")
            xray = boto3.client("xray", endpoint_url=f"http://127.0.0.1:{api_port}", region_name="us-east-1",
                                aws_access_key_id="local", aws_secret_access_key="local")
            rng = random.Random(7)
            now = time.time()
            docs: list[str] = []
            faulted: list[str] = []
            for i in range(120):
                trace_id, entities = shop_trace(now - 600 + i * 5, rng)
                if entities[1]["subsegments"][2].get("cause"):
                    faulted.append(trace_id)
                docs.extend(json.dumps(e) for e in entities)
            for i in range(0, len(docs), 50):
                xray.put_trace_segments(TraceSegmentDocuments=docs[i : i + 50])
            time.sleep(1.0)
            for path in take(f"http://127.0.0.1:{console_port}", out_dir, faulted[-1]):
                print(path)
        finally:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
