"""Run a Python Lambda function locally the way the Lambda service runs it.

The function runs in a real subprocess, ``python -m awslambdaric MODULE.HANDLER`` (the AWS runtime
interface client), talking to ``otelray.aws_lambda.runtime_api``; with an exec wrapper, the command
is passed to the wrapper as Lambda does (``AWS_LAMBDA_EXEC_WRAPPER``). The environment is the one
Lambda documents ("Defined runtime environment variables"): ``AWS_LAMBDA_FUNCTION_NAME``,
``_HANDLER``, ``LAMBDA_TASK_ROOT``, ``AWS_LAMBDA_RUNTIME_API``, ``AWS_XRAY_DAEMON_ADDRESS``…; each
invocation carries ``Lambda-Runtime-Trace-Id``, which the client turns into ``_X_AMZN_TRACE_ID``.
A function that overruns its timeout is killed and reported as
``Task timed out after N.NN seconds``; the next invocation starts a new process (a cold start).
The ``REPORT`` line has Lambda's fields; ``Init Duration`` is the time from process start to the
runtime's first ``/invocation/next`` (handler import included), as in Lambda.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from otelray.aws_lambda.runtime_api import Invocation, RuntimeApiServer
from otelray.aws_lambda.service_segments import (
    InvocationRecord,
    ServiceTrace,
    build_segments,
    send_segments,
    start_trace,
)
from otelray.xray.ids import new_segment_id, new_trace_id

#: variables a Lambda process inherits from the machine (credentials come from the role in AWS)
#: Lambda's limit for the init phase of an on-demand function, seconds
INIT_TIMEOUT = 10.0
#: Time extensions get to exit after SHUTDOWN (external extensions), seconds
SHUTDOWN_TIMEOUT = 2.0
PASSED_THROUGH = ("PATH", "HOME", "LANG", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


@dataclass
class FunctionConfig:
    """What ``CreateFunction`` would be told, plus where the layer and wrapper are."""

    handler: str
    task_root: Path
    function_name: str = "otelray-function"
    memory_mb: int = 128
    timeout: float = 3.0
    region: str = "us-east-1"
    account_id: str = "123456789012"
    exec_wrapper: Path | None = None
    layer_dir: Path | None = None
    xray_daemon_address: str = "127.0.0.1:2000"
    environment: dict[str, str] = field(default_factory=dict)
    service_segments: bool = False  # send the AWS::Lambda and AWS::Lambda::Function segments, as Lambda does
    extensions_dir: Path | None = None  # executables started as external extensions (default: <layer>/extensions)

    def extension_paths(self) -> list[Path]:
        """The extension executables Lambda would start (``/opt/extensions/*``), sorted by name."""
        directory = self.extensions_dir or (self.layer_dir / "extensions" if self.layer_dir is not None else None)
        if directory is None or not directory.is_dir():
            return []
        return sorted(p for p in directory.iterdir() if p.is_file() and os.access(p, os.X_OK))

    @property
    def arn(self) -> str:
        """The function's ARN (``$LATEST``)."""
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"


@dataclass
class InvokeResult:
    """The outcome of one invocation, with the numbers of Lambda's ``REPORT`` line."""

    request_id: str
    trace_header: str
    status: str  # "success" | "error" | "timeout" | "runtime_exit"
    payload: bytes
    error: dict[str, Any] | None
    duration_ms: float
    init_duration_ms: float | None
    max_memory_mb: int
    memory_size_mb: int

    @property
    def ok(self) -> bool:
        """True when the function returned a result."""
        return self.status == "success"

    def report_line(self) -> str:
        """``REPORT RequestId: … Duration: … Init Duration: …`` as CloudWatch Logs shows it."""
        line = (f"REPORT RequestId: {self.request_id}\tDuration: {self.duration_ms:.2f} ms\t"
                f"Billed Duration: {max(1, math.ceil(self.duration_ms + (self.init_duration_ms or 0)))} ms\t"
                f"Memory Size: {self.memory_size_mb} MB\tMax Memory Used: {self.max_memory_mb} MB")
        if self.init_duration_ms is not None:
            line += f"\tInit Duration: {self.init_duration_ms:.2f} ms"
        if self.status == "timeout":
            line += "\tStatus: timeout"
        return line


def lambda_trace_header() -> str:
    """A new sampled Lambda trace header (what the Lambda service sends with active tracing)."""
    return f"Root={new_trace_id()};Parent={new_segment_id()};Sampled=1"


def _max_memory_mb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return max(1, int(line.split()[1]) // 1024)
    except (OSError, ValueError, IndexError):
        pass
    return 0


class LocalFunction:
    """A function, its Runtime API and (while warm) its runtime process. Use as a context manager."""

    def __init__(self, config: FunctionConfig, *, output: IO[Any] | int | None = None) -> None:
        self.config = config
        self.output = output
        self.api = RuntimeApiServer().start()
        self.process: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0
        self._started_wall = 0.0
        self._cold = True
        self.segments_sent = 0
        self.extension_processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> LocalFunction:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def environment(self) -> dict[str, str]:
        """The runtime process environment, as Lambda defines it."""
        cfg = self.config
        stream = time.strftime("%Y/%m/%d") + f"/[$LATEST]{uuid.uuid4().hex}"
        environ = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
        python_path = [str(cfg.task_root)]
        if cfg.layer_dir is not None:
            python_path.append(str(cfg.layer_dir / "python"))  # Lambda puts /opt/python on sys.path
        environ.update({
            "AWS_LAMBDA_FUNCTION_NAME": cfg.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(cfg.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{cfg.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "AWS_REGION": cfg.region,
            "AWS_DEFAULT_REGION": cfg.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
            "AWS_XRAY_DAEMON_ADDRESS": cfg.xray_daemon_address,
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "_HANDLER": cfg.handler,
            "LAMBDA_TASK_ROOT": str(cfg.task_root),
            "PYTHONPATH": os.pathsep.join(python_path),
            "TZ": ":UTC",
        })
        if cfg.exec_wrapper is not None:
            environ["AWS_LAMBDA_EXEC_WRAPPER"] = str(cfg.exec_wrapper)
        environ.update(cfg.environment)
        return environ

    def _spawn(self) -> None:
        command = [sys.executable, "-m", "awslambdaric", self.config.handler]
        if self.config.exec_wrapper is not None:
            command = [str(self.config.exec_wrapper), *command]
        self.api.reset_poll()
        self.api.extensions.reset()
        self._started_at, self._started_wall = time.monotonic(), time.time()
        environ = self.environment()
        stderr = subprocess.STDOUT if self.output is not None else None
        for path in self.config.extension_paths():  # Lambda starts extensions before the runtime
            self.extension_processes.append(subprocess.Popen(
                [str(path)], env=environ, cwd=self.config.task_root, stdout=self.output, stderr=stderr,
                start_new_session=True))
        self.process = subprocess.Popen(command, env=environ, cwd=self.config.task_root, stdout=self.output,
                                        stderr=stderr, start_new_session=True)
        self._cold = True

    def _extensions_ready(self, timeout: float) -> bool:
        """Every started extension registered and waits for its next event."""
        deadline = time.monotonic() + timeout
        while self.api.extensions.registered < len(self.extension_processes):
            if time.monotonic() >= deadline or any(p.poll() is not None for p in self.extension_processes):
                return False
            time.sleep(0.01)
        return self.api.extensions.wait_ready(max(0.0, deadline - time.monotonic()))

    def _stop_extensions(self, reason: str) -> None:
        """Send SHUTDOWN, give the extensions 2 s (Lambda's limit) to exit, then kill them by PID."""
        if not self.extension_processes:
            return
        self.api.extensions.publish({"eventType": "SHUTDOWN", "shutdownReason": reason,
                                     "deadlineMs": int((time.time() + SHUTDOWN_TIMEOUT) * 1000)})
        deadline = time.monotonic() + SHUTDOWN_TIMEOUT
        for process in self.extension_processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.extension_processes = []

    def _kill(self, reason: str = "timeout") -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None
        self._stop_extensions(reason)

    def close(self) -> None:
        """Stop the runtime process (by PID), shut the extensions down, stop the Runtime API."""
        self._kill("spindown")
        self.api.stop()

    def invoke(self, event: bytes, trace_header: str | None = None) -> InvokeResult:
        """Invoke once (cold if no process is running) and wait for the outcome or the timeout."""
        if self.process is None or self.process.poll() is not None:
            self._spawn()
        assert self.process is not None
        cfg = self.config
        service = start_trace(trace_header) if cfg.service_segments else None
        header = service.function_header if service else (trace_header or lambda_trace_header())
        item = Invocation(str(uuid.uuid4()), event, cfg.timeout, cfg.arn, header)
        if self._cold and self.extension_processes and not self._extensions_ready(INIT_TIMEOUT):
            self._stop_extensions("failure")
        submitted = time.time()
        self.api.submit(item)
        self.api.extensions.publish({
            "eventType": "INVOKE", "requestId": item.request_id, "invokedFunctionArn": cfg.arn,
            "deadlineMs": int((submitted + cfg.timeout) * 1000),
            "tracing": {"type": "X-Amzn-Trace-Id", "value": header},
        })
        status = self._wait(item)
        self.api.forget(item.request_id)
        init_ms = None
        if self._cold and self.api.first_poll_at is not None:
            init_ms = (self.api.first_poll_at - self._started_at) * 1000
        cold, self._cold = self._cold, False
        received = item.received_at or time.monotonic()
        duration = ((item.done_at or time.monotonic()) - received) * 1000
        memory = _max_memory_mb(self.process.pid) if self.process is not None else 0
        error = item.error
        if status == "timeout":
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            error = {"errorMessage": f"{stamp} {item.request_id} Task timed out after {cfg.timeout:.2f} seconds"}
            memory = memory or 0
            self._kill()
        elif status == "runtime_exit":
            code = self.process.returncode if self.process is not None else None
            init = self.api.init_errors[-1].body if self.api.init_errors else {}
            error = {"errorType": "Runtime.ExitError",
                     "errorMessage": f"RequestId: {item.request_id} Error: Runtime exited with error: exit status {code}",
                     **({"initError": init} if init else {})}
            self.process = None
        if service is not None:
            self._send_service_segments(service, item, status, error, submitted, cold and init_ms is not None)
        return InvokeResult(item.request_id, header, status, item.response or b"", error, duration, init_ms,
                            memory, cfg.memory_mb)

    def _send_service_segments(self, service: ServiceTrace, item: Invocation, status: str,
                               error: dict[str, Any] | None, submitted: float, cold: bool) -> None:
        now_wall, now_mono = time.time(), time.monotonic()

        def wall(mono: float | None) -> float:
            return now_wall - (now_mono - (mono if mono is not None else now_mono))

        initialization = (self._started_wall, wall(self.api.first_poll_at)) if cold else None
        documents = build_segments(service, InvocationRecord(
            function_name=self.config.function_name, function_arn=self.config.arn,
            request_id=item.request_id, start=submitted, end=now_wall,
            invocation=(wall(item.received_at), wall(item.done_at)), initialization=initialization, status=status,
            error_cause=item.xray_error_cause, error_message=(error or {}).get("errorMessage"),
        ))
        from otelray.aws_lambda.exporter import parse_daemon_address  # the OTel SDK only when needed

        try:
            address = parse_daemon_address(self.config.xray_daemon_address)
        except ValueError:
            return
        self.segments_sent += send_segments(documents, address)

    def _wait(self, item: Invocation) -> str:
        init_deadline = time.monotonic() + INIT_TIMEOUT
        while not item.done.wait(0.02):
            if self.process is None or self.process.poll() is not None:
                return "runtime_exit"
            if item.received_at is None:
                if time.monotonic() >= init_deadline:
                    return "timeout"
            elif time.monotonic() >= item.received_at + self.config.timeout:
                return "timeout"
        # complete once every extension is back in /event/next (within the function's timeout)
        if item.received_at is not None:
            self.api.extensions.wait_ready(max(0.0, item.received_at + self.config.timeout - time.monotonic()))
        return "success" if item.error is None else "error"
