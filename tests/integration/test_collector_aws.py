"""The collector's AWS path end to end: upstream OTel SDK exporters → `otelray collector` (awsxray
exporter, SigV4) → the otelray backend and a real moto_server, with every request's signature
checked by a capture server that recomputes it with botocore; bad input on the awsxray receiver and
an unreachable X-Ray endpoint are counted while the collector keeps running."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpanExporter
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from tests.integration.conftest import (
    aws_client,
    free_port,
    signed_collector_env,
    start_collector,
    wait_until,
)
from tests.unit.collector.aws.capture_server import ACCESS_KEY, CaptureServer

pytestmark = pytest.mark.integration


def send_spans(exporter, service: str, count: int) -> list[str]:
    """Send ``count`` server spans, each with one client child, with X-Ray trace ids; return the trace ids."""
    provider = TracerProvider(resource=Resource.create({"service.name": service}), id_generator=AwsXRayIdGenerator())
    provider.add_span_processor(BatchSpanProcessor(exporter, max_export_batch_size=256, schedule_delay_millis=50))
    tracer = provider.get_tracer("otelray.tests")
    from opentelemetry.trace import SpanKind

    trace_ids = []
    for i in range(count):
        with tracer.start_as_current_span(f"GET /item/{i}", kind=SpanKind.SERVER,
                                          attributes={"http.request.method": "GET", "http.response.status_code": 200,
                                                      "url.path": f"/item/{i}", "url.scheme": "http",
                                                      "server.address": "shop"}) as span:
            trace_ids.append(format(span.get_span_context().trace_id, "032x"))
            with tracer.start_as_current_span("SELECT items", kind=SpanKind.CLIENT,
                                              attributes={"db.system": "sqlite", "db.statement": "SELECT 1"}):
                pass
    provider.shutdown()
    return trace_ids


def xray_id(otel_hex: str) -> str:
    return f"1-{otel_hex[:8]}-{otel_hex[8:]}"


def documents_of(capture: CaptureServer) -> list[dict]:
    return [json.loads(d) for r in capture.requests for d in json.loads(r.body)["TraceSegmentDocuments"]]


AWSXRAY_PIPELINE = """
receivers:
  otlp:
    protocols:
      grpc: {{endpoint: "127.0.0.1:{grpc}"}}
      http: {{endpoint: "127.0.0.1:{http}"}}
processors:
  batch: {{timeout: 100ms, send_batch_size: 50}}
exporters:
  awsxray/backend: {{region: us-east-1, endpoint: "{backend}", indexed_attributes: [http.request.method]}}
  awsxray/moto: {{region: us-east-1, endpoint: "{moto}"}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], processors: [batch], exporters: [awsxray/backend, awsxray/moto]}}
"""


def test_sdk_spans_reach_backend_and_moto_signed(tmp_path, backend, moto):
    to_backend = CaptureServer(forward_to=backend.url).start()
    to_moto = CaptureServer(forward_to=moto).start()
    grpc, http = free_port(), free_port()
    config = AWSXRAY_PIPELINE.format(grpc=grpc, http=http, backend=to_backend.url, moto=to_moto.url)
    try:
        proc = start_collector(config, tmp_path, env=signed_collector_env(), timeout=60)
    except Exception:
        to_backend.stop()
        to_moto.stop()
        raise
    try:
        ids = send_spans(GrpcSpanExporter(endpoint=f"127.0.0.1:{grpc}", insecure=True), "shop-grpc", 60)
        ids += send_spans(HttpSpanExporter(endpoint=f"http://127.0.0.1:{http}/v1/traces"), "shop-http", 40)
        wait_until(lambda: all(proc.metric("otelcol_exporter_sent_spans_total", exporter=e) == 200
                               for e in ("awsxray/backend", "awsxray/moto")), what="200 spans sent by both exporters")
        assert proc.metric("otelcol_exporter_send_failed_spans_total", exporter="awsxray/moto") == 0
    finally:
        assert proc.stop() == 0
        to_backend.stop()
        to_moto.stop()

    for capture in (to_backend, to_moto):
        assert capture.requests, "no PutTraceSegments request"
        for request in capture.requests:
            assert request.path == "/TraceSegments"
            assert request.signature_valid, request.headers.get("Authorization")
            assert "/us-east-1/xray/aws4_request" in request.headers["Authorization"]
            assert len(json.loads(request.body)["TraceSegmentDocuments"]) <= 50

    trace_ids = [xray_id(i) for i in ids]
    for url in (backend.url, moto):
        client = aws_client("xray", url)
        got = {}
        for start in range(0, len(trace_ids), 5):
            for trace in client.batch_get_traces(TraceIds=trace_ids[start:start + 5])["Traces"]:
                got[trace["Id"]] = [json.loads(s["Document"]) for s in trace["Segments"]]
        assert sorted(got) == sorted(trace_ids), url
        one = got[trace_ids[0]]
        server = next(d for d in one if "parent_id" not in d)
        assert server["name"] == "shop-grpc"
        assert server["http"]["request"]["method"] == "GET"
        names = {sub["name"] for d in one for sub in d.get("subsegments", [])} | {d["name"] for d in one}
        assert "SELECT items" in names or any("sqlite" in n for n in names)

    summaries = aws_client("xray", backend.url).get_trace_summaries(
        StartTime=time.time() - 600, EndTime=time.time() + 60)["TraceSummaries"]
    assert {s["Id"] for s in summaries} >= set(trace_ids)


BAD_INPUT_PIPELINE = """
receivers:
  awsxray: {{endpoint: "127.0.0.1:{udp}", proxy_server: {{endpoint: "127.0.0.1:{udp}", region: us-east-1, aws_endpoint: "{capture}"}}}}
  otlp:
    protocols:
      http: {{endpoint: "127.0.0.1:{http}"}}
