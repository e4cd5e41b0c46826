"""The X-Ray remote sampler under load, end to end through real processes.

`otelray up` runs the backend and the collector; a sampling rule is created with boto3 (reservoir
1/s, fixed rate 10 %, matching the app's service name and URL path, priority above Default); a Flask
app runs under ``otelray run --sampler xray`` and is loaded at ~50 requests/s. The traces stored in
the backend must be exactly the ones the app sampled, and their number must lie within a binomial
bound of "1 per second + FixedRate of the rest" (X-Ray developer guide, "Sampling rules"). The rule
is then updated with boto3 (FixedRate 0.5), and a second rule that matched nothing is changed to
match another path at 90 %; the sampler must apply both within one targets interval (10 s, plus its
0.1 s jitter and the polls' round trips) although its own rules polling interval is the default
300 s: the fixed rate arrives in the targets answer, the new URLPath only through the rules refresh
that a newer ``LastRuleModification`` triggers (as the X-Ray SDKs do).
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.integration.stack import start_stack
from tests.integration.test_distro_flask import OTELRAY, stop

pytestmark = pytest.mark.integration

SERVICE = "loadapp"
RATE = 50.0  # requests per second sent to the app
PHASE_A = 14.0  # seconds of load at FixedRate 0.10 (spans the first targets poll, ~10 s after start)
PHASE_B = 6.0  # seconds of load after the update has taken effect
#: one targets interval (10 s) + its jitter (0.1 s) + the round trips of the targets and rules polls
CHANGE_BOUND = 11.0
SIGMAS = 4.0

APP = """
import sys
import flask
from opentelemetry import trace

app = flask.Flask("loadapp")

@app.route("/work/<phase>")
def work(phase):
    context = trace.get_current_span().get_span_context()
    return {"trace_id": f"{context.trace_id:032x}", "sampled": context.trace_flags.sampled}

@app.route("/health")
def health():
    return "ok"

app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
"""


@dataclass
class Phase:
    """What the app answered for one stretch of load."""

    path: str
    started: float
    ended: float
    requests: int
    sampled: set[str]  # X-Ray trace ids of the requests the app's sampler kept


def _rule(name: str, priority: int, url_path: str, rate: float) -> dict[str, Any]:
    return {
        "RuleName": name, "ResourceARN": "*", "Priority": priority, "FixedRate": rate, "ReservoirSize": 1,
        "ServiceName": SERVICE, "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": url_path,
        "Version": 1,
    }


def _xray_id(otel_hex: str) -> str:
    return f"1-{otel_hex[:8]}-{otel_hex[8:]}"


def sampled_bounds(requests_seen: int, seconds: float, rate: float) -> tuple[float, float]:
    """Bounds on sampled traces: reservoir 1/s, then ``rate`` of the rest, ± ``SIGMAS`` binomial sigmas.

    The reservoir grants one trace per second; its bucket starts with one second of credit and a new
    target (or a changed rule) starts a fresh bucket, so over ``seconds`` of dense load it grants
    between ``seconds - 2`` and ``seconds + 1 + targets polls``.
    """
    polls = math.ceil(seconds / 10) + 1
    low_res, high_res = max(0, math.floor(seconds) - 2), math.ceil(seconds) + 1 + polls

    def edge(reservoir: int, sign: int) -> float:
        rest = max(0, requests_seen - reservoir)
        return reservoir + rate * rest + sign * SIGMAS * math.sqrt(rest * rate * (1 - rate))

    return edge(low_res, -1), edge(high_res, +1)


def load(url: str, paths: list[str], seconds: float) -> dict[str, Phase]:
    """GET ``url + path`` for the paths in turn, ``RATE`` per second in all (catching up after a slow one)."""
    session = requests.Session()
    started = time.time()
    phases = {path: Phase(path=path, started=started, ended=started, requests=0, sampled=set()) for path in paths}
    sent = 0
    while (elapsed := time.time() - started) < seconds:
        if sent >= elapsed * RATE:
            time.sleep(min(1 / RATE, sent / RATE - elapsed + 0.001))
            continue
        phase = phases[paths[sent % len(paths)]]
        answer = session.get(url + phase.path, timeout=10)
        answer.raise_for_status()
        body = answer.json()
        sent += 1
        phase.requests += 1
        if body["sampled"]:
            phase.sampled.add(_xray_id(body["trace_id"]))
    for phase in phases.values():
        phase.ended = time.time()
    return phases


def stored_traces(xray: Any, since: float, path: str) -> set[str]:
    """Ids of the app's traces stored in the backend whose URL is ``path``."""
    ids: set[str] = set()
    pages = xray.get_paginator("get_trace_summaries").paginate(
        StartTime=since - 5, EndTime=time.time() + 5, FilterExpression=f'service("{SERVICE}")')
    for page in pages:
        for summary in page["TraceSummaries"]:
            if summary.get("Http", {}).get("HttpURL", "").endswith(path):
                ids.add(summary["Id"])
    return ids


