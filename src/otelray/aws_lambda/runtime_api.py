"""A local AWS Lambda Runtime API (the ``2018-06-01`` runtime interface awslambdaric speaks).

Implements the endpoints of the Lambda Runtime API reference ("AWS Lambda runtime API"):
``GET /2018-06-01/runtime/invocation/next`` (blocks until an event is queued; answers with the
``Lambda-Runtime-Aws-Request-Id``, ``-Deadline-Ms``, ``-Invoked-Function-Arn`` and ``-Trace-Id``
headers), ``POST …/invocation/{id}/response``, ``POST …/invocation/{id}/error`` and
``POST /2018-06-01/runtime/init/error``. Limits follow Lambda's: a synchronous response payload of
at most 6 MB (larger ones are recorded as ``Function.ResponseSizeTooLarge``), error bodies of at most
1 MB. An unknown request id answers 400 ``InvalidRequestID`` as Lambda does; every rejected call is
counted in ``rejected``.
"""

from __future__ import annotations

import collections
import json
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from otelray.aws_lambda.extensions_api import PREFIX as EXTENSION_PREFIX
from otelray.aws_lambda.extensions_api import ExtensionsApi

API_PREFIX = "/2018-06-01/runtime"
#: Lambda's synchronous invocation payload limit (request and response), bytes.
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
#: Largest error document accepted from the runtime.
MAX_ERROR_BYTES = 1024 * 1024


@dataclass
class Invocation:
    """One queued event and, once the runtime answers, its outcome."""

    request_id: str
    payload: bytes
    timeout: float
    function_arn: str
    trace_id: str | None = None
    deadline_ms: int = 0  # set when the runtime fetches the event: init time does not count
    response: bytes | None = None
    error: dict[str, Any] | None = None
    error_type: str | None = None
    xray_error_cause: str | None = None
    received_at: float | None = None  # when the runtime fetched it (monotonic)
    done_at: float | None = None
    done: threading.Event = field(default_factory=threading.Event)


@dataclass
class InitError:
    """What the runtime reported through ``/runtime/init/error``."""

    error_type: str | None
    body: dict[str, Any]


