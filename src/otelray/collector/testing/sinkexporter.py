"""A ``sink`` exporter for pipeline tests: a real pipeline ending in a ``Sink`` built from YAML.

Registered only in registries tests build (``test_registry()``), never in ``BUILTIN``. Its config
can make it fail (``error: permanent`` / ``retryable``) to drive error paths.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from otelray.collector.component import Settings, Signal, Stability
from otelray.collector.config.blocks import ComponentConfig
from otelray.collector.errors import PermanentError, RetryableError
from otelray.collector.registry import ExporterFactory, Registry, load_registry, make_registry
from otelray.collector.testing.nop import nop_factories
from otelray.collector.testing.sink import SINKS, Sink


class SinkConfig(ComponentConfig):
    """Config of the ``sink`` test exporter."""

    error: str = Field("", pattern="^(|permanent|retryable)$", description="Fail every batch with this kind of error.")


def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: SinkConfig) -> Sink:
        sink = SINKS[signal]()
        if config.error == "permanent":
            sink.error = PermanentError(f"{settings.id} refuses every batch")
        elif config.error == "retryable":
            sink.error = RetryableError(f"{settings.id} is unavailable")
        return sink

    return create


sink_factory = ExporterFactory(
    type="sink", config=SinkConfig, description="Test exporter keeping batches in memory.",
    traces=(_create(Signal.TRACES), Stability.STABLE), metrics=(_create(Signal.METRICS), Stability.STABLE),
    logs=(_create(Signal.LOGS), Stability.STABLE),
)


def test_registry() -> Registry:
    """The built-in registry plus the ``nop`` components and the ``sink`` exporter."""
    base = load_registry(plugins=False)
    return make_registry([*base.factories(), *nop_factories(), sink_factory])


test_registry.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite the name