exporters:
  awsxray/ok: {{region: us-east-1, endpoint: "{capture}", sending_queue: {{enabled: false}}}}
  awsxray/unreachable:
    region: us-east-1
    endpoint: "http://127.0.0.1:{closed}"
    max_retries: 1
    sending_queue: {{enabled: true, queue_size: 10}}
    retry_on_failure: {{initial_interval: 50ms, max_interval: 100ms, max_elapsed_time: 500ms}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces/udp: {{receivers: [awsxray], exporters: [awsxray/ok]}}
    traces/otlp: {{receivers: [otlp], exporters: [awsxray/unreachable]}}
"""

SEGMENT = {"name": "legacy", "id": "70de5b6f19ff9a0a", "trace_id": "1-{epoch:08x}-a006649127e371903a2de979",
           "start_time": 0, "end_time": 0}


def test_bad_input_is_counted_and_the_collector_keeps_running(tmp_path):
    capture = CaptureServer().start()
    udp, http, closed = free_port(), free_port(), free_port()
    proc = start_collector(BAD_INPUT_PIPELINE.format(udp=udp, http=http, capture=capture.url, closed=closed),
                           tmp_path, env=signed_collector_env(), timeout=60)
    try:
        now = time.time()
        good = dict(SEGMENT, trace_id=SEGMENT["trace_id"].format(epoch=int(now)), start_time=now - 1, end_time=now)
        header = b'{"format":"json","version":1}\n'
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            with pytest.raises(OSError):  # the SDK side: a datagram over the UDP limit cannot even be sent
                sock.sendto(header + b"{" + b" " * 70_000 + b"}", ("127.0.0.1", udp))
            for garbage in (b"\x00\x01garbage", b"no newline at all", header, header + b"{not json",
                            b'{"format":"json","version":9}\n{}', header + json.dumps({"id": "x"}).encode()):
                sock.sendto(garbage, ("127.0.0.1", udp))
            sock.sendto(header + json.dumps(good).encode(), ("127.0.0.1", udp))

        def rejected(reason: str) -> float:
            return proc.metric("otelcol_receiver_awsxray_rejected_datagrams_total", receiver="awsxray", reason=reason)

        wait_until(lambda: len(documents_of(capture)) == 1, what="the valid segment to be exported")
        assert documents_of(capture)[0]["id"] == "70de5b6f19ff9a0a"
        assert rejected("missing_header") == 2
        assert rejected("missing_body") == 1
        assert rejected("bad_header") == 1
        assert rejected("InvalidJson") == 1
        assert sum(rejected(r) for r in ("MissingName", "MissingTraceId", "MissingStartTime", "InvalidId")) == 1

        # the sampling proxy on the same port number, TCP, signs what it forwards
        answer = httpx.post(f"http://127.0.0.1:{udp}/GetSamplingRules", json={}, timeout=10)
        assert answer.status_code == 200
        assert capture.requests[-1].path == "/GetSamplingRules" and capture.requests[-1].signature_valid

        # an unreachable X-Ray endpoint: the batch fails after retries, is counted, nothing crashes
        send_spans(HttpSpanExporter(endpoint=f"http://127.0.0.1:{http}/v1/traces"), "lost", 3)
        wait_until(lambda: proc.metric("otelcol_exporter_send_failed_spans_total", exporter="awsxray/unreachable") == 6,
                   what="send_failed counted")
        assert "Connection refused" in proc.log.read_text() or "Could not connect" in proc.log.read_text()
        assert proc.process.poll() is None
    finally:
        assert proc.stop() == 0
        capture.stop()


SIGV4_OTLPHTTP = """
receivers:
  otlp: {{protocols: {{http: {{endpoint: "127.0.0.1:{http}"}}}}}}
extensions:
  sigv4auth: {{region: us-west-2, service: xray}}
exporters:
  otlphttp:
    traces_endpoint: "{capture}/v1/traces"
    auth: {{authenticator: sigv4auth}}
    sending_queue: {{enabled: false}}
service:
  extensions: [sigv4auth]
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], exporters: [otlphttp]}}
"""


def test_sigv4auth_signs_otlphttp_requests(tmp_path):
    """OTLP to an AWS endpoint (X-Ray's /v1/traces) through otlphttp + sigv4auth: signatures verify."""
    capture = CaptureServer(reply=b"", reply_type="application/x-protobuf").start()
    http = free_port()
    proc = start_collector(SIGV4_OTLPHTTP.format(http=http, capture=capture.url), tmp_path, env=signed_collector_env(), timeout=60)
    try:
        send_spans(HttpSpanExporter(endpoint=f"http://127.0.0.1:{http}/v1/traces"), "signed", 5)
        wait_until(lambda: proc.metric("otelcol_exporter_sent_spans_total", exporter="otlphttp") == 10,
                   what="10 spans sent")
    finally:
        assert proc.stop() == 0
        capture.stop()
    assert capture.requests
    for request in capture.requests:
        assert request.path == "/v1/traces"
        assert request.signature_valid, request.headers
        assert "/us-west-2/xray/aws4_request" in request.headers["Authorization"]


def test_validate_names_every_aws_component_error(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("""
receivers:
  awsxray: {transport: tcp}
processors:
  filter: {traces: {span: ['name == "a"', 'Concat(name, "x") == "y"']}}
  resourcedetection: {detectors: [env, gcp]}
exporters:
  awsxray: {endpoint: "127.0.0.1:2000", regoin: us-east-1}
service:
  pipelines:
    traces: {receivers: [awsxray], processors: [filter, resourcedetection], exporters: [awsxray]}
""")
    result = subprocess.run([sys.executable, "-m", "otelray", "collector", "validate", "--config", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    for line in (
        "receivers::awsxray::transport: Input should be 'udp'",
        "processors::filter::traces::span: span[1]: undefined function 'Concat'; supported: Double,",
        "processors::resourcedetection::detectors: unknown detector 'gcp'; supported: ec2, ecs, eks,",
        'exporters::awsxray::endpoint: "127.0.0.1:2000" is not a URL: write http://127.0.0.1:2000',
        "exporters::awsxray::regoin: invalid key (valid keys: aws_log_groups, endpoint,",
    ):
        assert line in result.stderr, result.stderr


ASSUME_ROLE = """
receivers:
  otlp: {{protocols: {{http: {{endpoint: "127.0.0.1:{http}"}}}}}}
exporters:
  awsxray:
    region: us-east-1
    endpoint: "{capture}"
    role_arn: arn:aws:iam::123456789012:role/xray-writer
    sending_queue: {{enabled: false}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], exporters: [awsxray]}}
"""


def test_role_arn_signs_with_credentials_from_sts_assume_role(tmp_path, moto):
    """role_arn: the exporter calls sts:AssumeRole (moto_server as STS) and signs with the role's keys."""
    capture = CaptureServer().start()
    http = free_port()
    env = signed_collector_env()
    env["AWS_ENDPOINT_URL_STS"] = moto
    try:
        proc = start_collector(ASSUME_ROLE.format(http=http, capture=capture.url), tmp_path, env=env, timeout=60)
    except Exception:
        capture.stop()
        raise
    try:
        send_spans(HttpSpanExporter(endpoint=f"http://127.0.0.1:{http}/v1/traces"), "assumed", 2)
        wait_until(lambda: proc.metric("otelcol_exporter_sent_spans_total", exporter="awsxray") == 4,
                   what="4 spans sent")
    finally:
        assert proc.stop() == 0
        capture.stop()
    for request in capture.requests:
        credential = request.headers["Authorization"].split("Credential=")[1].split("/")[0]
        assert credential != ACCESS_KEY  # not the source credentials: the role's temporary ones
        assert credential.startswith("ASIA")
        assert request.headers.get("X-Amz-Security-Token")
        assert not request.signature_valid  # and so not signed with the source secret
