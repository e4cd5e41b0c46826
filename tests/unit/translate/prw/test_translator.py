"""OTLP metrics → remote-write series: values, labels, target_info, refusals (adot-collector.md §4.1)."""

from __future__ import annotations

import math
import struct

import cramjam

from otelray.translate.prw import HEADERS, PrwOptions, decode, encode, requests, translate_metrics
from otelray.translate.prw.translator import STALE_NAN

from ..emf.metrics import DELTA, T0, counter, exp_histogram, gauge, histogram, resource, summary

MS = T0 // 1_000_000


def by_name(result, name):
    return {labels: samples for labels, samples in result.series.items() if dict(labels)["__name__"] == name}


def test_counter_and_gauge_with_job_instance_and_scope_labels():
    rm = resource([counter("requests", 15, unit="1", route="/a"), gauge("temp", 21.5, unit="Cel")],
                  scope="shop.meter", service__name="api", service__namespace="shop", service__instance__id="i-1",
                  host__name="h1")
    result = translate_metrics([rm], options=PrwOptions(external_labels={"cluster": "c1", "job": "ignored"}))
    assert result.errors == []
    (labels, samples), = by_name(result, "requests_total").items()
    assert dict(labels) == {"__name__": "requests_total", "route": "/a", "job": "shop/api", "instance": "i-1",
                            "cluster": "c1", "otel_scope_name": "shop.meter"}
    assert samples == [(MS, 15.0)]
    assert list(by_name(result, "temp_celsius").values()) == [[(MS, 21.5)]]
    (info_labels, info), = by_name(result, "target_info").items()
    assert dict(info_labels) == {"__name__": "target_info", "host_name": "h1", "job": "shop/api", "instance": "i-1",
                                 "cluster": "c1"}
    assert info == [(MS, 1.0)]


def test_histogram_buckets_are_cumulative_with_inf_and_sum_count():
    rm = resource([histogram("latency", [5, 50, 500], [1, 1, 1, 0], 333.0, unit="ms")], service__name="api")
    result = translate_metrics([rm], options=PrwOptions())
    buckets = {dict(labels)["le"]: s[0][1] for labels, s in by_name(result, "latency_milliseconds_bucket").items()}
    assert buckets == {"5": 1.0, "50": 2.0, "500": 3.0, "+Inf": 3.0}
    assert list(by_name(result, "latency_milliseconds_count").values()) == [[(MS, 3.0)]]
    assert list(by_name(result, "latency_milliseconds_sum").values()) == [[(MS, 333.0)]]
    assert by_name(result, "target_info") == {}  # no non-identifying resource attribute


def test_summary_series():
    rm = resource([summary("rpc", 4, 40.0, [(0.5, 8.0), (0.99, 19.0)])])
    result = translate_metrics([rm], options=PrwOptions())
    quantiles = {dict(labels)["quantile"]: s[0][1] for labels, s in by_name(result, "rpc").items()}
    assert quantiles == {"0.5": 8.0, "0.99": 19.0}
    assert list(by_name(result, "rpc_sum").values()) == [[(MS, 40.0)]]
    assert list(by_name(result, "rpc_count").values()) == [[(MS, 4.0)]]


def test_refusals_are_values_and_the_rest_is_converted():
    rm = resource([counter("d", 1, temporality=DELTA), exp_histogram("e", scale=0, offset=0, counts=[1]),
                   gauge("ok", 1), gauge("日本", 1)])
    result = translate_metrics([rm], options=PrwOptions())
    assert sorted(e.code for e in result.errors) == ["invalid_name", "invalid_temporality", "unsupported_type"]
    assert list(by_name(result, "ok")) != []


