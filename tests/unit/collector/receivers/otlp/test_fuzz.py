"""Fuzzing the OTLP/HTTP decoder (collector ``receiver/otlpreceiver/fuzz_test.go``): never a 5xx, never a crash."""

from __future__ import annotations

import asyncio
import gzip

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otelray.collector.component import Kind, Signal
from otelray.collector.receivers.otlp.config import HttpServerConfig, OtlpReceiverConfig
from otelray.collector.receivers.otlp.http_server import OtlpHttpApp
from otelray.collector.receivers.otlp.receiver import OtlpReceiver
from otelray.collector.testing import LogsSink, MetricsSink, TracesSink, make_settings, sample_batch

RECEIVER = OtlpReceiver(make_settings("otlp", Kind.RECEIVER), OtlpReceiverConfig())
for _signal, _sink in ((Signal.TRACES, TracesSink()), (Signal.METRICS, MetricsSink()), (Signal.LOGS, LogsSink())):
    RECEIVER.register(_signal, _sink)
APP = OtlpHttpApp(RECEIVER, HttpServerConfig(max_request_body_size=32 * 1024))

valid = st.sampled_from([sample_batch(s, 2).SerializeToString() for s in Signal])
mutated = st.tuples(valid, st.integers(0, 200), st.binary(min_size=1, max_size=8)).map(
    lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + len(t[2]):])
json_like = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                         lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                             st.sampled_from(["resourceSpans", "scopeSpans", "spans", "traceId", "spanId", "name",
                                              "resourceMetrics", "resourceLogs", "kind", "x"]), inner, max_size=4),
                         max_leaves=20).map(lambda v: httpx.Response(200, json=v).content)


def _post(path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://t") as client:
            return await client.post(path, content=body, headers=headers)

    return asyncio.run(go())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(["/v1/traces", "/v1/metrics", "/v1/logs"]),
    body=st.one_of(st.binary(max_size=300), mutated, json_like),
    ctype=st.sampled_from(["application/x-protobuf", "application/json", "application/json; charset=utf-8"]),
    gz=st.booleans(),
)
def test_any_body_gets_a_client_status_never_a_server_error(path, body, ctype, gz):
    headers = {"content-type": ctype}
    if gz:
        body, headers["content-encoding"] = gzip.compress(body), "gzip"
    r = _post(path, body, headers)
    assert r.status_code in (200, 400, 413), (r.status_code, r.text)
