"""spanmetrics connector: calls and duration histograms from spans, in a real pipeline graph."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status
from pydantic import ValidationError

from otelray.collector.component import Kind, Signal
from otelray.collector.connectors.spanmetrics import SpanMetricsConfig, SpanMetricsConnector
from otelray.collector.testing import make_settings
from otelray.collector.testing.sink import MetricsSink

T0 = 1_700_000_000_000_000_000


def spans(*items: tuple[str, int, int, float, dict], service: str = "shop") -> ExportTraceServiceRequest:
    batch = ExportTraceServiceRequest()
    rs = batch.resource_spans.add()
    rs.resource.attributes.append(KeyValue(key="service.name", value=AnyValue(string_value=service)))
    rs.resource.attributes.append(KeyValue(key="region", value=AnyValue(string_value="eu")))
    ss = rs.scope_spans.add()
    for i, (name, kind, status, ms, attrs) in enumerate(items):
        ss.spans.append(Span(trace_id=b"\x01" * 16, span_id=(i + 1).to_bytes(8, "big"), name=name, kind=kind,
                             start_time_unix_nano=T0, end_time_unix_nano=T0 + int(ms * 1e6), status=Status(code=status),
                             attributes=[KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in attrs.items()]))
    return batch


def points(request) -> dict:
    (rm,) = request.resource_metrics
    metrics = {m.name: m for m in rm.scope_metrics[0].metrics}
    calls = {tuple(sorted((kv.key, kv.value.string_value) for kv in p.attributes)): p
             for p in metrics["traces.span.metrics.calls"].sum.data_points}
    durations = {tuple(sorted((kv.key, kv.value.string_value) for kv in p.attributes)): p
                 for p in metrics["traces.span.metrics.duration"].histogram.data_points}
    return {"resource": {kv.key: kv.value.string_value for kv in rm.resource.attributes}, "calls": calls,
            "durations": durations, "unit": metrics["traces.span.metrics.duration"].unit}


def key(**attrs: str) -> tuple:
    return tuple(sorted(attrs.items()))


SERVER, CLIENT = Span.SPAN_KIND_SERVER, Span.SPAN_KIND_CLIENT
OK, ERROR = Status.STATUS_CODE_OK, Status.STATUS_CODE_ERROR


def test_counts_and_histograms_per_series_cumulative():
    config = SpanMetricsConfig.model_validate({"histogram": {"explicit": {"buckets": ["10ms", "100ms"]}}})
    sink = MetricsSink()
    conn = SpanMetricsConnector(make_settings("spanmetrics", Kind.CONNECTOR, signal=Signal.METRICS), config, sink)

    async def run():
        await conn.consume_traces(spans(("GET /a", SERVER, OK, 5, {}), ("GET /a", SERVER, OK, 50, {}),
                                        ("GET /a", SERVER, ERROR, 500, {}), ("db", CLIENT, 0, 10, {})))
        first = conn.metrics(T0)
        await conn.consume_traces(spans(("GET /a", SERVER, OK, 1, {})))
        return first, conn.metrics(T0 + 1)

    first, second = asyncio.run(run())
    got = points(first)
    assert got["resource"] == {"service.name": "shop", "region": "eu"} and got["unit"] == "ms"
    ok = key(**{"service.name": "shop", "span.name": "GET /a", "span.kind": "SPAN_KIND_SERVER",
                "status.code": "STATUS_CODE_OK"})
    err = tuple((k, "STATUS_CODE_ERROR" if k == "status.code" else v) for k, v in ok)
    db = key(**{"service.name": "shop", "span.name": "db", "span.kind": "SPAN_KIND_CLIENT",
                "status.code": "STATUS_CODE_UNSET"})
    assert {k: p.as_int for k, p in got["calls"].items()} == {ok: 2, err: 1, db: 1}
    assert list(got["durations"][ok].bucket_counts) == [1, 1, 0] and got["durations"][ok].sum == 55
    assert list(got["durations"][err].bucket_counts) == [0, 0, 1]
    assert list(got["durations"][db].bucket_counts) == [1, 0, 0]  # 10 ms falls in (0, 10]
    assert points(second)["calls"][ok].as_int == 3  # cumulative


def test_config_refusals():
    with pytest.raises(ValidationError, match="exponential is not implemented"):
        SpanMetricsConfig.model_validate({"histogram": {"exponential": {"max_size": 10}}})
    with pytest.raises(ValidationError, match="strictly increasing"):
        SpanMetricsConfig.model_validate({"histogram": {"explicit": {"buckets": ["1s", "1s"]}}})
