"""The ``memory_limiter`` processor (collector ``processor/memorylimiterprocessor``, ``internal/memorylimiter``).

Every ``check_interval`` the process memory is measured (resident set size from
``/proc/self/statm``: Python has no Go-style heap figure, and RSS is what an OOM killer sees).
Above the soft limit (``limit - spike``) new data is refused with ``DataRefusedError``, which
receivers turn into gRPC ``UNAVAILABLE`` / HTTP 503 + ``Retry-After`` so clients back off and retry;
above the hard limit a garbage collection is forced as well. Refusal ends when usage drops below
the soft limit. ``limit_percentage`` / ``spike_limit_percentage`` are relative to the memory
available to the process (cgroup limit, else total RAM). Refused items count in
``otelcol_processor_refused_<items>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, NonNegativeInt, model_validator

from otelray.collector.component import Host, Settings, Signal, Stability
from otelray.collector.config.blocks import ComponentConfig, Duration
from otelray.collector.consumer import Capabilities, consume_fn, count_items
from otelray.collector.errors import DataRefusedError
from otelray.collector.registry import ProcessorFactory

MIB = 1024 * 1024


class MemoryLimiterConfig(ComponentConfig):
    """Config of ``memory_limiter`` (validation messages as upstream's ``config.go``)."""

    check_interval: Duration = Field(timedelta(0), description="How often memory is measured (required, > 0).")
    limit_mib: NonNegativeInt = Field(0, description="Hard limit in MiB.")
    spike_limit_mib: NonNegativeInt = Field(0, description="Headroom below the hard limit; default 20% of it.")
    limit_percentage: NonNegativeInt = Field(0, description="Hard limit as % of available memory.")
    spike_limit_percentage: NonNegativeInt = Field(0, description="Headroom as % of available memory.")

    @model_validator(mode="after")
    def _check(self) -> MemoryLimiterConfig:
        if self.check_interval.total_seconds() <= 0:
            raise ValueError("'check_interval' must be greater than zero")
        if self.limit_mib == 0 and self.limit_percentage == 0:
            raise ValueError("'limit_mib' or 'limit_percentage' must be greater than zero")
        if self.limit_percentage > 100 or self.spike_limit_percentage > 100:
            raise ValueError("'limit_percentage' and 'spike_limit_percentage' must be greater than zero and less "
                             "than or equal to hundred")
        if self.limit_mib and self.limit_mib <= self.spike_limit_mib:
            raise ValueError("'spike_limit_mib' must be smaller than 'limit_mib'")
        if self.limit_percentage and self.limit_percentage <= self.spike_limit_percentage:
            raise ValueError("'spike_limit_percentage' must be smaller than 'limit_percentage'")
        return self


def available_memory() -> int:
    """Bytes available to this process: the cgroup v2/v1 limit when set, else total RAM."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):
            value = int(Path(path).read_text().strip())
            if value < (1 << 60):
                return value
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def resident_memory() -> int:
    """Resident set size of this process in bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def limits(config: MemoryLimiterConfig, total: int) -> tuple[int, int]:
    """``(hard, soft)`` limits in bytes."""
    if config.limit_mib:
        hard = config.limit_mib * MIB
        spike = config.spike_limit_mib * MIB if config.spike_limit_mib else hard // 5
    else:
        hard = total * config.limit_percentage // 100
        spike = total * config.spike_limit_percentage // 100
    return hard, hard - spike


class MemoryLimiter:
    """Shared by every pipeline of one ``memory_limiter`` ID: one measurement loop."""

    def __init__(self, settings: Settings, config: MemoryLimiterConfig, measure: Any = resident_memory) -> None:
        self.settings = settings
        self.config = config
        self.hard, self.soft = limits(config, available_memory())
        self.refusing = False
        self._measure = measure
        self._task: asyncio.Task[None] | None = None
        self._users = 0

    def check(self) -> None:
        """Measure once and update the refusing state."""
        used = self._measure()
        if used >= self.hard:
            gc.collect()
            used = self._measure()
        was, self.refusing = self.refusing, used >= self.soft
        if self.refusing != was:
            log = self.settings.logger.warning if self.refusing else self.settings.logger.info
            log("Memory usage %s the soft limit: %d MiB used, soft limit %d MiB, hard limit %d MiB",
                "is above" if self.refusing else "is back below", used // MIB, self.soft // MIB, self.hard // MIB)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.check_interval.total_seconds())
            try:
                self.check()
            except OSError as exc:  # keep the last state; the next check may succeed
                self.settings.logger.error("Cannot measure memory usage: %s", exc)

    async def start(self) -> None:
        """Measure now and then every ``check_interval``."""
        self._users += 1
        if self._task is None:
            self.check()
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Stop measuring with the last user."""
        self._users -= 1
        if self._users <= 0 and self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


class MemoryLimiterProcessor:
    """Refuses data of one signal while the shared limiter is over its soft limit."""

    def __init__(self, settings: Settings, signal: Signal, limiter: MemoryLimiter, next_consumer: Any) -> None:
        self.settings = settings
        self.signal = signal
        self.limiter = limiter
        self._next = consume_fn(next_consumer, signal)
        self._started = False
        setattr(self, f"consume_{signal.value}", self._consume)

    @property
    def capabilities(self) -> Capabilities:
        """Never edits data."""
        return Capabilities()

    async def _consume(self, batch: Any) -> None:
        if self.limiter.refusing:
            self.settings.telemetry.add("refused", self.signal, count_items(self.signal, batch))
            raise DataRefusedError("data refused due to high memory usage")
        await self._next(batch)

    async def start(self, host: Host) -> None:
        """Start the shared measurement loop."""
        self._started = True
        await self.limiter.start()

    async def shutdown(self) -> None:
        """Release the measurement loop. Safe twice and without start."""
        if self._started:
            self._started = False
            await self.limiter.stop()


def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: MemoryLimiterConfig, next_consumer: Any) -> MemoryLimiterProcessor:
        key = ("memory_limiter", settings.id)
        limiter = settings.shared.get(key)
        if limiter is None:
            limiter = settings.shared[key] = MemoryLimiter(settings, config)
        return MemoryLimiterProcessor(settings, signal, limiter, next_consumer)

    return create


factory = ProcessorFactory(
    type="memory_limiter",
    config=MemoryLimiterConfig,
    description="Refuses data while the process uses too much memory (back-pressure to clients).",
    traces=(_create(Signal.TRACES), Stability.BETA),
    metrics=(_create(Signal.METRICS), Stability.BETA),
    logs=(_create(Signal.LOGS), Stability.BETA),
    lifecycle_test_config={"check_interval": "1s", "limit_mib": 1_000_000},
)
