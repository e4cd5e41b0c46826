from __future__ import annotations

import asyncio

from otelray.collector.component import Kind, Signal
from otelray.collector.processorhelper import FuncProcessor
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import NopHost, TracesSink, make_settings, sample_batch


def _rename(batch):
    for rs in batch.resource_spans:
        for ss in rs.scope_spans:
            for span in ss.spans:
                span.name = span.name.upper()
    return batch


async def _drop_all(batch):
    return None


def test_function_processor_transforms_counts_and_forwards():
    tel, sink = Telemetry(), TracesSink()
    proc = FuncProcessor(make_settings("upper", Kind.PROCESSOR, telemetry=tel), Signal.TRACES, _rename, sink)

    async def run():
        await proc.start(NopHost())
        await proc.consume_traces(sample_batch(Signal.TRACES, 2))
        await proc.shutdown()

    asyncio.run(run())
    assert [s.name for s in sink.batches[0].resource_spans[0].scope_spans[0].spans] == ["OP-0", "OP-1"]
    assert proc.capabilities.mutates_data
    assert tel.value("otelcol_processor_incoming_spans_total", {"processor": "upper"}) == 2
    assert tel.value("otelcol_processor_outgoing_spans_total", {"processor": "upper"}) == 2


def test_returning_none_drops_the_batch():
    tel, sink = Telemetry(), TracesSink()
    proc = FuncProcessor(make_settings("drop", Kind.PROCESSOR, telemetry=tel), Signal.TRACES, _drop_all, sink)
    asyncio.run(proc.consume_traces(sample_batch(Signal.TRACES, 3)))
    assert sink.batches == []
    assert tel.value("otelcol_processor_incoming_spans_total", {"processor": "drop"}) == 3
    assert tel.value("otelcol_processor_outgoing_spans_total", {"processor": "drop"}) == 0
