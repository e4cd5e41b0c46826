"""Collector start-up benchmark: how long `otelray collector` takes before it serves.

Starts ``otelray collector --config examples/collector/ecs-xray.yaml`` (endpoints moved to free
127.0.0.1 ports with ``--set``) and measures, per run, the wall time from process start until

- the first receiver listens (the OTLP/gRPC port accepts a TCP connection), and
- ``health_check`` answers 200 (every pipeline started);

and the wall time of ``otelray collector validate`` on the same config. Prints the median and
the range over ``--runs`` runs. ``--baseline SRC`` also runs the otelray package found in SRC (e.g. an
older commit exported with ``git archive <rev> src | tar -x -C /tmp/base``, then ``--baseline
/tmp/base/src``), alternating the two run by run so that load from other processes hits both alike.

Run: ``python bench/collector_startup.py [--runs 5] [--config examples/collector/ecs-xray.yaml] [--baseline SRC]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=0.5) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _env(src: str | None) -> dict[str, str]:
    env = {**os.environ, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    if src:
        env["PYTHONPATH"] = src
    return env


def one_start(config: str, src: str | None = None) -> tuple[float, float]:
    """Seconds until the OTLP/gRPC port listens and until health_check answers 200."""
    grpc, http, health, metrics = (free_port() for _ in range(4))
    sets = [
        f"receivers::otlp::protocols::grpc::endpoint=127.0.0.1:{grpc}",
        f"receivers::otlp::protocols::http::endpoint=127.0.0.1:{http}",
        f"extensions::health_check::endpoint=127.0.0.1:{health}",
        f"service::telemetry::metrics::address=127.0.0.1:{metrics}",
        "service::telemetry::logs::level=warn",
    ]
    env = _env(src)
    argv = [sys.executable, "-m", "otelray", "collector", "--config", config, *(f"--set={s}" for s in sets)]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t_listen = t_health = None
    try:
        while time.perf_counter() - start < DEADLINE and t_health is None:
            if proc.poll() is not None:
                raise RuntimeError(f"collector exited {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
            if t_listen is None and listening(grpc):
                t_listen = time.perf_counter() - start
            if t_listen is not None and healthy(health):
                t_health = time.perf_counter() - start
            time.sleep(0.005)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    if t_listen is None or t_health is None:
        raise RuntimeError(f"collector did not become healthy within {DEADLINE}s")
    return t_listen, t_health


def one_validate(config: str, src: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "otelray", "collector", "validate", "--config", config],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=_env(src))
    return time.perf_counter() - start


def row(name: str, values: list[float]) -> str:
    return f"{name:<44} {statistics.median(values):>8.3f} {min(values):>8.3f} {max(values):>8.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--config", default="examples/collector/ecs-xray.yaml")
    parser.add_argument("--baseline", metavar="SRC", help="a src/ folder with another otelray to compare with")
    args = parser.parse_args()
    variants: dict[str, str | None] = {"this tree": None}
    if args.baseline:
        variants["baseline"] = str(Path(args.baseline).resolve())
    starts: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    validates: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.runs):  # alternate variants run by run
        for name, src in variants.items():
            starts[name].append(one_start(args.config, src))
            validates[name].append(one_validate(args.config, src))
    print(f"{'seconds (' + str(args.runs) + ' runs)':<44} {'median':>8} {'min':>8} {'max':>8}")
    for name in variants:
        print(row(f"{name}: first receiver listens", [s[0] for s in starts[name]]))
        print(row(f"{name}: health_check answers 200", [s[1] for s in starts[name]]))
        print(row(f"{name}: collector validate (whole run)", validates[name]))


if __name__ == "__main__":
    main()
