"""Serialized ``ExportTraceServiceRequest`` payloads that reach every translator rule: hypothesis strategies and wire builders.

Used by the differential tests of ``otelray.translate.to_xray.request``: the resources, scopes, spans,
attributes (every key a block reads, with the values that switch its rules), events, links and
options drawn here cover the paths of both the C extension and the Python modules.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span, Status

from otelray.translate.options import TranslateOptions
from tests.unit.translate.to_xray.golden import START_NS, TRACE_ID, any_value
from tests.unit.translate.to_xray.test_properties import KNOWN_KEYS, LANGUAGES

NOW = 1_700_000_100.0
_NOW_EPOCH = int(NOW).to_bytes(4, "big")

# Text a JSON encoder or name filter treats specially.
TRICKY_TEXT = ["", "<a href='x'>&amp;</a>", 'say "hi"', "back\\slash", "\x00\x01\x1f\x7f", "line\u2028sep\u2029",
               "héllo wörld", "日本語", "emoji \U0001f600", "tab\tnew\nline", "a" * 70, "é" * 40, "\ufffd", "%41+b",
               "\U0010fffe", "x\U0010fffe\U0010ffff"]
TEXTS = st.sampled_from(TRICKY_TEXT) | st.text(max_size=12)
DOUBLES = st.sampled_from([1e-7, 1e-6, 1e21, 1e20, 0.1, 2.0, -0.0, 0.0, math.nan, math.inf, -math.inf, 5e-324,
                           1.7976931348623157e308, 123456.789, -3.5, 429.0]) | st.floats()
INTS = st.sampled_from([0, 1, -1, 200, 404, 429, 499, 500, 503, 599, 600, 443, 80, 2**63 - 1, -(2**63), 2**53 + 1]) \
    | st.integers(-(2**63), 2**63 - 1)


def _scalar(kind: str, value: object) -> AnyValue:
    return AnyValue(**{kind: value})


SCALAR_VALUES = st.one_of(
    TEXTS.map(lambda v: _scalar("string_value", v)), st.booleans().map(lambda v: _scalar("bool_value", v)),
    INTS.map(lambda v: _scalar("int_value", v)), DOUBLES.map(lambda v: _scalar("double_value", v)),
    st.binary(max_size=6).map(lambda v: _scalar("bytes_value", v)), st.just(AnyValue()),
)


def _array(items: list[AnyValue]) -> AnyValue:
    return AnyValue(array_value=ArrayValue(values=items))


def _kvlist(pairs: list[tuple[str, AnyValue]]) -> AnyValue:
    return AnyValue(kvlist_value=KeyValueList(values=[KeyValue(key=k, value=v) for k, v in pairs]))


#: Any ``AnyValue``: scalars, nested and mixed arrays, key/value lists (duplicate keys included).
ANY_VALUES = st.recursive(
    SCALAR_VALUES,
    lambda inner: st.lists(inner, max_size=3).map(_array)
    | st.lists(st.tuples(st.sampled_from(["k", "a", "é", "<"]) | st.text(max_size=4), inner), max_size=3).map(_kvlist),
    max_leaves=6,
)


def _strings(*values: str) -> st.SearchStrategy[AnyValue]:
    return st.sampled_from(values).map(lambda v: _scalar("string_value", v))


def _string_arrays(*values: str) -> st.SearchStrategy[AnyValue]:
    return st.lists(st.sampled_from(values), max_size=3).map(lambda items: _array([any_value(i) for i in items]))


_IPS = _strings("10.0.3.7", "192.168.1.255", "256.1.1.1", "010.1.1.1", "::1", "2001:db8::8a2e:370:7334",
                "fe80::1%eth0", "not-an-ip", "", "1.2.3.4:80")
_PORTS = INTS.map(lambda v: _scalar("int_value", v)) | _strings("8080", "443", "", "x")
_STATUS = st.sampled_from([200, 404, 429, 499, 500, 503, 600, 0, -1]).map(lambda v: _scalar("int_value", v)) \
    | _strings("500")
_CONNECTIONS = _strings("jdbc:mysql://db.internal:3306/app", "postgresql://user@db.example:5432", "mysql://[::1]:3306",
                        "postgresql://db:bad/x", "db.local", "//h", "jdbc:sqlserver://u:p@h", "", "mysql://[fe80::1")
_METADATA_JSON = _strings('{"a": 1, "b": [true, null, 1.5e300, "x"]}', '{"z": {"y": 1e-7}, "a": "<&>"}', "null",
                          "[1, 2]", "{bad", '{"n": NaN}', '"text"', "{}", '{"a": 1, "a": 2}', "1e400")
# Values that switch a rule, by attribute key (other keys get any value).
_KEY_VALUES: dict[str, st.SearchStrategy[AnyValue]] = {
    "rpc.system": _strings("aws-api", "grpc", "AWS-API", ""),
    "rpc.service": _strings("DynamoDB", "S3", "", "my.Service"),
    "rpc.method": _strings("GetItem", "PutObject", ""),
    "aws.span.kind": _strings("LOCAL_ROOT", "CLIENT", "local_root", ""),
    "aws.remote.service": _strings("AWS.SDK.DynamoDB", "AWS::S3", "payments", "", "AWS.SDK."),
    "aws.local.service": _strings("checkout", "", "svc é"),
    "peer.service": _strings("billing", ""),
    "aws.service": _strings("SQS", ""),
    "db.system": _strings("mysql", "postgresql", "other_sql", "dynamodb", "redis", "MYSQL", ""),
    "db.name": _strings("users", "", "shop"),
    "db.statement": _strings("SELECT * FROM t WHERE a < 3", ""),
    "db.user": _strings("app", ""),
    "db.connection_string": _CONNECTIONS,
    "http.status_code": _STATUS,
    "http.response.status_code": _STATUS,
    "http.method": _strings("GET", "POST", ""),
    "http.request.method": _strings("GET", "DELETE", ""),
    "http.url": _strings("https://api.example.com/x?y=1", ""),
    "url.full": _strings("http://h:8080/p", ""),
    "http.scheme": _strings("http", "https", "ftp"),
    "url.scheme": _strings("https", "http"),
    "http.target": _strings("/users?id=1", ""),
    "url.query": _strings("?a=1", "b=2", ""),
    "url.path": _strings("/v1/items", ""),
    "net.host.port": _PORTS, "net.peer.port": _PORTS, "server.port": _PORTS,
    "http.client_ip": _IPS, "client.address": _IPS, "net.peer.ip": _IPS, "network.peer.address": _IPS,
    "message.type": _strings("RECEIVED", "SENT", ""),
    "messaging.message_payload_size_bytes": st.sampled_from([0, 17, 2**40]).map(lambda v: _scalar("int_value", v)),
    "aws.dynamodb.table_names": _string_arrays("users", "orders", "") | _strings("users")
    | st.just(_array([AnyValue(int_value=3), AnyValue(string_value="t")])),
    "aws.xray.inprogress": st.sampled_from([_scalar("bool_value", True), _scalar("bool_value", False),
                                            _scalar("string_value", "true")]),
    "aws.xray.annotations": _string_arrays("http.method", "custom", "db.name", "otel.resource.service.name", "nope")
    | _strings("custom"),
    "aws.xray.metadata.ns": _METADATA_JSON, "aws.xray.metadata.default": _METADATA_JSON,
    "aws.xray.metadata.DEFAULT": _METADATA_JSON,
    "enduser.id": _strings("alice", "", "bob <b>"),
}
SPAN_KEYS = sorted(set(KNOWN_KEYS) | set(_KEY_VALUES) | {"custom", "retry_attempts", "aws.requestId", "aws.queue.url",
                                                         "aws.table.name", "http.route", "aws.xray.metadata.x",
                                                         "aws.xray.metadata.", "otel.resource.custom", ""})


@st.composite
def _attribute(draw: st.DrawFn, keys: list[str], values: dict[str, st.SearchStrategy[AnyValue]]) -> KeyValue:
    key = draw(mostly(st.sampled_from(keys), TEXTS, rare_percent=20))
    special = values.get(key)
    value = draw(mostly(special, ANY_VALUES, rare_percent=30) if special is not None else ANY_VALUES)
    return KeyValue(key=key, value=value)


def attributes(keys: list[str] = SPAN_KEYS, values: dict[str, st.SearchStrategy[AnyValue]] = _KEY_VALUES,
               max_size: int = 8, unique: bool = False) -> st.SearchStrategy[list[KeyValue]]:
    """Repeated ``KeyValue``: vocabulary and random keys, duplicates allowed unless ``unique``."""
    return st.lists(_attribute(keys, values), max_size=max_size, unique_by=(lambda kv: kv.key) if unique else None)


_RESOURCE_VALUES: dict[str, st.SearchStrategy[AnyValue]] = {
    "cloud.provider": _strings("aws", "gcp", ""),
    "cloud.platform": _strings("aws_ecs", "aws_eks", "aws_ec2", "aws_elastic_beanstalk", "aws_app_runner",
                               "aws_lambda", "gcp_compute_engine"),
    "aws.ecs.launchtype": _strings("ec2", "fargate", "EC2"),
    "host.id": _strings("i-0abc123", ""), "k8s.cluster.name": _strings("prod", ""),
    "service.version": _strings("1.2.3", ""), "service.instance.id": _strings("42", "x", "99999999999999999999"),
    "container.image.tags": _string_arrays("v1", "latest", ""), "container.image.tag": _strings("v0"),
    "telemetry.sdk.language": LANGUAGES.map(lambda v: _scalar("string_value", v)),
    "telemetry.sdk.name": _strings("opentelemetry", ""), "telemetry.sdk.version": _strings("1.45.1", ""),
    "telemetry.distro.version": _strings("0.10.0", ""), "telemetry.auto.version": _strings("1.0", ""),
    "aws.log.group.names": _strings("a&b", "&", "grp") | _string_arrays("g1", "", "g2"),
    "aws.log.group.arns": _strings("arn:aws:logs:us-east-1:123456789012:log-group:grp:*", "short:arn", "")
    | _string_arrays("arn:aws:logs:eu-west-1:1:log-group:x", "arn"),
    "service.name": _strings("users-api", "", "svc é<>"),
    "cloud.account.id": _strings("123456789012", ""),
}
RESOURCE_KEYS = sorted(set(_RESOURCE_VALUES) | {
    "cloud.availability_zone", "container.id", "container.name", "host.type", "host.image.id", "k8s.pod.name",
    "service.namespace", "aws.ecs.task.arn", "aws.ecs.task.family", "aws.ecs.cluster.arn", "aws.ecs.container.arn"})

PYTHON_TRACE = ('Traceback (most recent call last):\n  File "/srv/app.py", line 41, in get\n    load(x)\n'
                '  File "/srv/repo.py", line 12, in load\n    raise KeyError(x)\nKeyError: \'u-42\'')
JAVA_TRACE = ("java.lang.IllegalStateException: bad <state>\n\tat com.acme.Foo.bar(Foo.java:10)\n"
              "\tat com.acme.Main.main(Main.java)\nCaused by: java.io.IOException: io\n\tat x.Y.z(Unknown Source)\n"
              "\t... 3 more")
_EVENT_VALUES: dict[str, st.SearchStrategy[AnyValue]] = {
    "exception.type": _strings("KeyError", "", "java.lang.Error"),
    "exception.message": _strings("'u-42'", "", "bad <thing>"),
    "exception.stacktrace": _strings(PYTHON_TRACE, JAVA_TRACE, "garbage\nlines", ""),
    "http.response.status_code": _STATUS,
    "aws.http.error_message": _strings("Throttled", ""),
    "message.type": _KEY_VALUES["message.type"],
    "messaging.message_payload_size_bytes": _KEY_VALUES["messaging.message_payload_size_bytes"],
}


def mostly(common: st.SearchStrategy, rare: st.SearchStrategy, rare_percent: int = 15) -> st.SearchStrategy:
    """``common`` most of the time, ``rare`` in about ``rare_percent`` % of the draws."""
    return st.integers(0, 99).flatmap(lambda n: rare if n < rare_percent else common)


def _trace_ids(valid: bool = False) -> st.SearchStrategy[bytes]:
    # Spans of a batch share traces (the translator converts each id once): a small pool recurs.
    shared = st.sampled_from([_NOW_EPOCH + b"\x11" * 12, _NOW_EPOCH + b"\x22" * 12, b"\x10\x00\x00\x00" + b"\x33" * 12])
    recent = st.binary(min_size=12, max_size=12).map(lambda tail: _NOW_EPOCH + tail) | shared
    if valid:
        return recent
    return mostly(recent, st.one_of(
        st.binary(min_size=16, max_size=16), st.just(bytes(16)), st.sampled_from([b"", b"\x01" * 15, b"\x02" * 17]),
        st.binary(min_size=12, max_size=12).map(lambda tail: b"\x10\x00\x00\x00" + tail)), rare_percent=20)


def _span_ids(*odd: bytes) -> st.SearchStrategy[bytes]:
    return mostly(st.binary(min_size=8, max_size=8).filter(any), st.sampled_from(odd), rare_percent=8)


NAMES = st.sampled_from(["GET /users/{id}", "DynamoDB.GetItem", "naïve café", "日本", "a<b>c!d?e*f", "", "   ",
                         "x" * 250, "é" * 150, "ab" + "日" * 70, "a" + "日" * 70, "\U0010fffe" * 60,
                         "b" + "\U0001f600" * 55, "\U0001f600 smile", "ok_name-1.2:3/4%5&6#7=8+9@"]) \
    | st.text(max_size=20)
ASCII_NAMES = st.sampled_from(["GET /users/{id}", "x" * 250, "a<b>c!d?e*f", "", "ok_name-1.2:3/4%5&6#7=8+9@"]) \
    | st.text(alphabet=[chr(c) for c in range(32, 127)], max_size=20)
TIMES = st.sampled_from([1_700_000_000_123_456_789, 1_700_000_000_000_000_000, 0, 1, 2**63, 2**64 - 1,
                         1_700_000_000_999_999_999]) | st.integers(0, 2**64 - 1) \
    | st.integers(1_600_000_000 * 10**9, 1_800_000_000 * 10**9)


def _events(span: Span, draw: st.DrawFn) -> None:
    event_keys = sorted(_EVENT_VALUES)
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(["exception", "HTTP request failure", "message", "other"]))
        event = span.events.add(name=name, time_unix_nano=draw(TIMES))
        event.attributes.extend(draw(attributes(event_keys, _EVENT_VALUES, max_size=4)))


def _links(span: Span, draw: st.DrawFn) -> None:
    for _ in range(draw(st.integers(0, 2))):
        link = span.links.add(trace_id=draw(_trace_ids()), span_id=draw(_span_ids(b"", b"\x03" * 7)),
                              trace_state=draw(st.sampled_from(["", "a=b", "ß=1"])))
        link.attributes.extend(draw(attributes(["custom", "k"], {}, max_size=2)))


@st.composite
def spans(draw: st.DrawFn, plain: bool = False) -> Span:
    """One span: every kind, odd ids, tricky names, all statuses, attributes, events and links.

    ``plain`` spans are the ones the C extension is meant to take: valid ids, unique keys, mostly
    ASCII names.
    """
    odd_parents = st.just(b"") if plain else st.sampled_from([bytes(8), b"\x06" * 7])
    span = Span(
        trace_id=draw(_trace_ids(valid=plain)),
        span_id=draw(_span_ids(*([b"\x04" * 8] if plain else [b"", bytes(8), b"\x05" * 7]))),
        parent_span_id=draw(mostly(st.just(b"") | st.binary(min_size=8, max_size=8), odd_parents)),
        name=draw(mostly(ASCII_NAMES, NAMES, 20) if plain else NAMES), kind=draw(st.sampled_from([0, 1, 2, 3, 4, 5, 9])),
        start_time_unix_nano=draw(TIMES), end_time_unix_nano=draw(TIMES),
    )
    span.attributes.extend(draw(attributes(unique=True) if plain else attributes()))
    status = draw(st.sampled_from(["absent", "unset", "ok", "error", "error"]))
    if status != "absent":
        span.status.SetInParent()
        span.status.code = {"unset": Status.STATUS_CODE_UNSET, "ok": Status.STATUS_CODE_OK,
                            "error": Status.STATUS_CODE_ERROR}[status]
        span.status.message = draw(st.sampled_from(["", "boom", "bad <input> é"]))
    if draw(st.integers(0, 3)) == 0:
        _events(span, draw)
    if draw(st.integers(0, 4)) == 0:
        _links(span, draw)
    return span


@st.composite
def resource_spans(draw: st.DrawFn, plain: bool = False) -> ResourceSpans:
    """A ``ResourceSpans``: resource absent, empty or with origin/service/aws attributes; 1–2 scopes."""
    rs = ResourceSpans()
    shape = draw(st.sampled_from(["absent", "empty", "attrs", "attrs", "attrs"]))
    if shape == "empty":
        rs.resource.SetInParent()
    elif shape == "attrs":
        rs.resource.attributes.extend(draw(attributes(RESOURCE_KEYS, _RESOURCE_VALUES, max_size=8)))
    for _ in range(draw(st.integers(1, 2))):
        scope = rs.scope_spans.add()
        scope.scope.name = draw(st.sampled_from(["", "opentelemetry.instrumentation.flask", "é"]))
        scope.spans.extend(draw(st.lists(spans(plain), max_size=3)))
    return rs


@st.composite
def requests(draw: st.DrawFn, plain: bool = False) -> bytes:
    """A serialized ``ExportTraceServiceRequest`` of 1–3 ``ResourceSpans`` (``plain``: see :func:`spans`)."""
    request = ExportTraceServiceRequest(resource_spans=draw(st.lists(resource_spans(plain), min_size=1, max_size=3)))
    return request.SerializeToString()


INDEXABLE = SPAN_KEYS + ["otel.resource.service.name", "otel.resource.cloud.provider", "otel.resource.host.id",
                         "otel.resource.telemetry.sdk.language", "héllo wörld", "<a href='x'>&amp;</a>"]
OPTIONS = st.builds(
    TranslateOptions, indexed_attributes=st.lists(st.sampled_from(INDEXABLE), max_size=4),
    index_all_attributes=st.booleans(), skip_timestamp_validation=st.booleans(),
    allow_dot_in_annotation_keys=st.booleans(), log_group_names=st.sampled_from([(), ("cfg-group",), ("a", "")]),
    max_document_bytes=mostly(st.just(64 * 1024), st.sampled_from([700, 1500]), rare_percent=10),
)


# --- wire-format builders for hand-made payloads ---------------------------------------------------------------


def varint(n: int) -> bytes:
    """A base-128 varint (negative numbers as their 64-bit two's complement, 10 bytes)."""
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number: int, wire_type: int, body: bytes | int) -> bytes:
    """One wire-format field: varint (0) and fixed (1, 5) bodies as given, length-delimited (2) prefixed."""
    tag = varint(number << 3 | wire_type)
    if wire_type == 0:
        return tag + varint(int(body))
    if wire_type == 2:
        assert isinstance(body, bytes)
        return tag + varint(len(body)) + body
    assert isinstance(body, bytes)
    return tag + body


