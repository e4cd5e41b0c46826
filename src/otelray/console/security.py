"""Security of the console's HTTP app: response headers and the same-origin guard of the API proxy.

Trace data is untrusted (any process that can send a UDP datagram writes it), so the console
assumes hostile names, annotations and metadata: a strict Content-Security-Policy on every response
(no inline script, no inline style, no third-party origin, no framing — OWASP "Content Security
Policy Cheat Sheet"), ``X-Content-Type-Options: nosniff``, no referrer. The X-Ray API forwarded at
``/xray/…`` changes state (sampling rules, groups), so it only answers same-origin requests: a JSON
``Content-Type`` (a cross-site form cannot send one without a CORS preflight, which is never
granted) and, when the browser sends ``Origin``, the console's own origin. Host names are checked
by Starlette's ``TrustedHostMiddleware`` (DNS rebinding).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware

from otelray.console.metrics import ConsoleMetrics

__all__ = ["CSP", "SECURITY_HEADERS", "CountingTrustedHost", "SecurityHeaders", "same_origin_problem"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

#: The Content-Security-Policy of every console response.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
#: Headers added to every response (replacing any the inner app set).
SECURITY_HEADERS: dict[bytes, bytes] = {
    b"content-security-policy": CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
}


class SecurityHeaders:
    """ASGI middleware setting ``SECURITY_HEADERS`` on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in SECURITY_HEADERS]
                headers.extend(SECURITY_HEADERS.items())
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def same_origin_problem(scope: Scope) -> tuple[str, str] | None:
    """``(reason, message)`` when a request to the API proxy is not a same-origin console request."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type not in ("application/json", "application/x-amz-json-1.1"):
        return "content_type", "the X-Ray API behind the console takes Content-Type: application/json"
    origin = headers.get("origin")
    if origin is not None:
        scheme = scope.get("scheme", "http")
        own = f"{scheme}://{headers.get('host', '')}"
        if origin != own:
            return "cross_origin", f"cross-origin request from {origin[:200]} refused"
    return None


class CountingTrustedHost(TrustedHostMiddleware):
    """Starlette's Host check, counting each refusal as ``foreign_host``."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str], metrics: ConsoleMetrics) -> None:
        super().__init__(app, allowed_hosts=allowed_hosts)
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] == "http" and not self.allow_any:
            host = Headers(scope=scope).get("host", "").split(":")[0]
            if host not in self.allowed_hosts:
                self.metrics.reject("foreign_host")
        await super().__call__(scope, receive, send)
