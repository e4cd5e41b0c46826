from __future__ import annotations

import copy
import json
import math
import socket
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span, Status

from otelray.translate.errors import TranslationError
from otelray.translate.from_xray import datagram_to_resource_spans, document_to_resource_spans
from otelray.translate.from_xray.attributes import go_float, go_json
from otelray.translate.from_xray.cause import stack_trace
from otelray.translate.from_xray.http import status_from_http
from otelray.translate.from_xray.sql import split_sql_url

from .golden import CASES

TRACE_ID = "1-5f187253-6a106696d56b1f4ef9eba2ed"


def _doc(**extra: Any) -> dict[str, Any]:
    return {"trace_id": TRACE_ID, "id": "5cc4a447f5d4d696", "name": "svc", "start_time": 1595437651.680097,
            "end_time": 1595437652.197392, **extra}


def _attrs(span_or_resource: Any) -> dict[str, Any]:
    out = {}
    for kv in span_or_resource.attributes:
        field = kv.value.WhichOneof("value")
        value = getattr(kv.value, field)
        out[kv.key] = [v.string_value for v in value.values] if field == "array_value" else value
    return out


@pytest.mark.parametrize(("number", "text"), [
    (3.0, "3"), (3, "3"), (-2.5, "-2.5"), (0.1, "0.1"), (1e20, "100000000000000000000"), (1e21, "1e+21"),
    (1.5e21, "1.5e+21"), (0.000001, "0.000001"), (9.99e-7, "9.99e-7"), (1e-10, "1e-10"), (1e100, "1e+100"),
    (0.0, "0"), (-0.0, "-0"), (123456789.125, "123456789.125"), (1596566305.5928545, "1596566305.5928545"),
])
def test_go_float_matches_go_encoding_json(number, text):
    assert go_float(number) == text


def test_go_json_sorts_keys_and_escapes_like_go():
    assert go_json({"b": [1, 2.50], "a": {"y": None, "x": "<&>"}, "c": "\u2029"}) == (
        '{"a":{"x":"\\u003c\\u0026\\u003e","y":null},"b":[1,2.5],"c":"\\u2029"}'
    )


@pytest.mark.parametrize(("url", "parts"), [
    ("jdbc:postgresql://host:5432/ebdb?x=1", ("jdbc:postgresql://host:5432", "ebdb")),
    ("mysql://u@h/db", ("mysql://u@h", "db")),
    ("postgres://h:1/a/b", ("postgres://h:1/a", "b")),  # greedy: the last path part is the database
    ("//host:5432/ebdb", None),
    ("postgres://host", None),
    ("postgres://h/db\n", ("postgres://h", "db\n")),  # [^?] takes the newline, in Go as here
    ("postgres:\n//h/db", None),  # . stops at a newline
])
def test_split_sql_url(url, parts):
    assert split_sql_url(url) == parts


@pytest.mark.parametrize(("code", "status"), [
    (99, Status.STATUS_CODE_ERROR), (100, Status.STATUS_CODE_UNSET), (200, Status.STATUS_CODE_UNSET),
    (398, Status.STATUS_CODE_UNSET), (399, Status.STATUS_CODE_ERROR), (404, Status.STATUS_CODE_ERROR),
    (503, Status.STATUS_CODE_ERROR),
])
def test_status_from_http(code, status):
    assert status_from_http(code) == status


def test_stack_trace_text():
    exception = {"type": "ValueError", "message": "bad", "stack": [
        {"path": "app.py", "line": 3, "label": "main"}, {"label": "helper"}, "not-a-frame"]}
    assert stack_trace(exception) == "ValueError: bad\n\tat main(app.py: 3)\n\tat helper(: <unknown>)\n"


def test_embedded_subsegments_are_flattened_depth_first_with_parents():
    doc = _doc(subsegments=[
        {"id": "1111111111111111", "name": "a", "start_time": 1.0, "end_time": 2.0,
         "subsegments": [{"id": "2222222222222222", "name": "b", "start_time": 1.0, "end_time": 2.0}]},
        {"id": "3333333333333333", "name": "c", "start_time": 1.0, "end_time": 2.0, "namespace": "remote"},
    ])
    result = document_to_resource_spans(doc)
    assert isinstance(result, ResourceSpans)
    spans = result.scope_spans[0].spans
    assert [(s.name, s.span_id.hex(), s.parent_span_id.hex(), s.kind) for s in spans] == [
        ("svc", "5cc4a447f5d4d696", "", Span.SPAN_KIND_SERVER),
        ("a", "1111111111111111", "5cc4a447f5d4d696", Span.SPAN_KIND_INTERNAL),
        ("b", "2222222222222222", "1111111111111111", Span.SPAN_KIND_INTERNAL),
        ("c", "3333333333333333", "5cc4a447f5d4d696", Span.SPAN_KIND_CLIENT),
    ]
    assert {s.trace_id.hex() for s in spans} == {"5f1872536a106696d56b1f4ef9eba2ed"}
    assert spans[0].start_time_unix_nano == int(1595437651.680097 * 1e9) == 1595437651680097024


