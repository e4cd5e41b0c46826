"""Start order: extensions, exporters, processors (last first), receivers; shutdown the other way round."""

from __future__ import annotations

import asyncio

from otelray.collector.component import Stability
from otelray.collector.config.model import build_config
from otelray.collector.registry import (
    ExporterFactory,
    ExtensionFactory,
    ProcessorFactory,
    ReceiverFactory,
    make_registry,
)
from otelray.collector.testing.nop import NopComponent, NopConfig

EVENTS: list[str] = []


class Recorder(NopComponent):
    def __init__(self, name: str, next_consumer=None) -> None:
        super().__init__(next_consumer)
        self.name = name

    async def start(self, host) -> None:
        EVENTS.append(f"start {self.name}")

    async def shutdown(self) -> None:
        EVENTS.append(f"stop {self.name}")


def _with_next(settings, config, next_consumer):
    return Recorder(f"{settings.kind.value} {settings.id}", next_consumer)


def _without_next(settings, config):
    return Recorder(f"{settings.kind.value} {settings.id}")


REGISTRY = make_registry([
    ReceiverFactory(type="r", config=NopConfig, traces=(_with_next, Stability.STABLE)),
    ProcessorFactory(type="p", config=NopConfig, traces=(_with_next, Stability.STABLE)),
    ExporterFactory(type="e", config=NopConfig, traces=(_without_next, Stability.STABLE)),
    ExtensionFactory(type="x", config=NopConfig, create_extension=_without_next),
])


def test_graph_starts_downstream_first_and_stops_upstream_first():
    from otelray.collector.service.graph import Graph

    raw = {"receivers": {"r": None}, "processors": {"p/1": None, "p/2": None}, "exporters": {"e": None},
           "extensions": {"x": None},
           "service": {"extensions": ["x"], "pipelines": {"traces": {"receivers": ["r"], "processors": ["p/1", "p/2"],
                                                                      "exporters": ["e"]}}}}
    EVENTS.clear()
    graph = Graph(build_config(raw, REGISTRY), REGISTRY).build()

    async def run():
        await graph.start()
        await graph.shutdown()

    asyncio.run(run())
    assert EVENTS == [
        "start extension x", "start exporter e", "start processor p/2", "start processor p/1", "start receiver r",
        "stop receiver r", "stop processor p/1", "stop processor p/2", "stop exporter e", "stop extension x",
    ]
