"""Benchmark: OTLP spans → X-Ray segment documents (``otelray.translate.to_xray.translate_spans``).

Builds a realistic ``ExportTraceServiceRequest`` (default 10,000 spans in batches of SERVER spans with
HTTP attributes, DynamoDB client calls with botocore attributes, SQL calls, a few exceptions), then
measures on one core:

(a) protobuf decode alone (``ExportTraceServiceRequest.FromString``),
(b) decode + translate + JSON encode (what the awsxray exporter does per batch),

and prints spans/s for each and the ratio (b)/(a). Targets: (b) ≥ 50,000 spans/s; (b)/(a) ≤ 5.

    python bench/translate.py [--spans 10000] [--seconds 2.0]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span, Status

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray import translate_spans

NOW = 1_764_000_000.0
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/srv/app/handlers.py", line 41, in get_user\n    row = repo.load(user_id)\n'
    '  File "/srv/app/repo.py", line 12, in load\n    raise KeyError(user_id)\n'
    "KeyError: 'u-42'"
)


def _kv(key: str, value: object) -> KeyValue:
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, float):
        return KeyValue(key=key, value=AnyValue(double_value=value))
    if isinstance(value, list):
        kv = KeyValue(key=key)
        kv.value.array_value.values.extend(AnyValue(string_value=v) for v in value)
        return kv
    return KeyValue(key=key, value=AnyValue(string_value=str(value)))


def _span(index: int, trace_id: bytes, parent: bytes, kind: int, name: str, attrs: dict[str, object]) -> Span:
    start = int(NOW * 1e9) + index * 1_000_000
    span = Span(
        trace_id=trace_id, span_id=(index + 1).to_bytes(8, "big"), parent_span_id=parent, name=name, kind=kind,
        start_time_unix_nano=start, end_time_unix_nano=start + 12_345_678,
    )
    span.attributes.extend(_kv(k, v) for k, v in attrs.items())
    return span


def _server(index: int, trace_id: bytes) -> Span:
    return _span(index, trace_id, b"", Span.SPAN_KIND_SERVER, "GET /users/{id}", {
        "http.request.method": "GET", "url.scheme": "https", "url.path": f"/users/{index}", "url.query": "full=1",
        "server.address": "api.example.com", "server.port": 443, "network.peer.address": "10.0.3.7",
        "user_agent.original": "python-requests/2.32", "http.response.status_code": 200, "http.route": "/users/{id}",
        "network.protocol.version": "1.1",
    })


def _dynamodb(index: int, trace_id: bytes, parent: bytes) -> Span:
    return _span(index, trace_id, parent, Span.SPAN_KIND_CLIENT, "DynamoDB.GetItem", {
        "rpc.system": "aws-api", "rpc.service": "DynamoDB", "rpc.method": "GetItem", "aws.region": "eu-west-1",
        "aws.request_id": f"REQ{index:08d}", "aws.dynamodb.table_names": ["users"], "db.system": "dynamodb",
        "http.status_code": 200, "retry_attempts": 0,
    })


def _sql(index: int, trace_id: bytes, parent: bytes) -> Span:
    span = _span(index, trace_id, parent, Span.SPAN_KIND_CLIENT, "SELECT users", {
        "db.system": "postgresql", "db.name": "users", "db.user": "app", "db.statement": "SELECT * FROM users WHERE id = $1",
        "db.connection_string": "postgresql://db.internal:5432", "net.peer.name": "db.internal", "net.peer.port": 5432,
    })
    if index % 50 == 0:
        span.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR, message="boom"))
        event = span.events.add(name="exception", time_unix_nano=span.end_time_unix_nano)
        event.attributes.extend([_kv("exception.type", "KeyError"), _kv("exception.message", "'u-42'"),
                                 _kv("exception.stacktrace", TRACEBACK)])
    return span


def build_request(spans: int) -> bytes:
    """A request of ``spans`` spans: per trace one server span, one DynamoDB call, one SQL call."""
    rs = ResourceSpans()
    rs.resource.attributes.extend([
        _kv("service.name", "users-api"), _kv("service.version", "1.4.2"), _kv("telemetry.sdk.name", "opentelemetry"),
        _kv("telemetry.sdk.language", "python"), _kv("telemetry.sdk.version", "1.45.1"), _kv("cloud.provider", "aws"),
        _kv("cloud.platform", "aws_ec2"), _kv("host.id", "i-0abc123"), _kv("cloud.region", "eu-west-1"),
    ])
    scope = rs.scope_spans.add()
    scope.scope.name = "opentelemetry.instrumentation.flask"
    trace_id = b""
    for index in range(spans):
        if index % 3 == 0:
            trace_id = int(NOW).to_bytes(4, "big") + os.urandom(12)
            scope.spans.append(_server(index, trace_id))
            continue
        root = (index - index % 3 + 1).to_bytes(8, "big")
        make = _dynamodb if index % 3 == 1 else _sql
        scope.spans.append(make(index, trace_id, root))
    return ExportTraceServiceRequest(resource_spans=[rs]).SerializeToString()


def _measure(func: Callable[[], object], seconds: float, clock: Callable[[], float]) -> float:
    """Best seconds per call over repeated runs lasting about ``seconds`` of wall time."""
    best, deadline = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = clock()
        func()
        best = min(best, clock() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="cpu: process CPU time (robust on a shared machine); wall: elapsed time")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    payload = build_request(args.spans)
    options = TranslateOptions(indexed_attributes=("http.route",))

    def decode() -> object:
        return ExportTraceServiceRequest.FromString(payload)

    def full() -> object:
        request = ExportTraceServiceRequest.FromString(payload)
        result = translate_spans(request.resource_spans, options=options, now=NOW)
        if result.errors:
            raise SystemExit(f"unexpected translation errors: {result.errors[:3]}")
        return result

    documents = len(full().documents)
    decode_s, full_s = _measure(decode, args.seconds, clock), _measure(full, args.seconds, clock)
    print(f"request: {args.spans} spans, {len(payload):,} bytes, {documents} documents ({args.clock} time, best run)")
    print(f"{'stage':<40} {'ms/batch':>10} {'spans/s':>12}")
    print(f"{'(a) protobuf decode':<40} {decode_s * 1e3:>10.3f} {args.spans / decode_s:>12,.0f}")
    print(f"{'(b) decode + translate + JSON encode':<40} {full_s * 1e3:>10.3f} {args.spans / full_s:>12,.0f}")
    ratio = full_s / decode_s
    rate = args.spans / full_s
    print(f"ratio (b)/(a): {ratio:.1f}x (target <= 5x)   throughput (b): {rate:,.0f} spans/s (target >= 50,000)")


if __name__ == "__main__":
    main()
