"""Distro benchmark: start-up, exit time without a collector, and per-span cost, side by side.

Compares, in one run on this machine:
- ``otelray run python -c pass`` (this checkout's environment),
- ``opentelemetry-instrument python -c pass`` with the ADOT Python distro (aws-opentelemetry-distro,
  in its own cached venv because it pins an older OpenTelemetry line),
- ``opentelemetry-instrument python -c pass`` with upstream opentelemetry-distro (own cached venv),
- bare ``python -c pass``;
then the time from a short script's last line to process exit when no collector listens, and the
per-span cost of otelray's SDK set-up (X-Ray ids, guarded batch export) against the bare upstream
SDK (random ids, plain BatchSpanProcessor), both exporting to a no-op exporter.

Venvs are cached under ~/.cache/otelray-bench (``--cache DIR``). Run: ``python bench/distro.py``.
Every process runs with OTEL_METRICS_EXPORTER=none and OTEL_LOGS_EXPORTER=none (otelray's
defaults) and OTLP/HTTP traces to a closed port on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE_BIN = Path(sys.executable).parent
VENVS = {
    "adot-venv": ["aws-opentelemetry-distro"],
    "otel-distro-venv": ["opentelemetry-distro", "opentelemetry-exporter-otlp-proto-http"],
}

EXIT_SCRIPT = """
import time
from opentelemetry import trace
tracer = trace.get_tracer("bench")
for i in range(10):
    with tracer.start_as_current_span(f"span-{i}"):
        pass
print(repr(time.time()), flush=True)
"""

SPAN_BENCH = """
import sys, time, statistics
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased

class Nop(SpanExporter):
    def export(self, spans):
        return SpanExportResult.SUCCESS

mode = sys.argv[1]
if mode == "upstream":
    provider = TracerProvider(sampler=ParentBased(ALWAYS_ON), shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(Nop()))
else:
    from otelray.distro.configurator import build_id_generator, build_sampler
    from otelray.distro.exporter import ExitBoundedSpanProcessor, GuardedSpanExporter
    env = {"OTEL_TRACES_SAMPLER": "parentbased_always_on", "OTEL_PYTHON_ID_GENERATOR": "xray"}
    sampler = build_sampler(env, None)
    if mode == "otelray-xray-sampler":
        from opentelemetry.sdk.resources import Resource
        from otelray.distro.sampler.remote import XRayRemoteSampler
        from otelray.distro.sampler.rule import SamplingRule
        sampler = XRayRemoteSampler(Resource.create({"service.name": "bench"}), start=False)
        sampler.cache.update_rules([SamplingRule("api", 1, 1.0, 0, url_path="/api/*"),
                                    SamplingRule("Default", 10000, 1.0, 1)], time.time())
    provider = TracerProvider(id_generator=build_id_generator(env), sampler=sampler, shutdown_on_exit=False)
    provider.add_span_processor(ExitBoundedSpanProcessor(GuardedSpanExporter(Nop, "nop")))
tracer = provider.get_tracer("bench")
attrs = {"http.method": "GET", "http.target": "/orders/1"}
rounds = []
for _ in range(7):
    start = time.process_time()  # CPU of every thread of the process, the batch worker's included
    for _ in range(20000):
        with tracer.start_as_current_span("op", attributes=attrs):
            pass
    rounds.append((time.process_time() - start) / 20000 * 1e6)
