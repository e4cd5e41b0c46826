"""Multi-process collector pipelines on the AWS path.

- aws-xray-sdk (UDP, daemon protocol) → collector A (awsxray receiver → otlp exporter) → collector B
  (otlp receiver → awsxray exporter) → otelray backend: the trace arrives intact.
- No loss: the backend is down, 10,000 spans are accepted into a file_storage-backed sending queue,
  the collector is killed with SIGKILL and restarted on the same directory, the backend starts, and
  all 10,000 spans arrive (counted at the backend).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from tests.integration.conftest import (
    aws_client,
    free_port,
    signed_collector_env,
    start_backend,
    start_collector,
    wait_until,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def stop_later() -> Iterator[list]:
    """Processes (collectors, backends) a test started; any still running is stopped afterwards."""
    started: list = []
    yield started
    for proc in reversed(started):
        proc.stop(signal.SIGKILL)

XRAY_SDK_APP = """
import json
from aws_xray_sdk.core import xray_recorder
xray_recorder.configure(service="legacy-cart", sampling=False, context_missing="LOG_ERROR",
                        daemon_address="127.0.0.1:{port}")
segment = xray_recorder.begin_segment("legacy-cart")
segment.put_annotation("customer_tier", "gold")
segment.put_metadata("cart", {{"items": 3}}, "shop")
segment.put_http_meta("method", "POST")
segment.put_http_meta("url", "http://shop.local/cart")
segment.put_http_meta("status", 201)
sub = xray_recorder.begin_subsegment("carts-db", "remote")
sub.put_annotation("table", "carts")
xray_recorder.end_subsegment()
xray_recorder.end_segment()
print(json.dumps({{"trace_id": segment.trace_id, "segment": segment.id, "subsegment": sub.id}}))
"""

COLLECTOR_A = """
receivers:
  awsxray: {{endpoint: "127.0.0.1:{udp}", proxy_server: null}}
exporters:
  otlp: {{endpoint: "127.0.0.1:{grpc}", tls: {{insecure: true}}}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [awsxray], exporters: [otlp]}}
"""

COLLECTOR_B = """
receivers:
  otlp: {{protocols: {{grpc: {{endpoint: "127.0.0.1:{grpc}"}}}}}}
processors:
  batch: {{timeout: 50ms}}
exporters:
  awsxray: {{region: us-east-1, endpoint: "{backend}"}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], processors: [batch], exporters: [awsxray]}}
"""


def test_xray_sdk_udp_through_two_collectors_arrives_intact(tmp_path, backend, stop_later):
    udp, grpc = free_port(), free_port()
    second = start_collector(COLLECTOR_B.format(grpc=grpc, backend=backend.url), tmp_path, env=signed_collector_env(), timeout=60)
    stop_later.append(second)
    first = start_collector(COLLECTOR_A.format(udp=udp, grpc=grpc), tmp_path, env=signed_collector_env(), timeout=60)
    stop_later.append(first)
    try:
        run = subprocess.run([sys.executable, "-c", XRAY_SDK_APP.format(port=udp)], capture_output=True, text=True,
                             timeout=60, check=True)
        sent = json.loads(run.stdout.strip().splitlines()[-1])
        client = aws_client("xray", backend.url)

        def arrived() -> list:
            return client.batch_get_traces(TraceIds=[sent["trace_id"]])["Traces"]

        wait_until(lambda: bool(arrived()) and len(arrived()[0]["Segments"]) >= 1, what="the trace in the backend")
        assert first.metric("otelcol_receiver_accepted_spans_total", receiver="awsxray", transport="udp") == 2
        assert second.metric("otelcol_exporter_sent_spans_total", exporter="awsxray") == 2
    finally:
        assert first.stop() == 0
        assert second.stop() == 0

    (trace,) = arrived()
    documents = [json.loads(s["Document"]) for s in trace["Segments"]]
    segment = next(d for d in documents if d["id"] == sent["segment"])
    assert segment["trace_id"] == sent["trace_id"]
    assert segment["name"] == "legacy-cart"
    assert segment["http"]["request"]["method"] == "POST"
    assert segment["http"]["request"]["url"] == "http://shop.local/cart"
    assert segment["http"]["response"]["status"] == 201
    assert segment["annotations"]["customer_tier"] == "gold"
    subsegments = [d for d in documents if d["id"] == sent["subsegment"]]
    subsegments += [s for d in documents for s in d.get("subsegments", []) if s["id"] == sent["subsegment"]]
    (sub,) = subsegments
    assert sub["name"] == "carts-db"
    assert sub.get("parent_id", segment["id"]) == segment["id"]
    assert sub["annotations"]["table"] == "carts"


NO_LOSS = """
receivers:
  otlp: {{protocols: {{grpc: {{endpoint: "127.0.0.1:{grpc}"}}}}}}
extensions:
  file_storage: {{directory: "{storage}", create_directory: true}}
exporters:
  awsxray:
    region: us-east-1
    endpoint: "http://127.0.0.1:{backend_port}"
    num_workers: 16
    max_retries: 1
    request_timeout_seconds: 5
    sending_queue: {{storage: file_storage, queue_size: 5000, num_consumers: 4}}
    retry_on_failure: {{initial_interval: 100ms, max_interval: 500ms, max_elapsed_time: 0s}}
