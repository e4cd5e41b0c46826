from __future__ import annotations

import asyncio
import json
import logging

import pytest

from otelray.collector.aws.session import make_session
from otelray.collector.aws.xray_client import XRayClient, XRayClientOptions
from otelray.collector.errors import PermanentError, RetryableError
from otelray.collector.exporters.awsxray.config import XRayTelemetryConfig
from otelray.collector.exporters.awsxray.telemetry import TelemetryRecorder
from tests.unit.collector.aws.capture_server import ACCESS_KEY, SECRET_KEY, CaptureServer


@pytest.fixture
def aws_env(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


def _recorder(url: str) -> TelemetryRecorder:
    client = XRayClient(make_session("us-east-1"), XRayClientOptions(region="us-east-1", endpoint=url, max_retries=1))
    config = XRayTelemetryConfig(enabled=True, include_metadata=True, hostname="host-1", instance_id="i-123")
    return TelemetryRecorder(client, config, "arn:aws:ec2:us-east-1:1:instance/i-123", logging.getLogger("t"))


def test_records_counts_and_metadata(aws_env) -> None:
    capture = CaptureServer(reply=b"{}").start()
    try:
        recorder = _recorder(capture.url)
        recorder.received(10, rejected=1)
        recorder.sent(8, rejected=1)
        recorder.connection_error(PermanentError("X-Ray: AccessDeniedException"))
        recorder.connection_error(RetryableError("Could not connect to the endpoint URL: connection refused"))
        asyncio.run(recorder.flush())
    finally:
        capture.stop()
    (request,) = capture.requests
    assert request.path == "/TelemetryRecords" and request.signature_valid
    body = json.loads(request.body)
    assert body["Hostname"] == "host-1" and body["EC2InstanceId"] == "i-123"
    (record,) = body["TelemetryRecords"]
    assert (record["SegmentsReceivedCount"], record["SegmentsSentCount"], record["SegmentsRejectedCount"]) == (10, 8, 2)
    errors = record["BackendConnectionErrors"]
    assert errors["HTTPCode4XXCount"] == 1 and errors["ConnectionRefusedCount"] == 1


def test_failed_send_keeps_counts_for_the_next_record(aws_env) -> None:
    recorder = _recorder("http://127.0.0.1:9")
    recorder.received(5)
    asyncio.run(recorder.flush())
    assert recorder.record()["SegmentsReceivedCount"] == 5
