from __future__ import annotations

import asyncio
import gzip
import zlib

import cramjam
import httpx
import orjson
import pytest
from google.rpc import status_pb2
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from otelray.collector import otlpjson
from otelray.collector.component import Kind, Signal
from otelray.collector.errors import DataRefusedError, PermanentError
from otelray.collector.receivers.otlp.config import HttpServerConfig, OtlpReceiverConfig
from otelray.collector.receivers.otlp.http_server import OtlpHttpApp
from otelray.collector.receivers.otlp.receiver import OtlpReceiver
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import MetricsSink, TracesSink, make_settings, sample_batch

PB = {"content-type": "application/x-protobuf"}
JS = {"content-type": "application/json"}


@pytest.fixture
def env():
    tel = Telemetry()
    receiver = OtlpReceiver(make_settings("otlp", Kind.RECEIVER, telemetry=tel), OtlpReceiverConfig())
    traces, metrics = TracesSink(), MetricsSink()
    receiver.register(Signal.TRACES, traces)
    receiver.register(Signal.METRICS, metrics)
    app = OtlpHttpApp(receiver, HttpServerConfig(max_request_body_size=64 * 1024))

    def post(path, body, headers):
        async def go():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                return await client.post(path, content=body, headers=headers)

        return asyncio.run(go())

    return tel, traces, metrics, post


def _accepted(tel, transport="http"):
    return tel.value("otelcol_receiver_accepted_spans_total", {"receiver": "otlp", "transport": transport})


def test_protobuf_gzip_and_json_bodies_are_accepted(env):
    tel, traces, _, post = env
    r1 = post("/v1/traces", sample_batch(Signal.TRACES, 2).SerializeToString(), PB)
    r2 = post("/v1/traces", gzip.compress(sample_batch(Signal.TRACES, 3).SerializeToString()), PB | {"content-encoding": "gzip"})
    r3 = post("/v1/traces", otlpjson.encode(sample_batch(Signal.TRACES, 4)), JS)
    assert [r.status_code for r in (r1, r2, r3)] == [200, 200, 200]
    assert r1.headers["content-type"] == "application/x-protobuf" and r3.headers["content-type"] == "application/json"
    assert ExportTraceServiceResponse.FromString(r1.content) == ExportTraceServiceResponse()
    assert traces.item_count == 9 and _accepted(tel) == 9
    # JSON ids are hex: the span ids survive the trip
    assert traces.batches[2].resource_spans[0].scope_spans[0].spans[3].span_id == (4).to_bytes(8, "big")


@pytest.mark.parametrize("encoding", ["zstd", "snappy", "x-snappy-framed", "deflate"])
def test_other_content_encodings(env, encoding):
    _, traces, _, post = env
    raw = sample_batch(Signal.TRACES, 3).SerializeToString()
    body = {"zstd": lambda b: bytes(cramjam.zstd.compress(b)), "snappy": lambda b: bytes(cramjam.snappy.compress_raw(b)),
            "x-snappy-framed": lambda b: bytes(cramjam.snappy.compress(b)),
            "deflate": lambda b: zlib.compress(b)}[encoding](raw)
    r = post("/v1/traces", body, PB | {"content-encoding": encoding})
    assert r.status_code == 200 and traces.item_count == 3


def test_invalid_spans_are_rejected_as_partial_success(env):
    tel, traces, _, post = env
    batch = sample_batch(Signal.TRACES, 4)
    spans = batch.resource_spans[0].scope_spans[0].spans
    spans[1].trace_id = b"\x01" * 8
    spans[2].span_id = b""
    r = post("/v1/traces", batch.SerializeToString(), PB)
    assert r.status_code == 200
    resp = ExportTraceServiceResponse.FromString(r.content)
    assert resp.partial_success.rejected_spans == 2
    assert resp.partial_success.error_message == "span 0000000000000002: invalid trace id length 8 (must be 16 bytes)"
    assert traces.item_count == 2 and _accepted(tel) == 2
    assert tel.value("otelcol_receiver_refused_spans_total", {"receiver": "otlp", "transport": "http"}) == 2


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "message"),
    [
        ("/v1/traces", b"\xff\xff\xff", PB, 400, "failed to unmarshal request body as protobuf ExportTraceServiceRequest"),
        ("/v1/traces", b"{not json", JS, 400, "failed to unmarshal request body as JSON ExportTraceServiceRequest: invalid JSON"),
        ("/v1/traces", b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz"}]}]}]}', JS, 400,
         "invalid hex id 'zz'"),
        ("/v1/traces", b"x", PB | {"content-encoding": "gzip"}, 400, "invalid gzip body"),
        ("/v1/traces", b"x", PB | {"content-encoding": "br"}, 415, 'unsupported Content-Encoding "br"'),
        ("/v1/traces", b"x", {"content-type": "text/plain"}, 415, 'unsupported content type "text/plain"'),
        ("/v1/logs", b"", PB, 404, "no OTLP signal is received on /v1/logs"),
        ("/nope", b"", PB, 404, "no OTLP signal is received on /nope"),
        ("/v1/traces", b"x" * (64 * 1024 + 1), PB, 413, "request body exceeds max_request_body_size (65536 bytes)"),
        ("/v1/traces", gzip.compress(b"\x00" * 200_000), PB | {"content-encoding": "gzip"}, 413,
         "decompressed body exceeds max_request_body_size"),
        ("/v1/traces", bytes(cramjam.zstd.compress(b"\x00" * 200_000)), PB | {"content-encoding": "zstd"}, 413,
         "decompressed body exceeds max_request_body_size"),
        ("/v1/traces", bytes(cramjam.snappy.compress_raw(b"\x00" * 200_000)), PB | {"content-encoding": "snappy"}, 413,
         "decompressed body exceeds max_request_body_size"),
        ("/v1/traces", b"not zstd", PB | {"content-encoding": "zstd"}, 400, "invalid zstd body"),
    ],
)
def test_bad_requests_get_precise_errors(env, path, body, headers, status, message):
    tel, traces, _, post = env
    r = post(path, body, headers)
    assert r.status_code == status
    if r.headers["content-type"] == "application/json":
        text = orjson.loads(r.content)["message"]
    else:
        text = status_pb2.Status.FromString(r.content).message
    assert message in text
    assert traces.batches == []
    labels = {"receiver": "otlp", "transport": "http", "reason": str(status)}
    assert tel.value("otelcol_receiver_rejected_requests_total", labels) == 1


def test_metrics_path_feeds_the_metrics_pipeline(env):
    _, traces, metrics, post = env
    r = post("/v1/metrics", sample_batch(Signal.METRICS, 3).SerializeToString(), PB)
    assert r.status_code == 200 and metrics.item_count == 3 and traces.batches == []


@pytest.mark.parametrize(("error", "status"), [(DataRefusedError("memory limit"), 503), (PermanentError("bad"), 400)])
def test_pipeline_errors_map_to_retryable_or_permanent_statuses(env, error, status):
    tel, traces, _, post = env
    traces.error = error
    r = post("/v1/traces", sample_batch(Signal.TRACES, 5).SerializeToString(), PB)
    assert r.status_code == status
    assert (r.headers.get("retry-after") == "1") is (status == 503)
    assert tel.value("otelcol_receiver_refused_spans_total", {"receiver": "otlp", "transport": "http"}) == 5