def wrap_span(span_bytes: bytes, resource_bytes: bytes | None = None, scope_extra: bytes = b"") -> bytes:
    """ExportTraceServiceRequest{ResourceSpans{[resource], ScopeSpans{span}}} from raw field bytes."""
    rs = b"" if resource_bytes is None else field(1, 2, resource_bytes)
    rs += field(2, 2, scope_extra + field(2, 2, span_bytes))
    return field(1, 2, rs)


def http_span(**changes: object) -> Span:
    """An HTTP server span the extension translates itself, with ``changes`` applied."""
    span = Span(trace_id=TRACE_ID, span_id=bytes.fromhex("0102030405060708"), name="GET /x", kind=Span.SPAN_KIND_SERVER,
                start_time_unix_nano=START_NS, end_time_unix_nano=START_NS + 25_000_000,
                attributes=[KeyValue(key="http.request.method", value=any_value("GET")),
                            KeyValue(key="http.response.status_code", value=any_value(200)),
                            KeyValue(key="url.path", value=any_value("/x"))])
    for key, value in changes.items():
        if key == "attributes":
            del span.attributes[:]
            span.attributes.extend(value)  # type: ignore[arg-type]
        elif key == "status":
            span.status.CopyFrom(value)  # type: ignore[arg-type]
        else:
            setattr(span, key, value)
    return span


