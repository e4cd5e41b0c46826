from __future__ import annotations

import asyncio

import httpx
import orjson

from otelray.collector.component import Kind
from otelray.collector.extensions.health_check import HealthCheck, HealthCheckConfig
from otelray.collector.testing import NopHost, make_settings


def test_status_follows_pipeline_readiness_like_upstream():
    async def run():
        ext = HealthCheck(make_settings("health_check", Kind.EXTENSION), HealthCheckConfig(endpoint="127.0.0.1:0"))
        await ext.start(NopHost())
        url = f"http://127.0.0.1:{ext.address[1]}"
        async with httpx.AsyncClient() as client:
            before = await client.get(url + "/")
            ext.ready()
            after = await client.get(url + "/")
            other = await client.get(url + "/other")
            ext.not_ready()
            stopping = await client.get(url + "/")
        await ext.shutdown()
        await ext.shutdown()
        return before, after, other, stopping

    before, after, other, stopping = asyncio.run(run())
    assert before.status_code == 503
    assert before.json() == {"status": "Server not available", "upSince": "0001-01-01T00:00:00Z", "uptime": ""}
    assert after.status_code == 200
    body = orjson.loads(after.content)
    assert body["status"] == "Server available" and body["upSince"].endswith("Z") and body["uptime"].endswith("s")
    assert other.status_code == 404 and stopping.status_code == 503


def test_custom_bodies_and_path():
    async def run():
        cfg = HealthCheckConfig.model_validate({"endpoint": "127.0.0.1:0", "path": "/health/status",
                                                "response_body": {"healthy": "I'm OK", "unhealthy": "I'm bad!"}})
        ext = HealthCheck(make_settings("health_check", Kind.EXTENSION), cfg)
        await ext.start(NopHost())
        url = f"http://127.0.0.1:{ext.address[1]}/health/status"
        async with httpx.AsyncClient() as client:
            bad = await client.get(url)
            ext.ready()
            good = await client.get(url)
        await ext.shutdown()
        return bad, good

    bad, good = asyncio.run(run())
    assert (bad.status_code, bad.text, good.status_code, good.text) == (503, "I'm bad!", 200, "I'm OK")


def test_uptime_is_rendered_like_go_durations():
    from otelray.collector.extensions.health_check import go_duration

    assert [go_duration(s) for s in (0, 0.0000005, 0.0015, 0.25, 1.5, 61, 3723.5)] == [
        "0s", "500ns", "1.5ms", "250ms", "1.5s", "1m1s", "1h2m3.5s"]
