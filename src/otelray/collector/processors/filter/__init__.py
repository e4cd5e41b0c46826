"""The ``filter`` processor: drop spans, span events, metrics, data points and log records by OTTL condition."""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Settings, Signal, Stability
from otelray.collector.processorhelper import FuncProcessor
from otelray.collector.processors.filter.config import FilterConfig
from otelray.collector.processors.filter.processor import Filter
from otelray.collector.registry import ProcessorFactory


def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: FilterConfig, next_consumer: Any) -> FuncProcessor:
        compiled = Filter(config, settings.logger)
        method = getattr(compiled, signal.value)
        counter = settings.telemetry.counter(
            f"otelcol_processor_filter_{signal.item}_filtered", f"{signal.item} dropped by the filter processor.")

        def process(batch: Any) -> Any:
            result = method(batch)
            if compiled.dropped:
                counter.inc(compiled.dropped)
            return result
        return FuncProcessor(settings, signal, process, next_consumer)
    return create


factory = ProcessorFactory(
    type="filter",
    config=FilterConfig,
    description="Drops telemetry matching OTTL conditions (or legacy metric name lists).",
    traces=(_create(Signal.TRACES), Stability.ALPHA),
    metrics=(_create(Signal.METRICS), Stability.ALPHA),
    logs=(_create(Signal.LOGS), Stability.ALPHA),
)

__all__ = ["FilterConfig", "factory"]