service:
  extensions: [file_storage]
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], exporters: [awsxray]}}
"""
# No batch processor: it would acknowledge spans before they reach the persistent queue, so a
# kill -9 inside its timeout would lose them (as upstream; see README "Exporter helper").
TOTAL = 10_000


TRACES = 100


def _send(grpc: int) -> tuple[set[str], set[str]]:
    """10,000 spans: 100 traces of one root span and 99 children. Returns (X-Ray trace ids, span ids)."""
    provider = TracerProvider(resource=Resource.create({"service.name": "no-loss"}), id_generator=AwsXRayIdGenerator())
    exporter = GrpcSpanExporter(endpoint=f"127.0.0.1:{grpc}", insecure=True, timeout=30)
    provider.add_span_processor(BatchSpanProcessor(exporter, max_queue_size=TOTAL * 2, max_export_batch_size=1000,
                                                   schedule_delay_millis=100))
    tracer = provider.get_tracer("otelray.tests")
    trace_ids, span_ids = set(), set()
    for t in range(TRACES):
        with tracer.start_as_current_span(f"request-{t}") as root:
            context = root.get_span_context()
            trace_id = format(context.trace_id, "032x")
            trace_ids.add(f"1-{trace_id[:8]}-{trace_id[8:]}")
            span_ids.add(format(context.span_id, "016x"))
            for c in range(TOTAL // TRACES - 1):
                with tracer.start_as_current_span(f"step-{c}") as child:
                    span_ids.add(format(child.get_span_context().span_id, "016x"))
    provider.shutdown()
    return trace_ids, span_ids


def _stored_span_ids(url: str, trace_ids: set[str]) -> set[str]:
    """Every segment and subsegment id the backend returns for ``trace_ids`` (nested ones included)."""
    client, found = aws_client("xray", url), set()

    def walk(entity: dict) -> None:
        found.add(entity["id"])
        for sub in entity.get("subsegments", []):
            walk(sub)

    ordered = sorted(trace_ids)
    for start in range(0, len(ordered), 5):
        for trace in client.batch_get_traces(TraceIds=ordered[start:start + 5])["Traces"]:
            for segment in trace["Segments"]:
                walk(json.loads(segment["Document"]))
    return found


def test_no_span_lost_across_kill_9_with_the_backend_down(tmp_path, stop_later):
    grpc, backend_port = free_port(), free_port()
    config = NO_LOSS.format(grpc=grpc, backend_port=backend_port, storage=tmp_path / "queue")
    collector = start_collector(config, tmp_path, env=signed_collector_env(), timeout=60)
    stop_later.append(collector)
    trace_ids, span_ids = _send(grpc)
    assert len(span_ids) == TOTAL
    assert collector.metric("otelcol_receiver_accepted_spans_total", transport="grpc") == TOTAL
    assert collector.stop(signal.SIGKILL) == -signal.SIGKILL

    collector = start_collector(config, tmp_path, env=signed_collector_env(), timeout=60)
    stop_later.append(collector)
    backend = start_backend(tmp_path / "backend-data", port=backend_port, timeout=60)
    stop_later.append(backend)
    wait_until(lambda: collector.metric("otelcol_exporter_sent_spans_total", exporter="awsxray") >= TOTAL,
               timeout=120, what="the queued spans to be sent after the restart")
    assert _stored_span_ids(backend.url, trace_ids) == span_ids
    assert collector.metric("otelcol_exporter_send_failed_spans_total", exporter="awsxray") == 0
    assert collector.stop() == 0


SAMPLING_PROXY = """
receivers:
  awsxray:
    endpoint: "127.0.0.1:{port}"
    proxy_server: {{endpoint: "127.0.0.1:{port}", region: us-east-1, aws_endpoint: "{upstream}"}}
exporters:
  debug: {{verbosity: basic}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [awsxray], exporters: [debug]}}
"""


def test_xray_sdk_sampling_calls_go_through_the_receiver_proxy_signed(tmp_path, backend, stop_later):
    """The X-Ray SDK's own sampling connector (unsigned, TCP on the daemon port) reaches the backend's
    rules through the awsxray receiver's proxy_server, which signs each request."""
    from aws_xray_sdk.core.sampling.connector import ServiceConnector

    from tests.unit.collector.aws.capture_server import CaptureServer

    rule = {"RuleName": "checkout-all", "ResourceARN": "*", "Priority": 7, "FixedRate": 1.0, "ReservoirSize": 5,
            "ServiceName": "checkout", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*",
            "Version": 1}
    aws_client("xray", backend.url).create_sampling_rule(SamplingRule=rule)
    capture = CaptureServer(forward_to=backend.url).start()
    port = free_port()
    proc = start_collector(SAMPLING_PROXY.format(port=port, upstream=capture.url), tmp_path, env=signed_collector_env(), timeout=60)
    stop_later.append(proc)
    try:
        connector = ServiceConnector()
        connector.setup_xray_client("127.0.0.1", str(port), None)
        rules = {r.name: r for r in connector.fetch_sampling_rules()}
        targets = connector.fetch_sampling_target([rules["checkout-all"]])
    finally:
        assert proc.stop() == 0
        capture.stop()
    assert (rules["checkout-all"].rate, rules["checkout-all"].priority) == (1.0, 7)
    assert rules["checkout-all"].match({"service": "checkout", "method": "GET", "path": "/"})
    assert not rules["checkout-all"].match({"service": "billing"})
    assert targets is not None
    assert [r.path for r in capture.requests] == ["/GetSamplingRules", "/SamplingTargets"]
    assert all(r.signature_valid for r in capture.requests)
