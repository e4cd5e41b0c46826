"""The collector as users run it: `otelray collector --config` with the upstream OTel SDK exporters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from tests.integration.conftest import free_port, start_collector, wait_until

pytestmark = pytest.mark.integration

PIPELINE = """
receivers:
  otlp:
    protocols:
      grpc: {{endpoint: "127.0.0.1:{grpc}"}}
      http: {{endpoint: "127.0.0.1:{http}"}}
processors:
  batch: {{timeout: 50ms}}
exporters:
  file: {{path: "{out}", flush_interval: 0s}}
  debug: {{verbosity: basic}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], processors: [batch], exporters: [file, debug]}}
"""


def send_spans(exporter, service: str, count: int) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(exporter, max_export_batch_size=200, max_queue_size=max(2048, count)))
    tracer = provider.get_tracer("otelray.tests")
    for i in range(count):
        with tracer.start_as_current_span(f"{service}-{i}"):
            pass
    provider.shutdown()


def spans_in(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text().splitlines():
        for rs in json.loads(line)["resourceSpans"]:
            service = next(a["value"]["stringValue"] for a in rs["resource"]["attributes"] if a["key"] == "service.name")
            out += [(service, span["name"]) for ss in rs["scopeSpans"] for span in ss["spans"]]
    return out


@pytest.fixture
def collector(tmp_path):
    grpc_port, http_port = free_port(), free_port()
    out = tmp_path / "spans.jsonl"
    proc = start_collector(PIPELINE.format(grpc=grpc_port, http=http_port, out=out), tmp_path)
    yield proc, grpc_port, http_port, out
    proc.stop()


def test_sdk_grpc_and_http_exporters_deliver_every_span_to_the_file(collector):
    proc, grpc_port, http_port, out = collector
    send_spans(GrpcSpanExporter(endpoint=f"127.0.0.1:{grpc_port}", insecure=True), "svc-grpc", 300)
    send_spans(HttpSpanExporter(endpoint=f"http://127.0.0.1:{http_port}/v1/traces"), "svc-http", 250)
    wait_until(lambda: len(spans_in(out)) >= 550)
    got = spans_in(out)
    assert sorted(got) == sorted([("svc-grpc", f"svc-grpc-{i}") for i in range(300)]
                                 + [("svc-http", f"svc-http-{i}") for i in range(250)])
    assert proc.metric("otelcol_receiver_accepted_spans_total", transport="grpc") == 300
    assert proc.metric("otelcol_receiver_accepted_spans_total", transport="http") == 250
    assert proc.metric("otelcol_exporter_sent_spans_total", exporter="file") == 550
    assert proc.stop() == 0
    assert "Shutdown complete." in proc.log.read_text()


def test_malformed_payloads_get_400_and_the_collector_keeps_running(collector):
    proc, _, http_port, out = collector
    url = f"http://127.0.0.1:{http_port}/v1/traces"
    bad = [
        (b"\x0a\xff\xff\xff\xff", {"content-type": "application/x-protobuf"}),
        (b'{"resourceSpans": "nope"}', {"content-type": "application/json"}),
        (b"\x1f\x8b\x08\x00garbage", {"content-type": "application/x-protobuf", "content-encoding": "gzip"}),
    ]
    for body, headers in bad:
        r = httpx.post(url, content=body, headers=headers, timeout=5)
        assert r.status_code == 400, r.text
    assert httpx.post(url, content=b"", headers={"content-type": "text/xml"}, timeout=5).status_code == 415
    send_spans(HttpSpanExporter(endpoint=url), "after-garbage", 3)
    wait_until(lambda: len(spans_in(out)) >= 3)
    assert proc.process.poll() is None


def _validate_all(tmp_path: Path, texts: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Run `otelray collector validate` on each text, the processes side by side."""
    procs = []
    for i, text in enumerate(texts):
        cfg = tmp_path / f"c{i}.yaml"
        cfg.write_text(text)
        procs.append(subprocess.Popen([sys.executable, "-m", "otelray", "collector", "validate", "--config", str(cfg)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


VALIDATE_CASES = [
    ("receivers:\n  otlp:\n    protocols: [grpc\n", "invalid YAML at line 4, column 1"),
    ("receivers: {otlp: }\nexporters: {awsxrayy: }\nservice: {pipelines: {traces: {receivers: [otlp], exporters: [awsxrayy]}}}\n",
     'exporters::awsxrayy: unknown type: "awsxrayy" for id: "awsxrayy" (valid values: ['),
    ("receivers: {otlp: }\nprocessors: {batch: {send_batch_size: many}}\nexporters: {debug: }\n"
     "service: {pipelines: {traces: {receivers: [otlp], processors: [batch], exporters: [debug]}}}\n",
     "processors::batch::send_batch_size: Input should be a valid integer"),
]
GOOD = "receivers: {otlp: }\nexporters: {debug: }\nservice: {pipelines: {traces: {receivers: [otlp], exporters: [debug]}}}\n"


def test_validate_prints_precise_errors_and_accepts_a_good_config(tmp_path):
    *bad, good = _validate_all(tmp_path, [text for text, _ in VALIDATE_CASES] + [GOOD])
    for result, (_, expected) in zip(bad, VALIDATE_CASES, strict=True):
        assert result.returncode == 1, result.stderr
        assert expected in result.stderr
        assert "otelray collector validate" in result.stderr
    assert good.returncode == 0 and "Configuration is valid: 1 pipeline(s)" in good.stdout


def test_sigterm_flushes_buffered_batches_before_exit(tmp_path):
    http_port, out = free_port(), tmp_path / "flushed.jsonl"
    text = PIPELINE.format(grpc=free_port(), http=http_port, out=out).replace("timeout: 50ms", "timeout: 1h")
    proc = start_collector(text, tmp_path)
    send_spans(HttpSpanExporter(endpoint=f"http://127.0.0.1:{http_port}/v1/traces"), "buffered", 40)
    assert not out.exists() or spans_in(out) == []  # still in the batch processor
    assert proc.stop() == 0
    assert len(spans_in(out)) == 40


def test_aot_config_content_replaces_the_config_file(tmp_path):
    import os

    http_port, out = free_port(), tmp_path / "aot.jsonl"
    inline = PIPELINE.format(grpc=free_port(), http=http_port, out=out).replace("{metrics_port}", "${env:MPORT}")
    metrics_port = free_port()
    env = dict(os.environ, AOT_CONFIG_CONTENT=inline, MPORT=str(metrics_port))
    # the --config file the helper writes is ignored: AOT_CONFIG_CONTENT wins, as in ADOT
    proc = start_collector("receivers: {nonsense: }\nservice: {telemetry: {metrics: {address: '127.0.0.1:{metrics_port}'}}}\n",
                           tmp_path, env=env, metrics_url=f"http://127.0.0.1:{metrics_port}/metrics")
    try:
        send_spans(HttpSpanExporter(endpoint=f"http://127.0.0.1:{http_port}/v1/traces"), "aot", 5)
        wait_until(lambda: len(spans_in(out)) >= 5)
    finally:
        assert proc.stop() == 0


def test_a_busy_port_fails_startup_with_a_clear_message(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        cfg = tmp_path / "busy.yaml"
        cfg.write_text(PIPELINE.format(grpc=free_port(), http=port, out=tmp_path / "x.jsonl")
                       .replace("{metrics_port}", str(free_port())))
        result = subprocess.run([sys.executable, "-m", "otelray", "collector", "--config", str(cfg)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"Collector failed to start: otlp: cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
