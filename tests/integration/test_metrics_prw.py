"""prometheusremotewrite end to end: the OTel SDK's OTLP exporter → `otelray collector`
(prometheusremotewrite + sigv4auth) → a capture server that verifies each request's SigV4 signature
with botocore → a real Prometheus (``--web.enable-remote-write-receiver``), queried through its HTTP API."""

from __future__ import annotations

import pytest
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

from otelray.translate.prw import decode
from tests.integration.conftest import (
    free_port,
    prometheus_query,
    signed_collector_env,
    start_collector,
    wait_until,
)
from tests.unit.collector.aws.capture_server import CaptureServer

pytestmark = pytest.mark.integration


def query(prometheus: str, promql: str) -> list[dict]:
    return prometheus_query(prometheus, promql)


CONFIG = """
extensions:
  sigv4auth: {{region: us-east-1, service: aps}}
receivers:
  otlp:
    protocols:
      http: {{endpoint: "127.0.0.1:{http}"}}
exporters:
  prometheusremotewrite:
    endpoint: "{endpoint}/api/v1/write"
    auth: {{authenticator: sigv4auth}}
    external_labels: {{cluster: test-cluster}}
    headers: {{X-Scope-OrgID: tenant-1}}
service:
  extensions: [sigv4auth]
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    metrics: {{receivers: [otlp], exporters: [prometheusremotewrite]}}
"""


def test_sdk_metrics_are_queryable_in_prometheus_with_verified_sigv4(prometheus, tmp_path):
    capture = CaptureServer(forward_to=prometheus, reply=b"", reply_type="text/plain").start()
    http = free_port()
    collector = start_collector(CONFIG.format(http=http, endpoint=capture.url), tmp_path, env=signed_collector_env())
    try:
        reader = PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"http://127.0.0.1:{http}/v1/metrics"),
                                               export_interval_millis=3_600_000)
        provider = MeterProvider(metric_readers=[reader], resource=Resource.create(
            {"service.name": "checkout", "service.namespace": "shop", "service.instance.id": "pod-1",
             "deployment.environment": "test"}))
        meter = provider.get_meter("shop.meter", "1.2")
        requests = meter.create_counter("http.requests", unit="{request}")
        latency = meter.create_histogram("http.latency", unit="ms")
        memory = meter.create_gauge("memory.used", unit="By")
        requests.add(15, {"http.route": "/a"})
        for value in (3, 30, 300):
            latency.record(value, {"http.route": "/a"})
        memory.set(2048, {"pool": "heap"})
        provider.shutdown()

        counter = wait_until(lambda: query(prometheus, 'http_requests_total{http_route="/a"}'), 20, "counter series")
        labels = counter[0]["metric"]
        assert labels == {"__name__": "http_requests_total", "http_route": "/a", "job": "shop/checkout",
                          "instance": "pod-1", "cluster": "test-cluster", "otel_scope_name": "shop.meter",
                          "otel_scope_version": "1.2"}
        assert counter[0]["value"][1] == "15"
        assert query(prometheus, "memory_used_bytes")[0]["value"][1] == "2048"
        buckets = {r["metric"]["le"]: r["value"][1] for r in query(prometheus, "http_latency_milliseconds_bucket")}
        assert (buckets["5"], buckets["25"], buckets["50"], buckets["500"], buckets["+Inf"]) == ("1", "1", "2", "3", "3")
        assert query(prometheus, "http_latency_milliseconds_count")[0]["value"][1] == "3"
        assert query(prometheus, "http_latency_milliseconds_sum")[0]["value"][1] == "333"
        median = query(prometheus, "histogram_quantile(0.5, http_latency_milliseconds_bucket)")
        assert float(median[0]["value"][1]) == 37.5  # 2nd of 3 observations, linear within (25, 50]
        info = query(prometheus, "target_info")[0]["metric"]
        assert info["deployment_environment"] == "test" and info["job"] == "shop/checkout"

        posts = [r for r in capture.requests if r.method == "POST"]
        assert posts and all(r.signature_valid for r in posts)
        for r in posts:
            headers = {k.lower(): v for k, v in r.headers.items()}
            assert "/us-east-1/aps/aws4_request" in headers["authorization"]
            assert (headers["content-encoding"], headers["content-type"], headers["x-prometheus-remote-write-version"]) \
                == ("snappy", "application/x-protobuf", "0.1.0")
            assert headers["x-scope-orgid"] == "tenant-1"
            assert decode(r.body).timeseries  # a snappy block-compressed WriteRequest
        assert collector.metric("otelcol_exporter_sent_metric_points_total", exporter="prometheusremotewrite") >= 3
    finally:
        collector.stop()
        capture.stop()


SPANMETRICS_CONFIG = """
receivers:
  otlp:
    protocols:
      http: {{endpoint: "127.0.0.1:{http}"}}
connectors:
  spanmetrics:
    metrics_flush_interval: 500ms
    dimensions: [{{name: http.request.method}}]
exporters:
  prometheusremotewrite:
    endpoint: "{prometheus}/api/v1/write"
    target_info: {{enabled: false}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], exporters: [spanmetrics]}}
    metrics: {{receivers: [spanmetrics], exporters: [prometheusremotewrite]}}
"""


def test_spanmetrics_from_sdk_spans_are_queryable(prometheus, tmp_path):
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.trace import SpanKind, StatusCode

    http = free_port()
    collector = start_collector(SPANMETRICS_CONFIG.format(http=http, prometheus=prometheus), tmp_path)
    try:
        provider = TracerProvider(resource=Resource.create({"service.name": "cart"}))
        provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"http://127.0.0.1:{http}/v1/traces")))
        tracer = provider.get_tracer("cart")
        for i in range(3):
            with tracer.start_as_current_span("POST /cart", kind=SpanKind.SERVER,
                                              attributes={"http.request.method": "POST"}) as span:
                if i == 2:
                    span.set_status(StatusCode.ERROR)
        provider.shutdown()

        selector = 'traces_span_metrics_calls_total{service_name="cart",span_name="POST /cart"}'
        calls = wait_until(lambda: (r := query(prometheus, selector)) and len(r) == 2 and r, 20, "span metric series")
        by_status = {r["metric"]["status_code"]: r["value"][1] for r in calls}
        assert by_status == {"STATUS_CODE_UNSET": "2", "STATUS_CODE_ERROR": "1"}
        assert {r["metric"]["span_kind"] for r in calls} == {"SPAN_KIND_SERVER"}
        assert {r["metric"]["http_request_method"] for r in calls} == {"POST"}
        count = query(prometheus, 'sum(traces_span_metrics_duration_milliseconds_count{service_name="cart"})')
        assert count[0]["value"][1] == "3"
    finally:
        collector.stop()