def wait_stored(xray: Any, since: float, phase: Phase, timeout: float = 30.0) -> set[str]:
    """Stored traces of ``phase`` once every sampled one has arrived (or ``timeout`` passed)."""
    deadline = time.monotonic() + timeout
    while True:
        stored = stored_traces(xray, since, phase.path)
        if stored >= phase.sampled or time.monotonic() > deadline:
            return stored
        time.sleep(0.5)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    proc, ports, _log = start_stack(tmp_path_factory.mktemp("sampling-load"))
    yield ports
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def start_app(stack: dict[str, int], tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The Flask app under ``otelray run --sampler xray`` against the backend; waits until it answers."""
    from tests.integration.conftest import free_port

    (tmp_path / "app.py").write_text(APP)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(OTEL_BSP_SCHEDULE_DELAY="100")
    command = [OTELRAY, "run", "--service-name", SERVICE, "--endpoint", f"http://127.0.0.1:{stack['otlp_http']}",
               "--sampler", "xray", "--sampler-arg", f"endpoint=http://127.0.0.1:{stack['xray']}",
               "--", sys.executable, str(tmp_path / "app.py"), str(port)]
    with open(tmp_path / "app.log", "wb") as log:
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            requests.get(f"{url}/health", timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.05)
    stop(process)
    raise RuntimeError((tmp_path / "app.log").read_text(errors="replace"))


def test_rule_rate_under_load_and_update(stack: dict[str, int], tmp_path: Path) -> None:
    xray = boto3.client("xray", endpoint_url=f"http://127.0.0.1:{stack['xray']}", region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    xray.create_sampling_rule(SamplingRule=_rule("load-work", 2, "/work/*", 0.10))
    xray.create_sampling_rule(SamplingRule=_rule("load-c", 1, "/nothing", 0.90))
    since = time.time()
    process, url = start_app(stack, tmp_path)
    try:
        time.sleep(0.5)  # the sampler's first rules poll runs at start-up, in its own thread
        phase_a = load(url, ["/work/a"], PHASE_A)["/work/a"]
        xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "load-work", "FixedRate": 0.5})
        xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "load-c", "URLPath": "/work/c"})
        updated = time.time()
        changing = load(url, ["/work/changing"], CHANGE_BOUND)["/work/changing"]  # keeps targets polls going
        after = load(url, ["/work/b", "/work/c"], PHASE_B)
        # read back while the app still runs: its batch processor exports the last spans on schedule
        checked = ((phase_a, 0.10), (after["/work/b"], 0.5), (after["/work/c"], 0.9))
        stored = {phase.path: wait_stored(xray, since, phase) for phase, _rate in checked}
    finally:
        stop(process)
    log = (tmp_path / "app.log").read_text(errors="replace")
    assert "otelray:" not in log  # no sampling-rule, target or export problem was reported
    assert after["/work/b"].started - updated >= CHANGE_BOUND and changing.requests > 0

    for phase, rate in checked:
        kept = stored[phase.path]
        assert kept == phase.sampled, (  # every sampled trace stored, none of the unsampled ones
            f"{phase.path}: missing {len(phase.sampled - kept)}, unexpected {len(kept - phase.sampled)}")
        low, high = sampled_bounds(phase.requests, phase.ended - phase.started, rate)
        print(f"{phase.path}: {len(kept)} of {phase.requests} sampled in {phase.ended - phase.started:.1f} s; "
              f"bound {low:.0f}..{high:.0f}")
        assert low <= len(kept) <= high, (
            f"{phase.path}: {len(kept)} of {phase.requests} requests in {phase.ended - phase.started:.1f} s "
            f"sampled; expected {low:.0f}..{high:.0f} for 1/s + {rate:.0%}")
