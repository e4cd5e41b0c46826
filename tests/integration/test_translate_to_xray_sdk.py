"""Spans recorded by the real OpenTelemetry SDK (X-Ray id generator), OTLP-encoded by the upstream encoder,
translated to X-Ray segment documents."""

from __future__ import annotations

import json
import time

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray import translate_spans

pytestmark = pytest.mark.integration


def _load_user(user_id: str) -> None:
    raise KeyError(user_id)  # the frame the traceback must name


def _record() -> tuple[list, int]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(id_generator=AwsXRayIdGenerator(),
                              resource=Resource.create({"service.name": "users-api", "service.version": "2.0.1"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("otelray.test")
    with tracer.start_as_current_span("GET /users/{id}", kind=SpanKind.SERVER, attributes={
        "http.request.method": "GET", "url.scheme": "http", "url.path": "/users/42", "server.address": "api.local",
        "server.port": 8080, "http.route": "/users/{id}", "http.response.status_code": 404,
    }):
        with tracer.start_as_current_span("DynamoDB.GetItem", kind=SpanKind.CLIENT, attributes={
            "rpc.system": "aws-api", "rpc.service": "DynamoDB", "rpc.method": "GetItem", "aws.region": "eu-west-1",
            "aws.dynamodb.table_names": ["users"], "http.status_code": 200,
        }):
            pass
        with tracer.start_as_current_span("load user") as span:
            try:
                _load_user("42")
            except KeyError as exc:
                line = exc.__traceback__.tb_next.tb_frame.f_lineno if exc.__traceback__.tb_next else 0
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, "user not found"))
    provider.shutdown()
    return list(exporter.get_finished_spans()), line


def test_sdk_spans_become_xray_documents() -> None:
    spans, raise_line = _record()
    request = encode_spans(spans)
    result = translate_spans(request.resource_spans, now=time.time(),
                             options=TranslateOptions(skip_timestamp_validation=False, validate_documents=True))
    assert result.errors == []
    documents = {doc["name"]: doc for doc in map(json.loads, result.documents)}
    assert set(documents) == {"users-api", "DynamoDB", "load user"}

    server = next(s for s in spans if s.name == "GET /users/{id}")
    trace_hex = f"{server.context.trace_id:032x}"
    server_id = f"{server.context.span_id:016x}"
    assert {doc["trace_id"] for doc in documents.values()} == {f"1-{trace_hex[:8]}-{trace_hex[8:]}"}

    segment = documents["users-api"]
    assert "type" not in segment and segment["id"] == server_id
    assert segment["http"] == {"request": {"method": "GET", "url": "http://api.local:8080/users/42"},
                               "response": {"status": 404, "content_length": 0}}
    assert (segment["error"], segment["fault"], segment["throttle"]) == (True, False, False)
    assert segment["service"] == {"version": "2.0.1"}
    assert segment["metadata"]["default"]["otel.resource.telemetry.sdk.language"] == "python"
    assert segment["aws"]["xray"]["sdk"] == "opentelemetry for python"

    dynamodb = documents["DynamoDB"]
    assert dynamodb["type"] == "subsegment" and dynamodb["parent_id"] == server_id and dynamodb["namespace"] == "aws"
    assert dynamodb["aws"]["operation"] == "GetItem" and dynamodb["aws"]["table_name"] == "users"

    failed = documents["load user"]
    assert failed["type"] == "subsegment" and failed["fault"] is True
    (exception,) = failed["cause"]["exceptions"]
    assert exception["type"] == "KeyError" and exception["message"] == "'42'" and exception["remote"] is False
    innermost = exception["stack"][0]
    assert innermost["path"] == __file__ and innermost["label"] == "_load_user" and innermost["line"] == raise_line
    assert exception["stack"][1]["label"] == "_record"
