"""Start ``otelray up`` on free ports for integration tests (shared by the up and shop tests)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.conftest import free_port


def free_tcp_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_stack(data: Path, *extra: str) -> tuple[subprocess.Popen[bytes], dict[str, int], Path]:
    """Run ``otelray up`` with every port free; return the process, its ports and its log file."""
    ports = {
        "otlp_grpc": free_tcp_port(),
        "otlp_http": free_tcp_port(),
        "xray": free_port(),
        "console": free_tcp_port(),
        "health": free_tcp_port(),
        "telemetry": free_tcp_port(),
    }
    log = data / "up.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "otelray", "up", "--data-dir", str(data / "d"),
             "--otlp-grpc-port", str(ports["otlp_grpc"]), "--otlp-http-port", str(ports["otlp_http"]),
             "--xray-port", str(ports["xray"]), "--console-port", str(ports["console"]),
             "--health-port", str(ports["health"]), "--telemetry-port", str(ports["telemetry"]), *extra],
            stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 40
    while "otelray is up" not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("otelray up did not come up:\n" + log.read_text(errors="replace"))
        time.sleep(0.1)
    return proc, ports, log
