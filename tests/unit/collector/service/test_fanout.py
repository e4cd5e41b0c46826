from __future__ import annotations

import asyncio

import pytest

from otelray.collector.component import Signal
from otelray.collector.consumer import Capabilities
from otelray.collector.errors import PermanentError
from otelray.collector.service.fanout import FanoutConsumer, fanout
from otelray.collector.testing import TracesSink, sample_batch


class Mutator(TracesSink):
    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(mutates_data=True)

    async def _consume(self, batch) -> None:
        batch.resource_spans[0].scope_spans[0].spans[0].name = "mutated"
        await super()._consume(batch)


def test_mutating_consumers_get_copies_readonly_share_the_original():
    readonly, m1, m2 = TracesSink(), Mutator(), Mutator()
    batch = sample_batch(Signal.TRACES, 1)
    asyncio.run(FanoutConsumer(Signal.TRACES, [m1, readonly, m2]).consume_traces(batch))
    assert readonly.batches[0] is batch and batch.resource_spans[0].scope_spans[0].spans[0].name == "op-0"
    assert m1.batches[0] is not batch and m2.batches[0] is not batch


def test_last_mutator_gets_the_original_when_nobody_else_reads_it():
    m1, m2 = Mutator(), Mutator()
    batch = sample_batch(Signal.TRACES, 1)
    asyncio.run(FanoutConsumer(Signal.TRACES, [m1, m2]).consume_traces(batch))
    assert m1.batches[0] is not batch and m2.batches[0] is batch


def test_a_failing_consumer_does_not_starve_the_others():
    bad, good = TracesSink(), TracesSink()
    bad.error = PermanentError("broken")
    with pytest.raises(PermanentError, match="broken"):
        asyncio.run(FanoutConsumer(Signal.TRACES, [bad, good]).consume_traces(sample_batch(Signal.TRACES, 2)))
    assert good.item_count == 2


def test_single_consumer_is_not_wrapped():
    sink = TracesSink()
    assert fanout(Signal.TRACES, [sink]) is sink
