"""statsd receiver: line parsing, aggregation per type and observer, real UDP datagrams, rejected lines."""

from __future__ import annotations

import asyncio
import math
import socket

import pytest

from otelray.collector.component import Kind, Signal
from otelray.collector.receivers.statsd import StatsdReceiver, StatsdReceiverConfig
from otelray.collector.receivers.statsd.aggregate import weighted_quantile
from otelray.collector.receivers.statsd.parser import StatsdParseError, parse_line
from otelray.collector.testing import NopHost, make_settings
from otelray.collector.testing.sink import MetricsSink


def test_parse_lines():
    line = parse_line("page.views:3|c|@0.5|#route:/a,env:prod")
    assert (line.name, line.value, line.type, line.sample_rate, line.tags) == (
        "page.views", 3.0, "counter", 0.5, (("env", "prod"), ("route", "/a")))
    assert parse_line("temp:-2|g").relative and not parse_line("temp:2|g").relative
    assert parse_line("lat:12.5|ms").type == "timing"


@pytest.mark.parametrize(("line", "reason"), [
    ("novalue", "invalid_format"), ("x:1", "invalid_format"), ("x:abc|c", "invalid_value"),
    ("x:1|zz", "unsupported_type"), ("x:1|c|@2", "invalid_sample_rate"), ("x:1|c|#novalue", "invalid_tag"),
    ("x:nan|g", "invalid_value"),
])
def test_parse_errors(line, reason):
    with pytest.raises(StatsdParseError) as info:
        parse_line(line)
    assert info.value.reason == reason


def test_weighted_quantile():
    values = [(1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (4.0, 1.0)]
    assert [weighted_quantile(values, p) for p in (0.0, 0.5, 0.9, 1.0)] == [1.0, 2.0, 4.0, 4.0]


async def _run(config: dict, datagrams: list[bytes]) -> tuple[StatsdReceiver, MetricsSink]:
    sink = MetricsSink()
    cfg = StatsdReceiverConfig.model_validate({"endpoint": "127.0.0.1:0", "aggregation_interval": "1h", **config})
    receiver = StatsdReceiver(make_settings("statsd", Kind.RECEIVER, signal=Signal.METRICS), cfg, sink)
    await receiver.start(NopHost())
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for datagram in datagrams:
            sock.sendto(datagram, receiver.address)
    async with asyncio.timeout(5):
        while receiver.datagrams < len(datagrams):
            await asyncio.sleep(0.01)
    await receiver.shutdown()  # delivers the partial interval
    return receiver, sink


def metrics(sink: MetricsSink) -> dict:
    (batch,) = sink.batches
    return {m.name: m for m in batch.resource_metrics[0].scope_metrics[0].metrics}


def attrs(point) -> dict[str, str]:
    return {kv.key: kv.value.string_value for kv in point.attributes}


def test_counters_gauges_and_timer_gauges_over_udp():
    datagrams = [b"hits:1|c|#route:/a\nhits:2|c|@0.5|#route:/a\ntemp:20|g\ntemp:+1.5|g",
                 b"lat:10|ms\nlat:30|ms", b"garbage line\nx:1|zz"]
    receiver, sink = asyncio.run(_run({"enable_metric_type": True, "is_monotonic_counter": True}, datagrams))
    got = metrics(sink)
    hits = got["hits"].sum
    assert hits.is_monotonic and hits.aggregation_temporality == 1  # delta
    assert hits.data_points[0].as_int == 5 and attrs(hits.data_points[0]) == {"route": "/a", "metric_type": "counter"}
    assert got["temp"].gauge.data_points[0].as_double == 21.5
    lat = [p for m in sink.batches[0].resource_metrics[0].scope_metrics[0].metrics if m.name == "lat"
           for p in m.gauge.data_points]
    assert sorted(p.as_double for p in lat) == [10, 30]
    tel = receiver.settings.telemetry.telemetry
    assert tel.value("otelcol_receiver_statsd_rejected_lines_total",
                     {"receiver": "statsd", "reason": "invalid_format"}) == 1
    assert tel.value("otelcol_receiver_statsd_rejected_lines_total",
                     {"receiver": "statsd", "reason": "unsupported_type"}) == 1
    assert tel.value("otelcol_receiver_accepted_metric_points_total",
                     {"receiver": "statsd", "transport": "udp"}) == 4


def test_summary_and_histogram_observers():
    mapping = [{"statsd_type": "timing", "observer_type": "summary"},
               {"statsd_type": "histogram", "observer_type": "histogram", "histogram": {"max_size": 10}}]
    lines = b"\n".join([b"rt:%d|ms" % v for v in (1, 2, 3, 4)] + [b"rt:5|ms|@0.5"] +
                       [b"size:%d|h" % v for v in (1, 2, 4, 1000)] + [b"size:0|h"])
    _, sink = asyncio.run(_run({"timer_histogram_mapping": mapping}, [lines]))
    got = metrics(sink)
    summary = got["rt"].summary.data_points[0]
    assert (summary.count, summary.sum) == (6, 20.0)
    assert {round(q.quantile, 2): q.value for q in summary.quantile_values} == {
        0.0: 1.0, 0.1: 1.0, 0.5: 3.0, 0.9: 5.0, 0.95: 5.0, 1.0: 5.0}
    hist = got["size"].exponential_histogram.data_points[0]
    assert (hist.count, hist.zero_count, hist.min, hist.max, hist.sum) == (5, 1, 0.0, 1000.0, 1007.0)
    assert len(hist.positive.bucket_counts) <= 10 and sum(hist.positive.bucket_counts) == 4
    base = 2.0 ** (2.0 ** -hist.scale)
    for value in (1, 2, 4, 1000):  # every value falls in a counted bucket (base^i, base^(i+1)]
        index = math.ceil(math.log(value, base)) - 1 - hist.positive.offset
        assert hist.positive.bucket_counts[index] >= 1


def test_config_refusals():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="transport"):
        StatsdReceiverConfig(transport="tcp")
    with pytest.raises(ValidationError, match="percentiles must be between 0 and 100"):
        StatsdReceiverConfig.model_validate({"timer_histogram_mapping": [
            {"statsd_type": "timing", "observer_type": "summary", "summary": {"percentiles": [150]}}]})


def test_interval_limits_refuse_and_count(monkeypatch):
    from otelray.collector.receivers.statsd import aggregate

    monkeypatch.setattr(aggregate, "MAX_SERIES", 2)
    monkeypatch.setattr(aggregate, "MAX_OBSERVATIONS", 1)
    receiver = StatsdReceiver(make_settings("statsd", Kind.RECEIVER, signal=Signal.METRICS), StatsdReceiverConfig(),
                              MetricsSink())
    receiver.handle(b"a:1|c\nb:1|g\nc:1|c\na:2|c\nt:1|ms\nt:2|ms")
    tel = receiver.settings.telemetry.telemetry
    assert tel.value("otelcol_receiver_statsd_rejected_lines_total", {"receiver": "statsd", "reason": "over_limit"}) == 2
    assert receiver.aggregator.counters == {("a", ()): 3}
