"""Builders of OTLP metric messages for the EMF and remote-write translation tests."""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AggregationTemporality,
    ExponentialHistogramDataPoint,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    SummaryDataPoint,
)

T0 = 1_700_000_000_000_000_000  # ns
CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA


def kv(**attrs: Any) -> list[KeyValue]:
    out = []
    for key, value in attrs.items():
        key = key.replace("__", ".")
        if isinstance(value, bool):
            out.append(KeyValue(key=key, value=AnyValue(bool_value=value)))
        elif isinstance(value, int):
            out.append(KeyValue(key=key, value=AnyValue(int_value=value)))
        elif isinstance(value, float):
            out.append(KeyValue(key=key, value=AnyValue(double_value=value)))
        else:
            out.append(KeyValue(key=key, value=AnyValue(string_value=value)))
    return out


def resource(metrics: list[Metric], *, scope: str = "", **attrs: Any) -> ResourceMetrics:
    rm = ResourceMetrics()
    rm.resource.attributes.extend(kv(**attrs))
    sm = rm.scope_metrics.add()
    sm.scope.name = scope
    sm.metrics.extend(metrics)
    return rm


def gauge(name: str, value: float, *, unit: str = "", t: int = T0, **attrs: Any) -> Metric:
    m = Metric(name=name, unit=unit)
    m.gauge.data_points.append(NumberDataPoint(time_unix_nano=t, as_double=value, attributes=kv(**attrs)))
    return m


def counter(name: str, value: float, *, unit: str = "", t: int = T0, temporality: int = CUMULATIVE,
            monotonic: bool = True, **attrs: Any) -> Metric:
    m = Metric(name=name, unit=unit)
    m.sum.aggregation_temporality = temporality
    m.sum.is_monotonic = monotonic
    m.sum.data_points.append(NumberDataPoint(time_unix_nano=t, as_double=value, attributes=kv(**attrs)))
    return m


def histogram(name: str, bounds: list[float], counts: list[int], total: float, *, unit: str = "", t: int = T0,
              mn: float = 0.0, mx: float = 0.0, **attrs: Any) -> Metric:
    m = Metric(name=name, unit=unit)
    m.histogram.aggregation_temporality = CUMULATIVE
    m.histogram.data_points.append(HistogramDataPoint(
        time_unix_nano=t, count=sum(counts), sum=total, explicit_bounds=bounds, bucket_counts=counts,
        min=mn, max=mx, attributes=kv(**attrs)))
    return m


def summary(name: str, count: int, total: float, quantiles: list[tuple[float, float]], *, t: int = T0,
            **attrs: Any) -> Metric:
    m = Metric(name=name)
    point = SummaryDataPoint(time_unix_nano=t, count=count, sum=total, attributes=kv(**attrs))
    for q, v in quantiles:
        point.quantile_values.add(quantile=q, value=v)
    m.summary.data_points.append(point)
    return m


def exp_histogram(name: str, *, scale: int, offset: int, counts: list[int], zero: int = 0,
                  neg_offset: int = 0, neg_counts: list[int] | None = None, total: float = 0.0,
                  mn: float = 0.0, mx: float = 0.0, t: int = T0, **attrs: Any) -> Metric:
    m = Metric(name=name)
    m.exponential_histogram.aggregation_temporality = CUMULATIVE
    point = ExponentialHistogramDataPoint(time_unix_nano=t, scale=scale, zero_count=zero, sum=total,
                                          min=mn, max=mx, attributes=kv(**attrs))
    point.count = sum(counts) + zero + sum(neg_counts or [])
    point.positive.offset = offset
    point.positive.bucket_counts.extend(counts)
    point.negative.offset = neg_offset
    point.negative.bucket_counts.extend(neg_counts or [])
    m.exponential_histogram.data_points.append(point)
    return m
