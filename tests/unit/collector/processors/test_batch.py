from __future__ import annotations

import asyncio
import time

import pytest

from otelray.collector.component import Kind, Signal
from otelray.collector.processors.batch import BatchConfig, BatchProcessor
from otelray.collector.processors.batch.split import split
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import NopHost, make_settings, sample_batch
from otelray.collector.testing.sink import SINKS


def _proc(cfg, signal=Signal.TRACES):
    tel = Telemetry()
    sink = SINKS[signal]()
    proc = BatchProcessor(make_settings("batch", Kind.PROCESSOR, telemetry=tel), signal, BatchConfig.model_validate(cfg), sink)
    return proc, sink, tel


def test_size_trigger_sends_merged_batches_at_once():
    async def run():
        proc, sink, tel = _proc({"send_batch_size": 10, "timeout": "10s"})
        await proc.start(NopHost())
        for _ in range(4):
            await proc.consume_traces(sample_batch(Signal.TRACES, 3))
        await sink.wait_for(12, timeout=2)
        sizes = [sum(len(ss.spans) for rs in b.resource_spans for ss in rs.scope_spans) for b in sink.batches]
        await proc.shutdown()
        return sizes, tel

    sizes, tel = asyncio.run(run())
    assert sizes == [12]  # 4 requests merged into one send, uncut (no max size)
    assert tel.value("otelcol_processor_batch_batch_size_trigger_send_total", {"processor": "batch"}) == 1


def test_timeout_trigger_sends_small_batches():
    async def run():
        proc, sink, tel = _proc({"send_batch_size": 1000, "timeout": "50ms"})
        await proc.start(NopHost())
        t0 = time.monotonic()
        await proc.consume_traces(sample_batch(Signal.TRACES, 2))
        await sink.wait_for(2, timeout=2)
        waited = time.monotonic() - t0
        await proc.shutdown()
        return waited, tel

    waited, tel = asyncio.run(run())
    assert 0.04 <= waited < 1
    assert tel.value("otelcol_processor_batch_timeout_trigger_send_total", {"processor": "batch"}) == 1


def test_max_size_cuts_batches():
    async def run():
        proc, sink, _ = _proc({"send_batch_size": 5, "send_batch_max_size": 5, "timeout": "10s"})
        await proc.start(NopHost())
        await proc.consume_traces(sample_batch(Signal.TRACES, 12))
        await proc.shutdown()
        return [sum(len(ss.spans) for rs in b.resource_spans for ss in rs.scope_spans) for b in sink.batches]

    assert asyncio.run(run()) == [5, 5, 2]


def test_shutdown_flushes_pending_items():
    async def run():
        proc, sink, _ = _proc({"timeout": "1h"}, Signal.LOGS)
        await proc.start(NopHost())
        await proc.consume_logs(sample_batch(Signal.LOGS, 7))
        assert sink.item_count == 0
        await proc.shutdown()
        return sink.item_count

    assert asyncio.run(run()) == 7


@pytest.mark.parametrize("signal", list(Signal))
def test_split_keeps_every_item_and_its_resource(signal):
    batch = sample_batch(signal, 7, service="svc")
    pieces = split(signal, batch, 3)
    from otelray.collector.consumer import count_items

    assert sum(count_items(signal, p) for p in pieces) == 7
    if signal is not Signal.METRICS:  # one metric with 7 points stays whole
        assert [count_items(signal, p) for p in pieces] == [3, 3, 1]
    field = {"traces": "resource_spans", "metrics": "resource_metrics", "logs": "resource_logs"}[signal.value]
    assert all(getattr(p, field)[0].resource.attributes[0].value.string_value == "svc" for p in pieces)


def test_zero_timeout_sends_at_once_cut_at_max_size():
    async def run():
        proc, sink, _ = _proc({"timeout": "0s", "send_batch_size": 2, "send_batch_max_size": 2})
        await proc.start(NopHost())
        await proc.consume_traces(sample_batch(Signal.TRACES, 3))
        delivered = [sum(len(ss.spans) for rs in b.resource_spans for ss in rs.scope_spans) for b in sink.batches]
        await proc.shutdown()
        return delivered

    assert asyncio.run(run()) == [2, 1]  # already delivered when consume returned: no timer


def test_config_rules():
    with pytest.raises(ValueError, match="timeout must not be negative"):
        BatchConfig.model_validate({"timeout": "-1s"})
    with pytest.raises(ValueError, match="metadata_keys is not supported"):
        BatchConfig.model_validate({"metadata_keys": ["tenant"]})
