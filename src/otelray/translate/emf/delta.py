"""Cumulative-to-delta state for EMF (contrib ``internal/aws/metrics/metric_calculator.go``).

The awsemf exporter turns cumulative sums (and Prometheus summaries' sum and count) into deltas
against the previous value seen for the same key. Entries expire after 5 minutes without an update
(upstream's ``MapWithExpiry``). The state is a plain object the caller owns and passes in, with the
clock as a parameter, so the translation stays pure and testable.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

#: Seconds an entry lives without being updated (upstream ``cleanInterval``/expiry: 5 minutes).
DEFAULT_TTL_SECONDS = 300.0


@dataclass
class DeltaState:
    """Previous values by key, each with the time it was last written."""

    ttl_seconds: float = DEFAULT_TTL_SECONDS
    _values: dict[Hashable, tuple[float, float]] = field(default_factory=dict)
    _last_sweep: float = 0.0

    def delta(self, key: Hashable, value: float, now: float) -> float | None:
        """Store ``value`` for ``key``; return ``value - previous`` or ``None`` for a first (or expired) value."""
        self._sweep(now)
        previous = self._values.get(key)
        self._values[key] = (value, now)
        if previous is None or now - previous[1] > self.ttl_seconds:
            return None
        return value - previous[0]

    def __len__(self) -> int:
        return len(self._values)

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < self.ttl_seconds:
            return
        self._last_sweep = now
        stale = [k for k, (_, at) in self._values.items() if now - at > self.ttl_seconds]
        for k in stale:
            del self._values[k]
