from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.proto.common.v1.common_pb2 import InstrumentationScope
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.collector.processors.filter.ottl import OttlError, compile_condition


@pytest.fixture
def row() -> tuple:
    span = Span(name="GET /health", kind=Span.SPAN_KIND_CLIENT)
    span.attributes.add(key="http.route").value.string_value = "/health"
    span.attributes.add(key="retries").value.int_value = 3
    span.status.code = 2
    resource = Resource()
    resource.attributes.add(key="service.name").value.string_value = "cart"
    return (resource, InstrumentationScope(name="io.opentelemetry.flask", version="1.0"), span, None)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('attributes["http.route"] == "/health"', True),
        ('name == "x"', False),
        ('IsMatch(name, "^GET ")', True),
        ("kind == SPAN_KIND_CLIENT", True),
        ("kind != SPAN_KIND_SERVER", True),
        ('resource.attributes["service.name"] == "cart"', True),
        ("status.code == STATUS_CODE_ERROR", True),
        ('attributes["retries"] > 2 and attributes["retries"] <= 3.0', True),
        ('attributes["retries"] == "3"', False),  # different kinds are never equal
        ('attributes["nope"] == nil', True),
        ('attributes["nope"] > 1', False),  # nil is never ordered
        ('not (name == "GET /health")', False),
        ('name == "a" or instrumentation_scope.name == "io.opentelemetry.flask"', True),
        ('HasPrefix(attributes["http.route"], "/he")', True),
        ("Len(name) == 11", True),
        ('IsString(attributes["retries"])', False),
        ('ToLowerCase(name) == "get /health"', True),
    ],
)
def test_span_conditions(row: tuple, condition: str, expected: bool) -> None:
    assert compile_condition(condition, "span")(row) is expected


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ('replace_pattern(name, "a", "b")', "invalid syntax"),
        ('Concat(name, "x") == "y"', "undefined function 'Concat'; supported: "),
        ("kind == SPAN_KIND_SOMETHING", "unknown enum 'SPAN_KIND_SOMETHING'"),
        ('body == "x"', "path 'body' is not supported in the span context"),
        ("name", "a condition must be a comparison"),
        ('IsMatch(name, "(")', "IsMatch: invalid regex"),
        ("IsMatch(name)", "IsMatch takes 2 argument(s), got 1"),
    ],
)
def test_bad_conditions_are_named(condition: str, message: str) -> None:
    with pytest.raises(OttlError, match=message.replace("(", "\\(").replace(")", "\\)")):
        compile_condition(condition, "span")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    try:
        compile_condition(text, "span")
    except OttlError:
        pass
