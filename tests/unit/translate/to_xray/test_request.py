"""Differential tests: ``translate_request`` (C extension + Python fallback) equals ``translate_spans``.

For any payload both paths must give byte-identical documents, the same errors, and a
``DecodeError`` exactly when protobuf's own decoder refuses the payload.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from google.protobuf.message import DecodeError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray import translate_spans
from otelray.translate.to_xray.batch import ToXRayResult
from otelray.translate.to_xray.request import PURE_PYTHON_ENV, native_available, translate_request
from tests.unit.translate.to_xray.golden import (
    any_value,
    cases,
    counter_ids,
    key_values,
    make_span,
    parse_otlp_json,
    request_of,
)
from tests.unit.translate.to_xray.request_strategies import (
    NOW,
    OPTIONS,
    PYTHON_RESOURCE,
    PYTHON_TRACE,
    RESOURCE,
    VALID,
    http_span,
    requests,
    wrap_span,
)

#: (documents, errors as (span id, code, reason)), or "DecodeError".
Outcome = tuple[list[str], list[tuple[str, str, str]]] | str
_Run = tuple[list[str], list[tuple[str, str, str]], int] | str  # an Outcome with native_spans
DEFAULT = TranslateOptions()


def _outcome(run: Callable[[], ToXRayResult]) -> _Run:
    try:
        result = run()
    except DecodeError:
        return "DecodeError"
    return result.documents, [(e.item_id, e.code, e.reason) for e in result.errors], result.native_spans


def both(payload: bytes, options: TranslateOptions = DEFAULT, now: float = NOW) -> tuple[Outcome, Outcome]:
    """(translate_request outcome, translate_spans outcome), ``native_spans`` left out of the comparison."""
    native = _outcome(lambda: translate_request(payload, options=options, now=now, new_id=counter_ids()))
    python = _outcome(lambda: translate_spans(ExportTraceServiceRequest.FromString(payload).resource_spans,
                                              options=options, now=now, new_id=counter_ids()))
    if isinstance(native, tuple) and isinstance(python, tuple):
        assert 0 <= native[2] <= _span_count(payload), "native_spans counts more spans than the request has"
        if not native_available():
            assert native[2] == 0
        return native[:2], python[:2]
    return native if isinstance(native, str) else native[:2], python if isinstance(python, str) else python[:2]


def assert_same(payload: bytes, options: TranslateOptions = DEFAULT, now: float = NOW) -> Outcome:
    """Assert both paths give the same outcome for ``payload`` (fresh counter ids each) and return it."""
    native, python = both(payload, options, now)
    assert native == python, f"payload={payload!r}"
    return native


def _span_count(payload: bytes) -> int:
    request = ExportTraceServiceRequest.FromString(payload)
    return sum(len(scope.spans) for rs in request.resource_spans for scope in rs.scope_spans)


# --- 1–2: generated requests -------------------------------------------------------------------------------------


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(payload=requests(), options=OPTIONS)
def test_generated_requests_translate_identically(payload: bytes, options: TranslateOptions) -> None:
    outcome = assert_same(payload, options)
    assert outcome != "DecodeError"  # the strategy only builds valid requests


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(payload=requests(plain=True), options=OPTIONS)
def test_plain_requests_translate_identically(payload: bytes, options: TranslateOptions) -> None:
    """Spans of the kind the extension translates itself, so most of them take the native path."""
    assert assert_same(payload, options) != "DecodeError"


@settings(max_examples=1000, deadline=None)
@given(start=st.integers(0, 2**64 - 1), end=st.integers(0, 2**64 - 1),
       doubles=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=3, max_size=3),
       number=st.integers(-(2**63), 2**63 - 1))
def test_numbers_format_identically(start: int, end: int, doubles: list[float], number: int) -> None:
    """Timestamps and doubles in Go's float format, as annotations, metadata and array items."""
    attrs = [KeyValue(key="a", value=any_value(doubles[0])), KeyValue(key="d", value=any_value(doubles[1])),
             KeyValue(key="arr", value=any_value([doubles[2], number])), KeyValue(key="i", value=any_value(number))]
    span = http_span(start_time_unix_nano=start, end_time_unix_nano=end, attributes=attrs)
    documents, errors = assert_same(wrap_span(span.SerializeToString(), RESOURCE),
                                    TranslateOptions(indexed_attributes=("a", "i")))
    assert errors == [] and len(documents) == 1


