"""awsemf exporter in stdout mode: one EMF line per event, delta state kept across batches, drops counted."""

from __future__ import annotations

import asyncio
import json
import math

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.metrics.v1.metrics_pb2 import NumberDataPoint

from otelray.collector.component import Kind, Signal
from otelray.collector.exporters.awsemf import AwsEmfExporterConfig, factory
from otelray.collector.testing import NopHost, make_settings
from tests.unit.translate.emf.metrics import T0, counter, gauge, resource


def batch(*metrics, **attrs) -> ExportMetricsServiceRequest:
    return ExportMetricsServiceRequest(resource_metrics=[resource(list(metrics), **attrs)])


def test_stdout_lines_and_counted_drops(capsys):
    config = AwsEmfExporterConfig(output_destination="stdout", namespace="App",
                                  dimension_rollup_option="NoDimensionRollup")
    settings = make_settings("awsemf", Kind.EXPORTER, signal=Signal.METRICS)
    exporter = factory.create(Signal.METRICS, settings, config)
    bad = gauge("bad", 1.0)
    bad.gauge.data_points[0].CopyFrom(NumberDataPoint(time_unix_nano=T0, as_double=math.inf))

    async def run():
        await exporter.start(NopHost())
        await exporter.consume_metrics(batch(counter("reqs", 10, a="x"), bad))
        await exporter.consume_metrics(batch(counter("reqs", 25, t=T0 + 10**9, a="x"), gauge("up", 1, a="x")))
        await exporter.shutdown()

    asyncio.run(run())
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted((k, d[k]) for d in lines for k in ("reqs", "up") if k in d) == [("reqs", 15), ("up", 1)]
    assert all(d["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "App" for d in lines)
    tel = settings.telemetry.telemetry
    assert tel.value("otelcol_exporter_awsemf_rejected_events_total",
                     {"exporter": "awsemf", "reason": "invalid_value"}) == 1
    assert tel.value("otelcol_exporter_sent_metric_points_total", {"exporter": "awsemf"}) == 4