@pytest.mark.parametrize(("doc", "error"), [
    (_doc(namespace="database"), TranslationError("5cc4a447f5d4d696", "unexpected namespace: database",
                                                   "unexpected_namespace")),
    (_doc(subsegments=[{"id": "1111111111111111", "name": "a", "start_time": 1.0, "end_time": 2.0,
                        "sql": {"url": "nodb"}}]),
     TranslationError("5cc4a447f5d4d696",
                      'subsegments[0]: failed to parse out the database name in the "sql.url" field, rawUrl: nodb',
                      "invalid_sql_url")),
    (_doc(start_time=2e10), TranslationError(
        "5cc4a447f5d4d696", "time 20000000000.0 is not an epoch time in seconds that fits in 64 bits of nanoseconds",
        "invalid_time")),
    (_doc(id="zz"), TranslationError("zz", "id 'zz' must be 16 hex digits", "InvalidId")),
    ([], TranslationError("", "document must be a JSON object, not array", "MissingId")),
])
def test_rejections_are_values_naming_the_reason(doc, error):
    assert document_to_resource_spans(doc) == error


def test_datagram_errors_are_values():
    assert datagram_to_resource_spans(b"no header") == TranslationError(
        "", 'datagram has no header line (expected {"format":"json","version":1}\\n)', "missing_header")
    result = datagram_to_resource_spans(b'{"format":"json","version":1}\n{"id":')
    assert isinstance(result, TranslationError) and result.code == "InvalidJson"


def test_resource_defaults_without_aws_block():
    result = document_to_resource_spans(_doc())
    assert _attrs(result.resource) == {"service.name": "svc", "cloud.provider": "unknown"}


def test_real_aws_xray_sdk_datagrams_translate(tmp_path: Path):
    """aws-xray-sdk sends over real UDP; every datagram it writes translates."""
    from aws_xray_sdk.core.recorder import AWSXRayRecorder

    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(2)
    try:
        recorder = AWSXRayRecorder()
        recorder.configure(service="orders", sampling=False, context_missing="LOG_ERROR",
                           daemon_address=f"127.0.0.1:{receiver.getsockname()[1]}")
        segment = recorder.begin_segment("orders")
        segment.put_annotation("customer", "c-42")
        segment.put_http_meta("status", 200)
        subsegment = recorder.begin_subsegment("payments.internal", namespace="remote")
        subsegment.put_http_meta("status", 502)
        try:
            raise ConnectionError("upstream reset")
        except ConnectionError as exc:
            subsegment.add_exception(exc, [])
        recorder.end_subsegment()
        recorder.end_segment()
        datagram = receiver.recv(65536)
    finally:
        receiver.close()
    result = datagram_to_resource_spans(datagram)
    assert isinstance(result, ResourceSpans)
    root, child = result.scope_spans[0].spans
    assert (root.name, root.kind, root.status.code) == ("orders", Span.SPAN_KIND_SERVER, Status.STATUS_CODE_UNSET)
    assert _attrs(root) == {"aws.xray.inprogress": False, "http.status_code": 200,
                            "aws.xray.annotations": ["customer"], "customer": "c-42"}
    assert (child.name, child.kind, child.status.code) == ("payments.internal", Span.SPAN_KIND_CLIENT,
                                                           Status.STATUS_CODE_ERROR)
    assert child.parent_span_id == root.span_id and child.trace_id == root.trace_id
    [event] = child.events
    assert {k: v for k, v in _attrs(event).items() if k != "aws.xray.exception.id"} == {
        "exception.message": "upstream reset", "exception.type": "ConnectionError",
        "aws.xray.exception.remote": False}
    assert _attrs(result.resource)["telemetry.sdk.name"] == "X-Ray for Python"


_SEEDS = [orjson.loads((case / "segment.json").read_bytes()) for case in sorted(CASES.iterdir())
          if (case / "segment.json").is_file()]
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
_keys = st.sampled_from(sorted({key for seed in _SEEDS for key in seed} | {
    "namespace", "sql", "cause", "traced", "http", "aws", "annotations", "metadata", "type", "parent_id"}))


@st.composite
def _mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(draw(st.sampled_from(_SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        subs = doc.get("subsegments")
        target = draw(st.sampled_from(subs)) if isinstance(subs, list) and subs and draw(st.booleans()) else doc
        if isinstance(target, dict):
            target[draw(_keys)] = draw(_json)
    return doc


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_mutated_documents())
def test_fuzz_translation_returns_spans_or_an_error_value(doc):
    result = document_to_resource_spans(doc)
    assert isinstance(result, ResourceSpans | TranslationError)
    if isinstance(result, ResourceSpans):
        result.SerializeToString()  # every value fits its protobuf field
        assert all(math.isfinite(s.start_time_unix_nano) for s in result.scope_spans[0].spans)
    # the same document as a datagram never raises either
    assert isinstance(datagram_to_resource_spans(b'{"format":"json","version":1}\n' + json.dumps(doc).encode()),
                      ResourceSpans | TranslationError)


def test_lone_surrogate_is_a_translation_error_not_a_crash():
    doc = json.loads('{"name": "svc\\udbf4", "id": "70de5b6f19ff9a0a", "trace_id": "1-581cf771-a006649127e371903a2de979",'
                     ' "start_time": 1478293361.271, "end_time": 1478293361.449}')
    result = document_to_resource_spans(doc)
    assert isinstance(result, TranslationError) and result.code == "InvalidJson"
    assert "not valid Unicode" in result.reason
