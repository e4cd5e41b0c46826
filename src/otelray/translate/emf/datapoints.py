"""Values per metric type for EMF (contrib ``exporter/awsemfexporter/datapoint.go``, adot-collector.md §3.4).

- Gauge: the value as a float.
- Sum: cumulative ⇒ delta against the previous value of the same key (``DeltaState``); the first
  point is only a baseline (emitted when ``retain_initial_value_of_delta_metric``); a negative delta
  (reset) emits the current raw value. Delta sums pass through.
- Histogram: ``{Max, Min, Count, Sum}``; buckets discarded; never delta-converted.
- Exponential histogram: ``{Values, Counts, Max, Min, Count, Sum}`` with bucket midpoints
  (base = 2^(2^-scale)), positive buckets from the highest index down, then the zero bucket, then
  negative buckets; at most 100 values per entry, larger ones split (Sum only in the first split,
  first split Max = point max, last split Min = point min, otherwise the split's bucket bounds).
- Summary: ``{Max=last quantile, Min=first quantile, Count, Sum}``; delta only for metrics from the
  prometheus receiver (resource ``receiver == "prometheus"``); ``detailed_metrics`` emits
  ``<name>_sum``, ``<name>_count`` and one point per quantile labelled ``quantile``.
- Points flagged NoRecordedValue or holding NaN/±Inf are dropped and counted.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality, Metric

from otelray.translate.emf.delta import DeltaState
from otelray.translate.to_xray.values import as_string, attrs_of

#: EMF accepts at most this many entries in a Values/Counts array (contrib PR #36336).
MAX_VALUES_PER_DATUM = 100
_NO_RECORDED_VALUE = 1
_CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE


@dataclass(slots=True)
class DataPoint:
    """One EMF value: metric field name, value (float or statistic dict), labels, time, split index."""

    name: str
    value: Any
    labels: dict[str, str]
    timestamp_ms: int
    split: int = 0


@dataclass(slots=True)
class PointContext:
    """What values need besides the metric: base labels, delta state, clock and flags."""

    base_labels: dict[str, str]
    default_timestamp_ms: int
    state: DeltaState
    now: float
    key_prefix: Hashable
    retain_initial: bool = False
    detailed: bool = False
    from_prometheus: bool = False
    dropped: int = field(default=0)


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def _labels(ctx: PointContext, attributes: Any) -> dict[str, str]:
    labels = dict(ctx.base_labels)
    for key, value in attrs_of(attributes).items():
        labels[key] = as_string(value)
    return labels


def _timestamp(ctx: PointContext, time_unix_nano: int) -> int:
    return time_unix_nano // 1_000_000 if time_unix_nano > 0 else ctx.default_timestamp_ms


def _delta(ctx: PointContext, name: str, labels: dict[str, str], value: float) -> float | None:
    """The value to emit for a cumulative ``value``, or ``None`` when it is only a baseline."""
    key = (ctx.key_prefix, name, tuple(sorted(labels.items())))
    delta = ctx.state.delta(key, value, ctx.now)
    if delta is None:
        return value if ctx.retain_initial else None
    return delta if delta >= 0 else value


def _number(point: Any) -> float:
    return float(point.as_int) if point.WhichOneof("value") == "as_int" else point.as_double


def _numbers(metric: Metric, kind: str, ctx: PointContext) -> list[DataPoint]:
    data = getattr(metric, kind)
    cumulative = kind == "sum" and data.aggregation_temporality == _CUMULATIVE
    out: list[DataPoint] = []
    for point in data.data_points:
        value = _number(point)
        if point.flags & _NO_RECORDED_VALUE or not _finite(value):
            ctx.dropped += 1
            continue
        labels = _labels(ctx, point.attributes)
        if cumulative:
            emitted = _delta(ctx, metric.name, labels, value)
            if emitted is None:
                continue
            value = emitted
        out.append(DataPoint(metric.name, value, labels, _timestamp(ctx, point.time_unix_nano)))
    return out


def _histograms(metric: Metric, ctx: PointContext) -> list[DataPoint]:
    out: list[DataPoint] = []
    for point in metric.histogram.data_points:
        if point.flags & _NO_RECORDED_VALUE or not _finite(point.sum, point.min, point.max):
            ctx.dropped += 1
            continue
        stats = {"Max": point.max, "Min": point.min, "Count": point.count, "Sum": point.sum}
        out.append(DataPoint(metric.name, stats, _labels(ctx, point.attributes), _timestamp(ctx, point.time_unix_nano)))
    return out


def _summaries(metric: Metric, ctx: PointContext) -> list[DataPoint]:
    out: list[DataPoint] = []
    for point in metric.summary.data_points:
        quantiles = [(q.quantile, q.value) for q in point.quantile_values]
        if point.flags & _NO_RECORDED_VALUE or not _finite(point.sum, *(v for _, v in quantiles)):
            ctx.dropped += 1
            continue
        labels = _labels(ctx, point.attributes)
        ts = _timestamp(ctx, point.time_unix_nano)
        total, count = point.sum, float(point.count)
        if ctx.from_prometheus:
            d_sum = _delta(ctx, metric.name + "\x00sum", labels, total)
            d_count = _delta(ctx, metric.name + "\x00count", labels, count)
            if d_sum is None or d_count is None:
                continue
            total, count = d_sum, d_count
        if ctx.detailed:
            out.append(DataPoint(f"{metric.name}_sum", total, labels, ts))
            out.append(DataPoint(f"{metric.name}_count", count, labels, ts))
            for q, value in quantiles:
                out.append(DataPoint(metric.name, value, {**labels, "quantile": _go_g(q)}, ts))
            continue
        stats: dict[str, float] = {"Max": 0.0, "Min": 0.0, "Count": count, "Sum": total}
        if quantiles:
            stats["Min"], stats["Max"] = quantiles[0][1], quantiles[-1][1]
        out.append(DataPoint(metric.name, stats, labels, ts))
    return out


def _go_g(value: float) -> str:
    """Go ``strconv.FormatFloat(v, 'g', -1, 64)`` for the usual quantiles (0.5, 0.99, 1)."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _exp_buckets(point: Any) -> list[tuple[float, int, float, float]]:
    """(midpoint, count, lower, upper) of each non-empty bucket, in EMF order."""
    base = 2.0 ** (2.0 ** -point.scale)
    out: list[tuple[float, int, float, float]] = []
    positive = point.positive
    for i in range(len(positive.bucket_counts) - 1, -1, -1):
        index = i + positive.offset
        lower, upper = base ** index, base ** (index + 1)
        if positive.bucket_counts[i] > 0:
            out.append(((lower + upper) / 2, positive.bucket_counts[i], lower, upper))
    if point.zero_count > 0:
        out.append((0.0, point.zero_count, 0.0, 0.0))
    negative = point.negative
    for i in range(len(negative.bucket_counts)):
        index = i + negative.offset
        upper, lower = -(base ** index), -(base ** (index + 1))
        if negative.bucket_counts[i] > 0:
            out.append(((lower + upper) / 2, negative.bucket_counts[i], lower, upper))
    return out