provider.shutdown()
print(statistics.median(rounds))
"""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_venv(cache: Path, name: str) -> Path:
    venv = cache / name
    marker = venv / ".otelray-bench-ready"
    if marker.exists():
        return venv
    print(f"creating {venv} ({' '.join(VENVS[name])}) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *VENVS[name]], check=True,
                   stderr=subprocess.DEVNULL)
    marker.write_text("ok\n")
    return venv


def base_env(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(OTEL_METRICS_EXPORTER="none", OTEL_LOGS_EXPORTER="none", OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
               OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf", OTEL_SERVICE_NAME="bench")
    return env


def variants(cache: Path, endpoint: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    """name -> (command prefix to run a python program, environment)"""
    adot, upstream = ensure_venv(cache, "adot-venv"), ensure_venv(cache, "otel-distro-venv")
    adot_env = base_env(endpoint) | {"OTEL_PYTHON_DISTRO": "aws_distro", "OTEL_PYTHON_CONFIGURATOR": "aws_configurator"}
    return {
        "bare python": ([sys.executable], base_env(endpoint)),
        "otelray run": ([str(HERE_BIN / "otelray"), "run", "--", sys.executable], base_env(endpoint)),
        "ADOT (aws-opentelemetry-distro)": ([str(adot / "bin" / "opentelemetry-instrument"),
                                             str(adot / "bin" / "python")], adot_env),
        "upstream opentelemetry-distro": ([str(upstream / "bin" / "opentelemetry-instrument"),
                                           str(upstream / "bin" / "python")], base_env(endpoint)),
    }


def wall_and_cpu(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, all processes of the run) of one run.

    CPU time is what a busy machine does not inflate much, so it is the steadier comparison.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def exit_delay(command: list[str], env: dict[str, str], script: Path) -> tuple[float, int]:
    """Seconds from the script's last line to process exit, and the number of stderr lines."""
    result = subprocess.run([*command, str(script)], env=env, capture_output=True, text=True, check=True)
    return time.time() - float(result.stdout.split()[-1]), len(result.stderr.splitlines())


def per_span(mode: str) -> float:
    out = subprocess.run([sys.executable, "-c", SPAN_BENCH, mode], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def interleaved(names: list[str], runs: int, measure) -> dict[str, list]:
    """Run ``measure(name)`` round-robin so that machine load hits every variant alike."""
    results: dict[str, list] = {name: [] for name in names}
    for _ in range(runs):
        for name in names:
            results[name].append(measure(name))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per start-up measurement (median)")
    parser.add_argument("--exit-runs", type=int, default=3, help="runs per exit measurement (median)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "otelray-bench")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    endpoint = f"http://127.0.0.1:{closed_port()}"
    table = variants(args.cache, endpoint)
    script = args.cache / "exit_script.py"
    script.write_text(EXIT_SCRIPT)

    print(f"\nstart-up of `... python -c pass` (median of {args.runs}) and exit after a 10-span script "
          f"with no collector at {endpoint} (median of {args.exit_runs}); runs interleaved\n")
    names = list(table)
    startups = interleaved(names, args.runs, lambda n: wall_and_cpu([*table[n][0], "-c", "pass"], table[n][1]))
    exits = interleaved(names, args.exit_runs, lambda n: exit_delay(table[n][0], table[n][1], script))
    ours_wall = statistics.median(w for w, _ in startups["otelray run"])
    ours_cpu = statistics.median(c for _, c in startups["otelray run"])
    print(f"{'variant':34} {'wall s':>7} {'otelray/x':>9} {'cpu s':>7} {'otelray/x':>9} "
          f"{'exit delay s':>12} {'stderr lines':>12}")
    for name in names:
        wall = statistics.median(w for w, _ in startups[name])
        cpu = statistics.median(c for _, c in startups[name])
        delay = statistics.median(d for d, _ in exits[name])
        lines = exits[name][-1][1]
        print(f"{name:34} {wall:7.3f} {ours_wall / wall:9.2f} {cpu:7.3f} {ours_cpu / cpu:9.2f} "
              f"{delay:12.3f} {lines:12d}")

    print("\nper-span CPU cost, start_as_current_span + end with 2 attributes, no-op exporter "
          "(median of 3 processes x 7 rounds x 20k spans, interleaved)\n")
    modes = {"bare upstream SDK (random ids, BSP)": "upstream",
             "otelray (X-Ray ids, guarded BSP)": "otelray",
             "otelray + X-Ray remote sampler (2 rules)": "otelray-xray-sampler"}
    costs = interleaved(list(modes.values()), 3, per_span)
    base = statistics.median(costs["upstream"])
    print(f"{'set-up':44} {'us/span':>8} {'ratio':>7}")
    for label, mode in modes.items():
        value = statistics.median(costs[mode])
        print(f"{label:44} {value:8.2f} {value / base:7.2f}")


if __name__ == "__main__":
    main()
