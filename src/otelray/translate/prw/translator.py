"""OTLP metrics → Prometheus remote-write time series (contrib ``prometheusremotewriteexporter``,
``pkg/translator/prometheusremotewrite``; adot-collector.md §4.1).

- Gauges and non-monotonic cumulative sums → gauge samples; monotonic cumulative sums → ``_total``
  counters; histograms → cumulative ``_bucket{le=…}`` series (bounds in Go ``'f'`` form, ``+Inf`` =
  count), ``_count`` and ``_sum`` (when the point has a sum); summaries → ``_sum``, ``_count`` and one
  series per ``quantile``. Delta sums and histograms, exponential histograms (native histograms are
  not produced by otelray) and metrics without points are refused as ``TranslationError`` values.
- Labels: point attributes sorted by key, names normalised, values of colliding names joined with
  ``;``, empty values dropped; ``job`` = ``service.namespace/service.name``, ``instance`` =
  ``service.instance.id``; external labels unless already set; ``otel_scope_name`` /
  ``otel_scope_version`` / ``otel_scope_<attr>`` unless disabled; ``__name__`` last.
- ``target_info`` (gauge 1) per resource with its non-identifying attributes, when it has some and a
  job or instance; stamped with the newest point time of that resource.
- NoRecordedValue points are sent as Prometheus' stale marker (NaN 0x7ff0000000000002).
- Timestamps in milliseconds. Samples of identical label sets are merged into one series.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality, Metric, ResourceMetrics

from otelray.translate.errors import TranslationError
from otelray.translate.prw.naming import go_float_f, label_name, metric_name
from otelray.translate.prw.proto import Label, Sample, TimeSeries
from otelray.translate.to_xray.values import as_string, attrs_of

STALE_NAN: float = struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000002))[0]
_CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
_IDENTIFYING = ("service.name", "service.namespace", "service.instance.id")
Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PrwOptions:
    """The ``prometheusremotewrite`` exporter settings the conversion reads."""

    namespace: str = ""
    external_labels: Mapping[str, str] = field(default_factory=dict)
    add_metric_suffixes: bool = True
    resource_to_telemetry_conversion: bool = False
    exclude_service_attributes: bool = False
    target_info: bool = True
    disable_scope_info: bool = False


@dataclass(slots=True)
class PrwResult:
    """Series keyed by label set (each a list of ``(timestamp_ms, value)``) and refused metrics."""

    series: dict[Labels, list[tuple[int, float]]] = field(default_factory=dict)
    errors: list[TranslationError] = field(default_factory=list)

    def add(self, labels: Labels, timestamp_ms: int, value: float) -> None:
        """Append one sample to the series of ``labels``."""
        self.series.setdefault(labels, []).append((timestamp_ms, value))

    def timeseries(self) -> list[Any]:
        """The series as ``prometheus.TimeSeries`` messages, samples in time order."""
        return [TimeSeries(labels=[Label(name=n, value=v) for n, v in labels],
                           samples=[Sample(value=v, timestamp=t) for t, v in sorted(samples)])
                for labels, samples in self.series.items()]


@dataclass(slots=True)
class _Scope:
    """Labels shared by every point of one scope of one resource."""

    resource: dict[str, str]
    extra: dict[str, str]
    options: PrwOptions


def translate_metrics(resource_metrics: Iterable[ResourceMetrics], *, options: PrwOptions) -> PrwResult:
    """Convert every resource's metrics into remote-write series."""
    result = PrwResult()
    for rm in resource_metrics:
        resource = {k: as_string(v) for k, v in attrs_of(rm.resource.attributes).items()}
        newest = 0
        for sm in rm.scope_metrics:
            scope = _Scope(resource, _scope_labels(sm.scope, options), options)
            for metric in sm.metrics:
                newest = max(newest, _metric(metric, scope, result))
        if options.target_info and newest:
            _target_info(resource, options, newest, result)
    return result


def _scope_labels(scope: Any, options: PrwOptions) -> dict[str, str]:
    if options.disable_scope_info or not scope.name:
        return {}
    out = {"otel_scope_name": scope.name}
    if scope.version:
        out["otel_scope_version"] = scope.version
    for key, value in attrs_of(scope.attributes).items():
        out[f"otel_scope_{key}"] = as_string(value)
    return out


def _job_instance(resource: Mapping[str, str]) -> dict[str, str]:
    out = {}
    if "service.name" in resource:
        ns = resource.get("service.namespace")
        out["job"] = f"{ns}/{resource['service.name']}" if ns else resource["service.name"]
    if "service.instance.id" in resource:
        out["instance"] = resource["service.instance.id"]
    return out


