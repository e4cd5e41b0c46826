"""StatsD aggregation over one interval into OTLP (contrib ``statsdreceiver/internal/protocol/statsd_parser.go``,
``metric_translator.go``).

- Counters: sum of ``value / sample_rate`` truncated to an integer per line, per (name, tags) → a
  delta Sum (monotonic when ``is_monotonic_counter``).
- Gauges: the last value, ``+``/``-`` lines adjusting it.
- Timings, histograms, distributions, by their ``timer_histogram_mapping`` observer:
  ``gauge`` → each observation as its own gauge point; ``summary`` → a Summary with the
  ``percentiles`` (default 0, 10, 50, 90, 95, 100; weighted empirical quantiles), count and sum
  weighted by 1/sample rate; ``histogram`` → an exponential histogram of at most ``max_size``
  buckets per sign (scale lowered from 20 until the buckets fit).
Everything is reset after each interval, as upstream. ``enable_metric_type`` adds ``metric_type``.
One interval holds at most ``MAX_SERIES`` counter/gauge series and ``MAX_OBSERVATIONS`` timer
observations; lines beyond are refused (``StatsdParseError`` reason ``over_limit``) and counted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AggregationTemporality,
    ExponentialHistogramDataPoint,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    SummaryDataPoint,
)

from otelray.collector.receivers.statsd.parser import StatsdLine, StatsdParseError

SCOPE_NAME = "otelcol/statsdreceiver"
DEFAULT_PERCENTILES = (0.0, 10.0, 50.0, 90.0, 95.0, 100.0)
MAX_SCALE = 20
MAX_SERIES = 100_000
MAX_OBSERVATIONS = 1_000_000
Key = tuple[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class Observer:
    """How one StatsD type is turned into OTLP."""

    kind: str = "gauge"  # gauge | summary | histogram
    percentiles: tuple[float, ...] = DEFAULT_PERCENTILES
    max_size: int = 160


@dataclass
class Aggregator:
    """The state of one interval."""

    observers: Mapping[str, Observer]
    monotonic_counter: bool = False
    metric_type_attr: bool = False
    counters: dict[Key, int] = field(default_factory=dict)
    gauges: dict[Key, float] = field(default_factory=dict)
    raw: list[tuple[StatsdLine, int]] = field(default_factory=list)
    samples: dict[tuple[str, Key], list[tuple[float, float]]] = field(default_factory=dict)
    observations: int = 0

    def add(self, line: StatsdLine, now_ns: int) -> None:
        """Aggregate one parsed line.

        Raises:
            StatsdParseError: ``over_limit`` when the interval is full.
        """
        key = (line.name, line.tags)
        self._check_room(line, key)
        if line.type == "counter":
            self.counters[key] = self.counters.get(key, 0) + int(line.value / line.sample_rate)
        elif line.type == "gauge":
            self.gauges[key] = self.gauges.get(key, 0.0) + line.value if line.relative else line.value
        elif self.observers.get(line.type, Observer()).kind == "gauge":
            self.raw.append((line, now_ns))
        else:
            self.samples.setdefault((line.type, key), []).append((line.value, 1.0 / line.sample_rate))

    def _check_room(self, line: StatsdLine, key: Key) -> None:
        if line.type in ("counter", "gauge"):
            table = self.counters if line.type == "counter" else self.gauges
            if key not in table and len(self.counters) + len(self.gauges) >= MAX_SERIES:
                raise StatsdParseError("over_limit", f"more than {MAX_SERIES} series in one interval")
        elif self.observations >= MAX_OBSERVATIONS:
            raise StatsdParseError("over_limit", f"more than {MAX_OBSERVATIONS} observations in one interval")
        else:
            self.observations += 1

    def flush(self, start_ns: int, now_ns: int) -> ResourceMetrics | None:
        """The interval's metrics (``None`` when nothing arrived); the state is reset."""
        metrics: list[Metric] = []
        for (name, tags), total in self.counters.items():
            m = Metric(name=name)
            m.sum.aggregation_temporality = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
            m.sum.is_monotonic = self.monotonic_counter
            m.sum.data_points.append(NumberDataPoint(start_time_unix_nano=start_ns, time_unix_nano=now_ns,
                                                     as_int=total, attributes=self._attrs(tags, "counter")))
            metrics.append(m)
        for (name, tags), value in self.gauges.items():
            metrics.append(_gauge(name, value, now_ns, self._attrs(tags, "gauge")))
        for line, at in self.raw:
            metrics.append(_gauge(line.name, line.value, at, self._attrs(line.tags, line.type)))
        for (kind, (name, tags)), values in self.samples.items():
            observer = self.observers.get(kind, Observer())
            attrs = self._attrs(tags, kind)
            if observer.kind == "summary":
                metrics.append(_summary(name, values, observer.percentiles, start_ns, now_ns, attrs))
            else:
                metrics.append(_exp_histogram(name, values, observer.max_size, start_ns, now_ns, attrs))
        self.counters, self.gauges, self.raw, self.samples, self.observations = {}, {}, [], {}, 0
        if not metrics:
            return None
        rm = ResourceMetrics()
        sm = rm.scope_metrics.add()
        sm.scope.name = SCOPE_NAME
        sm.metrics.extend(metrics)
        return rm

    def _attrs(self, tags: tuple[tuple[str, str], ...], kind: str) -> list[KeyValue]:
        out = [KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in tags]
        if self.metric_type_attr:
            out.append(KeyValue(key="metric_type", value=AnyValue(string_value=kind)))
        return out


