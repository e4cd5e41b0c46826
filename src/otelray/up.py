"""``otelray up``: the whole local pipeline in one command.

Starts two processes and supervises them:

- the X-Ray backend (``otelray backend``): the X-Ray API on TCP ``--xray-port`` (where the X-Ray
  daemon's proxy would be, so SDK samplers find it) and the console on ``--console-port``;
- the collector (``otelray collector``) with a generated ADOT-style config: OTLP on
  ``--otlp-grpc-port``/``--otlp-http-port`` and X-Ray daemon datagrams on UDP ``--xray-port`` in;
  the ``awsxray`` exporter out to the backend, and with ``--forward-to-aws`` a second ``awsxray``
  exporter to real AWS X-Ray with the user's credentials.

Ctrl-C (or SIGTERM) stops the collector first, so that it drains into the backend, then the backend.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click
import yaml

#: Credentials used to sign requests to the local backend when the user has none configured;
#: the backend checks the SigV4 shape, not the secret.
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "otelray-local", "AWS_SECRET_ACCESS_KEY": "otelray-local"}
READY_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class StackPorts:
    """The ports the local stack listens on, all on ``host``."""

    host: str = "127.0.0.1"
    otlp_grpc: int = 4317
    otlp_http: int = 4318
    xray: int = 2000
    console: int = 2020
    health: int = 13133
    telemetry: int = 8888


def collector_config(ports: StackPorts, *, forward_to_aws: bool, aws_region: str | None) -> dict:
    """The collector config ``otelray up`` runs: OTLP + X-Ray UDP in, awsxray to the backend out."""
    exporters: dict[str, dict] = {
        "awsxray/local": {
            "endpoint": f"http://{ports.host}:{ports.xray}",
            "region": aws_region or "us-east-1",
            "local_mode": True,
        }
    }
    if forward_to_aws:
        aws: dict = {"local_mode": True}
        if aws_region:
            aws["region"] = aws_region
        exporters["awsxray/aws"] = aws
    return {
        "extensions": {"health_check": {"endpoint": f"{ports.host}:{ports.health}"}},
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": f"{ports.host}:{ports.otlp_grpc}"},
                    "http": {"endpoint": f"{ports.host}:{ports.otlp_http}"},
                }
            },
            # The backend itself serves the X-Ray API on TCP --xray-port, so no sampling proxy here.
            "awsxray": {"endpoint": f"{ports.host}:{ports.xray}", "transport": "udp", "proxy_server": None},
        },
        "processors": {"batch/traces": {"timeout": "1s", "send_batch_size": 50}},
        "exporters": exporters,
        "service": {
            "extensions": ["health_check"],
            "pipelines": {
                "traces": {
                    "receivers": ["otlp", "awsxray"],
                    "processors": ["batch/traces"],
                    "exporters": sorted(exporters),
                }
            },
            "telemetry": {"metrics": {"address": f"{ports.host}:{ports.telemetry}"}},
        },
    }


def _port_in_use(host: str, port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def check_ports_free(ports: StackPorts) -> list[str]:
    """Names of the ports that something else already holds, with the flag that moves each."""
    wanted = [
        ("--otlp-grpc-port", ports.otlp_grpc, socket.SOCK_STREAM),
        ("--otlp-http-port", ports.otlp_http, socket.SOCK_STREAM),
        ("--xray-port (TCP)", ports.xray, socket.SOCK_STREAM),
        ("--xray-port (UDP)", ports.xray, socket.SOCK_DGRAM),
        ("--console-port", ports.console, socket.SOCK_STREAM),
    ]
    return [f"{flag} {port}" for flag, port, kind in wanted if port and _port_in_use(ports.host, port, kind)]


def _wait_tcp(host: str, port: int, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise click.ClickException(f"the {what} exited with code {proc.returncode}; its output is above")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise click.ClickException(f"the {what} did not listen on {host}:{port} within {READY_TIMEOUT_SECONDS:.0f} s")


def _stop(proc: subprocess.Popen | None, timeout: float = 15.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _child_env(forward_to_aws: bool) -> dict[str, str]:
    env = dict(os.environ)
    if not forward_to_aws:
        # The local backend needs a signature, not real credentials; never send the user's keys to it.
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            env.pop(key, None)
        env.update(LOCAL_CREDENTIALS)
    return env


@click.command("up")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address every listener binds.")
@click.option("--otlp-grpc-port", default=4317, show_default=True, type=click.IntRange(1, 65535))
@click.option("--otlp-http-port", default=4318, show_default=True, type=click.IntRange(1, 65535))
@click.option("--xray-port", default=2000, show_default=True, type=click.IntRange(1, 65535),
              help="X-Ray daemon UDP (collector) and X-Ray API TCP (backend).")
@click.option("--console-port", default=2020, show_default=True, type=click.IntRange(0, 65535),
              help="Web console port; 0 turns the console off.")
@click.option("--health-port", default=13133, show_default=True, type=click.IntRange(1, 65535),
              help="Collector health_check port.")
@click.option("--telemetry-port", default=8888, show_default=True, type=click.IntRange(1, 65535),
              help="Collector's own Prometheus metrics port.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Trace store and collector queue directory [default: the user data directory of otelray].")
@click.option("--forward-to-aws", is_flag=True,
              help="Also send every trace to AWS X-Ray with your AWS credentials and region.")
@click.option("--aws-region", default=None, help="Region for --forward-to-aws [default: AWS_REGION].")
def up(  # noqa: PLR0913 - one parameter per command-line option
    host: str, otlp_grpc_port: int, otlp_http_port: int, xray_port: int, console_port: int,
       health_port: int, telemetry_port: int, data_dir: Path | None, forward_to_aws: bool,
       aws_region: str | None) -> None:
    """Run the local stack: collector (OTLP + X-Ray UDP in), X-Ray backend and console."""
    from otelray.service.cli import default_data_dir

    ports = StackPorts(host, otlp_grpc_port, otlp_http_port, xray_port, console_port, health_port, telemetry_port)
    busy = check_ports_free(ports)
    if busy:
        raise click.ClickException(
            "ports already in use: " + ", ".join(busy) + " — stop what holds them or pass the flag with another port"
        )
    data = data_dir or default_data_dir()
    data.mkdir(parents=True, exist_ok=True)
    config_path = data / "up-collector.yaml"
    region = aws_region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    config_path.write_text(yaml.safe_dump(collector_config(ports, forward_to_aws=forward_to_aws, aws_region=region)))
    _supervise(ports, data, config_path, forward_to_aws)


def _supervise(ports: StackPorts, data: Path, config_path: Path, forward_to_aws: bool) -> None:
    backend = collector = None
    py = sys.executable
    stop_requested = False

    def _on_term(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    previous = signal.signal(signal.SIGTERM, _on_term)
    try:
        with click.progressbar(length=2, label="starting otelray", file=sys.stderr) as bar:
            backend = subprocess.Popen(
                [py, "-m", "otelray", "backend", "--host", ports.host, "--port", str(ports.xray),
                 "--udp-port", "0", "--console-port", str(ports.console), "--data-dir", str(data / "traces")],
                env=_child_env(False),
            )
            _wait_tcp(ports.host, ports.xray, backend, "backend")
            bar.update(1)
            collector = subprocess.Popen(
                [py, "-m", "otelray", "collector", "--config", str(config_path)], env=_child_env(forward_to_aws)
            )
            _wait_tcp(ports.host, ports.otlp_http, collector, "collector")
            bar.update(1)
        _print_urls(ports, data, forward_to_aws)
        while not stop_requested and backend.poll() is None and collector.poll() is None:
            time.sleep(0.2)
        if backend.poll() is not None or collector.poll() is not None:
            raise click.ClickException("a component of the stack exited unexpectedly; see its output above")
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        click.echo("stopping otelray …", err=True)
        _stop(collector)
        _stop(backend)


def _print_urls(ports: StackPorts, data: Path, forward_to_aws: bool) -> None:
    h = ports.host
    lines = [
        f"OTLP gRPC        {h}:{ports.otlp_grpc}",
        f"OTLP HTTP        http://{h}:{ports.otlp_http}",
        f"X-Ray daemon UDP {h}:{ports.xray}",
        f"X-Ray API        http://{h}:{ports.xray}",
    ]
    if ports.console:
        lines.append(f"Console          http://{h}:{ports.console}")
    lines.append(f"Data             {data}")
    if forward_to_aws:
        lines.append("Forwarding       every trace also goes to AWS X-Ray")
    click.echo("otelray is up (Ctrl-C stops it)\n  " + "\n  ".join(lines))
