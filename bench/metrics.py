"""Metrics translation benchmark: OTLP metric batches → EMF events and → remote-write request bodies.

Measures CPU time per 1,000 data points (single thread, in process) for each metric type through
``otelray.translate.emf.translate_metrics`` (with cumulative-to-delta state warmed up) and through
``otelray.translate.prw`` (conversion + WriteRequest split + snappy block compression), and prints
them beside the collector's 2021 ADOT performance anchor for a whole OTLP→exporter pipeline
(≈ 0.35 core per 1,000 items/s, reference adot-collector.md §6.1) — translation is one part of that.

Run: ``python bench/metrics.py [--points 20000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import time

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AggregationTemporality,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    SummaryDataPoint,
)

from otelray.translate.emf import DeltaState, EmfOptions, translate_metrics
from otelray.translate.prw import PrwOptions, encode, requests
from otelray.translate.prw import translate_metrics as translate_prw

ADOT_CORE_PER_1K = 0.35
T0 = time.time_ns()


def _attrs(i: int) -> list[KeyValue]:
    return [KeyValue(key="route", value=AnyValue(string_value=f"/r/{i % 50}")),
            KeyValue(key="status", value=AnyValue(string_value=str(200 + i % 3)))]


def make_batch(kind: str, points: int, step: int = 0) -> list[ResourceMetrics]:
    """One resource, ``points`` points of ``kind`` spread over 20 metrics (time advanced by ``step``)."""
    rm = ResourceMetrics()
    rm.resource.attributes.extend([KeyValue(key="service.name", value=AnyValue(string_value="bench")),
                                   KeyValue(key="host.name", value=AnyValue(string_value="h1"))])
    sm = rm.scope_metrics.add()
    sm.scope.name = "bench"
    per_metric = max(1, points // 20)
    t = T0 + step * 1_000_000_000
    for m in range(20):
        metric = Metric(name=f"bench.{kind}.{m}", unit="ms")
        for i in range(per_metric):
            if kind == "sum":
                metric.sum.aggregation_temporality = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
                metric.sum.is_monotonic = True
                metric.sum.data_points.append(NumberDataPoint(time_unix_nano=t, as_double=float(step * 10 + i),
                                                              attributes=_attrs(i)))
            elif kind == "gauge":
                metric.gauge.data_points.append(NumberDataPoint(time_unix_nano=t, as_double=i * 0.5, attributes=_attrs(i)))
            elif kind == "histogram":
                metric.histogram.aggregation_temporality = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
                metric.histogram.data_points.append(HistogramDataPoint(
                    time_unix_nano=t, count=10 + step, sum=100.0, explicit_bounds=[5, 10, 25, 50, 100, 250, 500, 1000],
                    bucket_counts=[1, 1, 1, 1, 1, 1, 1, 1, 2 + step], min=1, max=900, attributes=_attrs(i)))
            else:
                point = SummaryDataPoint(time_unix_nano=t, count=10 + step, sum=100.0 + step, attributes=_attrs(i))
                point.quantile_values.add(quantile=0.5, value=5)
                point.quantile_values.add(quantile=0.99, value=50)
                metric.summary.data_points.append(point)
        sm.metrics.append(metric)
    return [rm]


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def bench_emf(kind: str, points: int, repeat: int) -> float:
    state = DeltaState()
    options = EmfOptions(namespace="Bench", log_stream_name="s")
    translate_metrics(make_batch(kind, points, 0), options=options, state=state, now=T0 / 1e9)  # delta baseline
    best = float("inf")
    for r in range(1, repeat + 1):
        batch = make_batch(kind, points, r)
        best = min(best, cpu(lambda b=batch: translate_metrics(b, options=options, state=state, now=T0 / 1e9 + 1)))
    return best / points * 1000


def bench_prw(kind: str, points: int, repeat: int) -> float:
    options = PrwOptions()

    def run(batch: list[ResourceMetrics]) -> None:
        result = translate_prw(batch, options=options)
        for request in requests(result.timeseries()):
            encode(request)

    best = float("inf")
    for r in range(repeat):
        batch = make_batch(kind, points, r)
        best = min(best, cpu(lambda b=batch: run(b)))
    return best / points * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.points} points per batch, best of {args.repeat}; CPU seconds per 1,000 points (single thread)")
    print(f"{'type':<10} {'EMF':>10} {'remote write':>14} {'ADOT pipeline anchor':>22}")
    for kind in ("gauge", "sum", "histogram", "summary"):
        emf = bench_emf(kind, args.points, args.repeat)
        prw = bench_prw(kind, args.points, args.repeat)
        print(f"{kind:<10} {emf:>10.4f} {prw:>14.4f} {ADOT_CORE_PER_1K:>22.2f}")


if __name__ == "__main__":
    main()
