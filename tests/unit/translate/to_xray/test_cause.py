"""error/fault/throttle and ``cause``; vectors from contrib ``translator/cause_test.go``."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from otelray.translate.to_xray.cause import is_aws_sdk_span, make_cause
from otelray.translate.to_xray.spanview import SpanView
from otelray.translate.to_xray.values import attrs_of
from tests.unit.translate.to_xray.golden import counter_ids, key_values, make_span

ERROR, OK, UNSET = Status.STATUS_CODE_ERROR, Status.STATUS_CODE_OK, Status.STATUS_CODE_UNSET


def cause_of(span: Span, language: str = "") -> tuple[tuple[bool, bool, bool], dict, Any]:
    attrs = attrs_of(span.attributes)
    return make_cause(SpanView(span), attrs, dict(attrs), language, counter_ids(), aws_sdk=is_aws_sdk_span(attrs))


@pytest.mark.parametrize(("attrs", "status", "flags"), [
    ({"http.status_code": 500}, ERROR, (False, True, False)),
    ({"http.response.status_code": 500}, UNSET, (False, True, False)),
    ({"http.status_code": 400}, UNSET, (True, False, False)),
    ({"http.status_code": 404}, ERROR, (True, False, False)),
    ({"http.status_code": 429}, ERROR, (True, False, True)),
    ({"http.status_code": 200}, ERROR, (False, True, False)),
    ({"http.status_code": 200}, OK, (False, False, False)),
    ({}, ERROR, (False, True, False)),
    ({}, UNSET, (False, False, False)),
    ({"http.status_code": 600}, UNSET, (False, False, False)),
])
def test_flags(attrs: dict[str, Any], status: int, flags: tuple[bool, bool, bool]) -> None:
    assert cause_of(make_span(attrs, status=status))[0] == flags


def test_status_message_becomes_exception_with_empty_type() -> None:
    _, _, cause = cause_of(make_span({"http.status_code": 500}, status=ERROR, message="this is a test"))
    assert cause == {"exceptions": [{"id": "0000000000000001", "message": "this is a test", "type": ""}]}


def test_http_status_text_is_used_and_consumed_only_on_error() -> None:
    _, remaining, cause = cause_of(make_span({"http.status_text": "Bad Gateway", "k": 1}, status=ERROR))
    assert cause["exceptions"][0]["message"] == "Bad Gateway"
    assert "http.status_text" not in remaining and "k" in remaining
    _, remaining, cause = cause_of(make_span({"http.status_text": "Bad Gateway"}, status=UNSET))
    assert cause is None and "http.status_text" in remaining


def test_exception_events_even_without_error_status() -> None:
    span = make_span(kind=Span.SPAN_KIND_CLIENT, parent="0a0a0a0a0a0a0a0a")
    for attrs in ({"exception.type": "java.lang.IllegalStateException", "exception.message": "bad state"},
                  {"exception.type": "EmptyError"}):
        span.events.add(name="exception").attributes.extend(key_values(attrs))
    span.events.add(name="NotException")
    flags, _, cause = cause_of(span, "java")
    assert flags == (False, False, False)
    assert cause == {"exceptions": [
        {"id": "0000000000000001", "message": "bad state", "type": "java.lang.IllegalStateException", "remote": True},
        {"id": "0000000000000002", "message": "", "type": "EmptyError", "remote": True},
    ]}


def test_aws_sdk_http_failure_event() -> None:
    span = make_span({"rpc.system": "aws-api"}, status=ERROR, message="this is a test")
    event = span.events.add(name="HTTP request failure", time_unix_nano=1_696_954_761_000_001_000)
    event.attributes.extend(key_values({"http.response.status_code": "503",
                                        "aws.http.error_message": "service is temporarily unavailable"}))
    flags, _, cause = cause_of(span)
    assert flags == (False, True, False)
    assert cause == {"exceptions": [{"id": "0000000000000001", "type": "aws.http.error.event", "remote": True,
                                     "message": "503@1696954761.000001@service is temporarily unavailable"}]}


def test_http_failure_event_ignored_on_non_aws_spans_and_incomplete_events() -> None:
    span = make_span(status=UNSET)
    span.events.add(name="HTTP request failure").attributes.extend(key_values({"http.response.status_code": 503}))
    assert cause_of(span)[2] is None
    aws = make_span({"rpc.system": "aws-api"})
    aws.events.add(name="HTTP request failure").attributes.extend(key_values({"http.response.status_code": 503}))
    assert cause_of(aws)[2] == {}
