"""The seam between the trace store and trace analysis (summaries, filters, graphs, inferred segments).

The store calls ``summarize`` whenever a trace's documents change and keeps the result — the
``facts.SUMMARY_COLUMNS`` row of ``TraceFacts`` — with the trace. Read operations turn stored rows
back into ``TraceFacts`` and hand them to ``filters``, ``graph`` and ``stats``; a filter expression's
SQL pushdown narrows the rows the store returns before the exact test runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import cramjam
import orjson

from otelray.service.facts import TraceFacts, trace_facts
from otelray.service.filters import GroupResolver, compile_filter
from otelray.service.graph import (
    Entry,
    NodeRef,
    build_service_graph,
    rollup,
    service_graph_from_entries,
    trace_graph,
)
from otelray.service.inferred import inferred_segments
from otelray.service.stats import Stats, time_series_from_entries, time_series_statistics
from otelray.service.store.base import ROLLUP_KEY, TraceRow

__all__ = [
    "ROLLUP_KEY",
    "GraphRollup",
    "RowFilter",
    "compile_expression",
    "derivation_version",
    "facts_of",
    "inferred_segments",
    "service_graph",
    "service_graph_from_rollups",
    "summarize",
    "summary",
    "time_series",
    "time_series_from_rollups",
    "traces_graph",
]


def summarize(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary columns of one trace (the store's ``Summarizer``), plus its minute rollup."""
    facts = trace_facts(documents)
    row = facts.to_row()
    row[ROLLUP_KEY] = GraphRollup.encode(rollup(facts))
    return row


def facts_of(row: TraceRow) -> TraceFacts | None:
    """The ``TraceFacts`` of a stored row; ``None`` if they could not be derived or were stored by
    another facts format version (the store derives those again, see ``derivation_version``)."""
    if row.facts is None:
        return None
    try:
        return TraceFacts.from_row({"trace_id": row.trace_id, "facts": row.facts})
    except ValueError:
        return None


def derivation_version() -> str:
    """Identifies the summary format; a store built by another version derives every trace again."""
    probe = trace_facts([{"name": "probe", "id": "0000000000000001", "trace_id": "1-00000000-000000000000000000000001",
                          "start_time": 0.0, "end_time": 1.0}])
    return f"facts-{orjson.loads(probe.to_row()['facts']).get('v')}"


def summary(row: TraceRow) -> dict[str, Any]:
    """The API ``TraceSummary`` of a stored trace."""
    facts = facts_of(row)
    if facts is not None:
        return facts.summary()
    # derivation failed for this trace (counted by the store): report what the store itself knows
    return {"Id": row.trace_id, "StartTime": row.start, "Duration": max(0.0, row.end - row.start),
            "IsPartial": row.partial}


@dataclass(frozen=True, slots=True)
class RowFilter:
    """A compiled filter expression: an SQL pre-filter for the store and the exact test on rows."""

    where: tuple[str, tuple[Any, ...]] | None
    exact: bool
    test: Callable[[TraceFacts], bool]

    def __call__(self, row: TraceRow) -> bool:
        if self.exact:
            return True
        facts = facts_of(row)
        return facts is not None and self.test(facts)


def compile_expression(expression: str, groups: GroupResolver | None = None) -> RowFilter:
    """Compile an X-Ray filter expression; raises ``InvalidRequestException`` with the position."""
    compiled = compile_filter(expression, groups)
    sql = compiled.sql()
    where = None if sql.clause == "1" else (sql.clause, tuple(sql.params))
    return RowFilter(where=where, exact=sql.exact, test=compiled.matches)


def _facts(rows: Iterable[TraceRow]) -> Iterator[TraceFacts]:
    for row in rows:
        facts = facts_of(row)
        if facts is not None:
            yield facts


def service_graph(rows: Iterable[TraceRow], start: float, end: float) -> list[dict[str, Any]]:
    """The API ``Service`` list of the traces in ``rows`` over ``[start, end)``."""
    return build_service_graph(_facts(rows), start, end)


def traces_graph(rows: Iterable[TraceRow]) -> list[dict[str, Any]]:
    """The API ``Service`` list of the given traces (GetTraceGraph)."""
    return trace_graph(_facts(rows))


