"""The ``otelray backend`` command."""

from __future__ import annotations

import logging
from pathlib import Path

import click
import platformdirs


def default_data_dir() -> Path:
    """Where the backend keeps its data unless ``--data-dir`` says otherwise."""
    return Path(platformdirs.user_data_dir("otelray"))


@click.command("backend")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (TCP and UDP).")
@click.option("--port", default=2000, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the X-Ray API (TCP) and of the daemon protocol (UDP).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory of the trace store [default: the user data directory of otelray].")
@click.option("--retention-days", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Delete traces not updated for this many days.")
@click.option("--console-port", default=2020, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the web console (on --host); 0 turns it off.")
@click.option("--udp-port", default=None, type=click.IntRange(0, 65535),
              help="UDP port of the daemon protocol [default: --port]; 0 turns UDP off.")
def backend(host: str, port: int, data_dir: Path | None, retention_days: float, console_port: int,
            udp_port: int | None) -> None:
    """Run the local X-Ray backend: X-Ray API on TCP, daemon segments on UDP."""
    from otelray.service.server import BackendSettings, run

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = BackendSettings(
        data_dir=data_dir or default_data_dir(), host=host, port=port, retention_days=retention_days,
        console_port=console_port, udp_port=udp_port,
    )
    try:
        run(settings)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from exc
