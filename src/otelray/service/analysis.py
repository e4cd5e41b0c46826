"""The seam between the trace store and trace analysis (summaries, filters, graphs, inferred segments).

The store calls ``summarize`` whenever a trace's documents change and keeps its result with the
trace; the read operations turn stored rows back into API shapes through the other functions here.
Until the analysis modules are part of the build, only the values the store itself indexes are
reported (Id, StartTime, Duration, IsPartial), and features that need analysis raise an
``InvalidRequestException`` naming what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from otelray.service.errors import InvalidRequestException
from otelray.service.store.base import Summarizer, TraceRow

#: A compiled filter expression: row → matches?
RowFilter = Callable[[TraceRow], bool]


def summarizer() -> Summarizer | None:
    """The function the store derives per-trace values with (``None``: store columns only)."""
    return None


def summary(row: TraceRow) -> dict[str, Any]:
    """The API ``TraceSummary`` of a stored trace."""
    return {
        "Id": row.trace_id,
        "StartTime": row.start,
        "Duration": max(0.0, row.end - row.start),
        "IsPartial": row.partial,
    }


def compile_expression(expression: str) -> RowFilter:
    """Compile an X-Ray filter expression; raises ``InvalidRequestException`` with the position."""
    raise InvalidRequestException(
        "FilterExpression is not supported by this build: the filter-expression engine "
        "(otelray.service.filters) is not installed"
    )


def inferred_segments(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inferred segments X-Ray adds to a compiled trace (DG "Getting data", §4.3)."""
    return []


def service_graph(rows: Iterable[TraceRow], start: float, end: float) -> list[dict[str, Any]]:
    """The API ``Service`` list for the traces in ``rows``."""
    raise InvalidRequestException("GetServiceGraph needs otelray.service.graph, which this build lacks")


def trace_graph(rows: Iterable[TraceRow]) -> list[dict[str, Any]]:
    """The API ``Service`` list of the given traces."""
    raise InvalidRequestException("GetTraceGraph needs otelray.service.graph, which this build lacks")
