"""Benchmark: OTLP spans → X-Ray segment documents, the Python path against the native path.

Builds a realistic ``ExportTraceServiceRequest`` (default 10,000 spans in batches of SERVER spans with
HTTP attributes, DynamoDB client calls with botocore attributes, SQL calls, a few exceptions), then
measures on one core:

(a) protobuf decode alone (``ExportTraceServiceRequest.FromString``),
(b) the Python path: decode + ``translate_spans`` + JSON encode,
(c) ``translate_request`` on the serialized request (what the awsxray exporter does per batch): the
    C extension ``otelray.translate._native`` decodes, translates and encodes the spans it covers and
    hands the others to the Python modules; without the extension (or with ``OTELRAY_PURE_PYTHON=1``)
    it is the Python path,

and prints spans/s for each, the ratios (b)/(a) and (c)/(a), the share of spans translated natively
and whether the extension is built. Targets: ≥ 50,000 spans/s; ≤ 5× the decode.

``--check`` translates the request once by each path with deterministic segment ids and exits
non-zero unless the documents and errors are exactly equal (bytes and order).

Instructions per span (callgrind counts instructions, so the figure does not depend on machine load):
``--once`` runs one stage once after building the request, ``--once setup`` only builds it;
the difference divided by ``--spans`` is that stage's instructions per span. Run the interpreter
binary itself (a pyenv shim is a shell script, which valgrind would measure instead)::

    PY=$(python -c 'import sys; print(sys.executable)')
    valgrind --tool=callgrind --callgrind-out-file=cg.setup $PY bench/translate.py --spans 1000 --once setup
    valgrind --tool=callgrind --callgrind-out-file=cg.c $PY bench/translate.py --spans 1000 --once
    # (I refs of cg.c − I refs of cg.setup) / 1000: valgrind's "I refs" line, or the "summary:" line of each file

(``--once b`` / ``--once a`` give the Python path and the decode the same way.)

    python bench/translate.py [--spans 10000] [--seconds 2.0] [--clock cpu|wall] [--check] [--once [a|b|c|setup]]
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import sys
import time
from collections.abc import Callable

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span, Status

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray import ToXRayResult, translate_spans
from otelray.translate.to_xray.request import PURE_PYTHON_ENV, native_available, translate_request

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


def _deterministic_ids() -> Callable[[], str]:
    """Segment ids 0000000000000001, 0000000000000002 … (the two paths draw ids in the same order)."""
    counter = itertools.count(1)
    return lambda: f"{next(counter):016x}"


def check(payload: bytes, options: TranslateOptions) -> int:
    """Compare the documents and errors of the Python path (b) and translate_request (c); 0 when equal."""
    python = translate_spans(ExportTraceServiceRequest.FromString(payload).resource_spans, options=options, now=NOW,
                             new_id=_deterministic_ids())
    native = translate_request(payload, options=options, now=NOW, new_id=_deterministic_ids())
    print(f"check: {len(python.documents)} documents, {len(python.errors)} errors; "
          f"{native.native_spans} spans translated natively (extension built: {_built()})")
    if python.errors != native.errors:
        print(f"check FAILED: errors differ: python {python.errors[:3]} native {native.errors[:3]}")
        return 1
    if python.documents == native.documents:
        print("check: documents identical (exact bytes)")
        return 0
    if len(python.documents) != len(native.documents):
        print(f"check FAILED: {len(python.documents)} documents by the Python path, {len(native.documents)} by (c)")
        return 1
    index = next(i for i, (p, n) in enumerate(zip(python.documents, native.documents, strict=True)) if p != n)
    print(f"check FAILED at document {index}:\n  python: {python.documents[index]!r}\n  native: {native.documents[index]!r}")
    return 1


def _built() -> str:
    if importlib.util.find_spec("otelray.translate._native") is None:
        return "no"
    return "yes" if native_available() else f"yes, switched off by {PURE_PYTHON_ENV}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="cpu: process CPU time (robust on a shared machine); wall: elapsed time")
    parser.add_argument("--check", action="store_true",
                        help="compare the documents of (b) and (c) exactly; exit 1 on a difference")
    parser.add_argument("--once", nargs="?", const="c", choices=("a", "b", "c", "setup"),
                        help="run one stage once and exit (for valgrind --tool=callgrind); default c")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    payload = build_request(args.spans)
    options = TranslateOptions(indexed_attributes=("http.route",))
    if args.check:
        sys.exit(check(payload, options))

    def decode() -> object:
        return ExportTraceServiceRequest.FromString(payload)

    def python_path() -> ToXRayResult:
        request = ExportTraceServiceRequest.FromString(payload)
        return _no_errors(translate_spans(request.resource_spans, options=options, now=NOW))

    def native_path() -> ToXRayResult:
        return _no_errors(translate_request(payload, options=options, now=NOW))

    if args.once:
        if args.once != "setup":
            {"a": decode, "b": python_path, "c": native_path}[args.once]()
        return
    documents = len(python_path().documents)
    native_spans = native_path().native_spans
    decode_s, python_s, native_s = (_measure(f, args.seconds, clock) for f in (decode, python_path, native_path))
    print(f"request: {args.spans} spans, {len(payload):,} bytes, {documents} documents ({args.clock} time, best run)")
    print(f"extension built: {_built()}; spans translated natively by (c): {native_spans / args.spans:.1%}")
    print(f"{'stage':<52} {'ms/batch':>10} {'spans/s':>12} {'× (a)':>8}")
    for name, seconds in (("(a) protobuf decode", decode_s),
                          ("(b) Python path: decode + translate_spans + encode", python_s),
                          ("(c) translate_request (native path)", native_s)):
        print(f"{name:<52} {seconds * 1e3:>10.3f} {args.spans / seconds:>12,.0f} {seconds / decode_s:>7.1f}x")
    print(f"ratio (b)/(a): {python_s / decode_s:.1f}x   ratio (c)/(a): {native_s / decode_s:.1f}x (target <= 5x)   "
          f"throughput (c): {args.spans / native_s:,.0f} spans/s (target >= 50,000)   (b)/(c): {python_s / native_s:.1f}x")


def _no_errors(result: ToXRayResult) -> ToXRayResult:
    if result.errors:
        raise SystemExit(f"unexpected translation errors: {result.errors[:3]}")
    return result


if __name__ == "__main__":
    main()
