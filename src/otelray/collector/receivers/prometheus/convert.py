"""Prometheus text exposition → OTLP metrics (contrib ``receiver/prometheusreceiver/internal``).

Parsing is ``prometheus_client.parser.text_string_to_metric_families``. Per family type:

- ``counter`` → monotonic cumulative Sum named as the sample (``…_total``);
- ``gauge`` / ``untyped`` / other → Gauge;
- ``histogram`` → cumulative Histogram per label set: bounds from ``le`` (``+Inf`` dropped), per-bucket
  counts from the cumulative ``_bucket`` samples, ``_count`` and ``_sum``;
- ``summary`` → Summary per label set: ``quantile`` values, ``_count`` and ``_sum``.

The target's ``job`` and ``instance`` become the resource's ``service.name`` and
``service.instance.id`` (plus ``server.address``, ``server.port``, ``url.scheme``); its other labels
are added to every point. A sample timestamp wins over the scrape time; cumulative points carry the
time the receiver first saw the series as their start time (``StartTimes``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AggregationTemporality,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    SummaryDataPoint,
)
from prometheus_client.parser import text_string_to_metric_families

SCOPE_NAME = "otelray/prometheusreceiver"
_CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE


@dataclass
class StartTimes:
    """First time (ns) each cumulative series was seen, per target; the receiver keeps one per target."""

    seen: dict[tuple[str, tuple[tuple[str, str], ...]], int] = field(default_factory=dict)

    def start(self, name: str, labels: Mapping[str, str], now_ns: int) -> int:
        """The start time of a series (its first sighting)."""
        return self.seen.setdefault((name, tuple(sorted(labels.items()))), now_ns)


def attributes(attrs: Mapping[str, str]) -> list[KeyValue]:
    """String attributes as OTLP key/values."""
    return [KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in attrs.items()]


def target_resource(target: Mapping[str, str]) -> tuple[ResourceMetrics, dict[str, str]]:
    """An empty ``ResourceMetrics`` for a scrape target, and the labels added to every point."""
    rm = ResourceMetrics()
    instance = target.get("instance", "")
    host, _, port = instance.rpartition(":") if ":" in instance else (instance, "", "")
    resource = {"service.name": target.get("job", ""), "service.instance.id": instance,
                "server.address": host, "server.port": port, "url.scheme": target.get("__scheme__", "http")}
    rm.resource.attributes.extend(attributes({k: v for k, v in resource.items() if v}))
    rm.scope_metrics.add().scope.name = SCOPE_NAME
    extra = {k: v for k, v in target.items() if k not in ("job", "instance") and not k.startswith("__")}
    return rm, extra


def _ts(sample: Any, now_ns: int) -> int:
    return int(sample.timestamp * 1e9) if sample.timestamp is not None else now_ns


def _labels(sample_labels: Mapping[str, str], extra: Mapping[str, str], *drop: str) -> dict[str, str]:
    out = {k: v for k, v in sample_labels.items() if k not in drop}
    for key, value in extra.items():
        out.setdefault(key, value)
    return out


def _gauge_or_counter(family: Any, extra: Mapping[str, str], now_ns: int, starts: StartTimes) -> list[Metric]:
    counter = family.type == "counter"
    metrics: dict[str, Metric] = {}
    for sample in family.samples:
        if counter and sample.name.endswith("_created"):
            continue
        metric = metrics.get(sample.name)
        if metric is None:
            metric = metrics[sample.name] = Metric(name=sample.name, description=family.documentation,
                                                   unit=family.unit or "")
            if counter:
                metric.sum.aggregation_temporality = _CUMULATIVE
                metric.sum.is_monotonic = True
        labels = _labels(sample.labels, extra)
        point = NumberDataPoint(time_unix_nano=_ts(sample, now_ns), as_double=float(sample.value),
                                attributes=attributes(labels))
        if counter:
            point.start_time_unix_nano = starts.start(sample.name, labels, now_ns)
            metric.sum.data_points.append(point)
        else:
            metric.gauge.data_points.append(point)
    return list(metrics.values())


def _grouped(family: Any, extra: Mapping[str, str], drop: str) -> dict[tuple[tuple[str, str], ...], list[Any]]:
    groups: dict[tuple[tuple[str, str], ...], list[Any]] = {}
    for sample in family.samples:
        key = tuple(sorted(_labels(sample.labels, extra, drop).items()))
        groups.setdefault(key, []).append(sample)
    return groups


def _histogram(family: Any, extra: Mapping[str, str], now_ns: int, starts: StartTimes) -> Metric:
    metric = Metric(name=family.name, description=family.documentation, unit=family.unit or "")
    metric.histogram.aggregation_temporality = _CUMULATIVE
    for key, samples in _grouped(family, extra, "le").items():
        labels = dict(key)
        buckets = sorted((float(s.labels["le"]), s.value) for s in samples if s.name.endswith("_bucket"))
        count = next((s.value for s in samples if s.name.endswith("_count")), buckets[-1][1] if buckets else 0)
        total = next((s.value for s in samples if s.name.endswith("_sum")), None)
        point = HistogramDataPoint(time_unix_nano=_ts(samples[0], now_ns), count=int(count), attributes=attributes(labels),
                                   start_time_unix_nano=starts.start(family.name, labels, now_ns))
        if total is not None:
            point.sum = float(total)
        previous = 0.0
        for bound, cumulative in buckets:
            if not math.isinf(bound):
                point.explicit_bounds.append(bound)
            point.bucket_counts.append(int(cumulative - previous))
            previous = cumulative
        if not buckets or not math.isinf(buckets[-1][0]):
            point.bucket_counts.append(int(count - previous))
        metric.histogram.data_points.append(point)
    return metric


def _summary(family: Any, extra: Mapping[str, str], now_ns: int, starts: StartTimes) -> Metric:
    metric = Metric(name=family.name, description=family.documentation, unit=family.unit or "")
    for key, samples in _grouped(family, extra, "quantile").items():
        labels = dict(key)
        point = SummaryDataPoint(time_unix_nano=_ts(samples[0], now_ns), attributes=attributes(labels),
                                 start_time_unix_nano=starts.start(family.name, labels, now_ns))
        for s in samples:
            if s.name.endswith("_count"):
                point.count = int(s.value)
            elif s.name.endswith("_sum"):
                point.sum = float(s.value)
            elif "quantile" in s.labels:
                point.quantile_values.add(quantile=float(s.labels["quantile"]), value=float(s.value))
        metric.summary.data_points.append(point)
    return metric


def families_to_metrics(families: Iterable[Any], extra: Mapping[str, str], now_ns: int,
                        starts: StartTimes) -> list[Metric]:
    """Convert parsed families into OTLP metrics."""
    out: list[Metric] = []
    for family in families:
        if not family.samples:
            continue
        if family.type == "histogram":
            out.append(_histogram(family, extra, now_ns, starts))
        elif family.type == "summary":
            out.append(_summary(family, extra, now_ns, starts))
        else:
            out.extend(_gauge_or_counter(family, extra, now_ns, starts))
    return out


def parse(text: str) -> list[Any]:
    """Parse a text exposition.

    Raises:
        ValueError: the text is not valid exposition format.
    """
    try:
        return list(text_string_to_metric_families(text))
    except (ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"invalid Prometheus text exposition: {exc}") from exc
