from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from otelray.collector.component import Signal
from otelray.collector.config.model import load_config
from otelray.collector.service.graph import Graph
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import sample_batch, test_registry

TESTDATA = Path(__file__).parent / "testdata"


def test_one_shared_receiver_fans_out_to_every_pipeline_and_exporter():
    async def run():
        cfg = load_config([str(TESTDATA / "fanout.yaml")], test_registry(), env={})
        tel = Telemetry()
        graph = Graph(cfg, test_registry(), tel).build()
        await graph.start()
        receiver = graph.receiver("otlp", Signal.TRACES)
        assert receiver.component is graph.receiver("otlp", Signal.LOGS).component  # one server for all signals
        port = receiver.component.addresses["http"][1]
        a, b = graph.exporter("sink/a", Signal.TRACES), graph.exporter("sink/b", Signal.TRACES)
        assert a.started and b.started
        async with httpx.AsyncClient() as client:
            r = await client.post(f"http://127.0.0.1:{port}/v1/traces", content=sample_batch(Signal.TRACES, 4).SerializeToString(),
                                  headers={"content-type": "application/x-protobuf"})
            r_logs = await client.post(f"http://127.0.0.1:{port}/v1/logs", content=sample_batch(Signal.LOGS, 2).SerializeToString(),
                                       headers={"content-type": "application/x-protobuf"})
        await b.wait_for(4)
        await graph.shutdown()
        await graph.shutdown()  # twice is safe
        return r, r_logs, a, b, graph, tel

    r, r_logs, a, b, graph, tel = asyncio.run(run())
    # traces/2 has a broken exporter: the fan-out still fed sink/a, and the client hears the permanent error
    assert r.status_code == 400 and "sink/broken refuses every batch" in r.text
    assert a.item_count == 8  # 4 via traces (batched) + 4 via traces/2
    assert b.item_count == 4
    assert r_logs.status_code == 200 and graph.exporter("sink/b", Signal.LOGS).item_count == 2
    assert a.shutdowns == 1 and b.shutdowns == 1
    assert graph.exporter("sink/a", Signal.TRACES) is a  # one instance per exporter ID and signal


def test_start_failure_shuts_down_what_started(tmp_path):
    cfg_file = tmp_path / "c.yaml"
    cfg_file.write_text(
        "receivers: {otlp: {protocols: {http: {endpoint: '127.0.0.1:0'}}}}\n"
        "exporters: {sink: , file: {path: /nonexistent/dir/out.json}}\n"
        "service: {pipelines: {traces: {receivers: [otlp], exporters: [sink, file]}}}\n")

    async def run():
        graph = Graph(load_config([str(cfg_file)], test_registry(), env={}), test_registry()).build()
        try:
            await graph.start()
        except Exception as exc:
            return exc, graph.exporter("sink", Signal.TRACES)
        raise AssertionError("start should fail")

    exc, sink = asyncio.run(run())
    assert "file: cannot open /nonexistent/dir/out.json: No such file or directory" in str(exc)
    assert sink.started and sink.shutdowns == 1
