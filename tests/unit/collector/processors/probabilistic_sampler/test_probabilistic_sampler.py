from __future__ import annotations

import random

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from otelray.collector.component import Signal
from otelray.collector.processors.probabilistic_sampler import factory, sampling
from tests.unit.collector.processors.helpers import run


def _batch(n: int, seed: int = 7) -> ExportTraceServiceRequest:
    rng = random.Random(seed)
    batch = ExportTraceServiceRequest()
    ss = batch.resource_spans.add().scope_spans.add()
    for i in range(n):
        ss.spans.add(trace_id=rng.randbytes(16), span_id=(i + 1).to_bytes(8, "big"), name=f"s{i}")
    return batch


def test_fnv1a_matches_the_reference_vectors() -> None:
    # FNV-1a 32 of "" is the offset basis; with a zero seed the 4 zero bytes are hashed first.
    assert sampling.fnv1a_32(b"", 0) == 0x4B95F515
    assert sampling.fnv1a_32(b"a", 0) != sampling.fnv1a_32(b"a", 1)


def test_hash_seed_mode_keeps_about_the_percentage_and_is_deterministic() -> None:
    cfg = {"sampling_percentage": 25, "hash_seed": 22}
    (first,) = run(factory, cfg, Signal.TRACES, _batch(4000))
    (second,) = run(factory, cfg, Signal.TRACES, _batch(4000))
    kept = [s.name for s in first.resource_spans[0].scope_spans[0].spans]
    assert kept == [s.name for s in second.resource_spans[0].scope_spans[0].spans]
    assert 900 < len(kept) < 1100


def test_proportional_mode_writes_the_threshold_to_tracestate() -> None:
    (out,) = run(factory, {"sampling_percentage": 25}, Signal.TRACES, _batch(2000))
    spans = out.resource_spans[0].scope_spans[0].spans
    assert 400 < len(spans) < 600
    assert {s.trace_state for s in spans} == {"ot=th:c"}


def test_sampling_priority_overrides() -> None:
    batch = _batch(3)
    spans = batch.resource_spans[0].scope_spans[0].spans
    spans[0].attributes.add(key="sampling.priority").value.int_value = 1
    spans[1].attributes.add(key="sampling.priority").value.int_value = 0
    (out,) = run(factory, {"sampling_percentage": 100, "hash_seed": 1}, Signal.TRACES, batch)
    assert [s.name for s in out.resource_spans[0].scope_spans[0].spans] == ["s0", "s2"]


def test_thresholds_follow_the_w3c_examples() -> None:
    assert sampling.encode_threshold(sampling.probability_threshold(25, 4)) == "c"
    assert sampling.encode_threshold(sampling.probability_threshold(10, 4)) == "e666"
    assert sampling.encode_threshold(sampling.probability_threshold(100, 4)) == "0"
    assert sampling.combine("equalizing", sampling.probability_threshold(50, 4), 0xC << 52) == 0xC << 52
