"""`otelray run` on short scripts: the X-Ray remote sampler against a sampling endpoint, bad
settings and unreachable endpoints (the program keeps running, one warning names each problem),
and a quick exit when no collector listens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.integration.test_distro_flask import OTELRAY, Downstream, downstream, start_app, stop
from tests.unit.distro.otlp_capture import OtlpCapture
from tests.unit.distro.sampling_server import DEFAULT_RULE, SamplingServer, rule

pytestmark = pytest.mark.integration
__all__ = ["downstream"]  # the fixture, shared with test_distro_flask

SCRIPT = """
import os, time
from opentelemetry import trace
tracer = trace.get_tracer("script")
names = ["one", "two", "three"] + [f"extra-{i}" for i in range(int(os.environ.get("EXTRA_SPANS", "0")))]
for name in names:
    with tracer.start_as_current_span(name):
        pass
time.sleep(float(os.environ.get("LINGER", "0")))
print("script-done", repr(time.time()), flush=True)
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_script(tmp_path: Path, *options: str, **env_extra: str) -> tuple[subprocess.CompletedProcess[str], float]:
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(env_extra)
    result = subprocess.run([OTELRAY, "run", *options, "--", sys.executable, str(script)], env=env,
                            capture_output=True, text=True, timeout=60)
    return result, time.time()


def test_exits_within_one_second_with_one_warning_when_no_collector(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    result, ended = run_script(tmp_path, "--endpoint", endpoint)
    assert result.returncode == 0
    script_end = float(result.stdout.split()[-1])
    assert ended - script_end < 1.0
    assert result.stderr.splitlines() == [
        f"otelray: cannot export spans to {endpoint}/v1/traces (connection refused); "
        "dropping them until it answers"
    ]


def test_bad_settings_warn_by_name_and_the_program_runs(tmp_path: Path) -> None:
    with OtlpCapture() as capture:
        result, _ = run_script(
            tmp_path, "--endpoint", capture.endpoint,
            OTEL_TRACES_SAMPLER="xray", OTEL_TRACES_SAMPLER_ARG="endpoint=nowhere",
            OTEL_PYTHON_ID_GENERATOR="dice", OTEL_EXPERIMENTAL_RESOURCE_DETECTORS="otel,nope",
            OTEL_TRACES_EXPORTER="otlp,fax",
        )
        spans = capture.wait_for(3)
    assert result.returncode == 0, result.stderr
    assert "script-done" in result.stdout
    for expected in ("endpoint='nowhere' is not an http(s) URL", "OTEL_PYTHON_ID_GENERATOR=dice cannot be used",
                     "unknown resource detector(s) nope", "span exporter 'fax'"):
        assert expected in result.stderr
    assert len(result.stderr.splitlines()) == 4
    assert sorted(s.name for s in spans) == ["one", "three", "two"]  # defaults stood in


def test_unreachable_sampling_endpoint_warns_once_and_fallback_samples(tmp_path: Path) -> None:
    sampling = f"http://127.0.0.1:{_closed_port()}"
    with OtlpCapture() as capture:
        result, _ = run_script(tmp_path, "--endpoint", capture.endpoint, "--sampler", "xray",
                               "--sampler-arg", f"endpoint={sampling}", EXTRA_SPANS="57", LINGER="0.5")
        spans = capture.wait_for(1)
    assert result.returncode == 0
    assert "script-done" in result.stdout
    assert result.stderr.splitlines() == [
        f"otelray: X-Ray sampling rules unavailable (cannot reach sampling endpoint {sampling}/GetSamplingRules: "
        "[Errno 111] Connection refused); using fallback sampling"
    ]
    # fallback: the first trace (1 per second), then 5 % of the other 59 (expected 3; > 15 is ~1e-6 likely)
    assert spans[0].name == "one"
    assert len(spans) <= 15


def test_remote_sampling_rules_decide_in_a_flask_app(tmp_path: Path, downstream: Downstream) -> None:
    rules = [rule("no-health", 1, 0.0, 0, URLPath="/health"), rule("shop", 2, 1.0, 0, ServiceName="shop"),
             DEFAULT_RULE]
    with SamplingServer(rules) as sampling, OtlpCapture() as capture:
        command = [OTELRAY, "run", "--endpoint", capture.endpoint, "--sampler", "xray",
                   "--sampler-arg", f"endpoint={sampling.endpoint},polling_interval=60", "--"]
        process, url = start_app(command, tmp_path, {"DOWNSTREAM": downstream.url})
        try:
            deadline = time.monotonic() + 10
            while "/GetSamplingRules" not in sampling.paths() and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.2)  # the rules are applied right after the answer
            for _ in range(5):
                assert requests.get(f"{url}/health", timeout=5).ok
            for _ in range(3):
                assert requests.get(f"{url}/hello", timeout=5).ok
            capture.wait_for(6)
            time.sleep(0.3)  # let any wrongly sampled /health span arrive too
        finally:
            stop(process)
    server_spans = [s.name for s in capture.spans if s.kind == 2]
    assert server_spans.count("GET /hello") == 3  # rule "shop": FixedRate 1
    # rule "no-health": FixedRate 0, no reservoir; only the start-up probe, made before the rules
    # arrived, may have been sampled by the fallback (1 per second)
    assert server_spans.count("GET /health") <= 1
    # the sampler's own polls (urllib, instrumented once the poller imports it) are not traced
    assert not [s for s in capture.spans if "Sampling" in str(s.attributes.get("http.url", ""))]
    assert [s.name for s in capture.spans if s.kind == 3] == ["GET"] * 3  # only the app's requests calls