def time_series(
    rows: Iterable[TraceRow], start: float, end: float, period: int, selector: str | None
) -> list[dict[str, Any]]:
    """``TimeSeriesServiceStatistics`` entries for the traces in ``rows``."""
    return time_series_statistics(_facts(rows), start, end, period, selector)


class GraphRollup:
    """Per-minute service-graph rollups kept by the store (``graph.rollup``; store study §2).

    When a trace's summary is refreshed, the store adds the new facts' rollup and subtracts the
    old one, so GetServiceGraph and GetTimeSeriesServiceStatistics without a group read a few
    thousand minute rows instead of deriving every trace of the window.
    Keys are stored as ``(minute, source JSON, target JSON or "", alias)``.
    """

    @staticmethod
    def of(trace_id: str, facts_text: str | None) -> dict[tuple[int, str, str, str], Stats]:
        """The rollup of stored facts (empty for none)."""
        if facts_text is None:
            return {}
        try:
            facts = TraceFacts.from_row({"trace_id": trace_id, "facts": facts_text})
        except ValueError:  # another format version: the store cleared the rollups when it noticed
            return {}
        return GraphRollup.encode(rollup(facts))

    @staticmethod
    def encode(items: dict[tuple[int, NodeRef, NodeRef | None, str], Stats]) -> dict[tuple[int, str, str, str], Stats]:
        """Rollup keys in their stored form."""
        return {
            (minute, orjson.dumps(source).decode(), "" if target is None else orjson.dumps(target).decode(), alias): s
            for (minute, source, target, alias), s in items.items()
        }

    @staticmethod
    def combine(existing: bytes | None, added: list[Stats], removed: list[Stats]) -> bytes | None:
        """The stored statistics after the changes (``None``: nothing left, delete the row)."""
        stats = _load_stats(existing) if existing is not None else Stats()
        for item in added:
            stats.merge(item)
        for item in removed:
            stats.subtract(item)
        if stats.total <= 0 and not stats.response_times:
            return None
        return _dump_stats(stats)

    @staticmethod
    def merge(values: list[bytes]) -> bytes:
        """Stored statistics summed (the hourly rollup rows)."""
        total = Stats()
        for value in values:
            total.merge(_load_stats(value))
        return _dump_stats(total)

    @staticmethod
    def entries(rows: Iterable[tuple[int, str, str, str, bytes]]) -> Iterator[Entry]:
        """Stored rollup rows as ``graph`` entries."""
        for minute, source, target, alias, blob in rows:
            if not source:  # the marker of a materialized hour
                continue
            src = tuple(orjson.loads(source))
            dst = tuple(orjson.loads(target)) if target else None
            yield (float(minute), src, dst, alias, _load_stats(blob))  # type: ignore[misc]


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _dump_stats(stats: Stats) -> bytes:
    """Stored rollup statistics: zstd-compressed JSON (histograms of three significant digits are
    1-2 KB of JSON that compress about 6×)."""
    return bytes(cramjam.zstd.compress(orjson.dumps(stats.to_list()), level=3))


def _load_stats(blob: bytes) -> Stats:
    """The inverse of ``_dump_stats``; rows written as plain JSON by earlier versions still read."""
    data = bytes(cramjam.zstd.decompress(blob)) if blob[:4] == _ZSTD_MAGIC else blob
    return Stats.from_list(orjson.loads(data))


def service_graph_from_rollups(rows: Iterable[tuple[int, str, str, str, bytes]], start: float, end: float
                               ) -> list[dict[str, Any]]:
    """GetServiceGraph ``Services`` from stored minute rollups (window rounded to whole minutes)."""
    return service_graph_from_entries(GraphRollup.entries(rows), start, end)


def time_series_from_rollups(rows: Iterable[tuple[int, str, str, str, bytes]], start: float, end: float,
                             period: int, selector: str | None) -> list[dict[str, Any]]:
    """``TimeSeriesServiceStatistics`` entries from stored minute rollups."""
    return time_series_from_entries(GraphRollup.entries(rows), start, end, period, selector)
