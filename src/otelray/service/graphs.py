"""The graph and statistics operations of the X-Ray API (botocore ``xray`` model; X-Ray developer
guide "Service graph", "Getting data from X-Ray"): GetServiceGraph, GetTraceGraph and
GetTimeSeriesServiceStatistics.

The traces of a window are the stored summary rows whose start lies in ``[StartTime − 6 h, EndTime)``
and that end at or after ``StartTime`` (X-Ray's console windows are at most 6 hours, so a trace
begun earlier than that is not looked for); a group narrows them by its filter expression, pushed
down to SQL where possible. Without a group, graphs and minute-aligned time series are read from the
store's per-minute rollups instead (whole minutes: a window starting mid-minute includes that
minute). The graph itself is built by ``otelray.service.graph`` and ``stats``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from otelray.service import analysis, pagination
from otelray.service.context import ServiceContext
from otelray.service.errors import InvalidRequestException
from otelray.service.store.base import Cursor, TimeRangeType, TraceRow
from otelray.service.traces import compile_scoped, scoped_expression
from otelray.xray.ids import is_trace_id

#: How far before a window's start a trace may begin and still contribute requests to it.
LOOKBACK_SECONDS = 6 * 3600.0
#: GetTraceGraph: trace ids per page (the console asks for a handful).
TRACE_GRAPH_PAGE = 100
_CHUNK = 2000


def _window_rows(ctx: ServiceContext, start: float, end: float, rows_filter: analysis.RowFilter | None
                 ) -> Iterator[TraceRow]:
    """Summary rows of traces overlapping ``[start, end)``, in chunks, filtered by the group."""
    where = "tend >= ?"
    params: tuple[Any, ...] = (start,)
    if rows_filter is not None and rows_filter.where is not None:
        where = f"{where} AND ({rows_filter.where[0]})"
        params = params + tuple(rows_filter.where[1])
    cursor: Cursor | None = None
    while True:
        rows = ctx.store.scan(TimeRangeType.TRACE_ID, start - LOOKBACK_SECONDS, end, before=cursor,
                              limit=_CHUNK, where=(where, params))
        for row in rows:
            if row.matched and (rows_filter is None or rows_filter(row)):
                yield row
        if len(rows) < _CHUNK:
            return
        cursor = Cursor(rows[-1].start, rows[-1].trace_id)


def _window(params: dict[str, Any]) -> tuple[float, float]:
    start, end = params["StartTime"], params["EndTime"]
    if end <= start:
        raise InvalidRequestException("EndTime must be after StartTime")
    return start, end


async def get_service_graph(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Services and edges of the requests that started in the window (optionally of one group)."""
    start, end = _window(params)
    rows_filter = compile_scoped(ctx, scoped_expression(ctx, params))
    await asyncio.wrap_future(ctx.store.sync())
    if rows_filter is None:  # the whole service: from the per-minute rollups
        minute = start // 60 * 60
        services = await asyncio.to_thread(
            lambda: analysis.service_graph_from_rollups(ctx.store.rollups(start, end), minute, end)
        )
    else:
        services = await asyncio.to_thread(
            lambda: analysis.service_graph(_window_rows(ctx, start, end, rows_filter), start, end)
        )
    return {"StartTime": start, "EndTime": end, "Services": services, "ContainsOldGroupVersions": False}


async def get_trace_graph(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """The graph of the given traces; unknown ids contribute nothing."""
    ids = [i.lower() for i in params["TraceIds"] if is_trace_id(i)]
    request = pagination.fingerprint("GetTraceGraph", params["TraceIds"])
    offset = 0
    if params.get("NextToken"):
        (offset,) = pagination.decode(params["NextToken"], request)
        if not isinstance(offset, int) or offset < 0:
            raise InvalidRequestException("NextToken is not a token issued by this service")
    page = ids[offset : offset + TRACE_GRAPH_PAGE]
    await asyncio.wrap_future(ctx.store.sync())
    rows = await asyncio.to_thread(ctx.store.rows, page)
    out: dict[str, Any] = {"Services": analysis.traces_graph(rows)}
    if offset + TRACE_GRAPH_PAGE < len(ids):
        out["NextToken"] = pagination.encode([offset + TRACE_GRAPH_PAGE], request)
    return out


async def get_time_series_service_statistics(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Per-period statistics of an entity (or of the entry requests) over the window."""
    start, end = _window(params)
    if params.get("ForecastStatistics"):
        raise InvalidRequestException(
            "ForecastStatistics is not implemented by otelray (no fault-count forecasting model)"
        )
    period = params.get("Period", 60)
    selector = params.get("EntitySelectorExpression")
    rows_filter = compile_scoped(ctx, scoped_expression(ctx, params))
    await asyncio.wrap_future(ctx.store.sync())
    if rows_filter is None and start % 60 == 0:  # minute-aligned and ungrouped: from the rollups
        series = await asyncio.to_thread(
            lambda: analysis.time_series_from_rollups(
                ctx.store.rollups(start, end, hours=False), start, end, period, selector
            )
        )
    else:
        series = await asyncio.to_thread(
            lambda: analysis.time_series(_window_rows(ctx, start, end, rows_filter), start, end, period, selector)
        )
    return {"TimeSeriesServiceStatistics": series, "ContainsOldGroupVersions": False}


#: operation name → handler, for the operations this module owns.
OPERATIONS = {
    "GetServiceGraph": get_service_graph,
    "GetTraceGraph": get_trace_graph,
    "GetTimeSeriesServiceStatistics": get_time_series_service_statistics,
}
