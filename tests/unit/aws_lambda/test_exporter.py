"""The in-function exporter: SDK spans → X-Ray segment documents → daemon datagrams on UDP."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.trace import SpanKind

from otelray.aws_lambda.exporter import XRayUdpSpanExporter, parse_daemon_address
from otelray.xray.wire import HEADER


@pytest.fixture
def udp() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2)
    yield sock
    sock.close()


def test_spans_arrive_as_daemon_datagrams(udp: socket.socket) -> None:
    exporter = XRayUdpSpanExporter(udp.getsockname())
    provider = TracerProvider(id_generator=AwsXRayIdGenerator(), resource=Resource.create({"service.name": "orders"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("orders", kind=SpanKind.SERVER), tracer.start_as_current_span(
        "DynamoDB.PutItem", kind=SpanKind.CLIENT,
        attributes={"rpc.system": "aws-api", "rpc.service": "DynamoDB", "rpc.method": "PutItem"},
    ):
        pass
    documents = []
    for _ in range(2):
        header, _, body = udp.recv(65536).partition(b"\n")
        assert header == HEADER
        documents.append(json.loads(body))
    child, root = documents
    assert root["name"] == "orders" and "parent_id" not in root
    assert child["type"] == "subsegment" and child["parent_id"] == root["id"]
    assert child["namespace"] == "aws" and child["aws"]["operation"] == "PutItem"
    assert exporter.sent == 2 and exporter.dropped == {}
    provider.shutdown()


def test_unsendable_documents_are_counted_not_raised() -> None:
    exporter = XRayUdpSpanExporter(("127.0.0.1", 9))
    exporter.shutdown()  # a closed socket: every send fails
    provider = TracerProvider(id_generator=AwsXRayIdGenerator())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    provider.get_tracer("t").start_span("x").end()
    assert exporter.dropped == {"send_failed": 1}
    assert exporter.export([]) == SpanExportResult.SUCCESS


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ("127.0.0.1", 2000)), ("169.254.79.129:2000", ("169.254.79.129", 2000)),
     ("tcp:127.0.0.1:2001 udp:127.0.0.2:2002", ("127.0.0.2", 2002))],
)
def test_daemon_address(value: str | None, expected: tuple[str, int]) -> None:
    assert parse_daemon_address(value) == expected


@pytest.mark.parametrize("value", ["localhost", ":2000", "host:0", "host:x", "host:70000"])
def test_bad_daemon_address_is_named(value: str) -> None:
    with pytest.raises(ValueError, match="AWS_XRAY_DAEMON_ADDRESS"):
        parse_daemon_address(value)


def test_native_and_python_translation_send_the_same_datagrams(udp: socket.socket, monkeypatch) -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from otelray.translate.to_xray.request import PURE_PYTHON_ENV, native_available

    memory = InMemorySpanExporter()
    provider = TracerProvider(id_generator=AwsXRayIdGenerator(), resource=Resource.create({"service.name": "orders"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("orders", kind=SpanKind.SERVER, attributes={
        "http.request.method": "POST", "url.path": "/orders", "http.response.status_code": 201,
    }), tracer.start_as_current_span("DynamoDB.PutItem", kind=SpanKind.CLIENT, attributes={
        "rpc.system": "aws-api", "rpc.service": "DynamoDB", "rpc.method": "PutItem",
    }):
        pass
    spans = memory.get_finished_spans()

    def datagrams(exporter: XRayUdpSpanExporter) -> list[bytes]:
        assert exporter.export(spans) == SpanExportResult.SUCCESS
        return sorted(udp.recv(65536) for _ in spans)

    monkeypatch.delenv(PURE_PYTHON_ENV, raising=False)
    built = native_available()
    native = XRayUdpSpanExporter(udp.getsockname())
    native_datagrams = datagrams(native)
    monkeypatch.setenv(PURE_PYTHON_ENV, "1")
    python = XRayUdpSpanExporter(udp.getsockname())
    assert datagrams(python) == native_datagrams
    assert python.native_spans == 0
    assert native.native_spans == (2 if built else 0)
    native.shutdown()
    python.shutdown()
    provider.shutdown()
