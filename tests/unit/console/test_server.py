"""Serving the console on the backend's event loop: start, answer, stop; busy port; disabled."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import httpx
import pytest

from otelray.console.server import start_console
from otelray.service.app import XRayApp
from otelray.service.server import BackendSettings, open_context


def _busy_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_serves_and_stops(tmp_path: Path) -> None:
    ctx = open_context(BackendSettings(data_dir=tmp_path / "data"))

    async def scenario() -> tuple[int, int, str]:
        probe = _busy_socket()
        port = probe.getsockname()[1]
        probe.close()
        console = await start_console(XRayApp(ctx), "127.0.0.1", port)
        assert console is not None
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                try:
                    page = await client.get(f"{console.url}/traces")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.02)
            groups = await client.post(f"{console.url}/xray/Groups", json={})
        await console.stop()
        await console.stop()
        return page.status_code, groups.status_code, console.url

    try:
        page, groups, url = asyncio.run(scenario())
    finally:
        ctx.close()
    assert (page, groups) == (200, 200)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/traces", timeout=1)


def test_busy_port_is_a_warning_not_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    busy = _busy_socket()
    port = busy.getsockname()[1]
    try:
        with caplog.at_level(logging.WARNING, logger="otelray.console.server"):
            assert asyncio.run(start_console(object(), "127.0.0.1", port)) is None
    finally:
        busy.close()
    assert f"cannot listen on 127.0.0.1:{port}" in caplog.text and "--console-port" in caplog.text


def test_port_zero_disables_the_console() -> None:
    assert asyncio.run(start_console(object(), "127.0.0.1", 0)) is None
