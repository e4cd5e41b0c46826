"""EMF dimension sets: rollup and metric declarations (contrib ``metric_translator.go``, ``util.go``; adot-collector.md §3.5).

Without declarations a group gets its full label set plus the rollup sets; with declarations only
the declared sets present in the labels plus the rollup sets, per group of metrics matching the same
declarations. Upstream builds the full set and the per-label rollups by Go map iteration (random
order); otelray iterates labels sorted by name so the output is stable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from otelray.translate.emf.options import MetricDeclaration, RollupOption

OTEL_LIB = "OTelLib"


@dataclass(frozen=True, slots=True)
class MetricInfo:
    """A metric named in a CloudWatchMetrics directive."""

    name: str
    unit: str
    storage_resolution: int = 60


@dataclass(frozen=True, slots=True)
class Measurement:
    """One ``CloudWatchMetrics`` directive."""

    namespace: str
    dimensions: list[list[str]]
    metrics: list[MetricInfo]


def rollup(option: RollupOption, labels: Mapping[str, str]) -> list[list[str]]:
    """The rollup dimension sets (upstream ``dimensionRollup``)."""
    zero = [OTEL_LIB] if OTEL_LIB in labels else []
    others = sorted(k for k in labels if k != OTEL_LIB)
    out: list[list[str]] = []
    if option is RollupOption.ZERO_AND_SINGLE and others:
        out.append(list(zero))
    if option in (RollupOption.ZERO_AND_SINGLE, RollupOption.SINGLE_ONLY):
        out.extend(sorted([*zero, name]) for name in others)
    return out


def _dedup(sets: list[list[str]]) -> list[list[str]]:
    seen: set[tuple[str, ...]] = set()
    out = []
    for s in sets:
        key = tuple(sorted(s))
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def measurements_without_declarations(
    namespace: str, option: RollupOption, labels: Mapping[str, str], metrics: Sequence[MetricInfo]
) -> list[Measurement]:
    """One directive: the full label set plus rollups (upstream ``groupedMetricToCWMeasurement``)."""
    full = sorted(labels)
    dimensions = [full]
    rolled = rollup(option, labels)
    if rolled:
        single_label = len(full) <= 1 or (len(full) == 2 and OTEL_LIB in labels)
        if single_label and option in (RollupOption.SINGLE_ONLY, RollupOption.ZERO_AND_SINGLE):
            dimensions = []  # the full set would duplicate a rollup set
    dimensions.extend(rolled)
    return [Measurement(namespace, dimensions, list(metrics))]


def measurements_with_declarations(
    namespace: str,
    option: RollupOption,
    declarations: Sequence[MetricDeclaration],
    labels: Mapping[str, str],
    metrics: Sequence[MetricInfo],
) -> list[Measurement]:
    """Directives per group of metrics matching the same declarations (``…WithFilters``)."""
    matching = [i for i, d in enumerate(declarations) if d.matches_labels(labels)]
    if not matching:
        return []
    groups: dict[tuple[int, ...], list[MetricInfo]] = {}
    for metric in metrics:
        key = tuple(i for i in matching if declarations[i].matches_name(metric.name))
        if key:
            groups.setdefault(key, []).append(metric)
    rolled = rollup(option, labels)
    out = []
    for key, infos in groups.items():
        dims: list[list[str]] = []
        for i in key:
            dims.extend(declarations[i].extract_dimensions(labels))
        dims = _dedup(dims + rolled)
        if dims:
            out.append(Measurement(namespace, dims, infos))
    return out
