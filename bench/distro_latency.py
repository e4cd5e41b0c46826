"""Distro benchmark: request latency the instrumentation adds to the shop example (examples/shop).

The shop (Flask; DynamoDB, S3 and SQS through boto3 against a ``moto_server``; SQLite; an HTTP call
to the inventory service) runs three ways at the same time, each on its own port:

- bare ``python app.py``,
- ``otelray run -- python app.py`` exporting OTLP/HTTP to ``otelray up``,
- ``opentelemetry-instrument`` with the ADOT Python distro (aws-opentelemetry-distro, the venv
  ``bench/distro.py`` caches under ~/.cache/otelray-bench, plus Flask and boto3) exporting to the
  same ``otelray up``.

Both instrumented shops sample every trace (``parentbased_always_on``) and send no metrics or logs.
The inventory service runs bare and is shared. Requests go one at a time, ``GET /cart/<user>``
(one DynamoDB call) and ``POST /buy/<user>/apple`` (inventory, SQLite, DynamoDB, S3, two SQS calls),
round-robin over the three shops so that machine load hits every variant alike; the table gives
client-side p50/p99 latency per endpoint and variant, each variant's ratio to bare Python, and the
shop process's CPU time per round (user + system, ``/proc/<pid>/stat``), the steadier figure on a
busy machine. ``--breakdown`` adds two more ``otelray run`` shops (no exporter; ``always_off``
sampler) to show where the added cost goes. Run: ``python bench/distro_latency.py [--rounds 200]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "examples" / "shop"
ENDPOINTS = ("GET /cart", "POST /buy")
#: service.name of each instrumented shop, to count its traces in the backend afterwards
SERVICES = {"otelray run": "shop-otelray", "ADOT (aws-opentelemetry-distro)": "shop-adot"}


def _bench_distro():
    """bench/distro.py (its venv cache and environment), loaded by path."""
    spec = importlib.util.spec_from_file_location("bench_distro", Path(__file__).with_name("distro.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    """A port free for TCP and UDP on 127.0.0.1 (``otelray up`` takes both for X-Ray)."""
    while True:
        with socket.socket() as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port


def wait_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Wait until something listens on ``port`` (without sending a request)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"process for port {port} exited:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}:\n{log.read_text(errors='replace')}")


@contextmanager
def process(command: list[str], log: Path, env: dict[str, str], cwd: Path = SHOP) -> Iterator[subprocess.Popen]:
    """Run ``command`` with output to ``log``; stop it by PID on exit."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def start_up(stack: ExitStack, tmp: Path) -> dict[str, int]:
    """Start ``otelray up`` on free ports; return them."""
    ports = {name: free_port() for name in ("otlp-grpc", "otlp-http", "xray", "health", "telemetry")}
    args = [arg for name, port in ports.items() for arg in (f"--{name}-port", str(port))]
    log = tmp / "up.log"
    proc = stack.enter_context(process([sys.executable, "-m", "otelray", "up", "--data-dir", str(tmp / "up"),
                                        "--console-port", "0", *args], log, dict(os.environ), cwd=tmp))
    deadline = time.monotonic() + 60
    while "otelray is up" not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("otelray up did not come up:\n" + log.read_text(errors="replace"))
        time.sleep(0.1)
    return ports


def adot_python(distro) -> Path:
    """The cached ADOT venv's python, with the shop's libraries (Flask, boto3) installed in it."""
    venv = distro.ensure_venv(Path.home() / ".cache" / "otelray-bench", "adot-venv")
    python = venv / "bin" / "python"
    if subprocess.run([str(python), "-c", "import flask, boto3, requests"], capture_output=True).returncode:
        print("installing flask, boto3 into the ADOT venv ...", flush=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "flask", "boto3"], check=True)
    return venv


