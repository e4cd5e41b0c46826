from __future__ import annotations

import time

import pytest
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader

from otelray.distro.metric_export import GuardedMetricExporter
from tests.unit.distro.test_exporter import _closed_port


def test_unreachable_metrics_endpoint_one_warning_and_quick_shutdown(caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1/metrics"
    inner = OTLPMetricExporter(endpoint=url, preferred_temporality={})
    guard = GuardedMetricExporter(inner, url)
    provider = MeterProvider(metric_readers=[PeriodicExportingMetricReader(guard, export_interval_millis=60_000)],
                             shutdown_on_exit=False)
    provider.get_meter("m").create_counter("hits").add(3)
    guard.begin_shutdown(prepare=False)  # what the exit hook does
    start = time.monotonic()
    provider.shutdown()
    assert time.monotonic() - start < 1.0
    assert caplog.messages == [f"otelray: cannot export metrics to {url} (connection refused); dropping them until it answers"]
    assert (guard.dropped, guard.failed_exports) == (1, 1)


def test_temporality_preferences_pass_through() -> None:
    from opentelemetry.sdk.metrics import Counter

    inner = OTLPMetricExporter(endpoint="http://127.0.0.1:9/v1/metrics",
                               preferred_temporality={Counter: AggregationTemporality.DELTA})
    guard = GuardedMetricExporter(inner, "x")
    assert guard._preferred_temporality[Counter] is AggregationTemporality.DELTA
