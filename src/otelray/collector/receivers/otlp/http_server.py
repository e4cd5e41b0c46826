"""OTLP/HTTP server: uvicorn (httptools) with a hand-written ASGI dispatch (reference server-stack.md).

Follows the OTLP/HTTP spec and upstream ``otlpreceiver/otlphttp.go``: ``POST`` to the signal paths
with ``application/x-protobuf`` or ``application/json`` bodies, optionally ``Content-Encoding``
gzip / deflate / zstd / snappy; the response uses the request's content type. Errors carry a
``google.rpc.Status`` body: 400 for undecodable payloads (the message says what failed), 404 unknown
path or signal without pipeline, 405 wrong method (``Allow: POST``), 413 body over
``max_request_body_size`` (checked before and after decompression), 415 unsupported content type or
encoding, 503 with ``Retry-After`` for retryable pipeline errors. The server never crashes on input.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import cramjam
from google.protobuf.message import DecodeError
from google.rpc import status_pb2
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from otelray.collector import otlpjson
from otelray.collector.component import Signal
from otelray.collector.config.blocks import split_host_port
from otelray.collector.consumer import BATCH_TYPES
from otelray.collector.httpserver import bind, serve_asgi, stop_asgi
from otelray.collector.receiverhelper import http_status, reject_request
from otelray.collector.receivers.otlp.config import HttpServerConfig

if TYPE_CHECKING:
    from otelray.collector.receivers.otlp.receiver import OtlpReceiver

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]
PROTOBUF, JSON = b"application/x-protobuf", b"application/json"
_RESPONSES: dict[Signal, Any] = {
    Signal.TRACES: ExportTraceServiceResponse, Signal.METRICS: ExportMetricsServiceResponse,
    Signal.LOGS: ExportLogsServiceResponse,
}
_REJECTED_FIELD = {Signal.TRACES: "rejected_spans", Signal.METRICS: "rejected_data_points",
                   Signal.LOGS: "rejected_log_records"}


class HttpError(Exception):
    """A request problem answered with ``status`` and a ``google.rpc.Status`` body."""

    def __init__(self, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.status = status
        self.headers = headers or []
        super().__init__(message)


class _PipelineError(HttpError):
    """The pipeline refused decoded data (items already counted as refused)."""


def _decompress_bounded(codec: Any, body: bytes, limit: int) -> bytes:
    """Decompress into a bounded buffer so a decompression bomb never allocates past ``limit + 1`` bytes.

    A first attempt uses a buffer of 32× the compressed size (OTLP compresses far less than that), the
    second the full ``limit + 1``; a body that fills even that is refused with 413.
    """
    for capacity in sorted({min(limit + 1, max(65536, 32 * len(body))), limit + 1}):
        buffer = bytearray(capacity)
        try:
            size = codec.decompress_into(body, buffer)
        except cramjam.DecompressionError as exc:
            if "whole buffer" in str(exc) or "smaller than required" in str(exc):
                continue
            raise
        if size <= limit:
            return bytes(memoryview(buffer)[:size])
    raise HttpError(413, f"decompressed body exceeds max_request_body_size ({limit} bytes)")


def _decompress(body: bytes, encoding: str, limit: int) -> bytes:
    if encoding in ("", "identity"):
        return body
    try:
        if encoding in ("gzip", "deflate"):
            d = zlib.decompressobj(wbits=47 if encoding == "gzip" else 15)
            out = d.decompress(body, limit + 1)
            if len(out) <= limit and not d.eof:
                raise HttpError(400, f"invalid {encoding} body: truncated stream")
        elif encoding == "snappy":
            if cramjam.snappy.decompress_raw_len(body) > limit:  # the block header states the size: no bomb
                raise HttpError(413, f"decompressed body exceeds max_request_body_size ({limit} bytes)")
            out = bytes(cramjam.snappy.decompress_raw(body))
        elif encoding in ("zstd", "x-snappy-framed"):
            out = _decompress_bounded(cramjam.zstd if encoding == "zstd" else cramjam.snappy, body, limit)
        else:
            raise HttpError(415, f'unsupported Content-Encoding "{encoding}" (use gzip, deflate, zstd or snappy)')
    except (zlib.error, cramjam.DecompressionError) as exc:
        raise HttpError(400, f"invalid {encoding} body: {exc}") from exc
    if len(out) > limit:
        raise HttpError(413, f"decompressed body exceeds max_request_body_size ({limit} bytes)")
    return out


def _decode(signal: Signal, body: bytes, ctype: bytes) -> Any:
    message = BATCH_TYPES[signal]()
    if ctype == PROTOBUF:
        try:
            message.ParseFromString(body)
        except DecodeError as exc:
            raise HttpError(400, f"failed to unmarshal request body as protobuf {message.DESCRIPTOR.name}: {exc}") from exc
        return message
    try:
        return otlpjson.decode(body, message)
    except ValueError as exc:
        raise HttpError(400, f"failed to unmarshal request body as JSON {message.DESCRIPTOR.name}: {exc}") from exc


class OtlpHttpApp:
    """The ASGI application of one ``otlp`` receiver's HTTP server."""

    def __init__(self, receiver: OtlpReceiver, config: HttpServerConfig) -> None:
        self.receiver = receiver
        self.config = config
        self.routes = {config.traces_url_path: Signal.TRACES, config.metrics_url_path: Signal.METRICS,
                       config.logs_url_path: Signal.LOGS}
        self.extra = [(k.lower().encode(), v.encode()) for k, v in config.response_headers.items()]
        self.origins = set(config.cors.allowed_origins if config.cors else [])

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = dict(scope["headers"])
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        reply_type = JSON if ctype == JSON else PROTOBUF
        try:
            await self._handle(scope, headers, ctype, receive, send)
        except HttpError as exc:
            if not isinstance(exc, _PipelineError):  # pipeline refusals were counted per item already
                reject_request(self.receiver.settings, "http", str(exc.status), str(exc))
            await self._status(send, exc.status, str(exc), reply_type, exc.headers, headers)

    async def _handle(self, scope: dict[str, Any], headers: dict[bytes, bytes], ctype: bytes,
                      receive: Receive, send: Send) -> None:
        signal = self.routes.get(scope["path"])
        if signal is None or not self.receiver.accepts(signal):
            raise HttpError(404, f"no OTLP signal is received on {scope['path']}")
        if scope["method"] == "OPTIONS" and self.origins:
            await self._reply(send, 204, b"", b"text/plain", self._cors(headers, preflight=True))
            return
        if scope["method"] != "POST":
            raise HttpError(405, f"{scope['method']} method not allowed, supported: [POST]", [(b"allow", b"POST")])
        if ctype not in (PROTOBUF, JSON):
            raise HttpError(415, f'unsupported content type "{ctype.decode(errors="replace")}", supported: '
                            "[application/json, application/x-protobuf]")
        limit = self.config.max_request_body_size
        body = await self._body(receive, limit)
        encoding = headers.get(b"content-encoding", b"").decode(errors="replace").strip().lower()
        batch = _decode(signal, _decompress(body, encoding, limit), ctype)
        try:
            rejected, message = await self.receiver.export(signal, batch, "http")
        except Exception as exc:
            status, extra = http_status(exc)
            raise _PipelineError(status, str(exc), extra) from exc
        response = _response(signal, rejected, message)
        out = otlpjson.encode(response) if ctype == JSON else response.SerializeToString()
        await self._reply(send, 200, out, ctype, self._cors(headers))

    async def _body(self, receive: Receive, limit: int) -> bytes:
        parts, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise HttpError(413, f"request body exceeds max_request_body_size ({limit} bytes)")
            parts.append(chunk)
            if not message.get("more_body"):
                return b"".join(parts)

    def _cors(self, headers: dict[bytes, bytes], *, preflight: bool = False) -> list[tuple[bytes, bytes]]:
        origin = headers.get(b"origin", b"").decode(errors="replace")
        if not origin or not ("*" in self.origins or origin in self.origins):
            return []
        out = [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
        if preflight:
            allowed = ["content-type", "content-encoding", *(self.config.cors.allowed_headers if self.config.cors else [])]
            out += [(b"access-control-allow-methods", b"POST"), (b"access-control-allow-headers", ", ".join(allowed).encode())]
        return out

    async def _status(self, send: Send, status: int, message: str, ctype: bytes,
                      extra: list[tuple[bytes, bytes]], headers: dict[bytes, bytes]) -> None:
        code = {400: 3, 404: 12, 405: 12, 413: 3, 415: 3, 503: 14}.get(status, 2)
        st = status_pb2.Status(code=code, message=message)
        body = otlpjson.encode(st) if ctype == JSON else st.SerializeToString()
        await self._reply(send, status, body, ctype, extra + self._cors(headers))

    async def _reply(self, send: Send, status: int, body: bytes, ctype: bytes, extra: list[tuple[bytes, bytes]]) -> None:
        head = [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *self.extra, *extra]
        await send({"type": "http.response.start", "status": status, "headers": head})
        await send({"type": "http.response.body", "body": body})


def _response(signal: Signal, rejected: int, message: str) -> Any:
    response = _RESPONSES[signal]()
    if rejected:
        setattr(response.partial_success, _REJECTED_FIELD[signal], rejected)
        response.partial_success.error_message = message
    return response


class HttpServer:
    """The OTLP/HTTP listener of one ``otlp`` receiver."""

    transport = "http"

    def __init__(self, receiver: OtlpReceiver, config: HttpServerConfig) -> None:
        self.receiver = receiver
        self.config = config
        self.address = split_host_port(config.endpoint)
        self._running: tuple[Any, asyncio.Task[None]] | None = None

    async def start(self) -> None:
        """Bind and serve."""
        sock = bind(self.config.endpoint, self.receiver.settings.id)
        self.address = (self.address[0], sock.getsockname()[1])
        self._running = await serve_asgi(OtlpHttpApp(self.receiver, self.config), sock, self.config.tls)

    async def stop(self) -> None:
        """Finish in-flight requests and close."""
        if self._running is not None:
            running, self._running = self._running, None
            await stop_asgi(*running)
