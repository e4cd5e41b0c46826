from __future__ import annotations

import asyncio

import httpx

from otelray.collector.config.model import build_config
from otelray.collector.service.collector import Collector
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import test_registry

RAW = {
    "receivers": {"otlp": {"protocols": {"http": {"endpoint": "127.0.0.1:0"}}}},
    "exporters": {"sink": None},
    "service": {"telemetry": {"metrics": {"address": "127.0.0.1:0"}}, "pipelines": {"logs": {"receivers": ["otlp"], "exporters": ["sink"]}}},
}


def test_collector_serves_its_metrics_and_stops_on_request():
    async def run():
        tel = Telemetry()
        tel.counter("otelcol_probe", "probe", ("x",)).labels("1").inc()
        col = Collector(build_config(RAW, test_registry()), test_registry(), tel)
        task = asyncio.create_task(col.run())
        while col.telemetry_server is None or col.telemetry_server.address is None or col.graph is None:
            await asyncio.sleep(0.01)
        host, port = col.telemetry_server.address
        async with httpx.AsyncClient() as client:
            metrics = await client.get(f"http://{host}:{port}/metrics")
            missing = await client.get(f"http://{host}:{port}/")
        col.request_stop()
        await asyncio.wait_for(task, 10)
        return metrics, missing

    metrics, missing = asyncio.run(run())
    assert metrics.status_code == 200 and 'otelcol_probe_total{x="1"} 1.0' in metrics.text
    assert missing.status_code == 404


def test_level_none_disables_the_metrics_endpoint():
    raw = dict(RAW, service=dict(RAW["service"], telemetry={"metrics": {"level": "none"}}))

    async def run():
        col = Collector(build_config(raw, test_registry()), test_registry())
        await col.start()
        address = col.telemetry_server.address
        await col.shutdown()
        return address

    assert asyncio.run(run()) is None
