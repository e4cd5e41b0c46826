"""Test kit shipped with the collector (collector ``consumer/consumertest`` and ``componenttest``).

``TracesSink`` / ``MetricsSink`` / ``LogsSink`` record what reaches the end of a pipeline; the nop
components do nothing and accept everything; ``make_settings`` and ``NopHost`` build what a factory
needs outside a running collector; ``sample_batch`` gives one small batch per signal.
"""

from __future__ import annotations

from otelray.collector.testing.nop import NopHost, make_settings, nop_factories
from otelray.collector.testing.samples import sample_batch
from otelray.collector.testing.sink import LogsSink, MetricsSink, Sink, TracesSink
from otelray.collector.testing.sinkexporter import sink_factory, test_registry

__all__ = [
    "LogsSink",
    "MetricsSink",
    "NopHost",
    "Sink",
    "TracesSink",
    "make_settings",
    "nop_factories",
    "sample_batch",
    "sink_factory",
    "test_registry",
]
