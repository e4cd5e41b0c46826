"""The whole developer loop: ``otelray up`` + ``otelray run`` on examples/shop against a moto server.

The service graph must show client → shop → inventory, shop → DynamoDB table / S3 / SQS (inferred
AWS nodes) and the SQLite database, with request and error counts that match what was sent; an
incoming ``X-Amzn-Trace-Id`` is continued.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import requests

from tests.integration.stack import free_tcp_port, start_stack

pytestmark = pytest.mark.integration
SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"
INCOMING = "Root=1-6a0a0a0a-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"


def _wait_listening(port: int, proc: subprocess.Popen, log: Path) -> None:
    """Wait for a TCP listener without sending a request (a probe would show up in the graph)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"port {port} owner exited:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listens on {port}:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shop")
    moto_port = free_tcp_port()
    moto = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(moto_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    up, ports, _log = start_stack(tmp)
    inv_port, shop_port = free_tcp_port(), free_tcp_port()
    env = dict(
        os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{moto_port}", INVENTORY_PORT=str(inv_port), SHOP_PORT=str(shop_port),
        INVENTORY_URL=f"http://127.0.0.1:{inv_port}", SHOP_DB=str(tmp / "shop.sqlite"), SHOP_CREATE_RESOURCES="0",
        OTEL_BSP_SCHEDULE_DELAY="200",
    )
    procs = [moto, up]
    try:
        _wait_listening(moto_port, moto, tmp / "up.log")
        subprocess.run([sys.executable, "-c", "import app; app.create_resources()"], cwd=SHOP, env=env, check=True)
        for name, port in (("inventory", inv_port), ("shop", shop_port)):
            log = tmp / f"{name}.log"
            script = "inventory.py" if name == "inventory" else "app.py"
            proc = subprocess.Popen(
                [sys.executable, "-m", "otelray", "run", "--service-name", name,
                 "--endpoint", f"http://127.0.0.1:{ports['otlp_http']}", "--", sys.executable, str(SHOP / script)],
                env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
            )
            procs.append(proc)
            _wait_listening(port, proc, log)
        yield f"http://127.0.0.1:{shop_port}", ports
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def _xray(ports):
    return boto3.client("xray", endpoint_url=f"http://127.0.0.1:{ports['xray']}", region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _graph(ports, start):
    services = _xray(ports).get_service_graph(StartTime=start, EndTime=time.time() + 5)["Services"]
    by_ref = {s["ReferenceId"]: s for s in services}
    edges = {}
    for service in services:
        for edge in service["Edges"]:
            target = by_ref[edge["ReferenceId"]]
            key = (service["Name"], service.get("Type"), target["Name"], target.get("Type"))
            edges[key] = edge["SummaryStatistics"]
    return services, edges


def test_service_graph_of_the_shop(shop):
    url, ports = shop
    start = time.time()
    statuses = [requests.get(f"{url}/cart/ann", timeout=10).status_code for _ in range(3)]
    for item in ("apple", "apple", "kiwi", "pear"):
        statuses.append(requests.post(f"{url}/buy/ann/{item}", timeout=10).status_code)
    assert statuses == [200, 200, 200, 201, 201, 404, 409]

    def complete():
        _services, edges = _graph(ports, start)
        client_shop = edges.get(("shop", "client", "shop", None), {})
        return edges if client_shop.get("TotalCount") == 7 and len(edges) >= 6 else None

    deadline = time.monotonic() + 20
    while not (edges := complete()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert edges, {k: v["TotalCount"] for k, v in _graph(ports, start)[1].items()}
    client_shop = edges[("shop", "client", "shop", None)]
    assert client_shop["ErrorStatistics"]["TotalCount"] == 2  # the 404 and the 409
    assert client_shop["FaultStatistics"]["TotalCount"] == 0
    shop_inventory = edges[("shop", None, "inventory", None)]
    assert shop_inventory["TotalCount"] == 4 and shop_inventory["ErrorStatistics"]["TotalCount"] == 1
    table = edges[("shop", None, "shop-carts", "AWS::DynamoDB::Table")]
    assert table["TotalCount"] == 5  # three get_item, two put_item
    targets = {(target, kind) for (src, _t, target, kind) in edges if src == "shop"}
    assert ("S3", "AWS::S3") in targets or any(kind and kind.startswith("AWS::S3") for _n, kind in targets)
    assert any(kind and kind.startswith("AWS::SQS") for _n, kind in targets)
    # SQLite calls are SQL subsegments; the sqlite3 instrumentation sets no db.name, so X-Ray's naming
    # rules fall back to the span name (the SQL verb), exactly as the ADOT exporter does.
    assert ("INSERT", "Database::SQL") in targets, targets


def test_incoming_trace_header_is_continued(shop):
    url, ports = shop
    assert requests.get(f"{url}/cart/bob", headers={"X-Amzn-Trace-Id": INCOMING}, timeout=10).status_code == 200
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        traces = _xray(ports).batch_get_traces(TraceIds=["1-6a0a0a0a-0123456789abcdef01234567"])["Traces"]
        docs = [json.loads(s["Document"]) for t in traces for s in t["Segments"]]
        shop_segments = [d for d in docs if d["name"] == "shop"]
        if shop_segments and any(d.get("namespace") == "aws" or d.get("inferred") for d in docs):
            break
        time.sleep(0.5)
    assert shop_segments and shop_segments[0]["parent_id"] == "53995c3f42cd8ad8"


def test_load_script_runs(shop):
    url, _ports = shop
    out = subprocess.run([sys.executable, str(SHOP / "load.py"), "--url", url, "--rate", "20", "--seconds", "1"],
                         capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.startswith("sent ")