SPAN = http_span().SerializeToString()
RESOURCE = Resource(attributes=[KeyValue(key="service.name", value=any_value("api")),
                                KeyValue(key="cloud.provider", value=any_value("aws"))]).SerializeToString()
VALID = wrap_span(SPAN, RESOURCE)
PYTHON_RESOURCE = Resource(attributes=[KeyValue(key="telemetry.sdk.language", value=any_value("python"))]
                           ).SerializeToString()


def nested(depth: int) -> bytes:
    """An AnyValue ``depth`` arrays/key-value lists deep, as wire bytes (too deep for message objects)."""
    value = field(1, 2, b"leaf")
    for level in range(depth):
        value = field(5, 2, field(1, 2, value)) if level % 2 else \
            field(6, 2, field(1, 2, field(1, 2, f"k{level}".encode()) + field(2, 2, value)))
    return value


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    """The varint at ``at`` and the offset after it."""
    value = shift = 0
    while True:
        byte = data[at]
        value, at, shift = value | (byte & 0x7F) << shift, at + 1, shift + 7
        if byte < 0x80:
            return value, at


def chunks(message: bytes) -> list[bytes]:
    """The raw fields of a serialized message (wire types 0, 1, 2 and 5), in wire order."""
    found, at = [], 0
    while at < len(message):
        start = at
        tag, at = read_varint(message, at)
        wire_type = tag & 7
        if wire_type == 0:
            at = read_varint(message, at)[1]
        elif wire_type == 2:
            length, at = read_varint(message, at)
            at += length
        else:
            at += 8 if wire_type == 1 else 4
        found.append(message[start:at])
    return found


MUTATION = st.tuples(st.sampled_from(["flip", "cut", "delete", "insert", "text", "text"]), st.integers(0, 10**6),
                     st.integers(1, 255), st.binary(min_size=1, max_size=4))


def mutate(payload: bytes, ops: list[tuple[str, int, int, bytes]]) -> bytes:
    """``payload`` with bytes flipped, cut off, deleted, inserted or changed in text (drawn from :data:`MUTATION`).

    ``text`` changes a printable byte, most likely inside a string (the structure stays, the content
    changes): to another printable byte for an odd ``number``, else to ``number`` itself (often
    invalid UTF-8).
    """
    data = bytearray(payload)
    for op, position, number, blob in ops:
        if not data:
            break
        at = position % len(data)
        if op == "text":
            printable = [i for i, byte in enumerate(data) if 0x20 <= byte < 0x7F]
            if printable:
                data[printable[position % len(printable)]] = 0x20 + number % 0x5F if number % 2 else number
        elif op == "flip":
            data[at] ^= number
        elif op == "cut":
            del data[at:]
        elif op == "delete":
            del data[at:at + 1 + number % 4]
        else:
            data[at:at] = blob
    return bytes(data)