def _gauge(name: str, value: float, at: int, attrs: list[KeyValue]) -> Metric:
    m = Metric(name=name)
    m.gauge.data_points.append(NumberDataPoint(time_unix_nano=at, as_double=value, attributes=attrs))
    return m


def weighted_quantile(values: list[tuple[float, float]], p: float) -> float:
    """gonum ``stat.Quantile(p, stat.Empirical, x, weights)`` on sorted values."""
    ordered = sorted(values)
    total = sum(w for _, w in ordered)
    cumulative = 0.0
    for value, weight in ordered:
        cumulative += weight
        if cumulative >= p * total:
            return value
    return ordered[-1][0]


def _summary(name: str, values: list[tuple[float, float]], percentiles: tuple[float, ...], start_ns: int,
             now_ns: int, attrs: list[KeyValue]) -> Metric:
    m = Metric(name=name)
    point = SummaryDataPoint(start_time_unix_nano=start_ns, time_unix_nano=now_ns, attributes=attrs,
                             count=round(sum(w for _, w in values)), sum=sum(v * w for v, w in values))
    for p in percentiles:
        point.quantile_values.add(quantile=p / 100, value=weighted_quantile(values, p / 100))
    m.summary.data_points.append(point)
    return m


def _index(value: float, scale: int) -> int:
    """Bucket index of ``|value|`` at ``scale``: (base^i, base^(i+1)] with base = 2^(2^-scale)."""
    return math.ceil(math.log2(abs(value)) * 2.0**scale) - 1


def _buckets(values: list[tuple[float, float]], max_size: int) -> tuple[int, dict[int, int], dict[int, int]]:
    pos = [(_index(v, MAX_SCALE), w) for v, w in values if v > 0]
    neg = [(_index(v, MAX_SCALE), w) for v, w in values if v < 0]
    shift = 0
    while any(group and (max(i for i, _ in group) >> shift) - (min(i for i, _ in group) >> shift) + 1 > max_size
              for group in (pos, neg)):
        shift += 1
    counts: tuple[dict[int, int], dict[int, int]] = ({}, {})
    for target, group in zip(counts, (pos, neg), strict=True):
        for i, w in group:
            target[i >> shift] = target.get(i >> shift, 0) + round(w)
    return MAX_SCALE - shift, counts[0], counts[1]


def _exp_histogram(name: str, values: list[tuple[float, float]], max_size: int, start_ns: int, now_ns: int,
                   attrs: list[KeyValue]) -> Metric:
    m = Metric(name=name)
    m.exponential_histogram.aggregation_temporality = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
    scale, pos, neg = _buckets(values, max_size)
    point = ExponentialHistogramDataPoint(
        start_time_unix_nano=start_ns, time_unix_nano=now_ns, attributes=attrs, scale=scale,
        count=round(sum(w for _, w in values)), sum=sum(v * w for v, w in values),
        zero_count=round(sum(w for v, w in values if v == 0)),
        min=min(v for v, _ in values), max=max(v for v, _ in values))
    for buckets, target in ((pos, point.positive), (neg, point.negative)):
        if buckets:
            low = min(buckets)
            target.offset = low
            target.bucket_counts.extend(buckets.get(i, 0) for i in range(low, max(buckets) + 1))
    m.exponential_histogram.data_points.append(point)
    return m
