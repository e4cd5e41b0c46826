"""The trace store interface of the local X-Ray service.

A store keeps segment documents as they were sent, keyed by (trace id, segment id), and one summary
row per trace that is brought up to date after every write (X-Ray developer guide, "Getting data
from X-Ray": a trace is every document with the same ``trace_id``; a complete document overwrites
the in-progress one with the same ``id``). ``put`` is durable once its future resolves: the
service answers ``PutTraceSegments`` only then. SQLite (``store.sqlite``) is the embedded default;
other engines implement the same protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

#: Turns all documents of one trace into its derived summary columns (keys of
#: ``facts.SUMMARY_COLUMNS``; ``facts`` is the JSON text ``TraceFacts.from_row`` reads), or ``None``.
Summarizer = Callable[[list[dict[str, Any]]], dict[str, Any] | None]
#: Key of a summarizer result holding the trace's rollup items ``{(minute, source, target, alias): stats}``.
ROLLUP_KEY = "_rollup"
#: Stored form of a rollup key: (bucket start, source, target or "", alias).
RollupKey = tuple[int, str, str, str]


class Rollups(Protocol):
    """How the store keeps per-minute rollups up to date (add the new rollup, subtract the old)."""

    def of(self, trace_id: str, facts_text: str | None) -> dict[RollupKey, Any]:
        """The rollup items of a trace's stored facts."""
        ...

    def combine(self, existing: bytes | None, added: list[Any], removed: list[Any]) -> bytes | None:
        """A stored rollup value after the changes; ``None`` when nothing is left."""
        ...

    def merge(self, values: list[bytes]) -> bytes:
        """Several stored rollup values summed into one."""
        ...


class TimeRangeType(StrEnum):
    """Which time of a trace a GetTraceSummaries window applies to (``TimeRangeType`` in the model)."""

    TRACE_ID = "TraceId"  # trace start: earliest segment start time
    EVENT = "Event"  # when the trace was last updated
    SERVICE = "Service"  # latest segment end time


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One accepted segment document, ready to be stored.

    ``raw`` is the document exactly as the client sent it; ``complete`` is false for an
    ``in_progress`` document, which never overwrites a complete one.
    """

    trace_id: str
    id: str
    raw: bytes
    complete: bool
    start_time: float
    end_time: float | None


@dataclass(frozen=True, slots=True)
class TraceRow:
    """The per-trace summary row; ``facts`` is the summarizer's ``facts`` JSON text (or ``None``).

    ``matched`` is false for a row a scan examined but whose ``where`` condition did not hold
    (its ``facts`` are then not read).
    """

    trace_id: str
    start: float
    end: float
    updated: float
    documents: int
    partial: bool
    facts: str | None
    matched: bool = True


@dataclass(frozen=True, slots=True)
class Cursor:
    """Position in a newest-first scan: the last row returned (its time key and trace id)."""

    time: float
    trace_id: str


class Store(Protocol):
    """What the X-Ray operations need from a store."""

    def put(self, documents: Sequence[StoredDocument]) -> Future[int]:
        """Queue documents for storage; the future resolves (to the count) once they are durable."""
        ...

    def sync(self) -> Future[None]:
        """Resolve once every trace touched by earlier ``put`` calls has an up-to-date summary row."""
        ...

    def documents(self, trace_ids: Iterable[str]) -> dict[str, list[bytes]]:
        """The stored documents of each known trace id (unknown ids are absent)."""
        ...

    def scan(
        self,
        range_type: TimeRangeType,
        start: float,
        end: float,
        *,
        before: Cursor | None,
        limit: int,
        where: tuple[str, tuple[Any, ...]] | None = None,
    ) -> list[TraceRow]:
        """Summary rows whose ``range_type`` time is in ``[start, end)``, newest first, after ``before``.

        ``where`` is an extra SQL condition over the summary columns (filter pushdown): the scan then
        returns every row it examined (at most ``limit``), those failing it with ``matched=False``,
        so callers can bound and count the work of one call.
        """
        ...

    def rows(self, trace_ids: Iterable[str]) -> list[TraceRow]:
        """The summary rows of the given traces (unknown ids skipped)."""
        ...

    def time_key(self, row: TraceRow, range_type: TimeRangeType) -> float:
        """The value of a row's ``range_type`` time (what cursors hold)."""
        ...

    def counts(self) -> dict[str, int]:
        """Row and byte counts (``traces``, ``documents``, ``bytes``) for metrics and benchmarks."""
        ...

    def close(self) -> None:
        """Flush pending writes and release the database; safe to call twice."""
        ...
