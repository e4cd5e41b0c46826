"""Options of the OTLP → EMF translation (contrib ``exporter/awsemfexporter/config.go``, adot-collector.md §3.1).

One frozen value carries everything the translation reads from the exporter config, so the pure
functions take no positional booleans. ``MetricDeclaration`` and ``LabelMatcher`` are built with
upstream's ``init`` rules (§3.5): a declaration needs at least one ``metric_name_selectors``;
dimension sets with more than 10 names are dropped; each set is deduplicated and sorted; duplicate
sets are dropped; a label matcher needs ``label_names`` and a ``regex`` (separator default ``;``).
Regular expressions are matched unanchored (Go ``MatchString``), compiled with Python's ``re``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: CloudWatch rejects dimension sets with more names than this.
MAX_DIMENSION_SET_SIZE = 10

#: Units CloudWatch accepts in a metric descriptor (§3.6).
CLOUDWATCH_UNITS = frozenset({
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
    "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
    "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
    "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
})


class RollupOption(StrEnum):
    """``dimension_rollup_option`` values."""

    NONE = "NoDimensionRollup"
    SINGLE_ONLY = "SingleDimensionRollupOnly"
    ZERO_AND_SINGLE = "ZeroAndSingleDimensionRollup"


@dataclass(frozen=True, slots=True)
class LabelMatcher:
    """Matches when the values of ``label_names`` joined by ``separator`` match ``regex`` (unanchored)."""

    label_names: tuple[str, ...]
    regex: str
    separator: str = ";"
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.label_names:
            raise ValueError("label matcher must have at least one label name")
        if not self.regex:
            raise ValueError("regex not specified for label matcher")
        object.__setattr__(self, "_compiled", re.compile(self.regex))

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True when the joined label values match."""
        joined = (self.separator or ";").join(labels.get(name, "") for name in self.label_names)
        return self._compiled.search(joined) is not None


@dataclass(frozen=True, slots=True)
class MetricDeclaration:
    """One ``metric_declarations`` entry, normalised as upstream's ``init`` does."""

    dimensions: tuple[tuple[str, ...], ...] = ()
    metric_name_selectors: tuple[str, ...] = ()
    label_matchers: tuple[LabelMatcher, ...] = ()
    _selectors: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.metric_name_selectors:
            raise ValueError("invalid metric declaration: no metric name selectors defined")
        seen: set[tuple[str, ...]] = set()
        valid: list[tuple[str, ...]] = []
        for dim_set in self.dimensions:
            if len(dim_set) > MAX_DIMENSION_SET_SIZE:
                continue  # upstream: "Dropped dimension set: > 10 dimensions specified."
            normal = tuple(sorted(set(dim_set)))
            if normal not in seen:
                seen.add(normal)
                valid.append(normal)
        object.__setattr__(self, "dimensions", tuple(valid))
        object.__setattr__(self, "_selectors", tuple(re.compile(s) for s in self.metric_name_selectors))

    def matches_name(self, name: str) -> bool:
        """True when any selector matches the metric name."""
        return any(p.search(name) is not None for p in self._selectors)

    def matches_labels(self, labels: Mapping[str, str]) -> bool:
        """True when there are no label matchers or any of them matches."""
        return not self.label_matchers or any(m.matches(labels) for m in self.label_matchers)

    def extract_dimensions(self, labels: Mapping[str, str]) -> list[list[str]]:
        """The declared dimension sets whose names are all present as labels."""
        return [list(d) for d in self.dimensions if all(name in labels for name in d)]


@dataclass(frozen=True, slots=True)
class MetricDescriptor:
    """``metric_descriptors`` entry: a unit for a metric name (used when the metric has none, or always with overwrite)."""

    metric_name: str
    unit: str
    overwrite: bool = False


@dataclass(frozen=True, slots=True)
class EmfOptions:
    """Everything the translation reads from the ``awsemf`` exporter config.

    ``log_stream_name`` must already hold the exporter's default (``otel-stream-<uuid>``) when the
    user left it empty: the uuid belongs to one exporter instance, not to the pure translation.
    """

    namespace: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""
    dimension_rollup_option: RollupOption = RollupOption.ZERO_AND_SINGLE
    metric_declarations: tuple[MetricDeclaration, ...] = ()
    metric_descriptors: tuple[MetricDescriptor, ...] = ()
    parse_json_encoded_attr_values: tuple[str, ...] = ()
    detailed_metrics: bool = False
    retain_initial_value_of_delta_metric: bool = False
    resource_to_telemetry_conversion: bool = False
    version: str = "1"

    def descriptor(self, name: str) -> MetricDescriptor | None:
        """The descriptor for ``name`` (the last one wins, as upstream's map)."""
        found = None
        for d in self.metric_descriptors:
            if d.metric_name == name:
                found = d
        return found