def _exp_histograms(metric: Metric, ctx: PointContext) -> list[DataPoint]:
    out: list[DataPoint] = []
    for point in metric.exponential_histogram.data_points:
        if point.flags & _NO_RECORDED_VALUE or not _finite(point.sum, point.min, point.max):
            ctx.dropped += 1
            continue
        labels = _labels(ctx, point.attributes)
        ts = _timestamp(ctx, point.time_unix_nano)
        buckets = _exp_buckets(point)
        chunks = [buckets[i:i + MAX_VALUES_PER_DATUM] for i in range(0, len(buckets), MAX_VALUES_PER_DATUM)] or [[]]
        last = len(chunks) - 1
        for n, chunk in enumerate(chunks):
            value = {
                "Values": [b[0] for b in chunk], "Counts": [b[1] for b in chunk],
                "Max": point.max if n == 0 else chunk[0][3],
                "Min": point.min if n == last else chunk[-1][2],
                "Count": sum(b[1] for b in chunk) if chunks != [[]] else point.count,
                "Sum": point.sum if n == 0 else 0.0,
            }
            out.append(DataPoint(metric.name, value, labels, ts, split=n))
    return out


def metric_datapoints(metric: Metric, ctx: PointContext) -> list[DataPoint]:
    """The EMF values of one metric; dropped points are added to ``ctx.dropped``."""
    kind = metric.WhichOneof("data")
    if kind in ("gauge", "sum"):
        return _numbers(metric, kind, ctx)
    if kind == "histogram":
        return _histograms(metric, ctx)
    if kind == "exponential_histogram":
        return _exp_histograms(metric, ctx)
    if kind == "summary":
        return _summaries(metric, ctx)
    return []