def shop_variants(
    distro, endpoint: str, base: dict[str, str], *, breakdown: bool = False
) -> dict[str, tuple[list[str], dict[str, str]]]:
    """name -> (command prefix that runs a python program, environment)

    ``breakdown`` adds two ``otelray run`` shops that show where the added cost goes: one that
    records spans but exports none, one whose sampler records nothing (instrumentation wrappers only).
    """
    venv = adot_python(distro)
    traced = distro.base_env(endpoint) | {k: v for k, v in base.items() if not k.startswith("OTEL_")}
    traced |= {"OTEL_TRACES_SAMPLER": "parentbased_always_on"}
    adot = traced | {"OTEL_PYTHON_DISTRO": "aws_distro", "OTEL_PYTHON_CONFIGURATOR": "aws_configurator",
                     "OTEL_SERVICE_NAME": SERVICES["ADOT (aws-opentelemetry-distro)"]}
    ours = [str(distro.HERE_BIN / "otelray"), "run", "--", sys.executable]
    extra = {
        "otelray run, no exporter": (ours, traced | {"OTEL_TRACES_EXPORTER": "none"}),
        "otelray run, always_off sampler": (ours, traced | {"OTEL_TRACES_SAMPLER": "always_off"}),
    }
    return {
        "bare python": ([sys.executable], base),
        "otelray run": (ours, traced | {"OTEL_SERVICE_NAME": SERVICES["otelray run"]}),
        "ADOT (aws-opentelemetry-distro)": ([str(venv / "bin" / "opentelemetry-instrument"),
                                             str(venv / "bin" / "python")], adot),
        **(extra if breakdown else {}),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_round(session: requests.Session, url: str, user: str) -> tuple[float, float]:
    """Latency (s) of GET /cart/<user> and POST /buy/<user>/apple."""
    times = []
    for method, path, status in (("GET", f"/cart/{user}", 200), ("POST", f"/buy/{user}/apple", 201)):
        start = time.perf_counter()
        answer = session.request(method, url + path, timeout=30)
        times.append(time.perf_counter() - start)
        if answer.status_code != status:
            raise SystemExit(f"{method} {url}{path} answered {answer.status_code}: {answer.text[:200]}")
    return times[0], times[1]


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def measure(shops: dict[str, tuple[str, int]], rounds: int, warmup: int) -> dict[str, dict[str, list[float]]]:
    """Round-robin rounds over the shops; latencies per variant and endpoint, plus CPU per round."""
    session = requests.Session()
    names = list(shops)
    for i in range(warmup):
        for name in names:
            one_round(session, shops[name][0], f"warm{i % 5}")
    results = {name: {"GET /cart": [], "POST /buy": []} for name in names}
    cpu_before = {name: cpu_seconds(pid) for name, (_url, pid) in shops.items()}
    for i in range(rounds):
        order = names[i % len(names):] + names[:i % len(names)]
        for name in order:
            cart, buy = one_round(session, shops[name][0], f"user{i % 20}")
            results[name]["GET /cart"].append(cart)
            results[name]["POST /buy"].append(buy)
    for name, (_url, pid) in shops.items():
        results[name]["cpu"] = [(cpu_seconds(pid) - cpu_before[name]) / rounds]
    return results


def report(results: dict[str, dict[str, list[float]]], rounds: int) -> None:
    """Print the comparison table."""
    bare = results["bare python"]
    print(f"\nshop request latency, {rounds} rounds of GET /cart + POST /buy per variant, round-robin "
          "(client-side ms; ratio = variant / bare python)\n")
    print(f"{'variant':34} {'endpoint':10} {'p50 ms':>8} {'x bare':>7} {'p99 ms':>8} {'x bare':>7}")
    for name, data in results.items():
        for endpoint in ENDPOINTS:
            p50, p99 = statistics.median(data[endpoint]), percentile(data[endpoint], 99)
            b50, b99 = statistics.median(bare[endpoint]), percentile(bare[endpoint], 99)
            print(f"{name:34} {endpoint:10} {p50 * 1e3:8.2f} {p50 / b50:7.2f} {p99 * 1e3:8.2f} {p99 / b99:7.2f}")
    print(f"\n{'variant':34} {'shop CPU ms/round':>18} {'added ms':>9}")
    for name, data in results.items():
        print(f"{name:34} {data['cpu'][0] * 1e3:18.2f} {(data['cpu'][0] - bare['cpu'][0]) * 1e3:9.2f}")
    ours, adot = results["otelray run"], results["ADOT (aws-opentelemetry-distro)"]
    added = {name: {e: statistics.median(results[name][e]) - statistics.median(bare[e]) for e in ENDPOINTS}
             for name in ("otelray run", "ADOT (aws-opentelemetry-distro)")}
    print("\nadded p50 ms (otelray / ADOT): "
          + ", ".join(f"{e} {added['otelray run'][e] * 1e3:.2f} / "
                      f"{added['ADOT (aws-opentelemetry-distro)'][e] * 1e3:.2f}" for e in ENDPOINTS)
          + f"; added CPU per round otelray/ADOT = "
          f"{(ours['cpu'][0] - bare['cpu'][0]) / max(adot['cpu'][0] - bare['cpu'][0], 1e-9):.2f}")


def stored_traces(xray_port: int, since: float, expected: int, timeout: float = 30.0) -> dict[str, int]:
    """Traces each instrumented shop got into the backend (proof that both really traced).

    Waits up to ``timeout`` for ``expected`` traces each: batch processors export every 5 s.
    """
    import boto3

    xray = boto3.client("xray", endpoint_url=f"http://127.0.0.1:{xray_port}", region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    deadline = time.monotonic() + timeout
    while True:
        counts = {}
        for name, service in SERVICES.items():
            pages = xray.get_paginator("get_trace_summaries").paginate(
                StartTime=since, EndTime=time.time() + 5, FilterExpression=f'service("{service}")')
            counts[name] = sum(len(page["TraceSummaries"]) for page in pages)
        if min(counts.values()) >= expected or time.monotonic() > deadline:
            return counts
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="measured rounds per variant")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured rounds per variant first")
    parser.add_argument("--breakdown", action="store_true",
                        help="also run otelray with no exporter and with the always_off sampler")
    args = parser.parse_args()
    distro = _bench_distro()
    with tempfile.TemporaryDirectory(prefix="otelray-bench-latency-") as tmpdir, ExitStack() as stack:
        tmp = Path(tmpdir)
        moto_port, inventory_port = free_port(), free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")} | {
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}", "INVENTORY_URL": f"http://127.0.0.1:{inventory_port}",
            "INVENTORY_PORT": str(inventory_port), "SHOP_CREATE_RESOURCES": "0"}
        moto = stack.enter_context(process(["moto_server", "-H", "127.0.0.1", "-p", str(moto_port)],
                                           tmp / "moto.log", base))
        wait_port(moto_port, moto, tmp / "moto.log")
        subprocess.run([sys.executable, "-c", "import app; app.create_resources()"], cwd=SHOP, env=base, check=True)
        inventory = stack.enter_context(process([sys.executable, "inventory.py"], tmp / "inventory.log", base))
        wait_port(inventory_port, inventory, tmp / "inventory.log")
        since = time.time()
        ports = start_up(stack, tmp)
        endpoint = f"http://127.0.0.1:{ports['otlp-http']}"
        shops: dict[str, tuple[str, int]] = {}
        for index, (name, (prefix, env)) in enumerate(shop_variants(distro, endpoint, base, breakdown=args.breakdown).items()):
            port = free_port()
            env = env | {"SHOP_PORT": str(port), "SHOP_DB": str(tmp / f"shop{index}.sqlite")}
            log = tmp / f"shop{index}.log"
            proc = stack.enter_context(process([*prefix, "app.py"], log, env))
            wait_port(port, proc, log)
            shops[name] = (f"http://127.0.0.1:{port}", proc.pid)
        report(measure(shops, args.rounds, args.warmup), args.rounds)
        expected = (args.rounds + args.warmup) * 2
        print(f"\ntraces stored in the backend (expected {expected} each): "
              + ", ".join(f"{name} {count}" for name, count in stored_traces(ports["xray"], since, expected).items()))


if __name__ == "__main__":
    main()