_OCTETS = st.sampled_from(["0", "00", "01", "9", "10", "99", "100", "199", "249", "250", "255", "256", "299", "300",
                           "1000", "", "-1", "+1", " 1", "1 ", "a", "٣"])
IP_LIKE = st.one_of(
    st.lists(_OCTETS, min_size=3, max_size=5).map(".".join), st.ip_addresses().map(str),
    st.tuples(st.ip_addresses(v=6).map(str), st.sampled_from(["%eth0", "%", "]", ":", ":80", ""])).map("".join),
    st.from_regex(r"[0-9a-fA-F:.%\[\]]{0,20}", fullmatch=True), st.text(max_size=8),
)


@settings(max_examples=500, deadline=None)
@given(addresses=st.lists(IP_LIKE, min_size=1, max_size=4),
       keys=st.permutations(["http.client_ip", "client.address", "net.peer.ip", "network.peer.address"]),
       kind=st.sampled_from([Span.SPAN_KIND_SERVER, Span.SPAN_KIND_CLIENT]))
def test_client_addresses_parse_identically(addresses: list[str], keys: list[str], kind: int) -> None:
    """Go's net.ParseIP rules for client IPs (IPv4 in C, IPv6 through the Python helper)."""
    attrs = [KeyValue(key=key, value=any_value(address)) for key, address in zip(keys, addresses, strict=False)]
    span = http_span(kind=kind, attributes=attrs + [KeyValue(key="http.method", value=any_value("GET"))])
    documents, errors = assert_same(wrap_span(span.SerializeToString(), RESOURCE))
    assert errors == [] and len(documents) == 1


CONNECTION_STRINGS = st.from_regex(
    r"(jdbc:)?([a-zA-Z][a-z0-9+.-]{0,5}:)?(//)?([a-z@]{0,3}(:[a-z]{0,2})?@)?(\[[0-9a-f:%]{0,6}\]?|[a-z0-9.é]{0,6})"
    r"(:[0-9a-z٣]{0,5})?([/?#][a-z/]{0,4})?", fullmatch=True)
URL_KEYS = ["http.url", "url.full", "http.scheme", "url.scheme", "http.host", "http.target", "http.server_name",
            "net.host.port", "host.name", "net.host.name", "net.peer.name", "net.peer.port", "url.path", "url.query",
            "server.address", "server.port", "net.peer.ip"]
URL_VALUES = st.sampled_from(["http", "https", "80", "443", "8080", "", "/p?q", "?a=1", "h.example", "::1"]) \
    | st.integers(0, 70000) | st.text(max_size=6)


@settings(max_examples=500, deadline=None)
@given(connection=CONNECTION_STRINGS, parts=st.dictionaries(st.sampled_from(URL_KEYS), URL_VALUES, max_size=6),
       kind=st.sampled_from([Span.SPAN_KIND_SERVER, Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_INTERNAL]),
       system=st.sampled_from(["mysql", "redis"]))
def test_urls_and_database_hosts_identically(connection: str, parts: dict, kind: int, system: str) -> None:
    """The URL built from its parts and the ``db.name@host`` name from ``db.connection_string``."""
    attrs = {"db.system": system, "db.name": "shop", "db.connection_string": connection, **parts}
    documents, errors = assert_same(wrap_span(http_span(kind=kind, attributes=key_values(attrs)).SerializeToString(),
                                              RESOURCE))
    assert errors == [] and len(documents) == 1


# --- 4: golden cases ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(cases()), ids=lambda path: path.name)
def test_golden_case_through_translate_request(case: Path) -> None:
    settings_path = case / "case.json"
    case_settings = json.loads(settings_path.read_text()) if settings_path.is_file() else {}
    payload = parse_otlp_json((case / "spans.otlp.json").read_text()).SerializeToString()
    native, python = both(payload, TranslateOptions(**case_settings.get("options", {})),
                          case_settings.get("now", 1_700_000_100.0))
    assert native == python


