"""Span shapes the C extension translates itself: local roots, links, Unicode names, exception events.

Each case checks two things a user relies on: the documents are exactly those of the Python
translator (ids included), and the span really took the native path (``native_spans``), so the
speed of ``translate_request`` does not silently fall back for common ADOT spans.
"""

from __future__ import annotations

import itertools

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray.request import native_available, translate_request
from tests.unit.translate.to_xray.test_request import assert_same

pytestmark = pytest.mark.skipif(not native_available(), reason="the C extension is not available")

TRACE_ID = bytes.fromhex("5f84c7a1" + "ab" * 12)
NOW = 1_700_000_100.0
OPTIONS = [TranslateOptions(), TranslateOptions(index_all_attributes=True),
           TranslateOptions(indexed_attributes=("aws.remote.service", "http.method", "otel.resource.service.name"))]


def _kv(key: str, value: object) -> KeyValue:
    if value is None:
        return KeyValue(key=key)
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=str(value)))


def _request(span: Span, resource: dict[str, object] | None = None) -> bytes:
    rs = ResourceSpans()
    for key, value in (resource if resource is not None else {"service.name": "shop", "cloud.provider": "aws"}).items():
        rs.resource.attributes.append(_kv(key, value))
    rs.scope_spans.add().spans.append(span)
    return ExportTraceServiceRequest(resource_spans=[rs]).SerializeToString()


def _span(kind: int, attrs: dict[str, object], parent: bytes = b"", name: str = "op") -> Span:
    span = Span(trace_id=TRACE_ID, span_id=b"\x02" * 8, parent_span_id=parent, name=name, kind=kind,
                start_time_unix_nano=1_700_000_000_123_456_789, end_time_unix_nano=1_700_000_001_000_000_000)
    span.attributes.extend(_kv(key, value) for key, value in attrs.items())
    return span


def _native_and_same(payload: bytes, options: TranslateOptions) -> list[str]:
    assert_same(payload, options, NOW)
    result = translate_request(payload, options=options, now=NOW)
    assert result.errors == []
    assert result.native_spans == 1
    return result.documents


_EXTRAS = [
    {},
    {"aws.local.service": "checkout"},
    {"aws.local.service": None},
    {"aws.remote.service": "AWS.SDK.S3", "rpc.system": "aws-api", "rpc.method": "GetObject", "aws.region": "eu-west-1"},
    {"http.method": "GET", "http.url": "http://inventory/items", "http.status_code": 503},
    {"remoteTarget": "bucket", "K8s.RemoteNamespace": "prod", "aws.remote.operation": "GetObject"},
    {"db.system": "mysql", "db.name": "orders"},
]


@pytest.mark.parametrize("kind", range(6))
@pytest.mark.parametrize("extras", list(itertools.combinations(_EXTRAS, 2)), ids=lambda pair: "+".join(
    next(iter(extra), "none") for extra in pair))
def test_local_roots(kind: int, extras: tuple[dict, dict]) -> None:
    attrs = {"aws.span.kind": "LOCAL_ROOT", "custom": "x", **extras[0], **extras[1]}
    span = _span(kind, attrs, parent=b"\x01" * 8)
    span.status.code, span.status.message = 2, "boom"
    if kind in (Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_CONSUMER):
        span.links.add(trace_id=bytes.fromhex("5f84c7a1" + "cd" * 12), span_id=b"\x09" * 8)
    for options in OPTIONS:
        documents = _native_and_same(_request(span), options)
        split = kind in (Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_PRODUCER, Span.SPAN_KIND_CONSUMER)
        assert len(documents) == (2 if split else 1)


def test_split_local_root_links_call_and_service() -> None:
    span = _span(Span.SPAN_KIND_CLIENT, {"aws.span.kind": "LOCAL_ROOT", "aws.remote.service": "AWS::DynamoDB",
                                         "rpc.system": "aws-api", "aws.local.service": "checkout"})
    call, service = _native_and_same(_request(span), TranslateOptions())
    assert '"name":"DynamoDB"' in call and '"type":"subsegment"' in call and '"namespace":"aws"' in call
    assert '"name":"checkout"' in service and '"type"' not in service and '"namespace"' not in service
    service_id = service.split('"id":"', 1)[1][:16]
    assert f'"parent_id":"{service_id}"' in call


