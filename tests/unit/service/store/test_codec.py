"""Facts compression with a stored zstd dictionary, and reading data written by earlier versions."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import cramjam
import orjson
import pytest

from otelray.service import analysis
from otelray.service.stats import Stats
from otelray.service.store import SQLiteStore, StoredDocument, TimeRangeType
from otelray.service.store import codec as codec_module
from otelray.service.store.codec import DictionaryMissing, FactsCodec
from otelray.service.store.schema import SCHEMA_VERSION, connect, create
from otelray.xray.ids import new_segment_id, new_trace_id


def facts_text(rng: random.Random) -> str:
    """A facts-like JSON text: a fixed vocabulary with varying numbers and ids."""
    return orjson.dumps({
        "v": 2, "s": rng.random() * 1e9, "r": rng.random(), "f": rng.choice([0, 1, 146]),
        "h": [f"https://{rng.choice(['shop', 'cart', 'auth'])}.example.com/api/{rng.randrange(1000)}/items",
              rng.choice([200, 404, 500]), "GET", "bench/1.0", "10.0.0.1"],
        "n": [["shop", "AWS::EC2::Instance", None, False, True], ["orders", "AWS::DynamoDB::Table", None, True, False]],
        "o": [[0, 0, rng.randrange(99999), 34, 200], [1, rng.randrange(999), rng.randrange(9999), 0, 200]],
        "a": {"customer_tier": [[rng.choice(["gold", "silver", "bronze"]), [0]]]},
        "iid": ["i-0123456789abcdef0"], "az": ["us-east-1a"],
    }).decode()


@pytest.fixture
def db(tmp_path: Path) -> sqlite3.Connection:
    conn = connect(tmp_path / "t.sqlite3")
    create(conn)
    return conn


def test_dictionary_is_trained_once_stored_and_shrinks_facts(db: sqlite3.Connection,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec_module, "TRAIN_SAMPLES", 400)
    rng = random.Random(1)
    codec = FactsCodec()
    texts = [facts_text(rng) for _ in range(600)]
    packed = [codec.pack(t) for t in texts]
    codec.save(db)
    assert db.execute("SELECT count(*) FROM zdict").fetchone()[0] == 1
    before, after = sum(map(len, packed[:300])) / 300, sum(map(len, packed[450:])) / 150
    assert after < before / 2  # the dictionary at least halves each facts blob
    reader = FactsCodec()  # another thread or process: finds the dictionary in the database
    assert [reader.unpack(p, db) for p in packed] == texts


def test_a_frame_naming_an_unknown_dictionary_is_refused(db: sqlite3.Connection,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec_module, "TRAIN_SAMPLES", 400)
    rng = random.Random(2)
    codec = FactsCodec()
    packed = [codec.pack(facts_text(rng)) for _ in range(401)][-1]  # packed with the dictionary, never saved
    with pytest.raises(DictionaryMissing, match="compression dictionary"):
        FactsCodec().unpack(packed, db)


def test_plain_zstd_and_text_facts_of_earlier_versions_still_read(db: sqlite3.Connection) -> None:
    codec = FactsCodec()
    assert codec.unpack(bytes(cramjam.zstd.compress(b'{"v":2}', level=3)), db) == '{"v":2}'
    assert codec.unpack('{"v":1}', db) == '{"v":1}'
    assert codec.unpack(None, db) is None


def _summarize(documents: list[dict[str, Any]]) -> dict[str, Any]:
    return {"facts": orjson.dumps({"names": sorted(d["name"] for d in documents), "pad": "x" * 200}).decode()}


def _put(store: SQLiteStore, count: int) -> list[str]:
    ids = []
    for k in range(count):
        trace_id = new_trace_id(1000 + k)
        body = {"name": f"svc{k % 7}", "id": new_segment_id(), "trace_id": trace_id, "start_time": 1000.0 + k,
                "end_time": 1001.0 + k}
        store.put([StoredDocument(trace_id, body["id"], orjson.dumps(body), True, body["start_time"],
                                  body["end_time"])]).result()
        ids.append(trace_id)
    store.sync().result()
    return ids


def test_a_store_packs_with_the_dictionary_and_reads_after_a_restart(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec_module, "TRAIN_SAMPLES", 100)
    store = SQLiteStore(tmp_path, summarize=_summarize)
    ids = _put(store, 160)
    store.close()
    with sqlite3.connect(tmp_path / "traces.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM zdict").fetchone()[0] == 1
    again = SQLiteStore(tmp_path, summarize=_summarize)
    try:
        rows = again.rows(ids)
        assert [orjson.loads(r.facts)["names"] for r in rows] == [[f"svc{k % 7}"] for k in range(160)]
    finally:
        again.close()


def test_a_version_7_store_is_read_and_upgraded_a_newer_one_refused(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path, summarize=_summarize)
    (trace_id,) = _put(store, 1)
    store.close()
    path = tmp_path / "traces.sqlite3"
    with sqlite3.connect(path) as conn:  # as version 7 wrote it: plain zstd facts, no zdict table
        conn.execute("UPDATE trace SET facts = ?", (bytes(cramjam.zstd.compress(b'{"names":["old"]}')),))
        conn.execute("DROP TABLE zdict")
        conn.execute("UPDATE meta SET v = 7 WHERE k = 'schema'")
    old = SQLiteStore(tmp_path)
    try:
        (row,) = old.scan(TimeRangeType.TRACE_ID, 0, 2000, before=None, limit=5)
        assert row.trace_id == trace_id and orjson.loads(row.facts) == {"names": ["old"]}
    finally:
        old.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT v FROM meta WHERE k = 'schema'").fetchone()[0] == SCHEMA_VERSION
        conn.execute("UPDATE meta SET v = ? WHERE k = 'schema'", (SCHEMA_VERSION + 1,))
    with pytest.raises(RuntimeError, match=f"store schema version {SCHEMA_VERSION + 1} is not {SCHEMA_VERSION}"):
        SQLiteStore(tmp_path)


def test_rollup_statistics_are_compressed_and_plain_rows_still_read() -> None:
    stats = Stats(ok=3, fault=1, total_response_time=0.5, response_times={0.1: 2, 0.3: 2})
    plain = orjson.dumps(stats.to_list())  # an earlier version's row
    stored = analysis.GraphRollup.combine(plain, [stats], [])
    assert stored is not None and stored[:4] == b"\x28\xb5\x2f\xfd"
    merged = analysis.GraphRollup.merge([plain, stored])
    ((_, _, _, _, total),) = analysis.GraphRollup.entries([(60, '["a"]', "", "", merged)])
    assert (total.ok, total.fault, total.response_times) == (9, 3, {0.1: 6, 0.3: 6})