class RuntimeApiServer:
    """The Runtime API on ``127.0.0.1:port`` (0: a free port), served from a daemon thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._pending: collections.deque[Invocation] = collections.deque()
        self._ready = threading.Condition()
        self._stopping = False
        self._by_id: dict[str, Invocation] = {}
        self._lock = threading.Lock()
        self.init_errors: list[InitError] = []
        self.first_poll = threading.Event()
        self.first_poll_at: float | None = None
        self.rejected: dict[str, int] = {}
        self.extensions = ExtensionsApi()
        self.extension_errors: list[tuple[str, str, dict[str, Any]]] = []  # (extension, phase, body)
        self._httpd = _QuietServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="lambda-runtime-api", daemon=True)

    @property
    def address(self) -> str:
        """``host:port`` for ``AWS_LAMBDA_RUNTIME_API``."""
        host, port = self._httpd.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> RuntimeApiServer:
        """Start serving; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the socket (safe twice)."""
        with self._ready:
            self._stopping = True
            self._ready.notify_all()
        self.extensions.stop()
        self._httpd.shutdown()
        self._httpd.server_close()

    def submit(self, invocation: Invocation) -> None:
        """Queue an event for the next ``/invocation/next``."""
        with self._lock:
            self._by_id[invocation.request_id] = invocation
        with self._ready:
            self._pending.append(invocation)
            self._ready.notify()

    def forget(self, request_id: str) -> None:
        """Drop a finished invocation (a later post for it answers ``InvalidRequestID``)."""
        with self._lock:
            self._by_id.pop(request_id, None)
        with self._ready:  # an event never fetched (its runtime died) must not reach the next runtime
            self._pending = collections.deque(i for i in self._pending if i.request_id != request_id)

    def reset_poll(self) -> None:
        """Forget the first poll (a new runtime process is starting)."""
        self.first_poll.clear()
        self.first_poll_at = None

    # -- called from the request handler -----------------------------------------------------

    def next_invocation(self, connection: socket.socket) -> Invocation | None:
        """The next event for the runtime on ``connection``; ``None`` when stopping or the runtime is gone.

        A runtime killed while it waited (a timeout) leaves its request behind; the peer check
        keeps that dead request from taking the next event.
        """
        if not self.first_poll.is_set():
            self.first_poll_at = time.monotonic()
            self.first_poll.set()
        with self._ready:
            while True:
                if self._stopping or _peer_closed(connection):
                    return None
                if self._pending:
                    item = self._pending.popleft()
                    break
                self._ready.wait(0.2)
        item.received_at = time.monotonic()
        item.deadline_ms = int((time.time() + item.timeout) * 1000)
        return item

    def lookup(self, request_id: str) -> Invocation | None:
        with self._lock:
            return self._by_id.get(request_id)

    def reject(self, reason: str) -> None:
        with self._lock:
            self.rejected[reason] = self.rejected.get(reason, 0) + 1


def _make_handler(api: RuntimeApiServer) -> type[BaseHTTPRequestHandler]:
    return type("RuntimeApiHandler", (_Handler,), {"api": api})


class _Handler(BaseHTTPRequestHandler):
    """One Runtime API request; ``api`` is set on the per-server subclass."""

    api: RuntimeApiServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body of /next must not wait for a delayed ACK

    def log_message(self, format: str, *args: Any) -> None:
        return  # the runtime's polling is not worth a log line

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, error_type: str, message: str) -> None:
        self.api.reject(error_type)
        self._send(status, json.dumps({"errorType": error_type, "errorMessage": message}).encode())

    def do_GET(self) -> None:
        if self.path == f"{EXTENSION_PREFIX}/event/next":
            self._extension_next()
            return
        if self.path != f"{API_PREFIX}/invocation/next":
            self._error(404, "NotFound", f"unknown path {self.path}")
            return
        item = self.api.next_invocation(self.connection)
        if item is None:
            self._error(503, "ServiceUnavailable", "the runtime API is shutting down")
            return
        headers = {
            "Lambda-Runtime-Aws-Request-Id": item.request_id,
            "Lambda-Runtime-Deadline-Ms": str(item.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": item.function_arn,
        }
        if item.trace_id:
            headers["Lambda-Runtime-Trace-Id"] = item.trace_id
        self._send(200, item.payload, headers)

    def _read_body(self, limit: int) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            self.rfile.read(length)
            return None
        return self.rfile.read(length) if length else b""

    def _extension_next(self) -> None:
        extension = self.api.extensions.get(self.headers.get("Lambda-Extension-Identifier", ""))
        if extension is None:
            self._error(403, "Extension.UnknownExtensionIdentifier", "unknown Lambda-Extension-Identifier")
            return
        event = self.api.extensions.next_event(extension, lambda: not _peer_closed(self.connection))
        if event is None:
            self._error(503, "ServiceUnavailable", "the extensions API is shutting down")
            return
        self._send(200, json.dumps(event).encode(), {"Lambda-Extension-Event-Identifier": str(id(event))})

    def _extension_post(self) -> None:
        action = self.path[len(EXTENSION_PREFIX):]
        body = self._read_body(MAX_ERROR_BYTES) or b"{}"
        if action == "/register":
            try:
                extension = self.api.extensions.register(self.headers.get("Lambda-Extension-Name", ""),
                                                         _json(body).get("events"))
            except ValueError as exc:
                self._error(400, "InvalidRequest", str(exc))
                return
            self._send(200, b"{}", {"Lambda-Extension-Identifier": extension.identifier})
        elif action in ("/init/error", "/exit/error"):
            known = self.api.extensions.get(self.headers.get("Lambda-Extension-Identifier", ""))
            self.api.extension_errors.append((known.name if known else "?", action.split("/")[1], _json(body)))
            self._send(202, b'{"status":"OK"}')
        else:
            self._error(404, "NotFound", f"unknown path {self.path}")

    def do_POST(self) -> None:
        if self.path.startswith(EXTENSION_PREFIX):
            self._extension_post()
            return
        parts = self.path[len(API_PREFIX):].strip("/").split("/") if self.path.startswith(API_PREFIX) else []
        if parts == ["init", "error"]:
            body = self._read_body(MAX_ERROR_BYTES) or b"{}"
            self.api.init_errors.append(InitError(self.headers.get("Lambda-Runtime-Function-Error-Type"), _json(body)))
            self._send(202, b'{"status":"OK"}')
            return
        if len(parts) != 3 or parts[0] != "invocation" or parts[2] not in ("response", "error"):
            self._error(404, "NotFound", f"unknown path {self.path}")
            return
        item = self.api.lookup(parts[1])
        if item is None or item.done.is_set():
            self._read_body(MAX_PAYLOAD_BYTES)
            self._error(400, "InvalidRequestID", f"unknown or finished request id {parts[1]!r}")
            return
        self._finish(item, parts[2])

    def _finish(self, item: Invocation, kind: str) -> None:
        if kind == "response":
            body = self._read_body(MAX_PAYLOAD_BYTES)
            if body is None:
                item.error_type = "Function.ResponseSizeTooLarge"
                item.error = {"errorType": "Function.ResponseSizeTooLarge",
                              "errorMessage": f"Response payload size exceeded maximum allowed payload "
                                              f"size ({MAX_PAYLOAD_BYTES} bytes)."}
                self.api.reject("ResponseSizeTooLarge")
            else:
                item.response = body
        else:
            body = self._read_body(MAX_ERROR_BYTES)
            item.error_type = self.headers.get("Lambda-Runtime-Function-Error-Type") or "Unhandled"
            item.error = _json(body) if body is not None else {"errorMessage": "error document too large"}
            item.xray_error_cause = self.headers.get("Lambda-Runtime-Function-XRay-Error-Cause")
        item.done_at = time.monotonic()
        item.done.set()
        self._send(202, b'{"status":"OK"}')


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A runtime killed mid-request (timeouts) resets its connection; that is expected."""


def _peer_closed(connection: socket.socket) -> bool:
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {"errorMessage": body.decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"errorMessage": str(value)}
