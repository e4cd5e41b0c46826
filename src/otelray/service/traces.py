"""The trace operations of the X-Ray API (botocore ``xray`` model; X-Ray developer guide "Sending
trace data", "Getting data from X-Ray"): PutTraceSegments, PutTelemetryRecords, BatchGetTraces,
GetTraceSummaries, GetTraceGraph, GetServiceGraph.

``TracesProcessedCount`` counts the traces a page examined, matching or not.
Every handler is ``async (ctx, params) -> response dict`` with ``params`` already checked against the
operation's input shape; timestamps are float epoch seconds both ways. Reads run on worker threads
(one SQLite read connection each) so the event loop keeps ingesting.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from otelray.service import analysis, pagination
from otelray.service.context import ServiceContext
from otelray.service.errors import InvalidRequestException
from otelray.service.store.base import Cursor, TimeRangeType, TraceRow
from otelray.xray.ids import is_trace_id

Handler = Callable[[ServiceContext, dict[str, Any]], Awaitable[dict[str, Any]]]

#: BatchGetTraces: the service's limit on ids per call ("Exceeding maximum query size: 5").
MAX_BATCH_TRACE_IDS = 5
#: BatchGetTraces: document bytes per response page; a larger request continues with NextToken.
BATCH_PAGE_BYTES = 1024 * 1024
#: GetTraceSummaries: summaries per page, and rows scanned per page before a page is cut short.
SUMMARY_PAGE_SIZE = 100
SUMMARY_SCAN_BUDGET = 20_000
_SCAN_CHUNK = 1000


async def put_trace_segments(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Store every valid document; report the others in ``UnprocessedTraceSegments``."""
    unprocessed = await ctx.ingest.put(params["TraceSegmentDocuments"], source="api")
    return {"UnprocessedTraceSegments": unprocessed}


