"""Collector → collector over OTLP/gRPC, the persistent queue across kill -9, back-pressure, health."""

from __future__ import annotations

import signal

import grpc
import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpanExporter
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc

from otelray.collector.component import Signal
from otelray.collector.testing import sample_batch
from tests.integration.conftest import free_port, start_collector, wait_until
from tests.integration.test_collector_core import send_spans, spans_in

pytestmark = pytest.mark.integration

DOWNSTREAM = """
receivers:
  otlp: {{protocols: {{grpc: {{endpoint: "127.0.0.1:{grpc}"}}}}}}
exporters:
  file: {{path: "{out}", flush_interval: 0s}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], exporters: [file]}}
"""

UPSTREAM = """
receivers:
  otlp: {{protocols: {{http: {{endpoint: "127.0.0.1:{http}"}}}}}}
processors:
  batch: {{timeout: 50ms, send_batch_size: 100}}
  memory_limiter: {{check_interval: 1s, limit_mib: 4000}}
exporters:
  otlp:
    endpoint: "127.0.0.1:{downstream}"
    tls: {{insecure: true}}
    sending_queue: {{storage: file_storage, queue_size: 5000, num_consumers: 2}}
    retry_on_failure: {{initial_interval: 100ms, max_interval: 500ms, max_elapsed_time: 0s}}
extensions:
  file_storage: {{directory: "{queue_dir}", create_directory: true}}
  health_check: {{endpoint: "127.0.0.1:{health}"}}
service:
  extensions: [file_storage, health_check]
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], processors: [{processors}], exporters: [otlp]}}
"""


def test_spans_flow_through_two_collectors(tmp_path):
    down_grpc, up_http, health = free_port(), free_port(), free_port()
    out = tmp_path / "down.jsonl"
    down = start_collector(DOWNSTREAM.format(grpc=down_grpc, out=out), tmp_path)
    up = start_collector(UPSTREAM.format(http=up_http, downstream=down_grpc, queue_dir=tmp_path / "q", health=health,
                                         processors="memory_limiter, batch"), tmp_path)
    try:
        health_body = httpx.get(f"http://127.0.0.1:{health}/", timeout=5).json()
        assert health_body["status"] == "Server available"
        send_spans(HttpSpanExporter(endpoint=f"http://127.0.0.1:{up_http}/v1/traces"), "chained", 400)
        wait_until(lambda: len(spans_in(out)) >= 400)
        assert sorted(name for _, name in spans_in(out)) == sorted(f"chained-{i}" for i in range(400))
        assert up.metric("otelcol_exporter_sent_spans_total", exporter="otlp") == 400
        assert down.metric("otelcol_receiver_accepted_spans_total", transport="grpc") == 400
    finally:
        assert up.stop() == 0
        assert down.stop() == 0


def test_persistent_queue_survives_kill_9(tmp_path):
    down_grpc, up_http, health = free_port(), free_port(), free_port()
    out = tmp_path / "down.jsonl"
    # no batch processor: it acknowledges before data reaches the queue (as upstream), so a crash would lose
    # what it buffers; with the queue right behind the receiver, an acknowledged span is a span on disk
    config = UPSTREAM.format(http=up_http, downstream=down_grpc, queue_dir=tmp_path / "q", health=health,
                             processors="memory_limiter")
    up = start_collector(config, tmp_path)
    total = 3000
    send_spans(HttpSpanExporter(endpoint=f"http://127.0.0.1:{up_http}/v1/traces"), "durable", total)
    # every span was acknowledged to the SDK; the downstream has never been up: kill at once
    assert up.metric("otelcol_receiver_accepted_spans_total", transport="http") == total
    assert up.metric("otelcol_exporter_queue_size", exporter="otlp") == total / 200  # one entry per SDK request
    up.stop(signal.SIGKILL)
    assert up.process.returncode == -signal.SIGKILL

    down = start_collector(DOWNSTREAM.format(grpc=down_grpc, out=out), tmp_path)
    up2 = start_collector(config, tmp_path)
    try:
        wait_until(lambda: len(spans_in(out)) >= total, timeout=30)
        names = [name for _, name in spans_in(out)]
        assert len(names) == total and set(names) == {f"durable-{i}" for i in range(total)}
        assert up2.metric("otelcol_exporter_sent_spans_total", exporter="otlp") == total
        wait_until(lambda: up2.metric("otelcol_exporter_queue_size", exporter="otlp") == 0)
    finally:
        up2.stop()
        down.stop()


BACKPRESSURE = """
receivers:
  otlp:
    protocols:
      grpc: {{endpoint: "127.0.0.1:{grpc}"}}
      http: {{endpoint: "127.0.0.1:{http}"}}
processors:
  memory_limiter: {{check_interval: 1s, limit_mib: 4}}
exporters:
  debug:
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], processors: [memory_limiter], exporters: [debug]}}
"""


def test_memory_limiter_refusal_reaches_clients_as_retryable(tmp_path):
    grpc_port, http_port = free_port(), free_port()
    proc = start_collector(BACKPRESSURE.format(grpc=grpc_port, http=http_port), tmp_path)
    try:
        r = httpx.post(f"http://127.0.0.1:{http_port}/v1/traces", content=sample_batch(Signal.TRACES, 2).SerializeToString(),
                       headers={"content-type": "application/x-protobuf"}, timeout=5)
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
        with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
            with pytest.raises(grpc.RpcError) as info:
                trace_service_pb2_grpc.TraceServiceStub(channel).Export(sample_batch(Signal.TRACES, 3), timeout=5)
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "data refused due to high memory usage" in info.value.details()
        assert proc.metric("otelcol_processor_refused_spans_total", processor="memory_limiter") == 5
        assert proc.metric("otelcol_receiver_refused_spans_total", transport="grpc") == 3
        assert proc.process.poll() is None
    finally:
        proc.stop()
