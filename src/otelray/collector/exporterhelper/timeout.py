"""The per-push deadline (collector ``exporterhelper/internal/timeout_sender.go``): ``timeout: 5s``.

A push that does not finish in time is cancelled and reported as a ``RetryableError``; ``0`` means
no deadline, as upstream.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from otelray.collector.errors import RetryableError


def with_timeout(push: Callable[[Any], Awaitable[None]], timeout: timedelta) -> Callable[[Any], Awaitable[None]]:
    """Wrap ``push`` so one call is bounded by ``timeout``."""
    seconds = timeout.total_seconds()
    if seconds <= 0:
        return push

    async def bounded(batch: Any) -> None:
        try:
            async with asyncio.timeout(seconds):
                await push(batch)
        except TimeoutError as exc:
            raise RetryableError(f"push did not finish within the {seconds:g}s timeout") from exc

    return bounded
