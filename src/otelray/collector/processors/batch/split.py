"""Merging and splitting batches (collector ``processor/batchprocessor/splittraces.go`` & co).

Split points are items: spans, log records, and for metrics whole metrics weighed by their data
points (upstream splits inside a metric; otelray keeps one metric's points together, so a single
metric with more points than ``send_batch_max_size`` travels alone, over the limit).
"""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Signal
from otelray.collector.consumer import Batch, new_batch

FIELDS: dict[Signal, tuple[str, str, str]] = {
    Signal.TRACES: ("resource_spans", "scope_spans", "spans"),
    Signal.METRICS: ("resource_metrics", "scope_metrics", "metrics"),
    Signal.LOGS: ("resource_logs", "scope_logs", "log_records"),
}


def merge(signal: Signal, batches: list[Batch]) -> Batch:
    """One batch holding every resource entry of ``batches`` (the first one is reused)."""
    if len(batches) == 1:
        return batches[0]
    rfield = FIELDS[signal][0]
    out = batches[0]
    for batch in batches[1:]:
        getattr(out, rfield).extend(getattr(batch, rfield))
    return out


def _weight(signal: Signal, item: Any) -> int:
    if signal is not Signal.METRICS:
        return 1
    kind = item.WhichOneof("data")
    return max(1, len(getattr(item, kind).data_points)) if kind else 1


def split(signal: Signal, batch: Batch, max_items: int) -> list[Batch]:
    """Cut ``batch`` into batches of at most ``max_items`` items (``0`` = no limit)."""
    rfield, sfield, ifield = FIELDS[signal]
    if max_items <= 0:
        return [batch]
    out: list[Batch] = []
    cur, used = new_batch(signal), 0
    for res in getattr(batch, rfield):
        for scope in getattr(res, sfield):
            dst_scope = None
            for item in getattr(scope, ifield):
                weight = _weight(signal, item)
                if used and used + weight > max_items:
                    out.append(cur)
                    cur, used, dst_scope = new_batch(signal), 0, None
                if dst_scope is None:
                    dst_res = getattr(cur, rfield).add(resource=res.resource, schema_url=res.schema_url)
                    dst_scope = getattr(dst_res, sfield).add(scope=scope.scope, schema_url=scope.schema_url)
                getattr(dst_scope, ifield).append(item)
                used += weight
    if used:
        out.append(cur)
    return out
