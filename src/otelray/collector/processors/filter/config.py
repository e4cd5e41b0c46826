"""Config of the ``filter`` processor (contrib ``processor/filterprocessor/config.go``).

OTTL conditions per context (``traces: {span, spanevent}``, ``metrics: {metric, datapoint}``,
``logs: {log_record}``) are compiled when the config is validated, so a bad condition or an
unsupported function is a config error with its path. The legacy ``metrics.include`` /
``metrics.exclude`` (``match_type: strict|regexp``, ``metric_names``) used by ADOT's ECS configs is
supported; other legacy match properties (``spans``, ``expr`` matching, ``resource_attributes``…)
are refused by name.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from otelray.collector.config.blocks import ComponentConfig
from otelray.collector.processors.filter.ottl import OttlError, compile_condition
from otelray.collector.processors.filter.paths import OttlContext


def _check(conditions: list[str], context: OttlContext) -> list[str]:
    for i, text in enumerate(conditions):
        try:
            compile_condition(text, context)
        except OttlError as exc:
            raise ValueError(f"{context}[{i}]: {exc}") from None
    return conditions


class MetricMatch(ComponentConfig):
    """Legacy ``include``/``exclude`` of metrics by name."""

    match_type: Literal["strict", "regexp"] = Field(description="strict (exact names) or regexp.")
    metric_names: list[str] = Field(default_factory=list, description="Names or regexes to match.")

    @model_validator(mode="after")
    def _regexes(self) -> MetricMatch:
        if self.match_type == "regexp":
            for name in self.metric_names:
                try:
                    re.compile(name)
                except re.error as exc:
                    raise ValueError(f"invalid regexp {name!r}: {exc}") from None
        return self


class TracesFilter(ComponentConfig):
    """``traces``: spans and span events to drop."""

    span: list[str] = Field(default_factory=list, description="Drop spans matching any condition.")
    spanevent: list[str] = Field(default_factory=list, description="Drop span events matching any condition.")

    @field_validator("span")
    @classmethod
    def _span(cls, v: list[str]) -> list[str]:
        return _check(v, "span")

    @field_validator("spanevent")
    @classmethod
    def _spanevent(cls, v: list[str]) -> list[str]:
        return _check(v, "spanevent")


class MetricsFilter(ComponentConfig):
    """``metrics``: metrics and data points to drop."""

    metric: list[str] = Field(default_factory=list, description="Drop metrics matching any condition.")
    datapoint: list[str] = Field(default_factory=list, description="Drop data points matching any condition.")
    include: MetricMatch | None = Field(None, description="Legacy: keep only these metrics.")
    exclude: MetricMatch | None = Field(None, description="Legacy: drop these metrics.")

    @field_validator("metric")
    @classmethod
    def _metric(cls, v: list[str]) -> list[str]:
        return _check(v, "metric")

    @field_validator("datapoint")
    @classmethod
    def _datapoint(cls, v: list[str]) -> list[str]:
        return _check(v, "datapoint")


class LogsFilter(ComponentConfig):
    """``logs``: log records to drop."""

    log_record: list[str] = Field(default_factory=list, description="Drop log records matching any condition.")

    @field_validator("log_record")
    @classmethod
    def _log_record(cls, v: list[str]) -> list[str]:
        return _check(v, "log_record")


class FilterConfig(ComponentConfig):
    """``processors::filter``."""

    error_mode: Literal["propagate", "ignore", "silent"] = Field(
        "propagate", description="On a condition error: fail the batch, or log (ignore) / not log (silent) and keep the item.")
    traces: TracesFilter = Field(default_factory=TracesFilter, description="Trace conditions.")
    metrics: MetricsFilter = Field(default_factory=MetricsFilter, description="Metric conditions.")
    logs: LogsFilter = Field(default_factory=LogsFilter, description="Log conditions.")
