"""``otelray.aws_lambda.invoke``: real ``python -m awslambdaric`` processes against the local Runtime API —
cold and warm invocations, errors, timeouts (kill, then a cold start) and a handler that cannot load."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from otelray.aws_lambda.invoke import FunctionConfig, LocalFunction

pytestmark = pytest.mark.integration

APP = '''
import os, time
STARTED = time.time()

def handler(event, context):
    if event.get("fail"):
        raise KeyError("missing sku")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return {"pid": os.getpid(), "trace": os.environ.get("_X_AMZN_TRACE_ID"), "request": context.aws_request_id,
            "remaining_ms": context.get_remaining_time_in_millis(), "function": context.function_name,
            "started": STARTED}
'''


@pytest.fixture
def task_root(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "broken.py").write_text("import no_such_module_here\n")
    return tmp_path


def test_cold_then_warm_invocations_share_one_process(task_root: Path) -> None:
    with LocalFunction(FunctionConfig("app.handler", task_root, function_name="orders", timeout=2),
                       output=subprocess.DEVNULL) as function:
        first = function.invoke(b"{}", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
        second = function.invoke(b"{}")
    one, two = json.loads(first.payload), json.loads(second.payload)
    assert first.ok and second.ok
    assert one["pid"] == two["pid"] and one["started"] == two["started"]
    assert one["trace"] == "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    assert two["trace"] == second.trace_header != first.trace_header
    assert (one["request"], one["function"]) == (first.request_id, "orders")
    assert 0 < one["remaining_ms"] <= 2000
    assert first.init_duration_ms is not None and second.init_duration_ms is None
    assert "Init Duration:" in first.report_line() and "Init Duration" not in second.report_line()
    assert first.report_line().startswith(f"REPORT RequestId: {first.request_id}\tDuration: ")


def test_handler_error_is_reported_like_lambda(task_root: Path) -> None:
    with LocalFunction(FunctionConfig("app.handler", task_root), output=subprocess.DEVNULL) as function:
        failed = function.invoke(b'{"fail": true}')
        after = function.invoke(b"{}")
    assert failed.status == "error" and failed.error is not None
    assert failed.error["errorType"] == "KeyError" and "missing sku" in failed.error["errorMessage"]
    assert failed.error["requestId"] == failed.request_id and failed.error["stackTrace"]
    assert after.ok  # the same process keeps serving


def test_timeout_kills_the_runtime_and_the_next_invocation_is_cold(task_root: Path) -> None:
    with LocalFunction(FunctionConfig("app.handler", task_root, timeout=0.5), output=subprocess.DEVNULL) as function:
        slow = function.invoke(b'{"sleep": 5}')
        assert function.process is None  # killed
        again = function.invoke(b"{}")
    assert slow.status == "timeout"
    assert slow.error is not None and slow.error["errorMessage"].endswith("Task timed out after 0.50 seconds")
    assert 500 <= slow.duration_ms < 5000  # killed soon after the deadline
    assert again.ok and again.init_duration_ms is not None


def test_handler_that_cannot_be_imported_is_a_runtime_exit(task_root: Path) -> None:
    with LocalFunction(FunctionConfig("broken.handler", task_root), output=subprocess.DEVNULL) as function:
        result = function.invoke(b"{}")
    assert result.status in ("error", "runtime_exit")
    assert result.error is not None
    assert "no_such_module_here" in json.dumps(result.error)


def test_cli_prints_results_and_report_lines(task_root: Path, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"x": 1}')
    done = subprocess.run([sys.executable, "-m", "otelray", "lambda", "invoke", "app.handler", "--task-root",
                           str(task_root), "--event", str(event), "--count", "2", "--no-wrapper"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2
    reports = [line for line in done.stderr.splitlines() if line.startswith("REPORT RequestId:")]
    assert len(reports) == 2 and "Init Duration" in reports[0] and "Init Duration" not in reports[1]
