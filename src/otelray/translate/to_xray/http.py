"""The ``http`` block (contrib ``translator/http.go`` ``makeHTTP``), old and new HTTP semconv.

Request method, client IP, user agent, URL and response status/content length come from
``http.*`` (semconv ≤ 1.20) or ``http.request.*``/``url.*``/``server.*``/``client.*`` (stable
semconv); every key read here is consumed. The block exists only when an HTTP key is present, the
URL only when a host-like key is (reference adot-collector §1.5). ``x_forwarded_for`` is set when the
client IP did not come from the peer address. Response ``content_length`` is always written (0 when
unknown) from ``messaging.message_payload_size_bytes`` of a ``message.type=RECEIVED`` span or event.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.to_xray.spanview import SpanView
from otelray.translate.to_xray.values import Attrs, as_int, as_str, attrs_of

_SERVER = Span.SPAN_KIND_SERVER

# Keys that set a URL part and whether they mark the block as HTTP (``hasHTTP``) and the URL as
# buildable (``hasHTTPRequestURLAttributes``). Aliases share the old-semconv part name.
_URL_PARTS: dict[str, tuple[str, bool, bool]] = {
    "http.url": ("http.url", True, True),
    "url.full": ("http.url", True, True),
    "http.scheme": ("http.scheme", True, False),
    "url.scheme": ("http.scheme", True, False),
    "http.host": ("http.host", True, True),
    "http.target": ("http.target", True, False),
    "http.server_name": ("http.server_name", True, True),
    "net.host.port": ("net.host.port", True, False),
    "host.name": ("host.name", False, True),
    "net.host.name": ("net.host.name", False, True),
    "net.peer.name": ("net.peer.name", False, True),
    "net.peer.port": ("net.peer.port", False, False),
    "url.path": ("url.path", True, False),
    "url.query": ("url.query", True, False),
    "server.address": ("server.address", False, True),
    "server.port": ("server.port", False, False),
}
_PORT_KEYS = frozenset({"net.host.port", "net.peer.port", "server.port"})
_METHOD_KEYS = frozenset({"http.method", "http.request.method"})
_USER_AGENT_KEYS = frozenset({"http.user_agent", "user_agent.original"})
_CLIENT_IP_KEYS = frozenset({"http.client_ip", "client.address", "net.peer.ip", "network.peer.address"})
_STATUS_KEYS = frozenset({"http.status_code", "http.response.status_code"})
_HTTP_KEYS = frozenset(_URL_PARTS) | _METHOD_KEYS | _USER_AGENT_KEYS | _CLIENT_IP_KEYS | _STATUS_KEYS
# What each HTTP key sets, looked up once per attribute.
_ROLE_URL_PART, _ROLE_STATUS, _ROLE_METHOD, _ROLE_USER_AGENT, _ROLE_CLIENT_IP = range(5)
_ROLE: dict[str, int] = {
    **dict.fromkeys(_URL_PARTS, _ROLE_URL_PART), **dict.fromkeys(_STATUS_KEYS, _ROLE_STATUS),
    **dict.fromkeys(_METHOD_KEYS, _ROLE_METHOD), **dict.fromkeys(_USER_AGENT_KEYS, _ROLE_USER_AGENT),
    **dict.fromkeys(_CLIENT_IP_KEYS, _ROLE_CLIENT_IP),
}


_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])")


def is_ip(text: str) -> bool:
    """Go ``net.ParseIP(text) != nil``: dotted IPv4 without leading zeros, or IPv6 without a zone."""
    if _IPV4.fullmatch(text):
        return True
    if ":" not in text or "%" in text:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


class _Request:
    """The request fields and URL parts found in one pass (the locals of ``makeHTTP``)."""

    __slots__ = ("client_ip", "has_http", "has_peer_addr", "has_url", "method", "parts", "status", "user_agent")

    def __init__(self) -> None:
        self.method = self.user_agent = ""
        self.client_ip: str | None = None
        self.status: int | None = None
        self.parts: dict[str, str] = {}
        self.has_http = self.has_url = self.has_peer_addr = False


def _take_client_ip(found: _Request, key: str, text: str) -> None:
    # A "" value leaves the field unset (awsxray.String("") is nil in Go).
    if key == "http.client_ip":
        found.client_ip = text or None
        found.has_http = True
    elif key == "client.address":
        if is_ip(text):
            found.client_ip = text
    elif key == "net.peer.ip":
        if found.client_ip is None:
            found.client_ip = text or None
        found.parts[key] = text
        found.has_url = found.has_peer_addr = True
    elif is_ip(text):  # network.peer.address
        if found.client_ip is None:
            found.client_ip = text
        found.has_url = found.has_peer_addr = True


def _scan(attrs: Attrs) -> tuple[Attrs, _Request]:
    """One pass in attribute order (later aliases win): HTTP keys read, the others kept."""
    found = _Request()
    remaining: Attrs = {}
    parts = found.parts
    role_of = _ROLE.get
    for key, value in attrs.items():
        role = role_of(key)
        if role is None:
            remaining[key] = value
        elif role == _ROLE_URL_PART:
            part, marks_http, marks_url = _URL_PARTS[key]
            text = value if type(value) is str else ""  # pdata Str()
            if text == "" and key in _PORT_KEYS:
                text = str(as_int(value))
            parts[part] = text
            if marks_http:
                found.has_http = True
            if marks_url:
                found.has_url = True
        elif role == _ROLE_STATUS:
            found.status = as_int(value)
            found.has_http = True
        elif role == _ROLE_METHOD:
            found.method = as_str(value)
            found.has_http = True
        elif role == _ROLE_USER_AGENT:
            found.user_agent = as_str(value)
            found.has_http = True
        else:
            _take_client_ip(found, key, as_str(value))
    return remaining, found


def make_http(span: SpanView, attrs: Attrs) -> tuple[Attrs, dict[str, Any] | None]:
    """Build the ``http`` block; returns the attributes it did not consume and the block or None."""
    if _HTTP_KEYS.isdisjoint(attrs):
        return attrs, None
    remaining, found = _scan(attrs)
    if not found.has_http:
        return remaining, None
    request: dict[str, Any] = {}
    if found.client_ip is not None and not found.has_peer_addr:
        request["x_forwarded_for"] = True
    if found.method:
        request["method"] = found.method
    if found.has_url:
        url = _server_url(found.parts) if span.kind == _SERVER else _client_url(found.parts)
        if url:
            request["url"] = url
    if found.user_agent:
        request["user_agent"] = found.user_agent
    if found.client_ip:
        request["client_ip"] = found.client_ip
    response: dict[str, Any] = {} if found.status is None else {"status": found.status}
    response["content_length"] = _response_size(span, attrs) if span.events or "message.type" in attrs else 0
    return remaining, {"request": request, "response": response}


def _response_size(span: SpanView, attrs: Attrs) -> int:
    size = _received_size(attrs)
    if size:
        return size
    for event in span.events:
        size = _received_size(attrs_of(event.attributes))
        if size:
            return size
    return 0


def _received_size(attrs: Attrs) -> int:
    kind = attrs.get("message.type")
    if kind is not None and as_str(kind) == "RECEIVED":
        size = attrs.get("messaging.message_payload_size_bytes")
        if size is not None:
            return as_int(size)
    return 0


def _path_and_query(parts: dict[str, str]) -> str:
    target = parts.get("http.target")
    if target is not None:
        return target
    path = parts.get("url.path", "/")
    query = parts.get("url.query")
    if query is not None:
        path += query if query.startswith("?") else "?" + query
    return path


def _join(scheme: str, host: str, port: str, parts: dict[str, str]) -> str:
    url = scheme + "://" + host
    if port and (scheme != "http" or port != "80") and (scheme != "https" or port != "443"):
        url += ":" + port
    return url + _path_and_query(parts)


def _client_url(parts: dict[str, str]) -> str:
    if "http.url" in parts:
        return parts["http.url"]
    scheme = parts.get("http.scheme", "http")
    port = ""
    host = parts.get("http.host")
    if host is None:
        host = parts.get("net.peer.name")
        if host is None:
            host = parts.get("net.peer.ip", "")
        port = parts.get("net.peer.port", "")
    return _join(scheme, host, port, parts)


def _server_url(parts: dict[str, str]) -> str:
    if "http.url" in parts:
        return parts["http.url"]
    scheme = parts.get("http.scheme", "http")
    port = ""
    host = parts.get("http.host")
    if host is None:
        for key in ("http.server_name", "net.host.name", "host.name"):
            if key in parts:
                host = parts[key]
                break
        else:
            host = parts.get("server.address", "")
        port = parts["net.host.port"] if "net.host.port" in parts else parts.get("server.port", "")
    return _join(scheme, host, port, parts)
