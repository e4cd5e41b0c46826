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
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality, Metric, ResourceMetrics

from otelray.translate.errors import TranslationError
from otelray.translate.prw.naming import go_float_f, label_name, metric_name
from otelray.translate.prw.proto import Label, Sample, TimeSeries
from otelray.translate.to_xray.values import as_string, attrs_of

STALE_NAN: float = struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000002))[0]
_CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
_IDENTIFYING = ("service.name", "service.namespace", "service.instance.id")
_PLAIN, _BUCKET, _QUANTILE = ("__name__",), ("__name__", "le"), ("__name__", "quantile")
Labels = tuple[tuple[str, str], ...]
Parts = tuple[Labels, Labels, Labels]


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
    """Labels shared by every point of one scope of one resource, and per-call name caches."""

    resource: dict[str, str]
    extra: dict[str, str]
    options: PrwOptions
    #: The labels every point of the scope gets after its own attributes (job, instance, external, scope).
    tail: dict[str, str] = field(default_factory=dict)
    #: Tail labels that only come from ``external_labels``: they never replace a point's own label.
    weak: frozenset[str] = frozenset()
    label_names: dict[str, str] = field(default_factory=dict)
    #: Bucket series-key ends by (explicit bounds, labels after ``le``); quantile parts by quantile.
    bounds: dict[tuple[tuple[float, ...], Labels], list[Labels]] = field(default_factory=dict)
    quantiles: dict[float, Labels] = field(default_factory=dict)
    #: Points of a scope repeat attribute sets. By (set, specials): the parts a point of that metric
    #: type uses; by (set, special label): one part; by set: its point labels.
    parts: dict[Any, list[Parts]] = field(default_factory=dict)
    part: dict[Any, Parts] = field(default_factory=dict)
    point_labels: dict[Any, dict[str, str]] = field(default_factory=dict)


def translate_metrics(resource_metrics: Iterable[ResourceMetrics], *, options: PrwOptions) -> PrwResult:
    """Convert every resource's metrics into remote-write series."""
    result = PrwResult()
    label_names: dict[str, str] = {}
    bounds: dict[tuple[tuple[float, ...], Labels], list[Labels]] = {}
    quantiles: dict[float, Labels] = {}
    for rm in resource_metrics:
        resource = {k: as_string(v) for k, v in attrs_of(rm.resource.attributes).items()}
        newest = 0
        for sm in rm.scope_metrics:
            scope = _Scope(resource, _scope_labels(sm.scope, options), options, label_names=label_names,
                           bounds=bounds, quantiles=quantiles)
            scope.tail, scope.weak = _tail(scope)
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


def _tail(scope: _Scope) -> tuple[dict[str, str], frozenset[str]]:
    """Job/instance, then external labels not already set, then the scope labels (later ones win)."""
    out = _job_instance(scope.resource)
    strong = set(out)
    for key, value in scope.options.external_labels.items():
        out.setdefault(key, value)
    for key, value in scope.extra.items():
        out[label_name(key)] = value
        strong.add(label_name(key))
    return out, frozenset(out.keys() - strong)


def _splits(scope: _Scope, attributes: Any, specials: tuple[str, ...]) -> list[Parts]:
    """``_parts`` of a point's labels for each special label, cached per scope by attribute set."""
    attrs = attrs_of(attributes)
    # 1, 1.0 and True are equal keys but different labels: the value types are part of the key.
    key = (tuple(attrs.items()), tuple(map(type, attrs.values())), specials)
    try:
        hit = scope.parts.get(key)
    except TypeError:  # a key/value-list attribute is a dict: not hashable, not cached
        labels = _point_labels(scope, attrs)
        return [_parts(labels, special) for special in specials]
    if hit is None:
        hit = scope.parts[key] = [_cached_parts(scope, key[:2], attrs, special) for special in specials]
    return hit


def _cached_parts(scope: _Scope, attr_key: Any, attrs: Mapping[str, Any], special: str) -> Parts:
    """``_parts`` for one attribute set and special label; the point labels are built once per set."""
    parts = scope.part.get((attr_key, special))
    if parts is None:
        labels = scope.point_labels.get(attr_key)
        if labels is None:
            labels = scope.point_labels[attr_key] = _point_labels(scope, attrs)
        parts = scope.part[(attr_key, special)] = _parts(labels, special)
    return parts


def _point_labels(scope: _Scope, raw: Mapping[str, Any]) -> dict[str, str]:
    """Every label of a point's series except ``__name__`` and the per-series ones (``le``, ``quantile``)."""
    attrs = {k: as_string(v) for k, v in raw.items()}
    if scope.options.resource_to_telemetry_conversion:
        skip = _IDENTIFYING if scope.options.exclude_service_attributes else ()
        attrs = {**{k: v for k, v in scope.resource.items() if k not in skip}, **attrs}
    names = scope.label_names
    out: dict[str, str] = {}
    for key in sorted(attrs):
        final = names.get(key)
        if final is None:
            final = names[key] = label_name(key)
        out[final] = f"{out[final]};{attrs[key]}" if final in out else attrs[key]
    weak = scope.weak
    for key, value in scope.tail.items():
        # job/instance and scope labels replace an attribute; an external label does not.
        if key not in weak or key not in out:
            out[key] = value
    return out


