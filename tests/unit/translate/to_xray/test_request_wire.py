"""Differential tests at the wire level: malformed, merged, reordered and mutated payloads.

For each, ``translate_request`` (the C extension with its Python fallback) and ``translate_spans``
on the protobuf-decoded request give the same outcome: the same documents and errors, or the same
``DecodeError``. Helpers and strategies are shared with ``test_request``.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from otelray.translate.options import TranslateOptions
from tests.unit.translate.to_xray.golden import (
    START_NS,
    TRACE_ID,
    any_value,
)
from tests.unit.translate.to_xray.request_strategies import (
    MUTATION,
    NOW,
    OPTIONS,
    PYTHON_RESOURCE,
    PYTHON_TRACE,
    RESOURCE,
    SPAN,
    VALID,
    chunks,
    field,
    http_span,
    mutate,
    nested,
    requests,
    varint,
    wrap_span,
)
from tests.unit.translate.to_xray.test_request import assert_same

# --- payload level ---------------------------------------------------------------------------------------------


def test_valid_reference_payload_translates() -> None:
    documents, errors = assert_same(VALID)
    assert errors == [] and json.loads(documents[0])["http"]["request"]["method"] == "GET"


def test_every_truncation_gives_the_same_outcome() -> None:
    outcomes = {assert_same(VALID[:cut]) == "DecodeError" for cut in range(len(VALID))}
    assert outcomes == {True, False}  # some prefixes still decode (cut between fields), most do not


def _with_invalid_utf8(span: Span, marker: str) -> bytes:
    """The request around ``span`` with ``marker`` (placed in a string field) replaced by invalid UTF-8."""
    payload = wrap_span(span.SerializeToString(), RESOURCE)
    assert payload.count(marker.encode()) == 1
    return payload.replace(marker.encode(), b"\xff\xfe" + marker.encode()[2:])


def _span_with_event_attribute() -> Span:
    span = http_span()
    event = span.events.add(name="exception")
    event.attributes.extend([KeyValue(key="exception.message", value=any_value("QQZZ1"))])
    return span


def _span_with_link_state() -> Span:
    span = http_span()
    span.links.add(trace_id=TRACE_ID, span_id=b"\x09" * 8, trace_state="QQZZ2")
    return span


def _span_with_nested_key() -> Span:
    return http_span(attributes=[KeyValue(key="deep", value=any_value({"a": [{"QQZZ3": 1}]}))])


@pytest.mark.parametrize("make, marker", [
    (_span_with_event_attribute, "QQZZ1"), (_span_with_link_state, "QQZZ2"), (_span_with_nested_key, "QQZZ3"),
    (lambda: http_span(name="QQZZ4"), "QQZZ4"), (lambda: http_span(trace_state="QQZZ5"), "QQZZ5"),
], ids=["event-attribute", "link-trace-state", "nested-kvlist-key", "span-name", "span-trace-state"])
def test_invalid_utf8_deep_in_a_span(make: Callable[[], Span], marker: str) -> None:
    assert assert_same(_with_invalid_utf8(make(), marker)) == "DecodeError"


def test_invalid_utf8_in_scope_name_and_resource() -> None:
    scope = field(1, 2, field(1, 2, b"\xff\xfescope"))  # InstrumentationScope.name
    assert assert_same(wrap_span(SPAN, RESOURCE, scope_extra=scope)) == "DecodeError"
    resource = field(1, 2, field(1, 2, b"k") + field(2, 2, field(1, 2, b"\xc3(")))
    assert assert_same(wrap_span(SPAN, resource)) == "DecodeError"


@pytest.mark.parametrize("extra", [
    field(5, 0, 1),  # name as a varint
    field(6, 2, b"\x02"),  # kind as bytes
    field(1, 1, b"\x00" * 8),  # trace_id as fixed64
    field(7, 0, 5),  # start_time as a varint
    field(15, 0, 3),  # status as a varint
    field(9, 5, b"\x00" * 4),  # attributes as fixed32
], ids=["name-varint", "kind-bytes", "trace-id-fixed64", "start-varint", "status-varint", "attributes-fixed32"])
def test_wrong_wire_type_for_a_known_field(extra: bytes) -> None:
    assert_same(wrap_span(SPAN + extra, RESOURCE))


@pytest.mark.parametrize("extra", [
    field(99, 0, 7), field(100, 2, b"junk"), field(101, 1, b"\x01" * 8), field(102, 5, b"\x01" * 4),
    varint(103 << 3 | 3) + field(1, 0, 1) + varint(103 << 3 | 4),  # a group
    varint(104 << 3 | 6) + b"\x00",  # wire type 6 does not exist
    varint(105 << 3 | 4),  # an end-group with no start
    b"\x00\x00",  # field number 0
    field(100, 2, b"")[:-1] + b"\x7f",  # a length beyond the message
], ids=["varint", "bytes", "fixed64", "fixed32", "group", "wire-type-6", "lone-end-group", "field-0", "long-length"])
def test_unknown_fields(extra: bytes) -> None:
    for payload in (wrap_span(SPAN + extra, RESOURCE), wrap_span(SPAN, RESOURCE + extra),
                    wrap_span(SPAN, RESOURCE, scope_extra=extra), extra + VALID, VALID + extra):
        assert_same(payload)


def test_resource_field_twice_is_merged() -> None:
    second = Resource(attributes=[KeyValue(key="service.name", value=any_value("later")),
                                  KeyValue(key="service.version", value=any_value("2.0"))]).SerializeToString()
    rs = field(1, 2, RESOURCE) + field(2, 2, field(2, 2, SPAN)) + field(1, 2, second)
    documents, errors = assert_same(field(1, 2, rs))
    document = json.loads(documents[0])
    assert errors == [] and document["name"] == "later" and document["service"] == {"version": "2.0"}


def test_status_field_twice_is_merged() -> None:
    first = field(15, 2, Status(code=Status.STATUS_CODE_ERROR).SerializeToString())
    second = field(15, 2, Status(message="from the second").SerializeToString())
    documents, errors = assert_same(wrap_span(SPAN + first + second, RESOURCE))
    document = json.loads(documents[0])
    assert document["fault"] is True and document["cause"]["exceptions"][0]["message"] == "from the second"


@pytest.mark.parametrize("extra", [
    field(5, 2, b"second name"), field(1, 2, bytes(16)), field(2, 2, b"\x01" * 7), field(6, 0, 2**32 + 3),
    field(6, 0, -1), b"\x30\x83\x80\x80\x00",  # kind 3 in an overlong varint
    field(7, 1, (2**64 - 1).to_bytes(8, "little")), field(9, 2, field(1, 2, b"http.request.method")),
], ids=["name-twice", "zero-trace-id", "short-span-id", "kind-over-int32", "kind-negative", "kind-overlong",
        "start-max", "attribute-without-value"])
def test_later_scalar_fields_win(extra: bytes) -> None:
    assert_same(wrap_span(SPAN + extra, RESOURCE))


# Around 17 the extension's depth limit (deeper spans fall back), around 38 upb's (DecodeError).
@pytest.mark.parametrize("depth", [1, *range(14, 22), *range(34, 42), 60, 150])
def test_deeply_nested_values(depth: int) -> None:
    attribute = field(1, 2, b"deep") + field(2, 2, nested(depth))
    assert_same(wrap_span(SPAN + field(9, 2, attribute), RESOURCE))
    assert_same(wrap_span(SPAN, RESOURCE + field(1, 2, attribute)))


def test_every_field_of_every_message() -> None:
    """Flags, dropped counts, schema URLs, scope attributes and entity refs: read or skipped alike."""
    span = http_span(flags=0x301, dropped_attributes_count=3, dropped_events_count=4, dropped_links_count=5,
                      trace_state="k=v")
    span.links.add(trace_id=TRACE_ID, span_id=b"\x09" * 8, flags=1, dropped_attributes_count=2)
    event = span.events.add(name="message", time_unix_nano=START_NS, dropped_attributes_count=1)
    event.attributes.extend([KeyValue(key="message.type", value=any_value("RECEIVED")),
                             KeyValue(key="messaging.message_payload_size_bytes", value=any_value(42))])
    resource = Resource(attributes=[KeyValue(key="service.name", value=any_value("api"))], dropped_attributes_count=7)
    resource.entity_refs.add(schema_url="https://s", type="service", id_keys=["service.name"],
                             description_keys=["service.version"])
    request = ExportTraceServiceRequest()
    rs = request.resource_spans.add(resource=resource, schema_url="https://opentelemetry.io/schemas/1.26.0")
    scope = rs.scope_spans.add(schema_url="https://opentelemetry.io/schemas/1.21.0")
    scope.scope.name, scope.scope.version, scope.scope.dropped_attributes_count = "flask", "1.0", 2
    scope.scope.attributes.extend([KeyValue(key="k", value=any_value([1, 2]))])
    scope.spans.extend([span, http_span(span_id=b"\x0b" * 8)])
    documents, errors = assert_same(request.SerializeToString())
    assert errors == [] and len(documents) == 2
    bad_entity = rs.resource.SerializeToString().replace(b"service.version", b"\xffervice.version")
    assert assert_same(wrap_span(SPAN, bad_entity)) == "DecodeError"
    bad_schema = request.SerializeToString().replace(b"schemas/1.21.0", b"schemas/1.2\xc0\x80")
    assert assert_same(bad_schema) == "DecodeError"


_ARRAY_AB = field(5, 2, field(1, 2, field(1, 2, b"a")) + field(1, 2, field(1, 2, b"b")))
_KVLIST_K = field(6, 2, field(1, 2, field(1, 2, b"k") + field(2, 2, field(3, 0, 1))))


@pytest.mark.parametrize("value", [
    field(1, 2, b"x") + field(3, 0, 5), field(3, 0, 5) + field(1, 2, b"x"),  # oneof: the last member wins
    field(1, 2, b"x") + _ARRAY_AB, _ARRAY_AB + field(1, 2, b"x"), _ARRAY_AB + _ARRAY_AB,  # arrays merge
    _KVLIST_K + _KVLIST_K, _KVLIST_K + field(4, 1, struct.pack("<d", 0.5)),
    field(2, 0, 2), field(2, 0, 2**40), field(2, 0, 0),  # bool varints other than 0/1
    field(3, 0, -1), field(3, 0, 2**64 - 1), field(4, 1, b"\x00\x00\x00\x00\x00\x00\xf8\x7f"),  # NaN
    field(4, 1, b"\x01\x00\x00\x00\x00\x00\xf0\x7f"), field(4, 1, b"\x00" * 7 + b"\x80"),  # sNaN, -0.0
    field(7, 2, b""), field(1, 2, b""), b"", field(8, 0, 3), field(8, 0, 3) + field(1, 2, b"s"),
], ids=lambda value: value.hex() or "empty")
@pytest.mark.parametrize("index_all", [False, True])
def test_any_value_wire_forms(value: bytes, index_all: bool) -> None:
    """Every way a value can be written on the wire, as a span attribute and inside a key/value list."""
    options = TranslateOptions(index_all_attributes=index_all)
    for attribute in (field(1, 2, b"v") + field(2, 2, value), field(1, 2, b"v") + field(2, 2, value) + field(2, 2, value),
                      field(1, 2, b"m") + field(2, 2, field(6, 2, field(1, 2, field(1, 2, b"in") + field(2, 2, value))))):
        assert_same(wrap_span(SPAN + field(9, 2, attribute), RESOURCE), options)


@pytest.mark.parametrize("code", [0, 1, 2, 3, -1, 2**32 + 2, 2**31, 2**63 + 2])
def test_status_codes_on_the_wire(code: int) -> None:
    status = field(3, 0, code) + field(2, 2, b"msg")
    assert_same(wrap_span(SPAN + field(15, 2, status), RESOURCE))
    assert_same(wrap_span(SPAN + field(15, 2, status) + field(15, 2, field(3, 0, 2)), RESOURCE))


@pytest.mark.parametrize("now", [NOW, NOW + 0.5, NOW - 0.25])
def test_trace_id_epochs_around_the_validation_window(now: float) -> None:
    options = TranslateOptions(skip_timestamp_validation=False)
    outcomes = set()
    for delta in (-28 * 86400 - 1, -28 * 86400, -28 * 86400 + 1, -1, 0, 1, 299, 300, 301):
        epoch = int(NOW) + delta
        span = http_span(trace_id=epoch.to_bytes(4, "big") + TRACE_ID[4:])
        span.links.add(trace_id=epoch.to_bytes(4, "big") + b"\x07" * 12, span_id=b"\x08" * 8)
        assert_same(wrap_span(span.SerializeToString(), RESOURCE), options, now)  # links: the Python path
        del span.links[:]
        _, errors = assert_same(wrap_span(span.SerializeToString(), RESOURCE), options, now)
        outcomes.add(tuple(code for _, code, _ in errors))
    assert outcomes == {(), ("invalid_trace_id",)}


def test_fields_in_any_order() -> None:
    """Resource after the spans, span fields reversed: protobuf reads them the same."""
    span = http_span(status=Status(code=Status.STATUS_CODE_ERROR, message="boom"))
    span.events.add(name="exception").attributes.extend([KeyValue(key="exception.type", value=any_value("E"))])
    reversed_span = b"".join(reversed(chunks(span.SerializeToString())))
    resource_last = field(2, 2, field(2, 2, reversed_span) + field(2, 2, SPAN)) + field(1, 2, PYTHON_RESOURCE)
    second = field(1, 2, RESOURCE) + field(2, 2, field(2, 2, SPAN))
    documents, errors = assert_same(field(1, 2, resource_last) + field(1, 2, second))
    assert errors == [] and len(documents) == 3


def test_empty_and_span_less_requests() -> None:
    assert assert_same(b"") == ([], [])
    assert assert_same(field(1, 2, b"") + field(1, 2, field(2, 2, b""))) == ([], [])


@pytest.mark.parametrize("char", ["a", "é", "<", "\u2028"], ids=["ascii", "two-byte", "escaped", "u2028"])
def test_documents_around_the_size_limit(char: str) -> None:
    options = TranslateOptions(max_document_bytes=1200)
    outcomes = set()
    for length in range(1200):  # every length up to a few past the limit: an off-by-one shows
        span = http_span(attributes=[KeyValue(key="custom", value=any_value(char * length))])
        documents, errors = assert_same(wrap_span(span.SerializeToString(), RESOURCE), options)
        outcomes.add((len(documents), tuple(code for _, code, _ in errors)))
        if len(outcomes) == 2 and length % 8 == 0:
            break
    assert outcomes == {(1, ()), (0, ("DocumentTooLarge",))}


def test_exception_ids_around_the_size_limit() -> None:
    """A span whose exception ids were drawn natively, then too large: the fallback reuses those ids."""
    options = TranslateOptions(max_document_bytes=1500)
    outcomes = set()
    for length in range(0, 1500, 3):
        span = http_span(attributes=[KeyValue(key="custom", value=any_value("x" * length))],
                          status=Status(code=Status.STATUS_CODE_ERROR, message="boom"))
        for name in ("exception", "exception"):
            event = span.events.add(name=name)
            event.attributes.extend([KeyValue(key="exception.type", value=any_value("KeyError")),
                                     KeyValue(key="exception.stacktrace", value=any_value(PYTHON_TRACE))])
        later = http_span(span_id=b"\x0a" * 8, status=Status(code=Status.STATUS_CODE_ERROR, message="later"))
        payload = field(1, 2, field(1, 2, PYTHON_RESOURCE) + field(2, 2, field(2, 2, span.SerializeToString())
                                                                   + field(2, 2, later.SerializeToString())))
        documents, errors = assert_same(payload, options)
        outcomes.add((len(documents), tuple(code for _, code, _ in errors)))
        if len(outcomes) == 2 and length % 12 == 0:
            break
    assert outcomes == {(2, ()), (1, ("DocumentTooLarge",))}


@pytest.mark.parametrize("count", [127, 128, 129, 300])
def test_spans_with_many_attributes(count: int) -> None:
    attrs = [KeyValue(key=f"k{i}", value=any_value(i)) for i in range(count)]
    attrs += [KeyValue(key="http.request.method", value=any_value("PUT")), KeyValue(key="k0", value=any_value("last"))]
    payload = wrap_span(http_span(attributes=attrs).SerializeToString(), RESOURCE)
    documents, _ = assert_same(payload, TranslateOptions(indexed_attributes=("k0", f"k{count - 1}", "http.request.method")))
    document = json.loads(documents[0])
    assert document["annotations"]["k0"] == "last" and document["http"]["request"]["method"] == "PUT"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(payload=st.booleans().flatmap(lambda plain: requests(plain=plain)), ops=st.lists(MUTATION, min_size=1, max_size=3),
       options=OPTIONS)
def test_mutated_payloads_give_the_same_outcome(payload: bytes, ops: list, options: TranslateOptions) -> None:
    assert_same(mutate(payload, ops), options)


