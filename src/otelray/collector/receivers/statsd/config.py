"""Config of the ``statsd`` receiver (contrib ``receiver/statsdreceiver/config.go``; ADOT ECS config:
``endpoint: 0.0.0.0:8125``, ``aggregation_interval: 60s``).

otelray binds ``127.0.0.1:8125`` by default (upstream ``localhost:8125``); only the ``udp``
transport is provided (``tcp``/``unixgram`` are refused by name).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, PositiveInt, field_validator, model_validator

from otelray.collector.config.blocks import ComponentConfig, Duration, HostPort
from otelray.collector.receivers.statsd.aggregate import DEFAULT_PERCENTILES, Observer


class HistogramConfig(ComponentConfig):
    """``histogram`` of an observer."""

    max_size: PositiveInt = Field(160, description="Most buckets per sign of the exponential histogram.")


class SummaryConfig(ComponentConfig):
    """``summary`` of an observer."""

    percentiles: list[float] = Field(default_factory=lambda: list(DEFAULT_PERCENTILES),
                                     description="Percentiles (0-100) reported by summaries.")

    @field_validator("percentiles")
    @classmethod
    def _range(cls, values: list[float]) -> list[float]:
        if any(not 0 <= v <= 100 for v in values):
            raise ValueError("percentiles must be between 0 and 100")
        return values


class TimerHistogramMapping(ComponentConfig):
    """``timer_histogram_mapping`` entry."""

    statsd_type: Literal["timing", "timer", "histogram", "distribution"] = Field(description="StatsD type.")
    observer_type: Literal["gauge", "summary", "histogram"] = Field(description="How it is turned into OTLP.")
    histogram: HistogramConfig = Field(default_factory=HistogramConfig, description="Histogram settings.")
    summary: SummaryConfig = Field(default_factory=SummaryConfig, description="Summary settings.")


def _default_mappings() -> list[TimerHistogramMapping]:
    return [TimerHistogramMapping(statsd_type="histogram", observer_type="gauge"),
            TimerHistogramMapping(statsd_type="timing", observer_type="gauge"),
            TimerHistogramMapping(statsd_type="distribution", observer_type="gauge")]


class StatsdReceiverConfig(ComponentConfig):
    """``receivers::statsd``."""

    endpoint: HostPort = Field("127.0.0.1:8125", description="UDP address to listen on.")
    transport: Literal["udp", "udp4", "udp6"] = Field("udp", description="Only UDP is provided.")
    aggregation_interval: Duration = Field(timedelta(seconds=60), description="How often aggregates are sent.")
    enable_metric_type: bool = Field(False, description="Add a metric_type attribute.")
    enable_simple_tags: bool = Field(False, description="Accept tags without a value.")
    is_monotonic_counter: bool = Field(False, description="Counters as monotonic sums.")
    enable_ip_only_aggregation: bool = Field(False, description="Accepted for compatibility.")
    timer_histogram_mapping: list[TimerHistogramMapping] = Field(
        default_factory=_default_mappings, description="Observer per timing/histogram/distribution type.")

    @model_validator(mode="after")
    def _positive_interval(self) -> StatsdReceiverConfig:
        if self.aggregation_interval <= timedelta(0):
            raise ValueError("aggregation_interval must be a positive duration")
        return self

    def observers(self) -> dict[str, Observer]:
        """Observer per StatsD type name (``timer`` is an alias of ``timing``)."""
        out: dict[str, Observer] = {}
        for m in self.timer_histogram_mapping:
            kind = "timing" if m.statsd_type == "timer" else m.statsd_type
            out[kind] = Observer(m.observer_type, tuple(m.summary.percentiles), m.histogram.max_size)
        return out
