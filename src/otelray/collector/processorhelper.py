"""Processors written as pure functions (collector ``processor/processorhelper/traces.go``).

A processor that only transforms a batch is a function ``fn(batch) -> batch | None``; returning
``None`` drops the whole batch (upstream ``processorhelper.ErrSkipProcessingData``). ``FuncProcessor``
wraps it into a component: it counts incoming and outgoing items
(``otelcol_processor_incoming_<items>`` / ``_outgoing_``), passes the result to the next consumer and
declares ``mutates_data`` so a fan-out gives it its own copy.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from otelray.collector.component import Host, Settings, Signal
from otelray.collector.consumer import Capabilities, consume_fn, count_items

ProcessFn = Callable[[Any], "Any | None | Awaitable[Any | None]"]


class FuncProcessor:
    """A processor component around a (sync or async) batch function."""

    def __init__(
        self,
        settings: Settings,
        signal: Signal,
        fn: ProcessFn,
        next_consumer: Any,
        *,
        mutates_data: bool = True,
        start: Callable[[Host], Awaitable[None]] | None = None,
        shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings
        self.signal = signal
        self._fn = fn
        self._next = consume_fn(next_consumer, signal)
        self._capabilities = Capabilities(mutates_data=mutates_data)
        self._start = start
        self._shutdown = shutdown
        self._stopped = False
        setattr(self, f"consume_{signal.value}", self._consume)

    @property
    def capabilities(self) -> Capabilities:
        """Whether the function edits batches in place."""
        return self._capabilities

    async def _consume(self, batch: Any) -> None:
        tel = self.settings.telemetry
        tel.add("incoming", self.signal, count_items(self.signal, batch))
        result = self._fn(batch)
        if inspect.isawaitable(result):
            result = await result
        if result is None:
            return
        tel.add("outgoing", self.signal, count_items(self.signal, result))
        await self._next(result)

    async def start(self, host: Host) -> None:
        """Run the optional start hook."""
        if self._start is not None:
            await self._start(host)

    async def shutdown(self) -> None:
        """Run the optional shutdown hook once."""
        if self._stopped:
            return
        self._stopped = True
        if self._shutdown is not None:
            await self._shutdown()