async def put_telemetry_records(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Accept daemon telemetry; the records are counted (``otelray_backend_telemetry_records_total``)."""
    ctx.metrics.telemetry_records.inc(len(params["TelemetryRecords"]))
    return {}


async def batch_get_traces(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Whole traces: every stored document plus the inferred segments; unknown ids unprocessed."""
    ids: list[str] = params["TraceIds"]
    if len(ids) > MAX_BATCH_TRACE_IDS:
        raise InvalidRequestException(f"Exceeding maximum query size: {MAX_BATCH_TRACE_IDS}")
    request = pagination.fingerprint("BatchGetTraces", ids)
    offset = 0
    if params.get("NextToken"):
        (offset,) = pagination.decode(params["NextToken"], request)
        if not isinstance(offset, int) or not 0 <= offset < len(ids):
            raise InvalidRequestException("NextToken is not a token issued by this service")
    wanted = [i.lower() for i in ids[offset:] if is_trace_id(i)]
    found = await asyncio.to_thread(ctx.store.documents, wanted)
    traces: list[dict[str, Any]] = []
    unprocessed: list[str] = []
    size = 0
    out: dict[str, Any] = {}
    for index in range(offset, len(ids)):
        trace_id = ids[index]
        documents = found.get(trace_id.lower()) if is_trace_id(trace_id) else None
        if documents is None:
            unprocessed.append(trace_id)
            continue
        weight = sum(len(d) for d in documents)
        if traces and size + weight > BATCH_PAGE_BYTES:
            out["NextToken"] = pagination.encode([index], request)
            break
        size += weight
        traces.append(_trace(trace_id.lower(), documents))
    out["Traces"] = traces
    out["UnprocessedTraceIds"] = unprocessed
    return out


def _trace(trace_id: str, raws: list[bytes]) -> dict[str, Any]:
    documents = [orjson.loads(raw) for raw in raws]
    segments = [{"Id": doc["id"], "Document": raw.decode()} for doc, raw in zip(documents, raws, strict=True)]
    for inferred in analysis.inferred_segments(documents):
        segments.append({"Id": inferred["id"], "Document": orjson.dumps(inferred).decode()})
    starts = [d["start_time"] for d in documents]
    ends = [d["end_time"] for d in documents if "end_time" in d]
    trace: dict[str, Any] = {"Id": trace_id, "Segments": segments, "LimitExceeded": False}
    trace["Duration"] = max(0.0, max(ends + starts) - min(starts))
    return trace


async def get_trace_summaries(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Summaries of the traces in the window that match the filter, newest first, paginated."""
    start, end = params["StartTime"], params["EndTime"]
    if end < start:
        raise InvalidRequestException("EndTime must not be before StartTime")
    range_type = TimeRangeType(params.get("TimeRangeType", TimeRangeType.TRACE_ID.value))
    expression = scoped_expression(ctx, params)
    matches = compile_scoped(ctx, expression)
    keep = _sampler(params)
    request = pagination.fingerprint(
        "GetTraceSummaries", start, end, range_type.value, expression, keep[1] if keep else None
    )
    cursor = None
    if params.get("NextToken"):
        position = pagination.decode(params["NextToken"], request)
        cursor = Cursor(time=float(position[0]), trace_id=str(position[1]))
    await asyncio.wrap_future(ctx.store.sync())
    query = _SummaryQuery(range_type, start, end, matches, keep[0] if keep else None, request)
    return await asyncio.to_thread(_summaries_page, ctx, query, cursor)


def scoped_expression(ctx: ServiceContext, params: dict[str, Any]) -> str | None:
    """The request's FilterExpression, ANDed with the expression of its GroupName/GroupARN if any."""
    expression = params.get("FilterExpression") or None
    name, arn = params.get("GroupName"), params.get("GroupARN")
    if (name is None and arn is None) or ctx.config is None:
        return expression
    group = ctx.config.group_filter(name, arn)
    if not group:
        return expression
    return f"({group}) AND ({expression})" if expression else group


def compile_scoped(ctx: ServiceContext, expression: str | None) -> analysis.RowFilter | None:
    """Compile an expression, resolving ``group.name``/``group.arn`` through the config state."""
    if not expression:
        return None
    resolver = ctx.config.resolve_group if ctx.config is not None else None
    return analysis.compile_expression(expression, resolver)


@dataclass(frozen=True, slots=True)
class _SummaryQuery:
    range_type: TimeRangeType
    start: float
    end: float
    matches: analysis.RowFilter | None
    keep: Callable[[str], bool] | None
    request: str

    @property
    def where(self) -> tuple[str, tuple[Any, ...]] | None:
        return self.matches.where if self.matches is not None else None

    @property
    def sql_decides(self) -> bool:
        """True when every row the store returns is wanted (no filter, no sampling)."""
        return self.keep is None and self.matches is None

    def wants(self, row: TraceRow) -> bool:
        return (self.keep is None or self.keep(row.trace_id)) and (self.matches is None or self.matches(row))


def _summaries_page(ctx: ServiceContext, query: _SummaryQuery, cursor: Cursor | None) -> dict[str, Any]:
    """Scan newest first from ``cursor`` until a page is full, the budget is spent or the window ends."""
    summaries: list[dict[str, Any]] = []
    processed = 0
    approximate = cursor.time if cursor else query.end
    exhausted = False
    while len(summaries) < SUMMARY_PAGE_SIZE and processed < SUMMARY_SCAN_BUDGET:
        # without a filter, read just what the page still needs (and one more, to know if the
        # window goes on); otherwise a chunk of rows, each examined once (SQL marks the matches)
        limit = SUMMARY_PAGE_SIZE - len(summaries) + 1 if query.sql_decides else _SCAN_CHUNK
        rows = ctx.store.scan(
            query.range_type, query.start, query.end, before=cursor, limit=limit, where=query.where
        )
        consumed = len(rows)
        for index, row in enumerate(rows):
            if row.matched and query.wants(row):
                summaries.append(analysis.summary(row))
                if len(summaries) == SUMMARY_PAGE_SIZE:
                    consumed = index + 1
                    break
        processed += consumed
        if consumed:
            last = rows[consumed - 1]
            cursor = Cursor(time=ctx.store.time_key(last, query.range_type), trace_id=last.trace_id)
        if len(rows) < limit and consumed == len(rows):
            exhausted = True
            break
    out: dict[str, Any] = {
        "TraceSummaries": summaries,
        "ApproximateTime": approximate,
        "TracesProcessedCount": processed,
    }
    if not exhausted and cursor is not None:
        out["NextToken"] = pagination.encode([cursor.time, cursor.trace_id], query.request)
    return out


def _sampler(params: dict[str, Any]) -> tuple[Callable[[str], bool], float] | None:
    """Sampling=true keeps a deterministic fraction of traces (SamplingStrategy.Value, default 0.5)."""
    if not params.get("Sampling"):
        return None
    strategy = params.get("SamplingStrategy") or {}
    rate = float(strategy.get("Value", 0.5))
    if not 0.0 <= rate <= 1.0:
        raise InvalidRequestException("SamplingStrategy.Value must be between 0 and 1")

    def keep(trace_id: str) -> bool:
        digest = hashlib.blake2b(trace_id.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") < rate * 2**64

    return keep, rate


#: operation name → handler, for the operations this module owns.
OPERATIONS: dict[str, Handler] = {
    "PutTraceSegments": put_trace_segments,
    "PutTelemetryRecords": put_telemetry_records,
    "BatchGetTraces": batch_get_traces,
    "GetTraceSummaries": get_trace_summaries,
}
