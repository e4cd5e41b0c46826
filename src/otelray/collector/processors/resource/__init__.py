"""The ``resource`` processor: attribute actions on the resource of every signal (contrib ``processor/resourceprocessor``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field

from otelray.collector.component import Signal, Stability
from otelray.collector.config.blocks import ComponentConfig
from otelray.collector.processors.attributes.actions import ActionConfig, KeyValues, actions_processor
from otelray.collector.registry import ProcessorFactory

_RESOURCE_LISTS = {Signal.TRACES: "resource_spans", Signal.METRICS: "resource_metrics", Signal.LOGS: "resource_logs"}


class ResourceConfig(ComponentConfig):
    """``processors::resource``."""

    attributes: list[ActionConfig] = Field(default_factory=list, description="Actions on resource attributes.")


def resource_attributes(signal: Signal, batch: Any) -> Iterator[KeyValues]:
    """The resource attribute list of every resource in ``batch``."""
    for entry in getattr(batch, _RESOURCE_LISTS[signal]):
        yield entry.resource.attributes


def _create(signal: Signal) -> Any:
    return actions_processor(signal, resource_attributes, "attributes")


factory = ProcessorFactory(
    type="resource",
    config=ResourceConfig,
    description="Edits resource attributes (insert, update, upsert, delete, hash, extract, convert).",
    traces=(_create(Signal.TRACES), Stability.BETA),
    metrics=(_create(Signal.METRICS), Stability.BETA),
    logs=(_create(Signal.LOGS), Stability.BETA),
    lifecycle_test_config={"attributes": [{"key": "deployment.environment", "value": "test", "action": "upsert"}]},
)

__all__ = ["ResourceConfig", "factory", "resource_attributes"]
