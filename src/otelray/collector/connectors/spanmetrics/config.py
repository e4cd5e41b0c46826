"""Config of the ``spanmetrics`` connector (contrib ``connector/spanmetricsconnector/config.go``).

Defaults are upstream's: explicit histogram buckets 2 ms … 15 s, unit ``ms``, cumulative temporality,
``metrics_flush_interval`` 60 s, ``namespace`` ``traces.span.metrics``, ``dimensions_cache_size``
1000 series (further series are refused and counted, upstream evicts). Exponential histograms and
exemplars are refused by name: otelray does not build them for this connector.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, PositiveInt, field_validator, model_validator

from otelray.collector.config.blocks import ComponentConfig, Duration

DEFAULT_BUCKETS = tuple(timedelta(milliseconds=ms) for ms in
                        (2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10_000, 15_000))


class ExplicitConfig(ComponentConfig):
    """``histogram::explicit``."""

    buckets: list[Duration] = Field(default_factory=lambda: list(DEFAULT_BUCKETS), description="Bucket bounds.")

    @field_validator("buckets")
    @classmethod
    def _ascending(cls, buckets: list[timedelta]) -> list[timedelta]:
        if any(b >= a for a, b in zip(buckets[1:], buckets, strict=False)):
            raise ValueError("histogram buckets must be strictly increasing")
        return buckets


class HistogramConfig(ComponentConfig):
    """``histogram``."""

    disable: bool = Field(False, description="Do not emit the duration histogram.")
    unit: Literal["ms", "s"] = Field("ms", description="Unit of the duration histogram.")
    explicit: ExplicitConfig = Field(default_factory=ExplicitConfig, description="Explicit bucket histogram.")
    exponential: dict[str, object] | None = Field(None, description="Not supported by otelray (must be absent).")


class Dimension(ComponentConfig):
    """``dimensions`` entry: an attribute added to the metrics (span attribute, then resource attribute)."""

    name: str = Field(min_length=1, description="Attribute name.")
    default: str | None = Field(None, description="Value when the attribute is missing (else omitted).")


class SpanMetricsConfig(ComponentConfig):
    """``connectors::spanmetrics``."""

    histogram: HistogramConfig = Field(default_factory=HistogramConfig, description="Duration histogram.")
    dimensions: list[Dimension] = Field(default_factory=list, description="Extra metric attributes.")
    exclude_dimensions: list[str] = Field(default_factory=list,
                                          description="Default attributes to leave out (span.kind, status.code…).")
    aggregation_temporality: Literal["AGGREGATION_TEMPORALITY_CUMULATIVE", "AGGREGATION_TEMPORALITY_DELTA"] = Field(
        "AGGREGATION_TEMPORALITY_CUMULATIVE", description="Temporality of the metrics.")
    metrics_flush_interval: Duration = Field(timedelta(seconds=60), description="How often metrics are emitted.")
    namespace: str = Field("traces.span.metrics", description="Prefix of the metric names.")
    dimensions_cache_size: PositiveInt = Field(1000, description="Most series kept.")
    exemplars: dict[str, object] | None = Field(None, description="Not supported by otelray (must be absent).")

    @model_validator(mode="after")
    def _supported(self) -> SpanMetricsConfig:
        if self.histogram.exponential is not None:
            raise ValueError("histogram::exponential is not implemented by otelray's spanmetrics connector")
        if self.exemplars is not None:
            raise ValueError("exemplars are not implemented by otelray's spanmetrics connector")
        if self.metrics_flush_interval <= timedelta(0):
            raise ValueError("metrics_flush_interval must be a positive duration")
        return self
