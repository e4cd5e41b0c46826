"""Metrics and logs from the upstream OTel SDK exporters through `otelray collector` into files."""

from __future__ import annotations

import json
import logging

import pytest
from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

from tests.integration.conftest import free_port, start_collector, wait_until

pytestmark = pytest.mark.integration

CONFIG = """
receivers:
  otlp:
    protocols:
      grpc: {{endpoint: "127.0.0.1:{grpc}"}}
      http: {{endpoint: "127.0.0.1:{http}"}}
processors:
  batch: {{timeout: 50ms}}
exporters:
  file/metrics: {{path: "{metrics_out}", flush_interval: 0s}}
  file/logs: {{path: "{logs_out}", flush_interval: 0s}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    metrics: {{receivers: [otlp], processors: [batch], exporters: [file/metrics]}}
    logs: {{receivers: [otlp], processors: [batch], exporters: [file/logs]}}
"""


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_sdk_metrics_over_http_and_logs_over_grpc(tmp_path):
    grpc_port, http_port = free_port(), free_port()
    metrics_out, logs_out = tmp_path / "metrics.jsonl", tmp_path / "logs.jsonl"
    proc = start_collector(CONFIG.format(grpc=grpc_port, http=http_port, metrics_out=metrics_out, logs_out=logs_out), tmp_path)
    try:
        resource = Resource.create({"service.name": "signals"})
        reader = PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"http://127.0.0.1:{http_port}/v1/metrics"),
                                               export_interval_millis=60_000)
        meters = MeterProvider(resource=resource, metric_readers=[reader])
        counter = meters.get_meter("otelray.tests").create_counter("orders", unit="1")
        for shop in ("north", "south", "east"):
            counter.add(5, {"shop": shop})
        meters.shutdown()  # exports once

        logs = LoggerProvider(resource=resource)
        logs.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter(endpoint=f"127.0.0.1:{grpc_port}", insecure=True)))
        logger = logging.getLogger("otelray.tests.signals")
        logger.propagate = False
        handler = LoggingHandler(logger_provider=logs)
        logger.addHandler(handler)
        for i in range(7):
            logger.warning("event %d", i)
        logs.shutdown()
        logger.removeHandler(handler)

        wait_until(lambda: _lines(metrics_out) and _lines(logs_out))
        points = [dp for doc in _lines(metrics_out) for rm in doc["resourceMetrics"] for sm in rm["scopeMetrics"]
                  for m in sm["metrics"] if m["name"] == "orders" for dp in m["sum"]["dataPoints"]]
        assert sorted(dp["attributes"][0]["value"]["stringValue"] for dp in points) == ["east", "north", "south"]
        assert all(dp["asInt"] == "5" for dp in points)
        wait_until(lambda: sum(len(sl["logRecords"]) for doc in _lines(logs_out) for rl in doc["resourceLogs"]
                               for sl in rl["scopeLogs"]) == 7)
        bodies = [rec["body"]["stringValue"] for doc in _lines(logs_out) for rl in doc["resourceLogs"]
                  for sl in rl["scopeLogs"] for rec in sl["logRecords"]]
        assert sorted(bodies) == sorted(f"event {i}" for i in range(7))
        assert proc.metric("otelcol_receiver_accepted_metric_points_total", transport="http") == 3
        assert proc.metric("otelcol_receiver_accepted_log_records_total", transport="grpc") == 7
    finally:
        assert proc.stop() == 0
