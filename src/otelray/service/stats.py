"""Request statistics, histograms and time series of the local X-Ray service (botocore shapes
``ServiceStatistics``/``EdgeStatistics``, ``HistogramEntry``, ``TimeSeriesServiceStatistics``;
X-Ray developer guide "Service map" and "Using latency histograms").

Counting follows the developer guide: a completed request is OK (2xx), an error (4xx; 429 is a
``ThrottleCount``, other 4xx ``OtherCount``) or a fault (5xx); ``TotalCount`` counts completed requests
and ``TotalResponseTime`` sums their response times in seconds. Each request is counted once, fault
before throttle before error. In-progress requests are not counted.

Histograms: the guide's sample lists each distinct value with its count; AWS buckets values at
higher volumes by an unpublished rule. otelray rounds every value to ``HISTOGRAM_DIGITS``
significant digits (1.234 ms → 0.00123 s), which keeps exact counts for the small samples of a local
backend and bounds the entry count for large ones. ``Stats`` objects merge, so a store can keep
per-minute rollups and fold them at query time (``reference/store-feasibility.md`` §2).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from otelray.service.errors import InvalidRequestException
from otelray.service.facts import ERROR, FAULT, THROTTLE, Observation, TraceFacts

__all__ = [
    "HISTOGRAM_DIGITS",
    "MAX_TIME_SERIES_POINTS",
    "Stats",
    "round_value",
    "time_series_from_entries",
    "time_series_statistics",
]

HISTOGRAM_DIGITS = 3
#: Most periods one GetTimeSeriesServiceStatistics answer may hold (a bound on work and size).
MAX_TIME_SERIES_POINTS = 10_000


def round_value(value: float) -> float:
    """Round a histogram value (seconds) to ``HISTOGRAM_DIGITS`` significant digits."""
    if value <= 0.0 or not math.isfinite(value):
        return 0.0
    return round(value, HISTOGRAM_DIGITS - 1 - math.floor(math.log10(value)))


@dataclass(slots=True)
class Stats:
    """Counts, response-time sum, histograms and time span of a set of requests."""

    ok: int = 0
    error: int = 0
    throttle: int = 0
    fault: int = 0
    total_response_time: float = 0.0
    response_times: dict[float, int] = field(default_factory=dict)
    durations: dict[float, int] = field(default_factory=dict)
    start: float | None = None
    end: float | None = None

    @property
    def total(self) -> int:
        return self.ok + self.error + self.throttle + self.fault

    def add(self, obs: Observation) -> None:
        """Count one request (node view) or call (edge view)."""
        self.start = obs.start if self.start is None else min(self.start, obs.start)
        last = obs.end if obs.end is not None else obs.start
        self.end = last if self.end is None else max(self.end, last)
        seconds = obs.response_time
        if seconds is None:
            return
        if obs.flags & FAULT:
            self.fault += 1
        elif obs.flags & THROTTLE:
            self.throttle += 1
        elif obs.flags & ERROR:
            self.error += 1
        else:
            self.ok += 1
        self.total_response_time += seconds
        key = round_value(seconds)
        self.response_times[key] = self.response_times.get(key, 0) + 1
        self.durations[key] = self.durations.get(key, 0) + 1

    def merge(self, other: Stats) -> None:
        """Add another ``Stats`` into this one."""
        self.ok += other.ok
        self.error += other.error
        self.throttle += other.throttle
        self.fault += other.fault
        self.total_response_time += other.total_response_time
        for mine, theirs in ((self.response_times, other.response_times), (self.durations, other.durations)):
            for value, count in theirs.items():
                mine[value] = mine.get(value, 0) + count
        if other.start is not None:
            self.start = other.start if self.start is None else min(self.start, other.start)
        if other.end is not None:
            self.end = other.end if self.end is None else max(self.end, other.end)

    def fold(self, item: Stats | Observation) -> None:
        """``add`` one request or ``merge`` summed statistics."""
        if isinstance(item, Observation):
            self.add(item)
        else:
            self.merge(item)

    def subtract(self, other: Stats) -> None:
        """Remove ``other`` (added earlier) from this one: the update path of a rollup."""
        self.ok -= other.ok
        self.error -= other.error
        self.throttle -= other.throttle
        self.fault -= other.fault
        self.total_response_time -= other.total_response_time
        for mine, theirs in ((self.response_times, other.response_times), (self.durations, other.durations)):
            for value, count in theirs.items():
                left = mine.get(value, 0) - count
                if left > 0:
                    mine[value] = left
                else:
                    mine.pop(value, None)

    def to_list(self) -> list[Any]:
        """A compact JSON-able form (``from_list`` reads it back)."""
        return [self.ok, self.error, self.throttle, self.fault, self.total_response_time,
                [[v, c] for v, c in self.response_times.items()], [[v, c] for v, c in self.durations.items()],
                self.start, self.end]

    @classmethod
    def from_list(cls, data: list[Any]) -> Stats:
        """Rebuild from ``to_list`` output."""
        ok, error, throttle, fault, total, rts, durations, start, end = data
        return cls(ok, error, throttle, fault, total, {v: c for v, c in rts}, {v: c for v, c in durations},
                   start, end)

    def statistics(self) -> dict[str, Any]:
        """The ``ServiceStatistics`` / ``EdgeStatistics`` shape."""
        return {
            "OkCount": self.ok,
            "ErrorStatistics": {"ThrottleCount": self.throttle, "OtherCount": self.error,
                                "TotalCount": self.throttle + self.error},
            "FaultStatistics": {"OtherCount": self.fault, "TotalCount": self.fault},
            "TotalCount": self.total,
            "TotalResponseTime": self.total_response_time,
        }

    def response_time_histogram(self) -> list[dict[str, Any]]:
        """``ResponseTimeHistogram`` entries, ascending by value."""
        return [{"Value": v, "Count": c} for v, c in sorted(self.response_times.items())]

    def duration_histogram(self) -> list[dict[str, Any]]:
        """``DurationHistogram`` entries, ascending by value."""
        return [{"Value": v, "Count": c} for v, c in sorted(self.durations.items())]


def _selector(expression: str | None) -> tuple[Any, Any, bool]:
    """``(ref_a, ref_b, is_edge)`` of an entity selector; ``(None, None, False)`` when omitted."""
    from otelray.service.filters import compile_filter

    if expression is None:
        return None, None, False
    text = expression.strip()
    if text[:2].lower() == "id" and text[2:].lstrip().startswith("("):
        text = f"service({text})"
    refs = compile_filter(text).selected_refs()
    if refs is None:
        raise InvalidRequestException(
            "EntitySelectorExpression must be service(...), edge(...) or id(...) without a filter body")
    return refs[0], refs[1], refs[1] is not None


def _matches(ref: Any, node: tuple[str, str, str, bool] | None) -> bool:
    if node is None or node[1] == "client":
        return False
    if ref is None:
        return True
    return ((ref.name is None or node[0] == ref.name) and (ref.type is None or node[1] == ref.type)
            and (ref.account_id is None or node[2] == ref.account_id))


def _periods(start: float, end: float, period: int) -> int:
    if not isinstance(period, int) or isinstance(period, bool) or period <= 0 or period % 60:
        raise InvalidRequestException("Period must be a positive multiple of 60 seconds")
    if end <= start:
        raise InvalidRequestException("EndTime must be after StartTime")
    count = math.ceil((end - start) / period)
    if count > MAX_TIME_SERIES_POINTS:
        raise InvalidRequestException(f"The time range holds more than {MAX_TIME_SERIES_POINTS} periods")
    return count


def time_series_from_entries(items: Iterable[Any], start: float, end: float, period: int = 60,
                             entity_selector: str | None = None) -> list[dict[str, Any]]:
    """``TimeSeriesServiceStatistics`` from graph entries or rollup items (``graph.entries``/``rollup``).

    Args:
        items: ``(time, source, target, alias, Stats)`` tuples.
        start, end: the window; ``period``: bucket width in seconds (a multiple of 60, as AWS requires).
        entity_selector: ``service(…)``, ``edge(…)`` or ``id(…)``. A service selector gives the node's
            own statistics (``ServiceSummaryStatistics`` + ``ResponseTimeHistogram``) and those of the
            calls into it, client calls included (``EdgeSummaryStatistics``); an edge selector gives
            that edge's calls only; none gives the entry requests of every trace (client edges, and
            the root services' own view of them).

    Raises:
        InvalidRequestException: bad period, window or selector.
    """
    count = _periods(start, end, period)
    ref_a, ref_b, is_edge = _selector(entity_selector)
    series: dict[int, tuple[Stats, Stats]] = {}
    for time, source, target, _alias, stats in items:
        if not start <= time < end:
            continue
        if entity_selector is None:
            hit_service = hit_edge = target is not None and source[1] == "client"
        elif is_edge:
            hit_service, hit_edge = False, target is not None and _matches(ref_a, source) and _matches(ref_b, target)
        else:
            hit_service = target is None and _matches(ref_a, source)
            hit_edge = target is not None and _matches(ref_a, target)
        if hit_service or hit_edge:
            key = int((time - start) // period)
            service, edge = series.setdefault(key, (Stats(), Stats()))
            if hit_service:
                service.fold(stats)
            if hit_edge:
                edge.fold(stats)
    out: list[dict[str, Any]] = []
    for key in range(count):
        service, edge = series.get(key, (Stats(), Stats()))
        entry: dict[str, Any] = {"Timestamp": start + key * period, "EdgeSummaryStatistics": edge.statistics()}
        if not is_edge:
            entry["ServiceSummaryStatistics"] = service.statistics()
            entry["ResponseTimeHistogram"] = service.response_time_histogram()
        out.append(entry)
    return out


def time_series_statistics(facts: Iterable[TraceFacts], start: float, end: float, period: int = 60,
                           entity_selector: str | None = None) -> list[dict[str, Any]]:
    """``TimeSeriesServiceStatistics`` of the given traces (see ``time_series_from_entries``)."""
    from otelray.service.graph import entries  # graph builds on Stats; import at call time

    return time_series_from_entries((e for f in facts for e in entries(f)), start, end, period, entity_selector)