def _point_labels(scope: _Scope, attributes: Any) -> dict[str, str]:
    """Every label of a point's series except ``__name__`` and the per-series ones (``le``, ``quantile``)."""
    attrs = {k: as_string(v) for k, v in attrs_of(attributes).items()}
    if scope.options.resource_to_telemetry_conversion:
        skip = _IDENTIFYING if scope.options.exclude_service_attributes else ()
        attrs = {**{k: v for k, v in scope.resource.items() if k not in skip}, **attrs}
    out: dict[str, str] = {}
    for key in sorted(attrs):
        final = label_name(key)
        out[final] = f"{out[final]};{attrs[key]}" if final in out else attrs[key]
    out.update(_job_instance(scope.resource))
    for key, value in scope.options.external_labels.items():
        out.setdefault(key, value)
    for key, value in scope.extra.items():
        out[label_name(key)] = value
    return out


def _series(base: dict[str, str], name: str, *extra: tuple[str, str]) -> Labels:
    out = dict(base)
    out.update(extra)
    out["__name__"] = name
    return tuple(sorted((k, v) for k, v in out.items() if v != ""))


def _value(point: Any, value: float) -> float:
    return STALE_NAN if point.flags & 1 else value


def _metric(metric: Metric, scope: _Scope, result: PrwResult) -> int:
    """Add the series of one metric; returns its newest timestamp (ms), 0 if none."""
    kind = metric.WhichOneof("data")
    data = getattr(metric, kind) if kind else None
    if data is None or not data.data_points:
        result.errors.append(TranslationError(metric.name, "metric has no data points", "empty_metric"))
        return 0
    if kind == "exponential_histogram":
        result.errors.append(TranslationError(metric.name, "exponential histograms (Prometheus native histograms) "
                                              "are not supported by otelray's remote write", "unsupported_type"))
        return 0
    if kind in ("sum", "histogram") and data.aggregation_temporality != _CUMULATIVE:
        result.errors.append(TranslationError(metric.name, "invalid temporality and type combination for metric "
                                              f"{metric.name!r} (delta {kind})", "invalid_temporality"))
        return 0
    monotonic = kind == "sum" and data.is_monotonic
    opts = scope.options
    base = metric_name(metric.name, metric.unit, kind="gauge" if kind == "sum" and not monotonic else kind,
                       monotonic=monotonic, namespace=opts.namespace, add_suffixes=opts.add_metric_suffixes)
    if not base:
        result.errors.append(TranslationError(metric.name, f"metric name {metric.name!r} has no character valid in "
                                              "a Prometheus name", "invalid_name"))
        return 0
    newest = 0
    for point in data.data_points:
        ts = point.time_unix_nano // 1_000_000
        newest = max(newest, ts)
        if kind in ("gauge", "sum"):
            value = float(point.as_int) if point.WhichOneof("value") == "as_int" else point.as_double
            result.add(_series(_point_labels(scope, point.attributes), base), ts, _value(point, value))
        elif kind == "histogram":
            _histogram(point, base, _point_labels(scope, point.attributes), ts, result)
        else:
            _summary(point, base, _point_labels(scope, point.attributes), ts, result)
    return newest


def _histogram(point: Any, base: str, labels: dict[str, str], ts: int, result: PrwResult) -> None:
    if point.HasField("sum"):
        result.add(_series(labels, f"{base}_sum"), ts, _value(point, point.sum))
    result.add(_series(labels, f"{base}_count"), ts, _value(point, float(point.count)))
    running = 0
    counts = point.bucket_counts
    for i, bound in enumerate(point.explicit_bounds):
        running += counts[i] if i < len(counts) else 0
        result.add(_series(labels, f"{base}_bucket", ("le", go_float_f(bound))), ts, _value(point, float(running)))
    result.add(_series(labels, f"{base}_bucket", ("le", "+Inf")), ts, _value(point, float(point.count)))


def _summary(point: Any, base: str, labels: dict[str, str], ts: int, result: PrwResult) -> None:
    result.add(_series(labels, f"{base}_sum"), ts, _value(point, point.sum))
    result.add(_series(labels, f"{base}_count"), ts, _value(point, float(point.count)))
    for q in point.quantile_values:
        result.add(_series(labels, base, ("quantile", go_float_f(q.quantile))), ts, _value(point, q.value))


def _target_info(resource: Mapping[str, str], options: PrwOptions, newest: int, result: PrwResult) -> None:
    ids = _job_instance(resource)
    attrs = {k: v for k, v in resource.items() if k not in _IDENTIFYING}
    if not attrs or not ids:
        return
    out: dict[str, str] = {}
    for key in sorted(attrs):
        final = label_name(key)
        out[final] = f"{out[final]};{attrs[key]}" if final in out else attrs[key]
    out.update(ids)
    for key, value in options.external_labels.items():
        out.setdefault(key, value)
    name = f"{options.namespace}_target_info" if options.namespace else "target_info"
    out["__name__"] = name
    result.add(tuple(sorted((k, v) for k, v in out.items() if v != "")), newest, 1.0)
