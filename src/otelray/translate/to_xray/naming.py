"""Segment ``name`` and ``namespace`` (contrib ``translator/segment.go`` ``MakeSegment`` naming).

X-Ray names are service names, so the first non-empty of (reference §1.4): ``aws.local.service``
(SERVER, or INTERNAL local root), ``aws.remote.service`` (CLIENT/PRODUCER/CONSUMER; ``AWS.SDK.``/
``AWS::`` trimmed on AWS SDK spans), ``peer.service``, ``aws.service``, ``db.name`` plus ``@host`` of
``db.connection_string``, the resource ``service.name`` (SERVER only), ``rpc.service``,
``http.host``, ``net.peer.name``; else the span name with characters X-Ray refuses removed and cut
to 200 bytes (``"span"`` when nothing is left). Namespace ``aws`` for AWS SDK spans or when
``aws.service`` names the segment, else ``remote`` for CLIENT and PRODUCER.
"""

from __future__ import annotations

import re
from functools import lru_cache

import orjson
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.to_xray.jsonenc import encode_value
from otelray.translate.to_xray.spanview import SpanView
from otelray.translate.to_xray.values import Attrs, as_str

MAX_NAME_BYTES = 200
DEFAULT_NAME = "span"
_SERVER, _INTERNAL = Span.SPAN_KIND_SERVER, Span.SPAN_KIND_INTERNAL
_OUTGOING = frozenset({Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_PRODUCER, Span.SPAN_KIND_CONSUMER})
_REMOTE_NAMESPACE_KINDS = frozenset({Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_PRODUCER})
# Allowed: Unicode letters, ASCII digits, space and _ . : / % & # = + - @ (the ASCII fast path below).
_INVALID_ASCII = re.compile(r"[^ 0-9A-Za-z_.:/%&#=+\-@]")
_ALLOWED_SYMBOLS = frozenset(" 0123456789_.:/%&#=+-@")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_AUTHORITY_END = re.compile(r"[/?#]")


def fix_segment_name(name: str) -> str:
    """Remove characters X-Ray does not allow in names, truncate to 200 bytes, ``"span"`` if empty."""
    if name.isascii():
        name = _INVALID_ASCII.sub("", name)
    else:
        name = "".join(ch for ch in name if ch.isalpha() or ch in _ALLOWED_SYMBOLS)
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        return _truncate_bytes(encoded[:MAX_NAME_BYTES])
    return name or DEFAULT_NAME


class CutName(str):
    """A name cut at 200 bytes inside a character: ``broken_bytes`` bytes of that character remain.

    Go's encoder writes each such byte as ``\\ufffd``; :func:`name_value` renders the name that way.
    """

    broken_bytes: int

    def __new__(cls, text: str, broken_bytes: int) -> CutName:
        name = super().__new__(cls, text)
        name.broken_bytes = broken_bytes
        return name


def _truncate_bytes(head: bytes) -> str:
    """Decode a byte-truncated name, remembering the bytes of a character cut in two."""
    for cut in range(4):  # a UTF-8 character has at most 4 bytes
        try:
            text = head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return CutName(text, cut) if cut else text
    raise ValueError("not UTF-8")  # unreachable: the head comes from a valid str


def name_value(name: str) -> str | orjson.Fragment:
    """The ``name`` field's value: a cut name as pre-encoded JSON with its broken bytes as ``\\ufffd``."""
    if type(name) is not CutName:
        return name
    return orjson.Fragment(encode_value(str(name))[:-1] + "\\ufffd" * name.broken_bytes + '"')


def trim_aws_sdk_prefix(name: str, aws_sdk: bool) -> str:
    """Strip ``AWS.SDK.`` or ``AWS::`` from a remote service name on AWS SDK spans."""
    if aws_sdk:
        if name.startswith("AWS.SDK."):
            return name[len("AWS.SDK."):]
        if name.startswith("AWS::"):
            return name[len("AWS::"):]
    return name


def db_host(connection_string: str) -> str:
    """The host of a database URL (``jdbc:`` prefix removed), as Go's ``url.Parse(...).Hostname()``."""
    if len(connection_string) <= _CACHED_URL_LENGTH:
        return _db_host_cached(connection_string)
    return _db_host(connection_string)


def _db_host(connection_string: str) -> str:
    text = connection_string.removeprefix("jdbc:")
    scheme = _SCHEME.match(text)
    rest = text[scheme.end():] if scheme else text
    if not rest.startswith("//"):
        return ""
    authority = _AUTHORITY_END.split(rest[2:], maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else ""
    head, colon, port = host.rpartition(":")
    if colon:
        if port and not (port.isascii() and port.isdigit()):
            return ""  # Go refuses the URL ("invalid port")
        return head
    return host


# A service talks to a few databases: each connection string is parsed once (short ones, a bounded number).
_CACHED_URL_LENGTH = 512
_db_host_cached = lru_cache(maxsize=256)(_db_host)


def _text(attrs: Attrs, key: str) -> str:
    value = attrs.get(key)
    return "" if value is None else as_str(value)


def make_name(span: SpanView, attrs: Attrs, service_name: str, aws_sdk: bool) -> tuple[str, str]:
    """Return ``(name, namespace)``; namespace ``""`` means none."""
    kind, name, namespace = span.kind, "", ""
    if kind == _SERVER or (kind == _INTERNAL and _text(attrs, "aws.span.kind") == "LOCAL_ROOT"):
        name = _text(attrs, "aws.local.service")
    if kind in _OUTGOING and "aws.remote.service" in attrs:
        name = trim_aws_sdk_prefix(_text(attrs, "aws.remote.service"), aws_sdk)
    if not name and "peer.service" in attrs:
        name = _text(attrs, "peer.service")
    if aws_sdk:
        namespace = "aws"
    if not name and "aws.service" in attrs:
        name, namespace = _text(attrs, "aws.service"), namespace or "aws"
    if not name and "db.name" in attrs:
        name = _text(attrs, "db.name")
        if "db.connection_string" in attrs:
            host = db_host(_text(attrs, "db.connection_string"))
            if host:
                name += "@" + host
    if not name and kind == _SERVER:
        name = service_name
    if not name:
        for key in ("rpc.service", "http.host", "net.peer.name"):
            value = attrs.get(key)
            if type(value) is str and value:
                name = value
                break
    if not name:
        name = fix_segment_name(span.name)
    if not namespace and kind in _REMOTE_NAMESPACE_KINDS:
        namespace = "remote"
    return name, namespace