@pytest.mark.parametrize(("eager", "expected"), [("false", []), ("true", ["botocore", "flask", "requests"])])
def test_libraries_are_instrumented_when_imported_not_at_start(eager: str, expected: list[str]) -> None:
    probe = "import sys; print(sorted(m for m in ('flask', 'requests', 'botocore') if m in sys.modules))"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELRAY_"))}
    env["OTELRAY_INSTRUMENT_EAGERLY"] = eager
    result = subprocess.run([OTELRAY, "run", "--", sys.executable, "-c", probe], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(expected)


def test_grpc_exporter_also_exits_quickly_with_one_warning(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    result, ended = run_script(tmp_path, "--endpoint", endpoint, OTEL_EXPORTER_OTLP_PROTOCOL="grpc")
    assert result.returncode == 0
    assert ended - float(result.stdout.split()[-1]) < 1.0
    assert result.stderr.splitlines() == [
        f"otelray: cannot export spans to {endpoint} (connection refused); dropping them until it answers"
    ]


def test_metrics_turned_on_also_exit_quickly(tmp_path: Path) -> None:
    script = tmp_path / "metrics.py"
    script.write_text("import time\nfrom opentelemetry import metrics\n"
                      "metrics.get_meter('m').create_counter('hits').add(3)\nprint(repr(time.time()), flush=True)\n")
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["OTEL_METRICS_EXPORTER"] = "otlp"
    result = subprocess.run([OTELRAY, "run", "--endpoint", endpoint, "--", sys.executable, str(script)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert time.time() - float(result.stdout.split()[-1]) < 1.5
    assert result.stderr.splitlines() == [
        f"otelray: cannot export metrics to {endpoint}/v1/metrics (connection refused); dropping them until it answers"
    ]


def test_sigterm_exports_queued_spans_before_the_process_ends(tmp_path: Path) -> None:
    """A container stop sends SIGTERM: the spans still in the batch processor must not be lost."""
    script = tmp_path / "server.py"
    script.write_text(
        "import time\nfrom opentelemetry import trace\n"
        "with trace.get_tracer('svc').start_as_current_span('last-request'):\n    pass\n"
        "print('ready', flush=True)\ntime.sleep(60)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["OTEL_BSP_SCHEDULE_DELAY"] = "30000"  # nothing leaves before the shutdown flush
    with OtlpCapture() as capture:
        proc = subprocess.Popen([OTELRAY, "run", "--endpoint", capture.endpoint, "--", sys.executable, str(script)],
                                env=env, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        proc.terminate()
        assert proc.wait(timeout=10) == 128 + 15
        spans = capture.wait_for(1)
    assert [s.name for s in spans] == ["last-request"]


def test_sigterm_flush_can_be_turned_off(tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text("import signal, time\nprint(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, flush=True)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    with OtlpCapture() as capture:
        on = subprocess.run([OTELRAY, "run", "--endpoint", capture.endpoint, "--", sys.executable, str(script)],
                            env=env, capture_output=True, text=True, timeout=60)
        off = subprocess.run([OTELRAY, "run", "--endpoint", capture.endpoint, "--", sys.executable, str(script)],
                             env={**env, "OTELRAY_FLUSH_ON_SIGTERM": "false"}, capture_output=True, text=True,
                             timeout=60)
    assert on.stdout.strip() == "False" and off.stdout.strip() == "True"
