"""A token bucket counted in seconds of credit (ADOT Python ``sampler/_rate_limiter.py``).

``quota`` traces per second may pass, with at most ``max_balance`` seconds of unused credit kept.
Unlike ADOT's, the bucket starts full, so the first trace of a fresh rule is sampled at once rather
than one second later (what the X-Ray SDKs do with their "borrow one per second" reservoir).
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class RateLimiter:
    """Allow ``quota`` decisions per second on the given clock (seconds, float)."""

    def __init__(self, quota: float, clock: Callable[[], float], *, max_balance: float = 1.0) -> None:
        self.quota = quota
        self._clock = clock
        self._max_balance = max_balance
        self._floor = clock() - max_balance
        self._lock = threading.Lock()

    def try_spend(self, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens if the balance allows it."""
        if self.quota <= 0:
            return False
        cost_seconds = cost / self.quota
        with self._lock:
            now = self._clock()
            balance = min(now - self._floor, self._max_balance)
            if balance < cost_seconds - 1e-9:  # tolerate float rounding of repeated subtraction
                return False
            self._floor = now - (balance - cost_seconds)
            return True
