"""Reading the ECS Task Metadata Endpoint v4 (contrib ``internal/aws/ecsutil`` rest client).

``GET {endpoint}/task`` is the task metadata, ``GET {endpoint}/task/stats`` a map of Docker id to
Docker stats (``null`` for a container without stats). Each answer must be JSON of the expected
shape and at most ``MAX_RESPONSE_BYTES``; anything else raises ``TmdeError`` with a short reason
(``unreachable``, ``http_status``, ``too_large``, ``invalid_json``, ``unexpected_shape``).
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from otelray.collector.errors import CollectorError

#: Largest metadata or stats document read (a task has at most 10 containers; a few KB each).
MAX_RESPONSE_BYTES = 4 * 1024 * 1024


class TmdeError(CollectorError):
    """A metadata request failed; ``reason`` is the metric label."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


async def _get_json(client: httpx.AsyncClient, url: str) -> Any:
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise TmdeError("http_status", f"GET {url} answered HTTP {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise TmdeError("too_large", f"GET {url}: answer larger than {MAX_RESPONSE_BYTES} bytes")
    except httpx.HTTPError as exc:
        raise TmdeError("unreachable", f"GET {url} failed: {type(exc).__name__}: {exc}") from exc
    try:
        return orjson.loads(bytes(body))
    except orjson.JSONDecodeError as exc:
        raise TmdeError("invalid_json", f"GET {url}: not JSON ({exc})") from exc


async def fetch_task(client: httpx.AsyncClient, endpoint: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(task metadata, stats by Docker id)`` from the endpoint."""
    metadata = await _get_json(client, f"{endpoint}/task")
    stats = await _get_json(client, f"{endpoint}/task/stats")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("Containers", []), list):
        raise TmdeError("unexpected_shape", f"{endpoint}/task is not a task metadata object")
    if not isinstance(stats, dict):
        raise TmdeError("unexpected_shape", f"{endpoint}/task/stats is not an object keyed by Docker id")
    return metadata, stats
