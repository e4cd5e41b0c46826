"""Fan-out to several consumers (collector ``internal/fanoutconsumer``).

Read-only consumers share the batch; each consumer that mutates data gets its own copy (the last
mutating one gets the original when no read-only consumer needs it). Consumers are called in order;
every one is called even when an earlier one failed, and the first error is raised afterwards, so
one broken exporter does not starve the others.
"""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Signal
from otelray.collector.consumer import BATCH_TYPES, Capabilities, consume_fn


class FanoutConsumer:
    """Delivers each batch of ``signal`` to every consumer in ``consumers``."""

    def __init__(self, signal: Signal, consumers: list[Any]) -> None:
        self.signal = signal
        self._readonly = [consume_fn(c, signal) for c in consumers if not c.capabilities.mutates_data]
        self._mutating = [consume_fn(c, signal) for c in consumers if c.capabilities.mutates_data]
        self._copy = BATCH_TYPES[signal]
        setattr(self, f"consume_{signal.value}", self._consume)

    @property
    def capabilities(self) -> Capabilities:
        """The fan-out copies for mutating consumers, so it never mutates itself."""
        return Capabilities(mutates_data=False)

    async def _consume(self, batch: Any) -> None:
        first: BaseException | None = None
        calls = []
        for i, fn in enumerate(self._mutating):
            last_owner = i == len(self._mutating) - 1 and not self._readonly
            calls.append((fn, batch if last_owner else self._clone(batch)))
        calls.extend((fn, batch) for fn in self._readonly)
        for fn, arg in calls:
            try:
                await fn(arg)
            except Exception as exc:  # keep feeding the others, report the first failure
                first = first or exc
        if first is not None:
            raise first

    def _clone(self, batch: Any) -> Any:
        copy = self._copy()
        copy.CopyFrom(batch)
        return copy


def fanout(signal: Signal, consumers: list[Any]) -> Any:
    """A single consumer as is, several behind a ``FanoutConsumer``."""
    return consumers[0] if len(consumers) == 1 else FanoutConsumer(signal, consumers)
