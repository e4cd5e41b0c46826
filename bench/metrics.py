"""Metrics translation throughput: OTLP metrics → EMF events and → remote-write request bodies.

Targets (one core): OTLP → EMF ≥ 100,000 data points/s (``otelray.translate.emf.translate_metrics``,
cumulative-to-delta state warmed up, events serialised as the exporter does) and OTLP → remote write
≥ 200,000 samples/s (the exporter's ``convert``: ``otelray.translate.prw.translate_metrics`` +
``bodies`` — request split, serialisation, snappy block compression — with the cyclic garbage
collector paused, as the exporter runs it). Every emitted sample counts: each
``_bucket``, ``_sum``, ``_count``, quantile series and ``target_info`` sample.

The workload is a realistic mix: several resources (service, instance, host, region, pod), each with
gauges, monotonic and non-monotonic sums, histograms with 9 bounds (10 buckets) and summaries with
3 quantiles, over many attribute sets (route, method and an integer status code, as HTTP semantic
conventions send it). Rows per metric type follow. CPU time is measured on this thread
(``time.thread_time``), best of ``--repeat`` batches.

Run: ``python bench/metrics.py [--points 20000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AggregationTemporality,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    SummaryDataPoint,
)

from otelray.collector.exporters.prometheusremotewrite.exporter import convert
from otelray.translate.emf import DeltaState, EmfOptions, translate_metrics
from otelray.translate.prw import DEFAULT_MAX_BATCH_SIZE_BYTES, PrwOptions

EMF_TARGET = 100_000  # data points/s
PRW_TARGET = 200_000  # samples/s
T0 = 1_700_000_000_000_000_000
CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
RESOURCES = 4
#: Metrics per resource: (kind, count). 16 metrics per resource.
MIX = (("gauge", 4), ("sum", 4), ("updown", 2), ("histogram", 4), ("summary", 2))
BOUNDS = [5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0]
STATUS = (200, 201, 404, 500)


def _kv(key: str, value: str | int) -> KeyValue:
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=value))


def _attrs(j: int) -> list[KeyValue]:
    """Attribute set ``j`` of a metric: every ``j`` gives a different set, so every point is its own series."""
    return [_kv("http.route", f"/api/v1/items/{j // 8}"), _kv("http.request.method", ("GET", "POST")[j % 2]),
            _kv("http.response.status_code", STATUS[j // 2 % 4])]


def _point(kind: str, j: int, t: int, step: int) -> object:
    attrs = _attrs(j)
    if kind in ("gauge", "updown"):
        return NumberDataPoint(time_unix_nano=t, as_double=j * 0.5 + step, attributes=attrs)
    if kind == "sum":
        return NumberDataPoint(time_unix_nano=t, as_int=1000 + j + step * 7, attributes=attrs)
    if kind == "histogram":
        counts = [(j + b + step) % 7 for b in range(len(BOUNDS) + 1)]
        return HistogramDataPoint(time_unix_nano=t, count=sum(counts), sum=12.5 * sum(counts), explicit_bounds=BOUNDS,
                                  bucket_counts=counts, min=1.0, max=3000.0, attributes=attrs)
    point = SummaryDataPoint(time_unix_nano=t, count=100 + step, sum=1234.5 + step, attributes=attrs)
    for q, v in ((0.5, 12.0), (0.9, 40.0), (0.99, 95.0)):
        point.quantile_values.add(quantile=q, value=v + j % 5)
    return point


def _metric(kind: str, index: int) -> Metric:
    metric = Metric(name=f"app.{kind}.m{index}", unit={"histogram": "ms", "summary": "ms"}.get(kind, "1"))
    if kind == "sum":
        metric.sum.aggregation_temporality = CUMULATIVE
        metric.sum.is_monotonic = True
    elif kind == "updown":
        metric.sum.aggregation_temporality = CUMULATIVE
    elif kind == "histogram":
        metric.histogram.aggregation_temporality = CUMULATIVE
    return metric


def _container(metric: Metric) -> object:
    return getattr(metric, metric.WhichOneof("data"))


def make_batch(kinds: Sequence[str], points: int, step: int) -> list[ResourceMetrics]:
    """About ``points`` data points of ``kinds`` (``updown`` = non-monotonic sum) spread over the resources."""
    mix = [(kind, n) for kind, n in MIX if kind in kinds]
    metrics_per_resource = sum(n for _, n in mix)
    sets = max(1, points // (RESOURCES * metrics_per_resource))
    t = T0 + step * 10_000_000_000
    out = []
    for r in range(RESOURCES):
        rm = ResourceMetrics()
        rm.resource.attributes.extend([_kv("service.name", f"svc-{r}"), _kv("service.namespace", "shop"),
                                       _kv("service.instance.id", f"i-{r:04d}"), _kv("host.name", f"ip-10-0-0-{r}"),
                                       _kv("cloud.region", "eu-west-1"), _kv("k8s.pod.name", f"svc-{r}-7d9f")])
        sm = rm.scope_metrics.add()
        sm.scope.name, sm.scope.version = "io.opentelemetry.http", "1.2.0"
        for kind, n in mix:
            for i in range(n):
                metric = _metric(kind, i)
                data = _container(metric) if kind not in ("gauge", "summary") else None
                for j in range(sets):
                    point = _point(kind, j, t, step)
                    if kind == "gauge":
                        metric.gauge.data_points.append(point)
                    elif kind == "summary":
                        metric.summary.data_points.append(point)
                    else:
                        data.data_points.append(point)  # type: ignore[union-attr]
                sm.metrics.append(metric)
        out.append(rm)
    return out


def count_points(batch: list[ResourceMetrics]) -> int:
    """OTLP data points in a batch."""
    return sum(len(_container(m).data_points) for rm in batch for sm in rm.scope_metrics for m in sm.metrics)


def best_cpu(fn: Callable[[int], int], repeat: int) -> tuple[float, int]:
    """Fewest thread CPU seconds over ``repeat`` runs of ``fn(step)`` and the count it returned."""
    best, count = float("inf"), 0
    for step in range(1, repeat + 1):
        start = time.thread_time()
        count = fn(step)
        best = min(best, time.thread_time() - start)
    return best, count


def bench_emf(kinds: Sequence[str], points: int, repeat: int) -> tuple[float, int]:
    """CPU seconds per batch and data points per batch through EMF (JSON messages included)."""
    state = DeltaState()
    options = EmfOptions(namespace="Bench", log_stream_name="s")
    translate_metrics(make_batch(kinds, points, 0), options=options, state=state, now=T0 / 1e9)  # delta baseline
    batches = {s: make_batch(kinds, points, s) for s in range(1, repeat + 1)}

    def run(step: int) -> int:
        translate_metrics(batches[step], options=options, state=state, now=T0 / 1e9 + step)
        return count_points(batches[step])

    return best_cpu(run, repeat)


def bench_prw(kinds: Sequence[str], points: int, repeat: int) -> tuple[float, int]:
    """CPU seconds per batch and samples per batch through remote write (bodies compressed)."""
    options = PrwOptions()
    batches = {s: make_batch(kinds, points, s) for s in range(1, repeat + 1)}

    def run(step: int) -> int:
        result, _ = convert(batches[step], options, DEFAULT_MAX_BATCH_SIZE_BYTES)
        return sum(len(samples) for samples in result.series.values())

    return best_cpu(run, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20_000, help="OTLP data points per batch")
    parser.add_argument("--repeat", type=int, default=5, help="batches measured (best counts)")
    args = parser.parse_args()
    print(f"~{args.points} OTLP points per batch, {RESOURCES} resources, best of {args.repeat}; one thread CPU")
    header = (f"{'workload':<10} {'points':>7} {'EMF CPU s':>9} {'EMF points/s':>13} {'target':>8}   "
              f"{'samples':>7} {'PRW CPU s':>9} {'PRW samples/s':>14} {'target':>8}")
    print(header)
    print("-" * len(header))
    rows = [("mix", tuple(k for k, _ in MIX))] + [(k, (k,)) for k, _ in MIX]
    for label, kinds in rows:
        emf_cpu, points = bench_emf(kinds, args.points, args.repeat)
        prw_cpu, samples = bench_prw(kinds, args.points, args.repeat)
        emf_rate, prw_rate = points / emf_cpu, samples / prw_cpu
        emf_ok = "ok" if emf_rate >= EMF_TARGET else "MISS"
        prw_ok = "ok" if prw_rate >= PRW_TARGET else "MISS"
        print(f"{label:<10} {points:>7} {emf_cpu:>9.4f} {emf_rate:>13,.0f} {EMF_TARGET:>8,} {emf_ok:<4}"
              f"{samples:>7} {prw_cpu:>9.4f} {prw_rate:>14,.0f} {PRW_TARGET:>8,} {prw_ok}")


if __name__ == "__main__":
    main()
