"""The orchestrator and batch: segment vs subsegment, local roots, per-span errors (reference §1.1–1.2, §1.16)."""

from __future__ import annotations

import json
import math

from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray import translate_spans
from tests.unit.translate.to_xray.golden import counter_ids, make_span, request_of

NOW = 1_700_000_100.0
SERVER, CLIENT, CONSUMER, PRODUCER = (Span.SPAN_KIND_SERVER, Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_CONSUMER,
                                      Span.SPAN_KIND_PRODUCER)


def translate(spans: list[Span], resource: dict | None = None, **options: object) -> tuple[list[dict], list]:
    result = translate_spans(request_of(spans, resource), options=TranslateOptions(**options), now=NOW,
                             new_id=counter_ids())
    return [json.loads(document) for document in result.documents], result.errors


def test_subsegment_iff_not_server_or_consumer_and_has_parent() -> None:
    parent = "0a0a0a0a0a0a0a0a"
    docs, _ = translate([
        make_span(kind=CLIENT, parent=parent, span_id="0000000000000011"),
        make_span(kind=PRODUCER, parent=parent, span_id="0000000000000012"),
        make_span(kind=SERVER, parent=parent, span_id="0000000000000013"),
        make_span(kind=CONSUMER, parent=parent, span_id="0000000000000014"),
        make_span(kind=CLIENT, span_id="0000000000000015"),
    ], {"service.name": "svc"})
    assert [d.get("type") for d in docs] == ["subsegment", "subsegment", None, None, None]
    assert [d.get("parent_id") for d in docs] == [parent] * 4 + [None]
    # resource attributes only on segments
    assert ["metadata" in d for d in docs] == [False, False, True, True, True]


def test_client_local_root_becomes_dependency_subsegment_and_service_segment() -> None:
    span = make_span({"aws.span.kind": "LOCAL_ROOT", "aws.local.service": "orders", "aws.remote.service": "billing",
                      "http.method": "GET", "http.url": "http://billing/x"}, kind=CLIENT, parent="0a0a0a0a0a0a0a0a")
    docs, errors = translate([span])
    assert errors == []
    dependency, service = docs
    assert dependency["type"] == "subsegment" and dependency["namespace"] == "remote"
    assert dependency["name"] == "billing" and dependency["parent_id"] == service["id"] == "0000000000000001"
    assert service["name"] == "orders" and service["parent_id"] == "0a0a0a0a0a0a0a0a"
    assert "type" not in service and "namespace" not in service and "http" not in service


def test_one_bad_span_does_not_stop_the_batch() -> None:
    spans = [
        make_span({"x": math.nan}, span_id="0000000000000001"),
        make_span({"big": "x" * 70_000}, span_id="0000000000000002"),
        make_span(span_id="0000000000000003", trace_id=b"\x01" * 8),
        make_span(span_id="0000000000000004"),
    ]
    spans.append(make_span(span_id="0000000000000005"))
    spans[-1].span_id = b""
    docs, errors = translate(spans)
    assert [d["id"] for d in docs] == ["0000000000000004"]
    assert [(e.item_id, e.code) for e in errors] == [
        ("0000000000000001", "unencodable_value"), ("0000000000000002", "DocumentTooLarge"),
        ("0000000000000003", "invalid_trace_id"), ("", "invalid_span_id"),
    ]
    assert "70" in errors[1].reason and "65536" in errors[1].reason


def test_nan_in_a_consumed_attribute_is_harmless() -> None:
    docs, errors = translate([make_span({"http.status_code": math.nan, "http.method": "GET"})])
    assert errors == [] and docs[0]["http"]["response"]["status"] == 0


def test_validate_documents_reports_what_xray_would_refuse() -> None:
    spans = [make_span({"aws.local.service": "bad|name"}, span_id="0000000000000001"),
             make_span({"enduser.id": "u" * 300}, span_id="0000000000000002"),
             make_span({"aws.local.service": "good"}, span_id="0000000000000003")]
    docs, errors = translate(spans)
    assert len(docs) == 3 and errors == []  # like the exporter: the service decides
    docs, errors = translate(spans, validate_documents=True)
    assert [d["name"] for d in docs] == ["good"]
    assert [(e.item_id, e.code) for e in errors] == [("0000000000000001", "InvalidName"),
                                                    ("0000000000000002", "InvalidField")]
    assert "user must be at most 250 characters" in errors[1].reason


def test_documents_are_exact_go_bytes() -> None:
    span = make_span({"http.method": "GET", "http.url": "http://x/?a=<b>&c", "enduser.id": "u-1"},
                     span_id="00f067aa0ba902b7")
    result = translate_spans(request_of([span], {"service.name": "svc"}), options=TranslateOptions(), now=NOW)
    assert result.documents == [
        '{"name":"svc","id":"00f067aa0ba902b7","start_time":1700000000.1234567,"user":"u-1",'
        '"trace_id":"1-6553f100-3fd5b1e8c0b1a2d3e4f50617","end_time":1700000000.1484568,'
        '"http":{"request":{"method":"GET","url":"http://x/?a=\\u003cb\\u003e\\u0026c"},'
        '"response":{"content_length":0}},"fault":false,"error":false,"throttle":false,'
        '"aws":{"xray":{"auto_instrumentation":false}},"metadata":{"default":{"otel.resource.service.name":"svc"}}}\n'
    ]
