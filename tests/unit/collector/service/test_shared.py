from __future__ import annotations

import asyncio

from otelray.collector.component import Kind
from otelray.collector.service.shared import get_or_create
from otelray.collector.testing import NopHost, make_settings


class Counted:
    def __init__(self) -> None:
        self.starts = 0
        self.shutdowns = 0

    async def start(self, host) -> None:
        self.starts += 1

    async def shutdown(self) -> None:
        self.shutdowns += 1


def test_shared_component_starts_once_and_stops_with_the_last_handle():
    settings = make_settings("otlp", Kind.RECEIVER)
    created = []

    def make():
        created.append(Counted())
        return created[-1]

    h1, h2 = get_or_create(settings, make), get_or_create(settings, make)

    async def run():
        await h1.start(NopHost())
        await h2.start(NopHost())
        await h1.shutdown()
        await h1.shutdown()  # a second shutdown of one handle does not release twice
        assert created[0].shutdowns == 0
        await h2.shutdown()

    asyncio.run(run())
    assert len(created) == 1 and h1.component is h2.component
    assert (created[0].starts, created[0].shutdowns) == (1, 1)
