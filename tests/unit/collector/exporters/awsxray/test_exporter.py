from __future__ import annotations

import asyncio
import json

import pytest

from otelray.collector.component import Kind, Signal
from otelray.collector.errors import ComponentError
from otelray.collector.exporters.awsxray import AwsXrayExporterConfig, factory
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import NopHost, make_settings, sample_batch
from tests.unit.collector.aws.capture_server import ACCESS_KEY, SECRET_KEY, CaptureServer


@pytest.fixture
def aws_env(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


def _export(config: dict, batch, telemetry: Telemetry) -> None:
    async def main() -> None:
        settings = make_settings("awsxray", Kind.EXPORTER, signal=Signal.TRACES, telemetry=telemetry)
        exporter = factory.create(Signal.TRACES, settings, AwsXrayExporterConfig.model_validate(config))
        await exporter.start(NopHost())
        try:
            await exporter.consume_traces(batch)
        finally:
            await exporter.shutdown()

    asyncio.run(main())


def test_spans_go_out_signed_in_chunks_of_50(aws_env) -> None:
    capture = CaptureServer().start()
    telemetry = Telemetry()
    try:
        cfg = {"region": "us-east-1", "endpoint": capture.url, "sending_queue": {"enabled": False}}
        _export(cfg, sample_batch(Signal.TRACES, 120), telemetry)
    finally:
        capture.stop()
    sizes = [len(json.loads(r.body)["TraceSegmentDocuments"]) for r in capture.requests]
    assert sorted(sizes) == [20, 50, 50]
    assert all(r.path == "/TraceSegments" and r.signature_valid for r in capture.requests)
    assert all("/us-east-1/xray/aws4_request" in r.headers["Authorization"] for r in capture.requests)
    assert all("xray-otel-exporter/" in r.headers["User-Agent"] for r in capture.requests)
    assert all(float(r.headers["X-Amzn-Xray-Timestamp"]) > 0 for r in capture.requests)
    documents = [json.loads(d) for r in capture.requests for d in json.loads(r.body)["TraceSegmentDocuments"]]
    assert len({d["id"] for d in documents}) == 120
    assert {d["name"] for d in documents} == {"sample"}  # server spans are named after service.name
    assert telemetry.value("otelcol_exporter_sent_spans_total", {"exporter": "awsxray"}) == 120


def test_untranslatable_spans_are_counted_and_the_rest_sent(aws_env) -> None:
    capture = CaptureServer().start()
    telemetry = Telemetry()
    batch = sample_batch(Signal.TRACES, 3)
    batch.resource_spans[0].scope_spans[0].spans[1].trace_id = b"\x01\x02"  # not 16 bytes
    try:
        _export({"region": "us-east-1", "endpoint": capture.url, "sending_queue": {"enabled": False}}, batch, telemetry)
    finally:
        capture.stop()
    (request,) = capture.requests
    assert len(json.loads(request.body)["TraceSegmentDocuments"]) == 2
    assert telemetry.value("otelcol_exporter_awsxray_translation_errors_total",
                           {"exporter": "awsxray", "code": "invalid_trace_id"}) == 1
    assert telemetry.value("otelcol_exporter_partially_rejected_spans_total", {"exporter": "awsxray"}) == 1


def test_no_region_fails_start_with_the_fix(monkeypatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ComponentError, match="could not determine the AWS region.*set `region`"):
        _export({"local_mode": True}, sample_batch(Signal.TRACES), Telemetry())


def test_unprocessed_segments_are_counted_by_code(aws_env, caplog) -> None:
    reply = b'{"UnprocessedTraceSegments":[{"Id":"0000000000000001","ErrorCode":"InvalidTraceId","Message":"m"}]}'
    capture = CaptureServer(reply=reply).start()
    telemetry = Telemetry()
    try:
        _export({"region": "us-east-1", "endpoint": capture.url, "sending_queue": {"enabled": False}},
                sample_batch(Signal.TRACES, 2), telemetry)
    finally:
        capture.stop()
    assert telemetry.value("otelcol_exporter_awsxray_unprocessed_segments_total",
                           {"exporter": "awsxray", "code": "InvalidTraceId"}) == 1
    assert telemetry.value("otelcol_exporter_partially_rejected_spans_total", {"exporter": "awsxray"}) == 1
    assert "X-Ray did not process 1 of 2 segment documents (InvalidTraceId=1)" in caplog.text
