"""Property tests: arbitrary spans never break the translator, and what it emits X-Ray accepts."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray import translate_spans
from otelray.xray.segment import MAX_DOCUMENT_BYTES
from otelray.xray.validate import validate_document
from tests.unit.translate.to_xray.golden import any_value, key_values, request_of

NOW = 1_700_000_100.0
KNOWN_KEYS = [
    "http.method", "http.request.method", "http.url", "url.full", "http.scheme", "url.scheme", "http.host", "http.target",
    "http.server_name", "net.host.port", "host.name", "net.host.name", "net.peer.name", "net.peer.port", "net.peer.ip",
    "network.peer.address", "client.address", "http.client_ip", "url.path", "url.query", "server.address",
    "server.port", "http.status_code", "http.response.status_code", "http.user_agent", "user_agent.original",
    "http.status_text", "rpc.system", "rpc.method", "rpc.service", "aws.operation", "aws.account_id", "aws.region",
    "aws.request_id", "aws.queue_url", "aws.table_name", "aws.dynamodb.table_names", "messaging.url", "db.system",
    "db.name", "db.statement", "db.user", "db.connection_string", "enduser.id", "peer.service", "aws.service",
    "aws.local.service", "aws.remote.service", "aws.span.kind", "aws.xray.annotations", "aws.xray.metadata.ns",
    "aws.xray.metadata.default", "aws.xray.inprogress", "message.type", "messaging.message_payload_size_bytes",
]
# Text X-Ray accepts wherever the exporter copies attribute text into a constrained field (names).
SAFE_TEXT = st.text(alphabet="abcXYZ019 _.:/%&#=+-@é", min_size=1, max_size=30)
SCALARS = st.one_of(
    st.text(max_size=40), st.integers(-(2**63), 2**63 - 1), st.booleans(), st.binary(max_size=10),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["aws-api", "LOCAL_ROOT", "mysql", "RECEIVED",
                                                                    "10.0.0.1", "::1", '{"a": 1}', "[1]"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                           max_size=3), max_leaves=8)
KEYS = st.sampled_from(KNOWN_KEYS) | st.text(max_size=20)
KINDS = st.sampled_from([Span.SPAN_KIND_UNSPECIFIED, Span.SPAN_KIND_INTERNAL, Span.SPAN_KIND_SERVER,
                         Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_PRODUCER, Span.SPAN_KIND_CONSUMER])
LANGUAGES = st.sampled_from(["python", "java", "javascript", "dotnet", "go", "php", "rust", ""])


@st.composite
def spans(draw: st.DrawFn, values: st.SearchStrategy[Any], keys: st.SearchStrategy[str]) -> Span:
    attrs = draw(st.dictionaries(keys, values, max_size=10))
    span = Span(
        trace_id=draw(st.binary(min_size=16, max_size=16)), span_id=draw(st.binary(min_size=8, max_size=8)),
        parent_span_id=draw(st.sampled_from([b"", b"\x00" * 8]) | st.binary(min_size=8, max_size=8)),
        name=draw(st.text(max_size=60)), kind=draw(KINDS),
        start_time_unix_nano=draw(st.integers(0, 2**63)), end_time_unix_nano=draw(st.integers(0, 2**63)),
        attributes=key_values(attrs),
    )
    span.status.code = draw(st.integers(0, 2))
    span.status.message = draw(st.text(max_size=20))
    for _ in range(draw(st.integers(0, 2))):
        event = span.events.add(name=draw(st.sampled_from(["exception", "HTTP request failure", "other"])))
        event.attributes.extend(key_values(draw(st.dictionaries(
            st.sampled_from(["exception.type", "exception.message", "exception.stacktrace", "message.type",
                             "http.response.status_code", "aws.http.error_message"]), values, max_size=4))))
    for _ in range(draw(st.integers(0, 2))):
        link = span.links.add(trace_id=draw(st.binary(min_size=16, max_size=16)),
                              span_id=draw(st.binary(min_size=8, max_size=8)))
        link.attributes.extend(key_values(draw(st.dictionaries(st.text(max_size=5), values, max_size=2))))
    return span


@st.composite
def batches(draw: st.DrawFn, values: st.SearchStrategy[Any], keys: st.SearchStrategy[str]) -> list[ResourceSpans]:
    resource = draw(st.dictionaries(st.sampled_from(["service.name", "telemetry.sdk.language", "cloud.provider",
                                                     "cloud.platform", "host.id", "aws.log.group.names",
                                                     "k8s.cluster.name", "service.version"]) | st.text(max_size=10),
                                    values, max_size=6))
    resource["telemetry.sdk.language"] = draw(LANGUAGES)
    return request_of(draw(st.lists(spans(values, keys), min_size=1, max_size=2)), resource)


OPTIONS = st.builds(TranslateOptions, indexed_attributes=st.lists(st.sampled_from(KNOWN_KEYS), max_size=4),
                    index_all_attributes=st.booleans(), skip_timestamp_validation=st.booleans(),
                    allow_dot_in_annotation_keys=st.booleans())


def _span_count(batch: list[ResourceSpans]) -> int:
    return sum(len(scope.spans) for rs in batch for scope in rs.scope_spans)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches(VALUES, KEYS), options=OPTIONS)
def test_arbitrary_spans_never_break_the_batch(batch: list[ResourceSpans], options: TranslateOptions) -> None:
    options = TranslateOptions(**{**{f: getattr(options, f) for f in ("indexed_attributes", "index_all_attributes",
                                                                     "skip_timestamp_validation",
                                                                     "allow_dot_in_annotation_keys")},
                                  "validate_documents": True})
    result = translate_spans(batch, options=options, now=NOW)
    assert not [error for error in result.errors if error.code == "internal_error"], result.errors
    for document in result.documents:
        assert document.endswith("\n") and len(document.encode("utf-8")) <= MAX_DOCUMENT_BYTES
        validate_document(json.loads(document))
    translated = {json.loads(doc)["id"] for doc in result.documents} | {error.item_id for error in result.errors}
    ids = {span.span_id.hex() for rs in batch for scope in rs.scope_spans for span in scope.spans}
    assert ids <= translated  # every span is a document or an error (local roots may add a document)
    assert len(result.errors) <= _span_count(batch)


SAFE_VALUES = st.one_of(SAFE_TEXT, st.integers(-1000, 1000), st.booleans(), st.floats(allow_nan=False,
                                                                                      allow_infinity=False))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches(SAFE_VALUES, st.sampled_from(KNOWN_KEYS) | SAFE_TEXT), options=OPTIONS)
def test_documents_from_well_formed_attributes_pass_xray_validation(batch: list[ResourceSpans],
                                                                    options: TranslateOptions) -> None:
    for rs in batch:
        for scope in rs.scope_spans:
            for span in scope.spans:
                span.trace_id = b"\x65\x53\xf1\x00" + span.trace_id[4:]  # an X-Ray id issued at NOW
                span.span_id = span.span_id if any(span.span_id) else b"\x01" * 8
                span.end_time_unix_nano = max(span.end_time_unix_nano, span.start_time_unix_nano)
                for link in span.links:
                    link.trace_id = b"\x65\x53\xf1\x00" + link.trace_id[4:]
    result = translate_spans(batch, options=options, now=NOW)
    assert [error.code for error in result.errors] == []
    for document in result.documents:
        validate_document(json.loads(document))


def test_any_value_helper_roundtrip() -> None:
    assert any_value({"a": [1, "x"]}).kvlist_value.values[0].value.array_value.values[1] == AnyValue(string_value="x")
