"""Lambda benchmark: cold start and warm-invocation cost the otelray layer adds to a function.

Runs a small function (imports boto3 and builds an S3 client at init, as most functions do; the
handler returns at once) through ``otelray.aws_lambda.invoke`` — ``python -m awslambdaric`` against
the local Runtime API — three ways: without the exec wrapper, with the wrapper from this checkout,
and with the built layer (``otelray lambda build-layer``, packages cached). Spans go to a UDP port
nobody reads (sending is all the function pays).

- cold start = Init Duration + the first invocation's Duration (median of ``--cold`` fresh processes)
- cold CPU = user + system CPU time of the runtime process up to the end of the first invocation
  (``/proc/<pid>/stat``); unlike wall time it does not grow when other processes load the machine
- warm = median Duration of ``--warm`` invocations on one process

Targets: ≤ 150 ms added cold start, ≤ 2 ms added per warm invocation. Run: ``python bench/lambda.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from otelray.aws_lambda.invoke import FunctionConfig, LocalFunction
from otelray.aws_lambda.layer import build_layer, extract_layer
from otelray.aws_lambda.wrapper import WRAPPER_NAME, write_wrapper

FUNCTION = """
import boto3
s3 = boto3.client("s3", region_name="us-east-1")

def handler(event, context):
    return {"ok": True}
"""


def cpu_ms(pid: int) -> float:
    """User + system CPU time of a process, ms."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def measure(config: FunctionConfig, cold: int, warm: int) -> tuple[float, float, float, float]:
    """Medians of cold start (init + first), init, cold CPU and warm duration, in ms."""
    colds, inits, cpus = [], [], []
    for _ in range(cold):
        with LocalFunction(config, output=subprocess.DEVNULL) as function:
            result = function.invoke(b"{}")
            assert result.ok, result.error
            assert function.process is not None
            cpus.append(cpu_ms(function.process.pid))
            inits.append(result.init_duration_ms or 0.0)
            colds.append((result.init_duration_ms or 0.0) + result.duration_ms)
    with LocalFunction(config, output=subprocess.DEVNULL) as function:
        function.invoke(b"{}")
        warms = []
        for _ in range(warm):
            result = function.invoke(b"{}")
            assert result.ok, result.error
            warms.append(result.duration_ms)
    return statistics.median(colds), statistics.median(inits), statistics.median(cpus), statistics.median(warms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cold", type=int, default=7, help="cold starts per variant")
    parser.add_argument("--warm", type=int, default=200, help="warm invocations per variant")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        task = root / "task"
        task.mkdir()
        (task / "app.py").write_text(FUNCTION)
        opt = root / "opt"
        extract_layer(build_layer(root / "layer.zip", progress=print), opt)
        base = {"handler": "app.handler", "task_root": task, "xray_daemon_address": "127.0.0.1:9",
                "environment": {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}}
        variants = {
            "no layer": FunctionConfig(**base),
            "wrapper (checkout)": FunctionConfig(**base, exec_wrapper=write_wrapper(root)),
            "layer zip": FunctionConfig(**base, exec_wrapper=opt / WRAPPER_NAME, layer_dir=opt),
        }
        rows = {name: measure(config, args.cold, args.warm) for name, config in variants.items()}
    cold0, _, cpu0, warm0 = rows["no layer"]
    print(f"\n{'variant':<20} {'cold start ms':>14} {'init ms':>9} {'added cold':>11} {'cold CPU ms':>12} "
          f"{'added CPU':>10} {'warm ms':>9} {'added warm':>11}")
    for name, (cold, init, cpu, warm) in rows.items():
        print(f"{name:<20} {cold:>14.1f} {init:>9.1f} {cold - cold0:>+11.1f} {cpu:>12.1f} {cpu - cpu0:>+10.1f} "
              f"{warm:>9.3f} {warm - warm0:>+11.3f}")
    print("targets: added cold start <= 150 ms, added warm <= 2 ms")


if __name__ == "__main__":
    main()