@pytest.mark.parametrize("trace_id", [TRACE_ID, bytes(16), b"\x01" * 15, bytes.fromhex("00000001" + "ab" * 12)])
@pytest.mark.parametrize("span_id", [b"", bytes(8), b"\x01" * 8, b"\x01" * 7])
def test_links(trace_id: bytes, span_id: bytes) -> None:
    span = _span(Span.SPAN_KIND_CONSUMER, {"messaging.system": "sqs"})
    link = span.links.add(trace_id=trace_id, span_id=span_id)
    link.attributes.extend([_kv("z", 1), _kv("a", "<b>"), _kv("a", "later wins"), _kv("empty", None),
                            KeyValue(key="list", value=AnyValue(array_value=ArrayValue(values=[AnyValue(double_value=0.5)])))])
    for options in (TranslateOptions(), TranslateOptions(skip_timestamp_validation=False)):
        payload = _request(span)
        assert_same(payload, options, NOW)
        result = translate_request(payload, options=options, now=NOW)
        if result.documents:
            assert result.native_spans == 1
            assert '"attributes":{"a":"later wins","empty":null,"list":[0.5],"z":1}' in result.documents[0]


@pytest.mark.parametrize("name", ["商品を検索", "GET /users/{id} → ok", "naïve café", "a" * 197 + "日本", "a" * 198 + "é" * 3,
                                  "𝐀" * 70, "!!!", ""])
def test_unicode_names(name: str) -> None:
    documents = _native_and_same(_request(_span(Span.SPAN_KIND_INTERNAL, {}, name=name)), TranslateOptions())
    assert documents[0].startswith('{"name":"')


def test_exception_events_are_native_with_python_stack_traces() -> None:
    span = _span(Span.SPAN_KIND_SERVER, {"http.method": "GET", "http.status_code": 500})
    event = span.events.add(name="exception", time_unix_nano=span.end_time_unix_nano)
    event.attributes.extend([_kv("exception.type", "KeyError"), _kv("exception.message", "'u-42'"),
                             _kv("exception.stacktrace", 'Traceback (most recent call last):\n  File "/srv/app.py", '
                                 'line 4, in get\n    raise KeyError(user)\nKeyError: \'u-42\'')])
    payload = _request(span, {"service.name": "api", "telemetry.sdk.language": "python"})
    (document,) = _native_and_same(payload, TranslateOptions())
    assert '"type":"KeyError"' in document and '"path":"/srv/app.py"' in document


def _listed(*keys: str) -> KeyValue:
    values = [AnyValue(string_value=key) for key in keys] + [AnyValue(int_value=5)]
    return KeyValue(key="aws.xray.annotations", value=AnyValue(array_value=ArrayValue(values=values)))


@pytest.mark.parametrize("options", OPTIONS + [TranslateOptions(allow_dot_in_annotation_keys=False)])
def test_annotation_lists_name_span_attributes(options: TranslateOptions) -> None:
    span = _span(Span.SPAN_KIND_SERVER, {"order.id": "o-1", "http.method": "GET", "cart.size": 3})
    span.attributes.append(_listed("order.id", "cart.size", "absent"))
    (document,) = _native_and_same(_request(span), options)
    assert '"aws.xray.annotations"' not in document
    assert ('"order.id":"o-1"' if options.allow_dot_in_annotation_keys else '"order_id":"o-1"') in document


def test_annotation_list_naming_a_resource_attribute_is_left_to_python() -> None:
    span = _span(Span.SPAN_KIND_SERVER, {"order.id": "o-1"})
    span.attributes.append(_listed("otel.resource.service.name"))
    payload = _request(span)
    assert_same(payload, TranslateOptions(), NOW)
    result = translate_request(payload, options=TranslateOptions(), now=NOW)
    assert result.native_spans == 0 and '"otel.resource.service.name":"shop"' in result.documents[0]


@pytest.mark.parametrize("value", ['{"b":[1.5,"<x>",null,true],"a":{"z":1,"y":2}}', "null", "{}", "not json",
                                   '{"a":1,"a":2}', '{"big":123456789012345678901234567890}'])
@pytest.mark.parametrize("namespace", ["default", "DEFAULT", "orders", ""])
def test_metadata_namespaces(value: str, namespace: str) -> None:
    span = _span(Span.SPAN_KIND_SERVER, {f"aws.xray.metadata.{namespace}": value, "plain": "p"})
    (document,) = _native_and_same(_request(span), TranslateOptions())
    assert '"metadata":{' in document and '"plain":"p"' in document


def test_repeated_keys_keep_the_first_place_and_the_last_value() -> None:
    span = _span(Span.SPAN_KIND_CLIENT, {"http.method": "GET", "db.system": "mysql"}, parent=b"\x01" * 8)
    span.attributes.extend([_kv("http.method", "POST"), _kv("x", "1"), _kv("x", "2"), _kv("aws.span.kind", "LOCAL_ROOT")])
    documents = _native_and_same(_request(span), TranslateOptions(indexed_attributes=("x",)))
    assert '"method":"POST"' in documents[0] and '"annotations":{"x":"2"}' in documents[0]
