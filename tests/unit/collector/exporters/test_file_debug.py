from __future__ import annotations

import asyncio
import json
import logging

import pytest

from otelray.collector.component import Kind, Signal
from otelray.collector.consumer import BATCH_TYPES
from otelray.collector.errors import ComponentError
from otelray.collector.exporters import debug, file
from otelray.collector.testing import NopHost, make_settings, sample_batch


def _file_exporter(signal, **cfg):
    return file.factory.create(signal, make_settings("file", Kind.EXPORTER, signal=signal), file.FileConfig.model_validate(cfg))


def test_json_lines_one_batch_per_line(tmp_path):
    out = tmp_path / "out.jsonl"

    async def run():
        exp = _file_exporter(Signal.TRACES, path=str(out), flush_interval="0s")
        await exp.start(NopHost())
        await exp.consume_traces(sample_batch(Signal.TRACES, 2))
        await exp.consume_traces(sample_batch(Signal.TRACES, 3))
        await exp.shutdown()

    asyncio.run(run())
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [len(doc["resourceSpans"][0]["scopeSpans"][0]["spans"]) for doc in lines] == [2, 3]
    span = lines[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert span["spanId"] == "0000000000000001" and span["kind"] == 2  # hex ids, integer enums (OTLP/JSON)


def test_proto_format_is_length_prefixed_and_append_keeps_content(tmp_path):
    out = tmp_path / "out.bin"
    out.write_bytes(b"")

    async def run(batch_items):
        exp = _file_exporter(Signal.LOGS, path=str(out), format="proto", append=True)
        await exp.start(NopHost())
        await exp.consume_logs(sample_batch(Signal.LOGS, batch_items))
        await exp.shutdown()

    asyncio.run(run(2))
    asyncio.run(run(4))
    data, messages = out.read_bytes(), []
    while data:
        size = int.from_bytes(data[:4], "big")
        messages.append(BATCH_TYPES[Signal.LOGS].FromString(data[4:4 + size]))
        data = data[4 + size:]
    assert [len(m.resource_logs[0].scope_logs[0].log_records) for m in messages] == [2, 4]


def test_unwritable_path_fails_at_start(tmp_path):
    exp = _file_exporter(Signal.TRACES, path=str(tmp_path / "missing" / "x.json"))
    with pytest.raises(ComponentError, match="cannot open"):
        asyncio.run(exp.start(NopHost()))


def test_rotation_is_refused_with_the_valid_keys():
    with pytest.raises(ValueError, match="rotation"):
        file.FileConfig.model_validate({"path": "x", "rotation": {"max_megabytes": 10}})


@pytest.mark.parametrize(("verbosity", "expected"), [
    ("basic", ['TracesExporter {"resource spans": 1, "spans": 2}']),
    ("normal", ['TracesExporter {"resource spans": 1, "spans": 2}', "op-0", "op-1"]),
    ("detailed", ['TracesExporter {"resource spans": 1, "spans": 2}', '"name":"op-1"']),
])
def test_debug_verbosity(caplog, verbosity, expected):
    exp = debug.factory.create(Signal.TRACES, make_settings("debug", Kind.EXPORTER, signal=Signal.TRACES),
                               debug.DebugConfig(verbosity=verbosity))
    with caplog.at_level(logging.INFO, logger="otelray.collector.exporter.debug"):
        asyncio.run(exp.consume_traces(sample_batch(Signal.TRACES, 2)))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert all(piece in text for piece in expected), text


def test_debug_sampling_limits_lines_per_second(caplog):
    exp = debug.factory.create(Signal.LOGS, make_settings("debug", Kind.EXPORTER, signal=Signal.LOGS),
                               debug.DebugConfig(sampling_initial=2, sampling_thereafter=5))

    async def run():
        for _ in range(12):
            await exp.consume_logs(sample_batch(Signal.LOGS, 1))

    with caplog.at_level(logging.INFO, logger="otelray.collector.exporter.debug"):
        asyncio.run(run())
    assert 2 <= len(caplog.records) <= 4  # 2 first lines, then every 5th (lines 7 and 12) within one second
