"""The ``attributes`` processor: insert/update/upsert/delete/hash/extract/convert span, log and data-point attributes.

Contrib ``processor/attributesprocessor``; the actions are ``attributes.actions``. The
``include``/``exclude`` match properties of upstream are not implemented: configuring them is a
config error that says so, rather than silently applying the actions to everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from pydantic import Field, field_validator

from otelray.collector.component import Signal, Stability
from otelray.collector.config.blocks import ComponentConfig
from otelray.collector.processors.attributes.actions import ActionConfig, KeyValues, actions_processor
from otelray.collector.registry import ProcessorFactory


class AttributesConfig(ComponentConfig):
    """``processors::attributes``."""

    actions: list[ActionConfig] = Field(default_factory=list, description="Actions applied in order.")
    include: dict[str, Any] | None = Field(None, description="Not supported by otelray (upstream match properties).")
    exclude: dict[str, Any] | None = Field(None, description="Not supported by otelray (upstream match properties).")

    @field_validator("include", "exclude")
    @classmethod
    def _unsupported(cls, value: Any) -> Any:
        if value is not None:
            raise ValueError("include/exclude match properties are not supported by otelray's attributes "
                             "processor; use the filter processor to select data")
        return value


def item_attributes(signal: Signal, batch: Any) -> Iterator[KeyValues]:
    """The attribute lists of every span, log record or metric data point in ``batch``."""
    if signal is Signal.TRACES:
        for rs in batch.resource_spans:
            for ss in rs.scope_spans:
                for span in ss.spans:
                    yield span.attributes
    elif signal is Signal.LOGS:
        for rl in batch.resource_logs:
            for sl in rl.scope_logs:
                for record in sl.log_records:
                    yield record.attributes
    else:
        for rm in batch.resource_metrics:
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    kind = metric.WhichOneof("data")
                    if kind is not None:
                        for point in getattr(metric, kind).data_points:
                            yield point.attributes


def _create(signal: Signal) -> Any:
    return actions_processor(signal, item_attributes, "actions")


factory = ProcessorFactory(
    type="attributes",
    config=AttributesConfig,
    description="Edits span, log record and data point attributes.",
    traces=(_create(Signal.TRACES), Stability.BETA),
    metrics=(_create(Signal.METRICS), Stability.BETA),
    logs=(_create(Signal.LOGS), Stability.BETA),
)

__all__ = ["ActionConfig", "AttributesConfig", "KeyValue", "factory", "item_attributes"]