# --- 5: the extension is built and used ---------------------------------------------------------------------------


def test_extension_is_built() -> None:
    if os.environ.get(PURE_PYTHON_ENV) == "1":
        pytest.skip(f"{PURE_PYTHON_ENV}=1: the C extension is switched off on purpose")
    importlib.import_module("otelray.translate._native")  # an ImportError here means the build is broken
    assert native_available()


def _bench_request(spans: int) -> bytes:
    from bench.translate import build_request

    return build_request(spans)


def _internal_spans(count: int) -> bytes:
    """INTERNAL spans with scalar and nested attributes under one resource (common in every service)."""
    attrs = {"custom": "value", "retry": 2, "ratio": 0.25, "enabled": True, "tags": ["a", "b"], "ctx": {"k": "v"}}
    spans = [make_span(attrs, kind=Span.SPAN_KIND_INTERNAL, parent="0a0b0c0d0e0f0102", span_id=f"{i + 1:016x}",
                       name="compute totals") for i in range(count)]
    rs = request_of(spans, {"service.name": "api", "telemetry.sdk.language": "python"})
    return ExportTraceServiceRequest(resource_spans=rs).SerializeToString()


@pytest.mark.parametrize("source", ["bench", "internal"])
def test_common_spans_are_translated_natively(source: str) -> None:
    if not native_available():
        pytest.skip("the C extension is not available")
    payload = _bench_request(300) if source == "bench" else _internal_spans(20)
    request = ExportTraceServiceRequest.FromString(payload)
    all_spans = [span for rs in request.resource_spans for scope in rs.scope_spans for span in scope.spans]
    if source == "bench":  # a few SQL calls end in an exception event, also translated natively
        assert any(event.name == "exception" for span in all_spans for event in span.events)
    options = TranslateOptions(indexed_attributes=("http.route",))
    result = translate_request(payload, options=options, now=1_764_000_000.0)
    assert result.errors == [] and len(result.documents) == len(all_spans)
    assert result.native_spans == len(all_spans)  # exception events too: only their cause comes from Python
    native, python = both(payload, options, 1_764_000_000.0)
    assert native == python


def test_concurrent_calls_give_the_same_documents() -> None:
    """Exporter threads translate at the same time; the callbacks into Python let them interleave."""
    payloads = [_bench_request(2000), _internal_spans(50), VALID]
    options = TranslateOptions(indexed_attributes=("http.route",))

    def run(payload: bytes) -> tuple[list[str], int]:
        result = translate_request(payload, options=options, now=1_764_000_000.0, new_id=counter_ids())
        return result.documents, len(result.errors)

    expected = [run(payload) for payload in payloads]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, payloads * 4))
    assert results == expected * 4
    assert len(expected[0][0]) == 2000 and expected[0][1] == 0


def test_pure_python_switch_turns_the_extension_off(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = _bench_request(30)
    monkeypatch.setenv(PURE_PYTHON_ENV, "1")
    assert not native_available()
    result = translate_request(payload, options=DEFAULT, now=1_764_000_000.0, new_id=counter_ids())
    assert result.native_spans == 0 and len(result.documents) == 30
    monkeypatch.delenv(PURE_PYTHON_ENV)
    assert both(payload, DEFAULT, 1_764_000_000.0)[0][0] == result.documents


def test_python_exception_stack_translates_identically() -> None:
    span = http_span(status=Status(code=Status.STATUS_CODE_ERROR, message="boom"))
    event = span.events.add(name="exception")
    event.attributes.extend([KeyValue(key="exception.type", value=any_value("KeyError")),
                             KeyValue(key="exception.stacktrace", value=any_value(PYTHON_TRACE))])
    documents, _ = assert_same(wrap_span(span.SerializeToString(), PYTHON_RESOURCE))
    exceptions = json.loads(documents[0])["cause"]["exceptions"]
    assert exceptions[0]["type"] == "KeyError" and exceptions[0]["stack"][0]["path"] == "/srv/repo.py"
