"""OTLP metrics → CloudWatch EMF log events (contrib ``emf_exporter.go`` ``pushMetricsData``, adot-collector.md §3.2).

The orchestrator, as a list of steps per resource: resource attributes, namespace and log
group/stream (templating), then per metric its values (``datapoints``), grouped by
(namespace, timestamp, log group, log stream, metric type, split index) and label set into one
event per group, whose directives come from ``dimensions`` and whose JSON from ``document``.
Nothing here does I/O: the delta state and the clock are parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.metrics.v1.metrics_pb2 import Metric, ResourceMetrics

from otelray.translate.emf.datapoints import DataPoint, PointContext, metric_datapoints
from otelray.translate.emf.delta import DeltaState
from otelray.translate.emf.dimensions import (
    OTEL_LIB,
    MetricInfo,
    measurements_with_declarations,
    measurements_without_declarations,
)
from otelray.translate.emf.document import emf_message
from otelray.translate.emf.options import EmfOptions, MetricDescriptor
from otelray.translate.emf.templating import namespace_of, substitute
from otelray.translate.to_xray.values import as_string, attrs_of

STORAGE_RESOLUTION_LABEL = "aws.emf.storage_resolution"
_UNITS = {"1": "", "ns": "", "ms": "Milliseconds", "s": "Seconds", "us": "Microseconds", "By": "Bytes", "bit": "Bits"}
_PROM_TYPES = {"gauge": "gauge", "sum": "counter", "histogram": "histogram", "summary": "summary",
               "exponential_histogram": "histogram"}


@dataclass(frozen=True, slots=True)
class EmfEvent:
    """One CloudWatch Logs event: where it goes, its timestamp and its EMF JSON message."""

    log_group: str
    log_stream: str
    timestamp_ms: int
    message: str


@dataclass(slots=True)
class EmfResult:
    """The events of one batch and what could not be turned into values (counted by the caller)."""

    events: list[EmfEvent] = field(default_factory=list)
    dropped_points: int = 0
    duplicate_metrics: int = 0


@dataclass(slots=True)
class _Group:
    labels: dict[str, str]
    namespace: str
    timestamp_ms: int
    log_group: str
    log_stream: str
    metrics: dict[str, tuple[Any, MetricInfo]] = field(default_factory=dict)
    prom_type: str = ""


def translate_unit(unit: str, descriptor: MetricDescriptor | None) -> str:
    """The CloudWatch unit of a metric (upstream ``translateUnit``)."""
    if descriptor is not None and (not unit or descriptor.overwrite):
        return descriptor.unit
    return _UNITS.get(unit, unit)


def translate_metrics(
    resource_metrics: Iterable[ResourceMetrics], *, options: EmfOptions, state: DeltaState, now: float
) -> EmfResult:
    """Translate every resource's metrics into EMF events (``now`` in epoch seconds)."""
    result = EmfResult()
    groups: dict[tuple[Any, ...], _Group] = {}
    for rm in resource_metrics:
        _resource(rm, options, state, now, groups, result)
    for group in groups.values():
        result.events.append(_event(group, options))
    return result


def _resource(
    rm: ResourceMetrics, options: EmfOptions, state: DeltaState, now: float,
    groups: dict[tuple[Any, ...], _Group], result: EmfResult,
) -> None:
    resource = {k: as_string(v) for k, v in attrs_of(rm.resource.attributes).items()}
    namespace = namespace_of(options.namespace, resource)
    group_template = options.log_group_name or f"/metrics/{namespace}"
    log_group, group_ok = substitute(group_template, resource)
    log_stream, stream_ok = substitute(options.log_stream_name, resource)
    from_prometheus = resource.get("receiver") == "prometheus"
    for sm in rm.scope_metrics:
        base = dict(resource) if options.resource_to_telemetry_conversion else {}
        if sm.scope.name:
            base[OTEL_LIB] = sm.scope.name
        ctx = PointContext(
            base_labels=base, default_timestamp_ms=int(now * 1000), state=state, now=now,
            key_prefix=(namespace, log_group, log_stream), retain_initial=options.retain_initial_value_of_delta_metric,
            detailed=options.detailed_metrics, from_prometheus=from_prometheus)
        for metric in sm.metrics:
            for point in metric_datapoints(metric, ctx):
                retry = {} if group_ok and stream_ok else {**resource, **point.labels}
                where = (namespace,
                         log_group if group_ok else substitute(group_template, retry)[0],
                         log_stream if stream_ok else substitute(options.log_stream_name, retry)[0])
                _add(groups, metric, point, where, options, from_prometheus, result)
        result.dropped_points += ctx.dropped


def _add(
    groups: dict[tuple[Any, ...], _Group], metric: Metric, point: DataPoint, where: tuple[str, str, str],
    options: EmfOptions, from_prometheus: bool, result: EmfResult,
) -> None:
    labels = point.labels
    resolution = 60
    if STORAGE_RESOLUTION_LABEL in labels:
        labels = dict(labels)
        try:
            resolution = int(labels.pop(STORAGE_RESOLUTION_LABEL))
        except ValueError:
            resolution = 60
    kind = metric.WhichOneof("data") or ""
    key = (*where, point.timestamp_ms, kind, point.split, tuple(sorted(labels.items())))
    group = groups.get(key)
    if group is None:
        group = groups[key] = _Group(labels, where[0], point.timestamp_ms, where[1], where[2])
        if from_prometheus:
            group.prom_type = _PROM_TYPES.get(kind, "")
    if point.name in group.metrics:
        result.duplicate_metrics += 1  # upstream: WARN "Duplicate metric found", first kept
        return
    unit = translate_unit(metric.unit, options.descriptor(metric.name))
    group.metrics[point.name] = (point.value, MetricInfo(point.name, unit, resolution))


def _event(group: _Group, options: EmfOptions) -> EmfEvent:
    infos = [info for _, info in group.metrics.values()]
    if options.metric_declarations:
        measurements = measurements_with_declarations(
            group.namespace, options.dimension_rollup_option, options.metric_declarations, group.labels, infos)
    else:
        measurements = measurements_without_declarations(
            group.namespace, options.dimension_rollup_option, group.labels, infos)
    fields: dict[str, Any] = {name: value for name, (value, _) in group.metrics.items()}
    if group.prom_type:
        fields["prom_metric_type"] = group.prom_type
    message = emf_message(fields, group.labels, measurements, group.timestamp_ms, version=options.version,
                          json_keys=frozenset(options.parse_json_encoded_attr_values))
    return EmfEvent(group.log_group, group.log_stream, group.timestamp_ms, message)
