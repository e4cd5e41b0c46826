"""Fixtures that start real processes on 127.0.0.1 (free ports, stopped by PID)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


def free_port() -> int:
    """A port number free for both TCP and UDP on 127.0.0.1 (the backend listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return int(port)
    raise RuntimeError("no port free for both TCP and UDP")


@dataclass
class BackendProcess:
    """A running ``otelray backend``: its URL, port, data directory and process."""

    url: str
    port: int
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the process by PID (SIGTERM flushes; SIGKILL simulates a crash)."""
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _await_http(process: subprocess.Popen[bytes], url: str, timeout: float,
                ready: Callable[[], bool] = lambda: True, interval: float = 0.05) -> bool:
    """Poll ``url`` until it answers 200 (and ``ready()``); on timeout or exit, kill the process, False."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200 and ready():
                return True
        except httpx.TransportError:
            pass
        time.sleep(interval)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    return False


def start_backend(data_dir: Path, *extra: str, timeout: float = 20.0, port: int | None = None) -> BackendProcess:
    """Start ``python -m otelray backend`` on ``port`` (default: a free one) and wait until the API answers."""

    fixed_port = port
    for _attempt in range(3):
        port = fixed_port or free_port()
        log = data_dir.parent / f"backend-{port}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                # no console unless asked for (a later --console-port in ``extra`` wins)
                [sys.executable, "-m", "otelray", "backend", "--port", str(port), "--data-dir", str(data_dir),
                 "--console-port", "0", *extra],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        if _await_http(process, f"{url}/-/health", timeout):
            return BackendProcess(url=url, port=port, data_dir=data_dir, process=process, log=log)
    raise RuntimeError(f"otelray backend did not start; log:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    """One ``otelray backend`` per test module, with its own data directory."""
    proc = start_backend(tmp_path_factory.mktemp("backend") / "data")
    yield proc
    proc.stop()


@pytest.fixture
def xray_env() -> dict[str, str]:
    """Environment with dummy AWS credentials for the AWS CLI and SDKs talking to local servers."""
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_PAGER="",
    )
    return env


@dataclass
class CollectorProcess:
    """A running ``otelray collector``: its config file, own-metrics URL, log and process."""

    config: Path
    metrics_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stop by PID (SIGTERM drains; SIGKILL simulates a crash); returns the exit status."""
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        return int(self.process.returncode)

    def metric(self, name: str, **labels: str) -> float:
        """Current value of one sample of the collector's own metrics (0 when absent)."""
        import httpx
        from prometheus_client.parser import text_string_to_metric_families

        text = httpx.get(self.metrics_url, timeout=5).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    return float(sample.value)
        return 0.0


def start_collector(
    config_text: str, workdir: Path, *, timeout: float = 20.0, env: dict[str, str] | None = None,
    metrics_url: str | None = None,
) -> CollectorProcess:
    """Write ``config_text`` and start ``python -m otelray collector --config`` on it.

    ``{metrics_port}`` in the text is replaced by a free port used for the collector's own metrics
    endpoint (which the config must set as ``service::telemetry::metrics::address``); the helper
    waits until that endpoint answers, i.e. until every pipeline has started. ``metrics_url`` overrides
    the endpoint to wait for (when the real config comes from elsewhere, e.g. ``AOT_CONFIG_CONTENT``).
    """

    metrics_port = free_port()
    config = workdir / f"collector-{metrics_port}.yaml"
    config.write_text(config_text.replace("{metrics_port}", str(metrics_port)))
    log = workdir / f"collector-{metrics_port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "otelray", "collector", "--config", str(config)],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
    url = metrics_url or f"http://127.0.0.1:{metrics_port}/metrics"
    if _await_http(process, url, timeout, ready=lambda: b"Everything is ready" in log.read_bytes()):
        return CollectorProcess(config=config, metrics_url=url, process=process, log=log)
    raise RuntimeError(f"otelray collector did not start; log:\n{log.read_text(errors='replace')}")


@dataclass
class ConsoleBackend:
    """An ``otelray backend`` serving the web console: the backend and the console's URL."""

    backend: BackendProcess
    url: str


def start_console_backend(data_dir: Path, *extra: str, timeout: float = 20.0) -> ConsoleBackend:
    """Start ``otelray backend --console-port <free port>`` and wait until the console answers too."""
    import httpx

    console_port = free_port()
    proc = start_backend(data_dir, "--console-port", str(console_port), *extra, timeout=timeout)
    url = f"http://127.0.0.1:{console_port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/-/versions.json", timeout=1.0).status_code == 200:
                return ConsoleBackend(backend=proc, url=url)
        except httpx.TransportError:
            time.sleep(0.05)
    proc.stop()
    raise RuntimeError(f"otelray console did not answer on {url}; log:\n{proc.log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def console_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleBackend]:
    """One ``otelray backend`` with its web console on a free port, per test module."""
    started = start_console_backend(tmp_path_factory.mktemp("console") / "data")
    yield started
    started.backend.stop()


def start_prometheus(workdir: Path, timeout: float = 30.0) -> tuple[str, subprocess.Popen[bytes]]:
    """Start Debian's ``prometheus`` with the remote-write receiver on a free port (temp config and storage)."""

    (workdir / "prometheus.yml").write_text("global: {scrape_interval: 15s}\nscrape_configs: []\n")
    port = free_port()
    with open(workdir / "prometheus.log", "wb") as out:
        process = subprocess.Popen(
            ["/usr/bin/prometheus", f"--config.file={workdir / 'prometheus.yml'}",
             f"--storage.tsdb.path={workdir / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
             "--web.enable-remote-write-receiver"],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    if _await_http(process, f"{url}/-/ready", timeout, interval=0.1):
        return url, process
    raise RuntimeError(f"prometheus did not start; log:\n{(workdir / 'prometheus.log').read_text(errors='replace')}")


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus accepting remote write, per test module; yields its base URL."""
    url, process = start_prometheus(tmp_path_factory.mktemp("prometheus"))
    yield url
    os.kill(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def prometheus_query(url: str, promql: str) -> list[dict[str, object]]:
    """The result vector of an instant query against Prometheus' HTTP API."""
    import httpx

    response = httpx.get(f"{url}/api/v1/query", params={"query": promql}, timeout=5).json()
    if response.get("status") != "success":
        raise AssertionError(f"query {promql!r} failed: {response}")
    return list(response["data"]["result"])


def wait_until(check: Callable[[], T], timeout: float = 20.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns a truthy value and return that value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s")
        time.sleep(0.05)


def signed_collector_env() -> dict[str, str]:
    """A collector's environment with the capture server's dummy credentials: signs requests, reaches no real AWS."""
    from tests.unit.collector.aws.capture_server import ACCESS_KEY, SECRET_KEY

    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true")
    env.pop("AWS_SESSION_TOKEN", None)
    return env


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def start_moto(workdir: Path, timeout: float = 30.0) -> tuple[str, subprocess.Popen[bytes]]:
    """Start a real ``moto_server`` on a free port (log in ``workdir``), wait until it answers; return URL and process."""
    port = free_port()
    with open(workdir / "moto.log", "wb") as out:
        process = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url + "/moto-api/"), timeout, "moto_server start")
    except AssertionError:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        raise
    return url, process


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``moto_server`` standing in for AWS (X-Ray, CloudWatch Logs, STS…), per test module; yields its URL."""
    url, process = start_moto(tmp_path_factory.mktemp("moto"))
    yield url
    os.kill(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def aws_client(service: str, url: str, *, max_attempts: int | None = None) -> Any:
    """A boto3 client for ``service`` at ``url`` (a local server) with dummy credentials in us-east-1."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": max_attempts}) if max_attempts is not None else None
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=config)


@pytest.fixture(scope="module")
def xray(backend: BackendProcess) -> Any:
    """A boto3 X-Ray client on the module's ``otelray backend``."""
    return aws_client("xray", backend.url)
