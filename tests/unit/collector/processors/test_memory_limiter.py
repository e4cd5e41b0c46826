from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from otelray.collector.component import Kind, Signal
from otelray.collector.errors import DataRefusedError
from otelray.collector.processors.memory_limiter import (
    MIB,
    MemoryLimiter,
    MemoryLimiterConfig,
    MemoryLimiterProcessor,
    limits,
    resident_memory,
)
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import NopHost, TracesSink, make_settings, sample_batch


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        ({"limit_mib": 100}, "'check_interval' must be greater than zero"),
        ({"check_interval": "1s"}, "'limit_mib' or 'limit_percentage' must be greater than zero"),
        ({"check_interval": "1s", "limit_percentage": 101}, "less than or equal to hundred"),
        ({"check_interval": "1s", "limit_mib": 100, "spike_limit_mib": 100}, "'spike_limit_mib' must be smaller than 'limit_mib'"),
        ({"check_interval": "1s", "limit_percentage": 40, "spike_limit_percentage": 50},
         "'spike_limit_percentage' must be smaller than 'limit_percentage'"),
    ],
)
def test_config_rules_match_upstream(cfg, message):
    with pytest.raises(ValidationError, match=message):
        MemoryLimiterConfig.model_validate(cfg)


def test_limits_default_spike_is_a_fifth_and_percentages_use_available_memory():
    assert limits(MemoryLimiterConfig(check_interval="1s", limit_mib=100), 0) == (100 * MIB, 80 * MIB)
    # the ADOT App Runner config: limit 40 %, spike 8 %
    cfg = MemoryLimiterConfig(check_interval="5s", limit_percentage=40, spike_limit_percentage=8)
    assert limits(cfg, 1000 * MIB) == (400 * MIB, 320 * MIB)


def test_refuses_above_the_soft_limit_and_recovers_below_it():
    usage = [0]

    async def run():
        tel = Telemetry()
        settings = make_settings("memory_limiter", Kind.PROCESSOR, telemetry=tel)
        limiter = MemoryLimiter(settings, MemoryLimiterConfig(check_interval="1h", limit_mib=100), lambda: usage[0])
        sink = TracesSink()
        proc = MemoryLimiterProcessor(settings, Signal.TRACES, limiter, sink)
        usage[0] = 10 * MIB
        await proc.start(NopHost())
        await proc.consume_traces(sample_batch(Signal.TRACES, 2))
        usage[0] = 90 * MIB  # above soft (80), below hard (100)
        limiter.check()
        with pytest.raises(DataRefusedError, match="data refused due to high memory usage"):
            await proc.consume_traces(sample_batch(Signal.TRACES, 3))
        usage[0] = 50 * MIB
        limiter.check()
        await proc.consume_traces(sample_batch(Signal.TRACES, 4))
        await proc.shutdown()
        return sink, tel

    sink, tel = asyncio.run(run())
    assert sink.item_count == 6
    assert tel.value("otelcol_processor_refused_spans_total", {"processor": "memory_limiter"}) == 3


def test_real_process_memory_over_a_tiny_limit_refuses():
    async def run():
        settings = make_settings("memory_limiter", Kind.PROCESSOR)
        limiter = MemoryLimiter(settings, MemoryLimiterConfig(check_interval="1s", limit_mib=2))
        proc = MemoryLimiterProcessor(settings, Signal.TRACES, limiter, TracesSink())
        await proc.start(NopHost())
        try:
            with pytest.raises(DataRefusedError):
                await proc.consume_traces(sample_batch(Signal.TRACES, 1))
        finally:
            await proc.shutdown()

    assert resident_memory() > 2 * MIB
    asyncio.run(run())
