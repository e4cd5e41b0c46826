"""WriteRequest bytes written from series equal the protobuf runtime's serialization (encoding.py, wire.bodies)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.translate.prw import PrwOptions, bodies, decode, encode, requests, translate_metrics
from otelray.translate.prw.encoding import varint
from otelray.translate.prw.proto import Label, Sample
from otelray.translate.prw.translator import PrwResult

from ..emf.metrics import T0, counter, gauge, histogram, resource, summary


def reference(series, max_bytes=3_000_000):
    """The bodies built through protobuf messages (``requests`` + ``encode``)."""
    return [encode(r) for r in requests(PrwResult(series=series).timeseries(), max_bytes)]


def test_varint_vectors():
    assert varint(0) == b"\x00"
    assert varint(1) == b"\x01"
    assert varint(300) == b"\xac\x02"
    assert varint(-1) == b"\xff" * 9 + b"\x01"


def test_translated_batch_bodies_match_protobuf_serialization_whole_and_split():
    rm = resource([counter("requests", 15, unit="1", route="/a"), gauge("zero", 0.0, le="x"),
                   gauge("negzero", -0.0), histogram("latency", [5, 50, 1e21], [1, 1, 1, 2], 333.0, unit="ms"),
                   summary("rpc", 4, 40.0, [(0.5, 8.0), (0.99, 19.0)], quantile="q"),
                   gauge("later", 2, t=T0 + 5_000_000), gauge("earlier", 2, t=T0 - 5_000_000)],
                  scope="meter", service__name="api", host__name="h1")
    series = translate_metrics([rm], options=PrwOptions()).series
    assert bodies(series) == reference(series)
    split = bodies(series, max_bytes=200)
    assert len(split) > 3
    assert split == reference(series, 200)
    names = [dict((lb.name, lb.value) for lb in ts.labels)["__name__"] for ts in decode(split[0]).timeseries]
    assert names[0] == "earlier"  # series ordered by first sample time


label = st.tuples(st.text(max_size=6), st.text(max_size=6))
sample = st.tuples(st.integers(min_value=-(2**63), max_value=2**63 - 1),
                   st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0]))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.lists(label, max_size=4).map(tuple), st.lists(sample, max_size=3), max_size=5),
       st.integers(min_value=1, max_value=400))
def test_any_series_encode_like_protobuf(series, max_bytes):
    assert bodies(series, max_bytes) == reference(series, max_bytes)


def test_decoded_body_round_trips_values_and_stale_marker_bits():
    series = {(("__name__", "g"), ("k", "ü")): [(T0 // 1_000_000, math.nan), (0, -0.0), (-5, 1.5)]}
    (body,) = bodies(series)
    (ts,) = decode(body).timeseries
    assert list(ts.labels) == [Label(name="__name__", value="g"), Label(name="k", value="ü")]
    assert list(ts.samples[:2]) == [Sample(value=1.5, timestamp=-5), Sample(value=-0.0, timestamp=0)]
    assert math.copysign(1.0, ts.samples[1].value) == -1.0
    assert ts.samples[2].timestamp == T0 // 1_000_000
    assert math.isnan(ts.samples[2].value)


def test_long_series_use_multi_byte_lengths_and_split_like_protobuf():
    series = {(("__name__", "g"), ("big", "x" * n)): [(1, 2.0)] for n in (100, 200, 20_000, 70_000)}
    assert bodies(series) == reference(series)
    assert bodies(series, 30_000) == reference(series, 30_000)
    assert len(bodies(series, 30_000)) == 2  # the 70,000-byte series alone
