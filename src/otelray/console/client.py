"""The console's client of the X-Ray API: botocore's paths, JSON bodies, AWS-shaped errors.

The console is only a client of the X-Ray API (design.md). In ``otelray backend`` it reaches the
service's ASGI app in-process (``httpx.ASGITransport``: the same requests and bytes as over TCP, no
socket). Operation names map to request paths through botocore's ``xray`` service model
(``otelray.xray.model``).
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from otelray.errors import OtelrayError
from otelray.xray.model import operations

__all__ = ["XRayApiError", "XRayClient", "operation_paths"]

#: Time allowed for one API call made on behalf of a console page.
TIMEOUT_SECONDS = 30.0


class XRayApiError(OtelrayError):
    """An error answer of the X-Ray API (``code`` = AWS error code, ``status`` = HTTP status)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def operation_paths() -> dict[str, str]:
    """Operation name → request path (``GetTraceSummaries`` → ``/TraceSummaries``)."""
    return {op.name: op.path for op in operations()}


class XRayClient:
    """Calls X-Ray operations on the X-Ray API's ASGI app, in-process."""

    def __init__(self, *, app: Any) -> None:
        self._http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://xray.local",
                                       timeout=TIMEOUT_SECONDS)
        self._paths = operation_paths()

    async def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        """Call ``operation`` with ``body``; raise ``XRayApiError`` on an error answer."""
        path = self._paths.get(operation)
        if path is None:
            raise XRayApiError("UnknownOperationException", f"{operation} is not an X-Ray operation", 400)
        response = await self._http.post(path, content=orjson.dumps(body),
                                         headers={"content-type": "application/json"})
        try:
            data = orjson.loads(response.content) if response.content else {}
        except orjson.JSONDecodeError:
            data = {"message": response.text[:500]}
        if response.status_code >= 400:
            code = data.get("__type") or response.headers.get("x-amzn-errortype") or "ServiceException"
            raise XRayApiError(str(code).split(":")[0], str(data.get("message") or data.get("Message") or ""),
                               response.status_code)
        return data if isinstance(data, dict) else {}

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()