def test_label_collisions_empty_values_and_resource_to_telemetry():
    rm = resource([gauge("g", 1, **{"a.b": "1", "a_b": "2", "empty": ""})], service__name="api", region="eu")
    result = translate_metrics([rm], options=PrwOptions(resource_to_telemetry_conversion=True, target_info=False))
    (labels,) = by_name(result, "g")
    assert dict(labels) == {"__name__": "g", "a_b": "1;2", "job": "api", "region": "eu", "service_name": "api"}
    excluded = translate_metrics([rm], options=PrwOptions(resource_to_telemetry_conversion=True,
                                                          exclude_service_attributes=True, target_info=False))
    assert "service_name" not in dict(next(iter(by_name(excluded, "g"))))


def test_no_recorded_value_becomes_stale_marker():
    m = gauge("g", 5)
    m.gauge.data_points[0].flags = 1
    result = translate_metrics([resource([m])], options=PrwOptions())
    ((_, [(_, value)]),) = by_name(result, "g").items()
    assert math.isnan(value)
    assert struct.pack("<d", value) == struct.pack("<d", STALE_NAN)


def test_requests_split_by_size_and_body_is_snappy_block():
    rm = resource([gauge(f"g{i}", i, t=T0 + i * 1_000_000) for i in range(50)])
    result = translate_metrics([rm], options=PrwOptions())
    all_series = result.timeseries()
    chunks = list(requests(all_series, max_bytes=400))
    assert len(chunks) > 1
    assert sum(len(c.timeseries) for c in chunks) == 50
    times = [ts.samples[0].timestamp for c in chunks for ts in c.timeseries]
    assert times == sorted(times)
    body = encode(chunks[0])
    assert bytes(cramjam.snappy.decompress_raw(body)) == chunks[0].SerializeToString()
    assert decode(body) == chunks[0]
    assert HEADERS["Content-Encoding"] == "snappy"


def test_adot_otlp_to_amp_vector():
    # aws-otel-test-framework validator/.../otlpToAMPExpectedMetric.mustache: a summary "latency_<id>" with
    # apiName/statusCode attributes gives quantile series "0" and "1" (resource without service attributes).
    rm = resource([summary("latency_abc", 2, 30.0, [(0.0, 10.0), (1.0, 20.0)],
                           apiName="/outgoing-http-call", statusCode="200")])
    result = translate_metrics([rm], options=PrwOptions())
    assert sorted((dict(labels) for labels in by_name(result, "latency_abc")), key=lambda d: d["quantile"]) == [
        {"__name__": "latency_abc", "apiName": "/outgoing-http-call", "quantile": "0", "statusCode": "200"},
        {"__name__": "latency_abc", "apiName": "/outgoing-http-call", "quantile": "1", "statusCode": "200"},
    ]


def test_equal_attribute_values_of_different_types_give_their_own_labels():
    # 1, 1.0 and True compare equal in Python; each must still render as its own label value.
    rm = resource([gauge("g", 1, a=1), gauge("g", 2, a=True), gauge("g", 3, a=1.5), gauge("g", 4, a="1")])
    result = translate_metrics([rm], options=PrwOptions())
    assert sorted((dict(labels)["a"], s) for labels, s in by_name(result, "g").items()) == [
        ("1", [(MS, 1.0), (MS, 4.0)]), ("1.5", [(MS, 3.0)]), ("true", [(MS, 2.0)])]


def test_attribute_named_le_or_quantile_is_replaced_only_on_bucket_and_quantile_series():
    rm = resource([histogram("h", [1], [1, 0], 1.0, le="mine"), summary("s", 1, 1.0, [(0.5, 1.0)], quantile="q")])
    result = translate_metrics([rm], options=PrwOptions())
    assert {dict(labels)["le"] for labels in by_name(result, "h_bucket")} == {"1", "+Inf"}
    assert [dict(labels)["le"] for labels in by_name(result, "h_count")] == ["mine"]
    assert [dict(labels)["quantile"] for labels in by_name(result, "s")] == ["0.5"]
    assert [dict(labels)["quantile"] for labels in by_name(result, "s_sum")] == ["q"]
