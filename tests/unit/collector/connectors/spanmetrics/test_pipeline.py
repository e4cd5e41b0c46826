"""spanmetrics connector in a real pipeline graph: traces pipeline → connector → metrics pipeline → sink."""

from __future__ import annotations

import asyncio
from pathlib import Path

from otelray.collector.component import Signal
from otelray.collector.config.model import load_config
from otelray.collector.service.graph import Graph
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import test_registry

from .test_spanmetrics import OK, SERVER, key, points, spans

TESTDATA = Path(__file__).parent / "testdata"


def test_pipeline_through_the_connector():
    async def run():
        registry = test_registry()
        cfg = load_config([str(TESTDATA / "pipeline.yaml")], registry, env={})
        graph = Graph(cfg, registry, Telemetry()).build()
        await graph.start()
        receiver = graph.receiver("nop", Signal.TRACES)
        await receiver._next.consume_traces(spans(("GET /a", SERVER, OK, 20, {"http.method": "POST"}),
                                                  ("GET /b", SERVER, OK, 2000, {})))
        traces = graph.exporter("sink/traces", Signal.TRACES)
        await traces.wait_for(2)
        await graph.shutdown()  # the connector flushes into the metrics pipeline, which then flushes
        return traces, graph.exporter("sink/metrics", Signal.METRICS)

    traces, metrics = asyncio.run(run())
    assert traces.item_count == 2
    (batch,) = metrics.batches
    got = points(batch)
    base = {"service.name": "shop", "span.kind": "SPAN_KIND_SERVER", "status.code": "STATUS_CODE_OK", "region": "eu"}
    a = key(**base, **{"span.name": "GET /a", "http.method": "POST"})
    b = key(**base, **{"span.name": "GET /b", "http.method": "GET"})  # the dimension's default
    assert {k: p.as_int for k, p in got["calls"].items()} == {a: 1, b: 1}
    assert list(got["durations"][b].explicit_bounds) == [10, 100, 1000]
    assert list(got["durations"][b].bucket_counts) == [0, 0, 0, 1]
