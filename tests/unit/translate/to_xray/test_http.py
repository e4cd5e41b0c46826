"""The ``http`` block; URL vectors follow contrib ``translator/http_test.go`` (old and new semconv as rows)."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.to_xray.http import is_ip, make_http
from otelray.translate.to_xray.spanview import SpanView
from otelray.translate.to_xray.values import attrs_of
from tests.unit.translate.to_xray.golden import key_values, make_span

SERVER, CLIENT = Span.SPAN_KIND_SERVER, Span.SPAN_KIND_CLIENT


def http_of(attrs: dict[str, Any], kind: int = SERVER, span: Span | None = None) -> tuple[dict, dict | None]:
    span = span or make_span(attrs, kind=kind)
    return make_http(SpanView(span), attrs_of(span.attributes))


@pytest.mark.parametrize(("kind", "attrs", "url"), [
    # full URL wins (TestClientSpanWithURLAttribute / ...Stable)
    (CLIENT, {"http.method": "GET", "http.url": "https://api.example.com/users/junit"}, "https://api.example.com/users/junit"),
    (CLIENT, {"http.request.method": "GET", "url.full": "https://api.example.com/users/junit"}, "https://api.example.com/users/junit"),
    # scheme + host + target (TestClientSpanWithSchemeHostTargetAttributes)
    (CLIENT, {"http.method": "GET", "http.scheme": "https", "http.host": "api.example.com", "http.target": "/users/junit"},
     "https://api.example.com/users/junit"),
    # peer name, port, target (TestClientSpanWithPeerAttributes)
    (CLIENT, {"http.method": "GET", "http.scheme": "http", "net.peer.name": "kb234.example.com", "net.peer.port": 8080,
              "net.peer.ip": "10.8.17.36", "http.target": "/users/junit"}, "http://kb234.example.com:8080/users/junit"),
    (CLIENT, {"http.method": "GET", "net.peer.ip": "10.8.17.36", "net.peer.port": "8080", "url.path": "/a",
              "url.query": "b=1"}, "http://10.8.17.36:8080/a?b=1"),
    # server: scheme + server_name + port + target; default ports dropped (TestServerSpanWithSchemeServernamePortTargetAttributes)
    (SERVER, {"http.method": "GET", "http.scheme": "https", "http.server_name": "api.example.com", "net.host.port": 443,
              "http.target": "/users/junit"}, "https://api.example.com/users/junit"),
    (SERVER, {"http.method": "GET", "http.scheme": "http", "net.host.name": "kb234.example.com", "net.host.port": 8080,
              "http.target": "/users/junit"}, "http://kb234.example.com:8080/users/junit"),
    (SERVER, {"http.request.method": "GET", "url.scheme": "https", "server.address": "api.example.com", "server.port": 8443,
              "url.path": "/users/junit", "url.query": "?a=1"}, "https://api.example.com:8443/users/junit?a=1"),
    (SERVER, {"http.request.method": "GET", "server.address": "api.example.com", "server.port": 80}, "http://api.example.com/"),
    # http.host carries its own port: net.host.port is not appended
    (SERVER, {"http.method": "GET", "http.host": "api.example.com:81", "net.host.port": 81, "http.target": "/x"},
     "http://api.example.com:81/x"),
    # a client span has no server.* fallback
    (CLIENT, {"http.request.method": "GET", "server.address": "api.example.com", "server.port": 8080}, "http:///"),
])
def test_url_assembly(kind: int, attrs: dict[str, Any], url: str) -> None:
    _, block = http_of(attrs, kind)
    assert block is not None and block["request"]["url"] == url


def test_block_absent_without_http_keys_but_url_parts_consumed() -> None:
    remaining, block = http_of({"net.peer.name": "db", "net.peer.port": 5432, "db.system": "postgresql"}, CLIENT)
    assert block is None
    assert remaining == {"db.system": "postgresql"}


def test_full_old_semconv_request_and_remaining() -> None:
    remaining, block = http_of({
        "http.method": "POST", "http.url": "https://x/y", "http.client_ip": "1.2.3.4", "http.user_agent": "ua",
        "http.status_code": 201, "http.route": "/y", "http.response_content_length": 12,
    })
    assert block == {
        "request": {"x_forwarded_for": True, "method": "POST", "url": "https://x/y", "user_agent": "ua",
                    "client_ip": "1.2.3.4"},
        "response": {"status": 201, "content_length": 0},
    }
    assert list(remaining) == ["http.route", "http.response_content_length"]


@pytest.mark.parametrize(("attrs", "client_ip", "forwarded"), [
    ({"http.method": "GET", "client.address": "192.168.15.32"}, "192.168.15.32", True),
    ({"http.method": "GET", "client.address": "not-an-ip"}, None, False),
    ({"http.method": "GET", "network.peer.address": "10.0.0.1"}, "10.0.0.1", False),
    ({"http.method": "GET", "network.peer.address": "host.name"}, None, False),
    ({"http.method": "GET", "client.address": "1.1.1.1", "network.peer.address": "10.0.0.1"}, "1.1.1.1", False),
    ({"http.method": "GET", "network.peer.address": "10.0.0.1", "client.address": "1.1.1.1"}, "1.1.1.1", False),
    ({"http.method": "GET", "http.client_ip": "", "net.peer.ip": "10.0.0.2"}, "10.0.0.2", False),
    ({"http.method": "GET", "net.peer.ip": "10.0.0.2", "http.client_ip": "9.9.9.9"}, "9.9.9.9", False),
])
def test_client_ip_rules(attrs: dict[str, Any], client_ip: str | None, forwarded: bool) -> None:
    _, block = http_of(attrs)
    assert block is not None
    assert block["request"].get("client_ip") == client_ip
    assert block["request"].get("x_forwarded_for", False) is forwarded


def test_status_from_a_string_attribute_is_zero_like_pdata_int() -> None:
    _, block = http_of({"http.status_code": "200"})
    assert block == {"request": {}, "response": {"status": 0, "content_length": 0}}


def test_content_length_from_received_message_event() -> None:
    span = make_span({"http.method": "GET"})
    event = span.events.add(name="message")
    event.attributes.extend(key_values({"message.type": "RECEIVED", "messaging.message_payload_size_bytes": 4096}))
    _, block = http_of({}, span=span)
    assert block is not None and block["response"] == {"content_length": 4096}


@pytest.mark.parametrize(("text", "ok"), [("10.0.0.1", True), ("255.255.255.255", True), ("256.1.1.1", False),
                                          ("01.2.3.4", False), ("::1", True), ("fe80::1%eth0", False), ("", False),
                                          ("2001:db8::ff00:42:8329", True), ("1.2.3", False)])
def test_is_ip_matches_go_parse_ip(text: str, ok: bool) -> None:
    assert is_ip(text) is ok
