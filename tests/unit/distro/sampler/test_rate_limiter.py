from __future__ import annotations

from otelray.distro.sampler.rate_limiter import RateLimiter


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_one_per_second_starts_full_and_refills() -> None:
    clock = Clock()
    limiter = RateLimiter(1, clock)
    assert limiter.try_spend() is True
    assert limiter.try_spend() is False
    clock.now += 0.5
    assert limiter.try_spend() is False
    clock.now += 0.5
    assert limiter.try_spend() is True


def test_quota_per_second_and_one_second_cap() -> None:
    clock = Clock()
    limiter = RateLimiter(5, clock)
    assert sum(limiter.try_spend() for _ in range(10)) == 5
    clock.now += 10  # credit is capped at one second
    assert sum(limiter.try_spend() for _ in range(10)) == 5
    clock.now += 0.2
    assert sum(limiter.try_spend() for _ in range(10)) == 1


def test_zero_quota_never_passes() -> None:
    assert RateLimiter(0, Clock()).try_spend() is False