def _parts(labels: dict[str, str], special: str) -> tuple[Labels, Labels, Labels]:
    """The sorted non-empty labels split around ``__name__`` and ``special`` (both left out).

    A series key is ``before + ((__name__, name),) + between + ((special, value),) + after``; both
    names sort after every upper-case key and ``__name__`` sorts before ``le`` and ``quantile``.
    """
    items = [kv for kv in sorted(labels.items()) if kv[1] != "" and kv[0] != "__name__" and kv[0] != special]
    keys = [kv[0] for kv in items]
    i = bisect_left(keys, "__name__")
    j = bisect_left(keys, special, i)
    return tuple(items[:i]), tuple(items[i:j]), tuple(items[j:])


def _add(series: dict[Labels, list[tuple[int, float]]], key: Labels, ts: int, value: float) -> None:
    samples = series.get(key)
    if samples is None:
        series[key] = [(ts, value)]
    else:
        samples.append((ts, value))


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
    if kind == "histogram":
        return _histograms(data.data_points, base, scope, result.series)
    if kind == "summary":
        return _summaries(data.data_points, base, scope, result.series)
    return _numbers(data.data_points, base, scope, result.series)


def _numbers(points: Any, base: str, scope: _Scope, series: dict[Labels, list[tuple[int, float]]]) -> int:
    newest = 0
    name = (("__name__", base),)
    for point in points:
        ts = point.time_unix_nano // 1_000_000
        if ts > newest:
            newest = ts
        value = float(point.as_int) if point.WhichOneof("value") == "as_int" else point.as_double
        ((before, between, after),) = _splits(scope, point.attributes, _PLAIN)
        key = before + name + between + after
        sample = (ts, STALE_NAN if point.flags & 1 else value)
        samples = series.get(key)
        if samples is None:
            series[key] = [sample]
        else:
            samples.append(sample)
    return newest


def _histograms(points: Any, base: str, scope: _Scope, series: dict[Labels, list[tuple[int, float]]]) -> int:
    newest = 0
    sum_name, count_name = (("__name__", f"{base}_sum"),), (("__name__", f"{base}_count"),)
    bucket_name = (("__name__", f"{base}_bucket"),)
    inf = (("le", "+Inf"),)
    bounds = scope.bounds
    for point in points:
        ts = point.time_unix_nano // 1_000_000
        if ts > newest:
            newest = ts
        stale = point.flags & 1
        (before, between, after), (le_before, le_between, after_le) = _splits(scope, point.attributes, _BUCKET)
        if point.HasField("sum"):
            _add(series, before + sum_name + between + after, ts, STALE_NAN if stale else point.sum)
        count = float(point.count)
        _add(series, before + count_name + between + after, ts, STALE_NAN if stale else count)
        head = le_before + bucket_name + le_between
        explicit = tuple(point.explicit_bounds)
        tails = bounds.get((explicit, after_le))  # the series-key ends: (("le", text), *after_le)
        if tails is None:
            tails = bounds[(explicit, after_le)] = [(("le", go_float_f(bound)), *after_le) for bound in explicit]
        counts = list(point.bucket_counts[:len(explicit)])
        counts += [0] * (len(explicit) - len(counts))
        for tail, running in zip(tails, accumulate(counts), strict=True):
            key = head + tail
            sample = (ts, STALE_NAN if stale else float(running))
            samples = series.get(key)
            if samples is None:
                series[key] = [sample]
            else:
                samples.append(sample)
        _add(series, head + inf + after_le, ts, STALE_NAN if stale else count)
    return newest


def _summaries(points: Any, base: str, scope: _Scope, series: dict[Labels, list[tuple[int, float]]]) -> int:
    newest = 0
    sum_name, count_name, name = (("__name__", f"{base}_sum"),), (("__name__", f"{base}_count"),), (("__name__", base),)
    quantiles = scope.quantiles
    for point in points:
        ts = point.time_unix_nano // 1_000_000
        if ts > newest:
            newest = ts
        stale = point.flags & 1
        (before, between, after), (q_before, q_between, after_q) = _splits(scope, point.attributes, _QUANTILE)
        _add(series, before + sum_name + between + after, ts, STALE_NAN if stale else point.sum)
        _add(series, before + count_name + between + after, ts, STALE_NAN if stale else float(point.count))
        head = q_before + name + q_between
        for q in point.quantile_values:
            text = quantiles.get(q.quantile)
            if text is None:
                text = quantiles[q.quantile] = (("quantile", go_float_f(q.quantile)),)
            _add(series, head + text + after_q, ts, STALE_NAN if stale else q.value)
    return newest


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
