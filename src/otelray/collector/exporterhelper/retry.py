"""Retry with exponential backoff (collector ``exporterhelper/internal/retry_sender.go``).

Rules taken from upstream: a ``PermanentError`` returns at once; any other error is retried after
``initial_interval × multiplier^n`` (capped at ``max_interval``, randomized by
``randomization_factor``); a ``ThrottledError(delay)`` makes the wait at least ``delay``; a wait that
would end past ``max_elapsed_time`` (0 = no limit) is not started and the last error is returned;
shutdown interrupts a wait.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from otelray.collector.config.blocks import RetryConfig
from otelray.collector.errors import ExportError, PermanentError, RetryableError, ThrottledError


class RetrySender:
    """Calls ``send`` until it succeeds, fails permanently, runs out of time or is stopped."""

    def __init__(self, config: RetryConfig, *, rng: random.Random | None = None) -> None:
        self._config = config
        self._stopped = asyncio.Event()
        self._rng = rng or random.Random()

    def stop(self) -> None:
        """Interrupt every current and future wait (shutdown)."""
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        """True once ``stop`` was called."""
        return self._stopped.is_set()

    def backoff(self, attempt: int) -> float:
        """The randomized wait in seconds before retry number ``attempt`` (0-based)."""
        cfg = self._config
        base = min(cfg.initial_interval.total_seconds() * cfg.multiplier**attempt, cfg.max_interval.total_seconds())
        spread = base * cfg.randomization_factor
        return base - spread + self._rng.random() * 2 * spread

    async def send(self, send: Callable[[Any], Awaitable[None]], batch: Any) -> None:
        """Send ``batch`` with retries.

        Raises:
            PermanentError: at once when ``send`` raises one.
            RetryableError: when retries are disabled, exhausted or interrupted by shutdown.
        """
        if not self._config.enabled:
            await send(batch)
            return
        limit = self._config.max_elapsed_time.total_seconds()
        deadline = time.monotonic() + limit if limit > 0 else float("inf")
        attempt = 0
        while True:
            try:
                await send(batch)
                return
            except PermanentError:
                raise
            except Exception as exc:  # any non-permanent failure is retryable, as upstream
                wait = self.backoff(attempt)
                if isinstance(exc, ThrottledError):
                    wait = max(wait, exc.delay)
                if time.monotonic() + wait > deadline:
                    raise _retryable(exc, f"no more retries left: {exc}") from exc
                if await self._interrupted(wait):
                    raise _retryable(exc, f"interrupted due to shutdown: {exc}") from exc
                attempt += 1

    async def _interrupted(self, wait: float) -> bool:
        try:
            await asyncio.wait_for(self._stopped.wait(), timeout=wait)
        except TimeoutError:
            return False
        return True


def _retryable(exc: BaseException, message: str) -> ExportError:
    return RetryableError(message)
