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
from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.to_xray.values import Attrs, as_int, as_str

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
_REQUEST_KEYS = {
    "http.method": "method",
    "http.request.method": "method",
    "http.user_agent": "user_agent",
    "user_agent.original": "user_agent",
}
_CLIENT_IP_KEYS = frozenset({"http.client_ip", "client.address", "net.peer.ip", "network.peer.address"})
_STATUS_KEYS = frozenset({"http.status_code", "http.response.status_code"})
_HTTP_KEYS = frozenset(_URL_PARTS) | frozenset(_REQUEST_KEYS) | _CLIENT_IP_KEYS | _STATUS_KEYS


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class _HttpScan:
    """What one pass over the attributes found (the locals of ``makeHTTP``)."""

    __slots__ = ("client_ip", "has_http", "has_peer_addr", "has_url", "parts", "request", "status")

    def __init__(self) -> None:
        self.request: dict[str, str] = {}
        self.client_ip: str | None = None
        self.status: int | None = None
        self.parts: dict[str, str] = {}
        self.has_http = False
        self.has_url = False
        self.has_peer_addr = False

    def take(self, key: str, value: Any) -> None:
        if key in _URL_PARTS:
            part, marks_http, marks_url = _URL_PARTS[key]
            text = as_str(value)
            if key in _PORT_KEYS and text == "":
                text = str(as_int(value))
            self.parts[part] = text
            self.has_http |= marks_http
            self.has_url |= marks_url
        elif key in _REQUEST_KEYS:
            self.request[_REQUEST_KEYS[key]] = as_str(value)
            self.has_http = True
        elif key in _STATUS_KEYS:
            self.status = as_int(value)
            self.has_http = True
        else:
            self._take_client_ip(key, as_str(value))

    def _take_client_ip(self, key: str, text: str) -> None:
        # A ``""`` value leaves the field unset (``awsxray.String("")`` is nil in Go).
        if key == "http.client_ip":
            self.client_ip = text or None
            self.has_http = True
        elif key == "client.address":
            if _is_ip(text):
                self.client_ip = text
        elif key == "net.peer.ip":
            if self.client_ip is None:
                self.client_ip = text or None
            self.parts[key] = text
            self.has_url = True
            self.has_peer_addr = True
        elif _is_ip(text):  # network.peer.address
            if self.client_ip is None:
                self.client_ip = text
            self.has_url = True
            self.has_peer_addr = True


def make_http(span: Span, attrs: Attrs) -> tuple[Attrs, dict[str, Any] | None]:
    """Build the ``http`` block; returns the attributes it did not consume and the block or None."""
    if not attrs:
        return {}, None
    scan = _HttpScan()
    remaining: Attrs = {}
    for key, value in attrs.items():
        if key in _HTTP_KEYS:
            scan.take(key, value)
        else:
            remaining[key] = value
    if not scan.has_http:
        return remaining, None
    request: dict[str, Any] = {}
    if scan.client_ip is not None and not scan.has_peer_addr:
        request["x_forwarded_for"] = True
    if scan.request.get("method"):
        request["method"] = scan.request["method"]
    if scan.has_url:
        url = _server_url(scan.parts) if span.kind == _SERVER else _client_url(scan.parts)
        if url:
            request["url"] = url
    if scan.request.get("user_agent"):
        request["user_agent"] = scan.request["user_agent"]
    if scan.client_ip:
        request["client_ip"] = scan.client_ip
    response: dict[str, Any] = {}
    if scan.status is not None:
        response["status"] = scan.status
    response["content_length"] = _response_size(span, attrs)
    block: dict[str, Any] = {"request": request, "response": response}
    return remaining, block


def _response_size(span: Span, attrs: Attrs) -> int:
    size = _received_size(attrs)
    if size:
        return size
    for event in span.events:
        size = _received_size({kv.key: kv.value for kv in event.attributes})
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
