"""Connectors in the pipeline graph: traces pipelines feeding a logs pipeline, build order, cycles."""

from __future__ import annotations

import asyncio

import pytest

from otelray.collector.component import Signal, Stability
from otelray.collector.config.model import build_config
from otelray.collector.consumer import Capabilities, count_items
from otelray.collector.errors import ConfigErrors
from otelray.collector.registry import ConnectorFactory, make_registry
from otelray.collector.service.graph import Graph
from otelray.collector.testing import sample_batch, test_registry
from otelray.collector.testing.nop import NopConfig

EVENTS: list[str] = []


class SpanCounter:
    """Turns every trace batch into one log record saying how many spans it had."""

    def __init__(self, settings, next_consumer) -> None:
        self.name = f"connector {settings.id}"
        self.next = next_consumer

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities()

    async def consume_traces(self, batch) -> None:
        logs = sample_batch(Signal.LOGS, 1)
        logs.resource_logs[0].scope_logs[0].log_records[0].body.string_value = f"{count_items(Signal.TRACES, batch)} spans"
        await self.next.consume_logs(logs)

    async def start(self, host) -> None:
        EVENTS.append(f"start {self.name}")

    async def shutdown(self) -> None:
        EVENTS.append(f"stop {self.name}")


def _registry():
    counter = ConnectorFactory(type="spancount", config=NopConfig,
                               pairs={(Signal.TRACES, Signal.LOGS): (lambda s, c, n: SpanCounter(s, n), Stability.ALPHA),
                                      (Signal.LOGS, Signal.TRACES): (lambda s, c, n: SpanCounter(s, n), Stability.ALPHA)})
    return make_registry([*test_registry().factories(), counter])


def _config(pipelines):
    return {"receivers": {"nop": None}, "processors": {"batch": {"timeout": "1h"}}, "exporters": {"sink": None, "sink/logs": None},
            "connectors": {"spancount": None}, "service": {"pipelines": pipelines}}


def test_a_connector_carries_data_from_traces_pipelines_into_a_logs_pipeline():
    registry = _registry()
    cfg = build_config(_config({
        "traces": {"receivers": ["nop"], "exporters": ["sink", "spancount"]},
        "traces/2": {"receivers": ["nop"], "exporters": ["spancount"]},
        "logs": {"receivers": ["spancount"], "processors": ["batch"], "exporters": ["sink/logs"]},
    }), registry)
    graph = Graph(cfg, registry).build()

    async def run():
        await graph.start()
        head = graph.receiver("nop", Signal.TRACES)
        await head._next.consume_traces(sample_batch(Signal.TRACES, 3))  # what the nop receiver would deliver
        await graph.shutdown()  # the batch processor of the logs pipeline flushes at shutdown

    asyncio.run(run())
    logs = graph.exporter("sink/logs", Signal.LOGS)
    bodies = [r.body.string_value for b in logs.batches for rl in b.resource_logs for sl in rl.scope_logs
              for r in sl.log_records]
    assert bodies == ["3 spans", "3 spans"]  # one per traces pipeline: both feed the one connector instance
    assert graph.exporter("sink", Signal.TRACES).item_count == 3


def test_connector_pipelines_build_downstream_first_and_cycles_are_config_errors():
    registry = _registry()
    with pytest.raises(ConfigErrors) as info:
        build_config(_config({
            "traces": {"receivers": ["spancount"], "exporters": ["spancount"]},
        }), registry)
    assert "connector" in str(info.value)
    with pytest.raises(ConfigErrors) as cycle:
        build_config(_config({
            "traces": {"receivers": ["nop", "spancount"], "exporters": ["spancount"]},
            "logs": {"receivers": ["spancount"], "exporters": ["spancount"]},
        }), registry)
    assert str(cycle.value) == ("service::pipelines: cycle detected: traces -> connector spancount -> logs -> "
                                "connector spancount -> traces")


def test_the_spanmetrics_connector_runs_in_the_graph():
    registry = test_registry()
    raw = {"receivers": {"nop": None}, "exporters": {"sink": None}, "connectors": {"spanmetrics": None},
           "service": {"pipelines": {"traces": {"receivers": ["nop"], "exporters": ["spanmetrics"]},
                                     "metrics": {"receivers": ["spanmetrics"], "exporters": ["sink"]}}}}
    graph = Graph(build_config(raw, registry), registry).build()

    async def run():
        await graph.start()
        await graph.receiver("nop", Signal.TRACES)._next.consume_traces(sample_batch(Signal.TRACES, 4))
        await graph.shutdown()  # spanmetrics flushes at shutdown, into the still-running metrics pipeline

    asyncio.run(run())
    sink = graph.exporter("sink", Signal.METRICS)
    names = {m.name for b in sink.batches for rm in b.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
    assert names and all("calls" in n or "duration" in n for n in names), names
