"""Segment ingest: the one path from PutTraceSegments and UDP datagrams into the store.

Each document is decoded and validated by ``otelray.xray.segment.parse_document`` (X-Ray developer
guide, "Segment documents"; 64 KB limit). A document that fails becomes an
``UnprocessedTraceSegments`` entry ``{Id, ErrorCode, Message}`` — the shape PutTraceSegments
returns — and is counted by source and code; every other document of the batch is stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from otelray.service.metrics import BackendMetrics
from otelray.service.store.base import Store, StoredDocument
from otelray.xray.errors import SegmentError
from otelray.xray.segment import parse_document

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Batch:
    """The outcome of preparing one batch: documents to store and per-document rejections."""

    accepted: list[StoredDocument] = field(default_factory=list)
    unprocessed: list[dict[str, Any]] = field(default_factory=list)


def prepare(raws: Sequence[str | bytes]) -> Batch:
    """Validate documents; never raises for bad input (each failure is an unprocessed entry)."""
    batch = Batch()
    for raw in raws:
        data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        try:
            doc = parse_document(data)
        except SegmentError as exc:
            entry: dict[str, Any] = {"ErrorCode": exc.code, "Message": exc.message}
            if exc.segment_id is not None:
                entry["Id"] = exc.segment_id
            batch.unprocessed.append(entry)
            continue
        batch.accepted.append(
            StoredDocument(
                trace_id=doc["trace_id"].lower(),
                id=doc["id"].lower(),
                raw=data,
                complete=doc.get("in_progress") is not True,
                start_time=float(doc["start_time"]),
                end_time=float(doc["end_time"]) if "end_time" in doc else None,
            )
        )
    return batch


class Ingest:
    """Validates, stores durably and counts; shared by the HTTP and UDP front ends."""

    def __init__(self, store: Store, metrics: BackendMetrics) -> None:
        self.store = store
        self.metrics = metrics

    async def put(self, raws: Sequence[str | bytes], *, source: str) -> list[dict[str, Any]]:
        """Store the valid documents (returns after COMMIT) and return the unprocessed entries."""
        batch = prepare(raws)
        self.count(batch, source)
        if batch.accepted:
            await asyncio.wrap_future(self.store.put(batch.accepted))
        return batch.unprocessed

    def count(self, batch: Batch, source: str) -> None:
        """Count accepted and rejected documents; log the rejections once per batch."""
        if batch.accepted:
            self.metrics.accepted.labels(source).inc(len(batch.accepted))
        if batch.unprocessed:
            for entry in batch.unprocessed:
                self.metrics.rejected.labels(source, entry["ErrorCode"]).inc()
            first = batch.unprocessed[0]
            log.info(
                "%s: rejected %d of %d documents (first: %s %s)",
                source, len(batch.unprocessed), len(batch.unprocessed) + len(batch.accepted),
                first["ErrorCode"], first["Message"],
            )
