"""The X-Ray API as an ASGI application (rest-json protocol, botocore ``xray`` model).

A hand-written ASGI callable, not a framework router: ingest is the hot path and a dict lookup on
the path is the cheapest dispatch measured (``reference/server-stack.md``). Every response carries
``x-amzn-RequestId``; errors use the AWS shape botocore parses (status, ``x-amzn-ErrorType``, body
``__type``/``message``). Bodies above ``MAX_BODY_BYTES`` are refused before they are read whole.
Introspection: ``GET /-/metrics`` (Prometheus text) and ``GET /-/health``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from otelray.service import graphs, traces
from otelray.service.context import ServiceContext
from otelray.service.errors import InvalidRequestException, ServiceError
from otelray.service.ops import HANDLERS as CONFIG_HANDLERS
from otelray.service.routing import Route, route_for, validate_input

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Largest request body accepted (PutTraceSegments of 50 × 64 KB documents, JSON-escaped, fits).
MAX_BODY_BYTES = 5 * 1024 * 1024
#: The operations this package answers itself; the configuration operations come from ``ops``.
OPERATIONS = {**traces.OPERATIONS, **graphs.OPERATIONS}


class _InternalError(ServiceError):
    code = "ServiceException"
    status = 500


class XRayApp:
    """ASGI app serving the X-Ray API over one ``ServiceContext``."""

    def __init__(self, ctx: ServiceContext, *, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.ctx = ctx
        self.max_body_bytes = max_body_bytes
        # request ids: a random per-process prefix and a counter, shaped like the UUIDs AWS sends
        # (uuid4() per request reads the OS random source, a measurable share of a small call)
        self._id_prefix = uuid.uuid4().hex[:20]
        self._ids = itertools.count()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith("/-/"):
            await self._introspection(scope["method"], path, send)
            return
        request_id = self._request_id()
        operation = "unknown"
        try:
            route = route_for(scope["method"], path)
            operation = route.name
            body = await self._body(scope, receive)
            params = _input(route, _json(body))
            result = await self._dispatch(route.name, params)
        except ServiceError as exc:
            self.ctx.metrics.requests.labels(operation, exc.code).inc()
            await _respond(send, exc.status, orjson.dumps(exc.body()), request_id, exc.headers())
            return
        except Exception:
            log.exception("%s failed", operation)
            exc = _InternalError(f"{operation} failed inside otelray; see the backend log (request {request_id})")
            self.ctx.metrics.requests.labels(operation, exc.code).inc()
            await _respond(send, exc.status, orjson.dumps(exc.body()), request_id, exc.headers())
            return
        self.ctx.metrics.requests.labels(operation, "OK").inc()
        await _respond(send, 200, orjson.dumps(result), request_id)

    def _request_id(self) -> str:
        h = f"{self._id_prefix}{next(self._ids) & 0xFFFFFFFFFFFF:012x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    async def _dispatch(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = OPERATIONS.get(operation)
        if handler is not None:
            return await handler(self.ctx, params)
        config_handler = CONFIG_HANDLERS.get(operation)
        if config_handler is None or self.ctx.config is None:
            raise InvalidRequestException(f"{operation} is not implemented by otelray (see the README's X-Ray table)")
        return await asyncio.to_thread(config_handler, self.ctx.config, params, self.ctx.clock())

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                raise InvalidRequestException(f"request body of {int(value)} bytes exceeds {self.max_body_bytes}")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise InvalidRequestException(f"request body exceeds {self.max_body_bytes} bytes")
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    async def _introspection(self, method: str, path: str, send: Send) -> None:
        if method == "GET" and path == "/-/metrics":
            await _respond(send, 200, self.ctx.metrics.render(), None, content_type=b"text/plain; version=0.0.4")
        elif method == "GET" and path == "/-/health":
            await _respond(send, 200, b'{"status":"ok"}', None)
        else:
            await _respond(send, 404, b'{"message":"not found"}', None)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":  # the server closes the context after UDP
                await send({"type": "lifespan.shutdown.complete"})
                return


def _input(route: Route, params: object) -> dict[str, Any]:
    """``validate_input``, with the hot PutTraceSegments shape (one required list of strings, no other
    constraints in the service model) checked inline; anything else takes the general path and its errors."""
    if route.name == "PutTraceSegments" and type(params) is dict and len(params) == 1:
        documents = params.get("TraceSegmentDocuments")
        if type(documents) is list and all(type(d) is str for d in documents):
            return params
    return validate_input(route, params)


def _json(body: bytes) -> object:
    if not body.strip():
        return {}
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestException(f"request body is not valid JSON: {exc}") from None


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    request_id: str | None,
    headers: dict[str, str] | None = None,
    *,
    content_type: bytes = b"application/json",
) -> None:
    raw = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if request_id is not None:
        raw.append((b"x-amzn-requestid", request_id.encode()))
    for key, value in (headers or {}).items():
        raw.append((key.lower().encode(), value.encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
