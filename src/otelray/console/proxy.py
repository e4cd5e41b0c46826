"""The X-Ray API forwarded same-origin at ``POST /xray/<path>`` of the console.

The browser never talks cross-origin: the console hands each request to the backend's X-Ray ASGI
app in-process, with ``/xray`` taken off the path, so the answer — including AWS-shaped errors such
as GetTraceSummaries' ``InvalidRequestException`` for a bad filter expression — is exactly what the
API returns over TCP. Requests that are not same-origin console requests get ``403``
(``otelray.console.security.same_origin_problem``); the API app enforces its own body size limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from otelray.console.metrics import ConsoleMetrics
from otelray.console.security import same_origin_problem

__all__ = ["ApiProxy"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_PREFIX = "/xray"


class ApiProxy:
    """ASGI endpoint forwarding ``/xray/<path>`` to ``/<path>`` of the X-Ray app."""

    def __init__(self, xray_app: Callable[[Scope, Receive, Send], Awaitable[None]], metrics: ConsoleMetrics) -> None:
        self.xray_app = xray_app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = same_origin_problem(scope)
        if problem is not None:
            reason, message = problem
            self.metrics.reject(reason)
            body = orjson.dumps({"__type": "AccessDeniedException", "message": message})
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"x-amzn-errortype", b"AccessDeniedException")]})
            await send({"type": "http.response.body", "body": body})
            return
        path = "/" + str(scope["path_params"]["operation"]).lstrip("/")
        inner = dict(scope)
        inner["path"] = path
        inner["raw_path"] = path.encode()
        inner["root_path"] = ""
        await self.xray_app(inner, receive, send)
