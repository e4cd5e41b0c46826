"""awsemf end to end: the OTel SDK's OTLP exporter → `otelray collector` (awsemf) → a real moto_server
as CloudWatch Logs, through a capture server that checks every request's SigV4 signature with botocore.
The EMF events read back with boto3 ``logs.get_log_events`` carry the expected directives and values."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import SummaryDataPoint
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

from tests.integration.conftest import (
    aws_client,
    free_port,
    signed_collector_env,
    start_collector,
    wait_until,
)
from tests.unit.collector.aws.capture_server import CaptureServer

pytestmark = pytest.mark.integration


CONFIG = """
receivers:
  otlp:
    protocols:
      http: {{endpoint: "127.0.0.1:{http}"}}
exporters:
  awsemf:
    region: us-east-1
    endpoint: "{endpoint}"
    namespace: Otelray/Test
    log_group_name: "/otelray/{{ServiceName}}/metrics"
    log_stream_name: "stream-{{TaskId}}"
    dimension_rollup_option: NoDimensionRollup
    log_retention: 7
    tags: {{team: metrics}}
  awsemf/decl:
    region: us-east-1
    endpoint: "{endpoint}"
    namespace: Otelray/Declared
    log_group_name: /otelray/declared
    log_stream_name: declared
    metric_declarations:
      - dimensions: [[route], [route, missing]]
        metric_name_selectors: ["^requests$"]
  awsemf/ci:
    region: us-east-1
    endpoint: "{endpoint}"
    log_group_name: /aws/ecs/containerinsights/test/performance
    log_stream_name: ci
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    metrics: {{receivers: [otlp], exporters: [awsemf, awsemf/decl, awsemf/ci]}}
"""


def events_of(logs, group: str, stream: str) -> list[dict]:
    try:
        got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [json.loads(e["message"]) for e in got]


def summary_request() -> bytes:
    request = ExportMetricsServiceRequest()
    rm = request.resource_metrics.add()
    rm.resource.attributes.extend([KeyValue(key="service.name", value=AnyValue(string_value="shop")),
                                   KeyValue(key="TaskId", value=AnyValue(string_value="t1"))])
    sm = rm.scope_metrics.add()
    sm.scope.name = "legacy"
    metric = sm.metrics.add(name="rpc_latency", unit="ms")
    point = SummaryDataPoint(time_unix_nano=time.time_ns(), count=4, sum=40.0)
    point.quantile_values.add(quantile=0.0, value=2.0)
    point.quantile_values.add(quantile=1.0, value=20.0)
    metric.summary.data_points.append(point)
    return request.SerializeToString()


def test_sdk_metrics_arrive_as_emf_events_in_moto(moto, tmp_path):
    capture = CaptureServer(forward_to=moto).start()
    http = free_port()
    collector = start_collector(CONFIG.format(http=http, endpoint=capture.url), tmp_path, env=signed_collector_env())
    try:
        reader = PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"http://127.0.0.1:{http}/v1/metrics"),
                                               export_interval_millis=3_600_000)
        provider = MeterProvider(resource=Resource.create({"service.name": "shop", "TaskId": "t1"}),
                                 metric_readers=[reader])
        meter = provider.get_meter("shop.meter")
        requests = meter.create_counter("requests", unit="1")
        latency = meter.create_histogram("latency", unit="ms")
        temperature = meter.create_gauge("temperature")
        requests.add(10, {"route": "/a"})
        latency.record(30, {"route": "/a"})
        temperature.set(21.5, {"route": "/a"})
        provider.force_flush()  # counter: first cumulative point = baseline only
        requests.add(5, {"route": "/a"})
        latency.record(50, {"route": "/a"})
        provider.force_flush()  # counter: delta 5
        provider.shutdown()  # a third export: nothing new, delta 0
        summary = httpx.post(f"http://127.0.0.1:{http}/v1/metrics", content=summary_request(),
                             headers={"Content-Type": "application/x-protobuf"})
        assert summary.status_code == 200

        logs = aws_client("logs", moto)
        group, stream = "/otelray/shop/metrics", "stream-t1"
        events = wait_until(lambda: (e := events_of(logs, group, stream)) and len(e) >= 9 and e, 20, "EMF events")
        dims = [["OTelLib", "route"]]
        sums = [e for e in events if "requests" in e]
        assert [e["requests"] for e in sums] == [5, 0]
        assert sums[0]["_aws"]["CloudWatchMetrics"] == [{"Namespace": "Otelray/Test", "Dimensions": dims,
                                                         "Metrics": [{"Name": "requests", "Unit": "", "StorageResolution": 60}]}]
        assert sums[0]["OTelLib"] == "shop.meter" and sums[0]["route"] == "/a" and sums[0]["Version"] == "1"
        histograms = [e["latency"] for e in events if "latency" in e]
        assert histograms == [{"Max": 30, "Min": 30, "Count": 1, "Sum": 30},
                              {"Max": 50, "Min": 30, "Count": 2, "Sum": 80}, {"Max": 50, "Min": 30, "Count": 2, "Sum": 80}]
        latency_directive = next(e for e in events if "latency" in e)["_aws"]["CloudWatchMetrics"][0]
        assert latency_directive["Metrics"] == [{"Name": "latency", "Unit": "Milliseconds", "StorageResolution": 60}]
        assert [e["temperature"] for e in events if "temperature" in e] == [21.5, 21.5, 21.5]
        summaries = [e for e in events if "rpc_latency" in e]
        assert [s["rpc_latency"] for s in summaries] == [{"Max": 20, "Min": 2, "Count": 4, "Sum": 40}]
        assert summaries[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["OTelLib"]]

        declared = wait_until(lambda: events_of(logs, "/otelray/declared", "declared"), 20, "declared events")
        with_directive = [e for e in declared if "_aws" in e]
        assert [e["_aws"]["CloudWatchMetrics"] for e in with_directive] == [[{
            "Namespace": "Otelray/Declared", "Dimensions": [["route"], ["OTelLib"], ["OTelLib", "route"]],
            "Metrics": [{"Name": "requests", "Unit": "", "StorageResolution": 60}]}]] * 2
        assert any("latency" in e and "_aws" not in e for e in declared)  # not selected: a plain log line

        described = logs.describe_log_groups(logGroupNamePrefix="/otelray/shop")["logGroups"]
        assert [(g["logGroupName"], g.get("retentionInDays")) for g in described] == [(group, 7)]
        assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"team": "metrics"}

        puts = [r for r in capture.requests if r.headers.get("X-Amz-Target", "").endswith("PutLogEvents")]
        assert puts and all(r.signature_valid for r in capture.requests)
        assert all(r.headers.get("x-amzn-logs-format") == "json/emf" for r in puts)
        assert "Logs_20140328.CreateLogGroup" in {r.headers.get("X-Amz-Target") for r in capture.requests}
        agents = {json.loads(r.body)["logGroupName"]: r.headers["User-Agent"] for r in puts}
        assert "(awsemf; ContainerInsights)" in agents["/aws/ecs/containerinsights/test/performance"]
        assert "(awsemf)" in agents[group]
    finally:
        collector.stop()
        capture.stop()
