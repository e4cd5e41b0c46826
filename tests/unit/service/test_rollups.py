"""Per-minute rollups kept by the store give the same graph as deriving every trace."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import orjson

from otelray.service import analysis
from otelray.service.store import SQLiteStore, StoredDocument, TimeRangeType
from otelray.xray.ids import new_segment_id, new_trace_id


def stored(doc: dict[str, Any]) -> StoredDocument:
    return StoredDocument(doc["trace_id"], doc["id"], orjson.dumps(doc), "end_time" in doc,
                          doc["start_time"], doc.get("end_time"))


def trace(rng: random.Random, t: float) -> list[dict[str, Any]]:
    trace_id = new_trace_id(t)
    front, call, back = new_segment_id(), new_segment_id(), new_segment_id()
    status = rng.choice([200, 200, 404, 429, 503])
    resp = rng.uniform(0.01, 2)
    return [
        {"name": "web", "id": front, "trace_id": trace_id, "start_time": t, "end_time": t + resp,
         "http": {"response": {"status": status}}, "fault": status >= 500,
         "subsegments": [{"name": "api", "id": call, "namespace": "remote", "start_time": t + 0.001,
                          "end_time": t + resp / 2, "http": {"response": {"status": 200}}}]},
        {"name": "api", "id": back, "trace_id": trace_id, "parent_id": call, "start_time": t + 0.002,
         "end_time": t + resp / 3},
    ]


def test_incremental_rollups_match_a_full_derivation(tmp_path: Path) -> None:
    rng = random.Random(3)
    base = 1_800_000_000.0  # an hour boundary
    store = SQLiteStore(tmp_path, summarize=analysis.summarize, rollups=analysis.GraphRollup(),
                        clock=lambda: base + 86400)
    try:
        traces = [trace(rng, base + i * 7.3) for i in range(60)]
        # first the callers alone (the callee is inferred), later the callee segments arrive
        for docs in traces:
            store.put([stored(docs[0])]).result()
        store.sync().result()
        for docs in traces:
            store.put([stored(docs[1])]).result()
        # and an in-progress copy re-sent late changes nothing
        late = {k: v for k, v in traces[0][0].items() if k != "end_time"} | {"in_progress": True}
        store.put([stored(late)]).result()
        store.sync().result()

        start, end = base - 60, base + 600
        rows = store.scan(TimeRangeType.TRACE_ID, start, end, before=None, limit=1000)
        expected = analysis.service_graph(rows, start // 60 * 60, end)
        got = analysis.service_graph_from_rollups(store.rollups(start, end), start // 60 * 60, end)

        def counts(services: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
            return {(s["Name"], s.get("Type", "")): (s.get("SummaryStatistics"),
                                                     sorted((e["ReferenceId"], e["SummaryStatistics"]["TotalCount"])
                                                            for e in s["Edges"]))
                    for s in services}

        assert counts(got) == counts(expected)
        # a window holding whole hours reads the hourly level for them: same statistics
        wide_start, wide_end = base - 1800, base + 7200
        rows = store.scan(TimeRangeType.TRACE_ID, wide_start, wide_end, before=None, limit=1000)
        minutes = store.rollups(wide_start, wide_end, hours=False)
        assert store.rollups(wide_start, wide_end) == minutes  # first read: minutes, hour built meanwhile
        deadline = time.monotonic() + 5
        hourly = store.rollups(wide_start, wide_end)
        while len(hourly) >= len(minutes):
            assert time.monotonic() < deadline, "the hourly rows were never built"
            time.sleep(0.01)
            hourly = store.rollups(wide_start, wide_end)
        assert all(r[0] == base for r in hourly if r[1])  # all traffic lies in one hour: its hourly rows
        assert counts(analysis.service_graph_from_rollups(hourly, wide_start, wide_end)) == counts(
            analysis.service_graph(rows, wide_start, wide_end))
        names = {s["Name"] for s in got}
        assert names == {"web", "api"}  # the inferred "api" node was subtracted when the callee arrived
        series = analysis.time_series_from_rollups(store.rollups(base, base + 600), base, base + 600, 60, None)
        assert sum(p["EdgeSummaryStatistics"]["TotalCount"] for p in series) == 60
    finally:
        store.close()
