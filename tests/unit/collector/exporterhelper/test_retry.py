from __future__ import annotations

import asyncio
import random
import time

import pytest

from otelray.collector.config.blocks import RetryConfig
from otelray.collector.errors import PermanentError, RetryableError, ThrottledError
from otelray.collector.exporterhelper.retry import RetrySender


def _fast(**kw) -> RetryConfig:
    base = {"initial_interval": "10ms", "max_interval": "40ms", "max_elapsed_time": "2s", "randomization_factor": 0}
    return RetryConfig.model_validate(base | kw)


class Flaky:
    def __init__(self, failures: list[BaseException]) -> None:
        self.failures = failures
        self.calls = 0

    async def __call__(self, batch) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)


def test_retryable_errors_are_retried_until_success():
    push = Flaky([RetryableError("503"), ConnectionError("refused")])
    asyncio.run(RetrySender(_fast()).send(push, "b"))
    assert push.calls == 3


def test_permanent_error_is_never_retried():
    push = Flaky([PermanentError("400 bad")])
    with pytest.raises(PermanentError):
        asyncio.run(RetrySender(_fast()).send(push, "b"))
    assert push.calls == 1


def test_throttled_delay_is_a_minimum_wait():
    push = Flaky([ThrottledError("slow down", delay=0.3)])
    t0 = time.monotonic()
    asyncio.run(RetrySender(_fast()).send(push, "b"))
    assert time.monotonic() - t0 >= 0.3 and push.calls == 2


def test_gives_up_instead_of_waiting_past_max_elapsed_time():
    push = Flaky([ThrottledError("slow down", delay=10)])
    t0 = time.monotonic()
    with pytest.raises(RetryableError, match="no more retries left"):
        asyncio.run(RetrySender(_fast(max_elapsed_time="1s")).send(push, "b"))
    assert time.monotonic() - t0 < 0.5


def test_disabled_retry_fails_at_once():
    push = Flaky([RetryableError("503")])
    with pytest.raises(RetryableError):
        asyncio.run(RetrySender(_fast(enabled=False)).send(push, "b"))
    assert push.calls == 1


def test_stop_interrupts_a_wait():
    async def run() -> float:
        sender = RetrySender(_fast(initial_interval="10s", max_interval="10s", max_elapsed_time="0"))
        task = asyncio.create_task(sender.send(Flaky([RetryableError("x")] * 5), "b"))
        await asyncio.sleep(0.05)
        t0 = time.monotonic()
        sender.stop()
        with pytest.raises(RetryableError, match="interrupted due to shutdown"):
            await task
        return time.monotonic() - t0

    assert asyncio.run(run()) < 0.5


def test_backoff_grows_caps_and_jitters():
    sender = RetrySender(RetryConfig.model_validate({"initial_interval": "1s", "max_interval": "3s", "randomization_factor": 0}))
    assert [sender.backoff(i) for i in range(5)] == [1, 1.5, 2.25, 3, 3]
    jittered = RetrySender(RetryConfig(), rng=random.Random(1))
    waits = {jittered.backoff(0) for _ in range(20)}
    assert len(waits) > 1 and all(2.5 <= w <= 7.5 for w in waits)
