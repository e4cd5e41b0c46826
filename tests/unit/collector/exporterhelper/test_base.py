from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from otelray.collector.component import ComponentID, Kind, Signal
from otelray.collector.config.blocks import ExporterConfig
from otelray.collector.errors import ComponentError, PermanentError, RetryableError
from otelray.collector.exporterhelper.base import ExporterHelper
from otelray.collector.exporterhelper.queue import QueueFullError
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import NopHost, make_settings, sample_batch

FAST_RETRY = {"initial_interval": "5ms", "max_interval": "10ms", "max_elapsed_time": "1s"}


class Recorder:
    def __init__(self) -> None:
        self.pushed: list = []
        self.errors: list[BaseException] = []
        self.gate: asyncio.Event | None = None

    async def push(self, batch) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.errors:
            raise self.errors.pop(0)
        self.pushed.append(batch)


class Storage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def storage_path(self, kind, component_id, name):
        return self.root / f"{kind}_{component_id}_{name}.sqlite"

    async def start(self, host) -> None: ...
    async def shutdown(self) -> None: ...


def _helper(cfg: dict, tel: Telemetry, pusher: Recorder) -> ExporterHelper:
    settings = make_settings("rec", Kind.EXPORTER, telemetry=tel)
    return ExporterHelper(settings, Signal.TRACES, pusher, ExporterConfig.model_validate(cfg))


def _value(tel: Telemetry, what: str) -> float:
    return tel.value(f"otelcol_exporter_{what}_spans_total", {"exporter": "rec"})


def test_without_queue_errors_reach_the_caller_and_are_counted():
    async def run():
        tel, rec = Telemetry(), Recorder()
        helper = _helper({"sending_queue": {"enabled": False}, "retry_on_failure": FAST_RETRY}, tel, rec)
        await helper.start(NopHost())
        rec.errors = [RetryableError("503")]
        await helper.consume_traces(sample_batch(Signal.TRACES, 3))
        rec.errors = [PermanentError("400")]
        with pytest.raises(PermanentError):
            await helper.consume_traces(sample_batch(Signal.TRACES, 2))
        await helper.shutdown()
        return tel, rec

    tel, rec = asyncio.run(run())
    assert len(rec.pushed) == 1
    assert _value(tel, "sent") == 3 and _value(tel, "send_failed") == 2


def test_queue_refuses_when_full_and_counts_enqueue_failures():
    async def run():
        tel, rec = Telemetry(), Recorder()
        rec.gate = asyncio.Event()
        helper = _helper({"sending_queue": {"num_consumers": 1, "queue_size": 2}}, tel, rec)
        await helper.start(NopHost())
        for _ in range(3):  # one in flight, two queued
            await helper.consume_traces(sample_batch(Signal.TRACES, 1))
            await asyncio.sleep(0.01)
        with pytest.raises(QueueFullError):
            await helper.consume_traces(sample_batch(Signal.TRACES, 4))
        assert tel.value("otelcol_exporter_queue_size", {"exporter": "rec", "data_type": "traces"}) == 2
        rec.gate.set()
        await helper.shutdown()  # drains the memory queue
        return tel, rec

    tel, rec = asyncio.run(run())
    assert len(rec.pushed) == 3
    assert _value(tel, "sent") == 3 and _value(tel, "enqueue_failed") == 4


def test_queued_batch_that_keeps_failing_is_dropped_and_counted():
    async def run():
        tel, rec = Telemetry(), Recorder()
        helper = _helper({"retry_on_failure": {"enabled": False}}, tel, rec)
        await helper.start(NopHost())
        rec.errors = [RetryableError("503")]
        await helper.consume_traces(sample_batch(Signal.TRACES, 5))
        await helper.shutdown()
        return tel

    assert _value(asyncio.run(run()), "send_failed") == 5


def test_persistent_queue_keeps_unsent_batches_across_restarts(tmp_path):
    storage = Storage(tmp_path)
    host = NopHost({ComponentID("file_storage"): storage})
    cfg = {"sending_queue": {"storage": "file_storage", "num_consumers": 2},
           "retry_on_failure": {"initial_interval": "10s", "max_elapsed_time": "0"}}

    async def first_run():
        rec = Recorder()
        rec.errors = [RetryableError("down")] * 100
        helper = _helper(cfg, Telemetry(), rec)
        await helper.start(host)
        for i in range(5):
            await helper.consume_traces(sample_batch(Signal.TRACES, i + 1))
        await asyncio.sleep(0.05)
        await helper.shutdown()
        return rec

    async def second_run():
        tel, rec = Telemetry(), Recorder()
        helper = _helper(cfg, tel, rec)
        await helper.start(host)
        for _ in range(100):
            if len(rec.pushed) == 5:
                break
            await asyncio.sleep(0.01)
        await helper.shutdown()
        return tel, rec

    assert asyncio.run(first_run()).pushed == []
    tel, rec = asyncio.run(second_run())
    assert sorted(len(b.resource_spans[0].scope_spans[0].spans) for b in rec.pushed) == [1, 2, 3, 4, 5]
    assert _value(tel, "sent") == 15
    tel2, rec2 = asyncio.run(second_run())  # nothing left after a clean delivery
    assert rec2.pushed == []


def test_missing_storage_extension_is_a_clear_start_error():
    helper = _helper({"sending_queue": {"storage": "file_storage/x"}}, Telemetry(), Recorder())
    with pytest.raises(ComponentError, match="storage extension file_storage/x not found"):
        asyncio.run(helper.start(NopHost()))


def test_shutdown_is_safe_without_start_and_twice():
    helper = _helper({}, Telemetry(), Recorder())

    async def run():
        await helper.shutdown()
        await helper.shutdown()

    asyncio.run(run())


def test_a_damaged_stored_batch_is_dropped_counted_and_the_rest_delivered(tmp_path):
    import sqlite3

    storage = Storage(tmp_path)
    host = NopHost({ComponentID("file_storage"): storage})
    cfg = {"sending_queue": {"storage": "file_storage", "num_consumers": 1}, "retry_on_failure": {"enabled": False}}

    async def fill():
        rec = Recorder()
        rec.gate = asyncio.Event()  # never opens: everything stays queued
        helper = _helper(cfg, Telemetry(), rec)
        await helper.start(host)
        for n in (1, 2, 3):
            await helper.consume_traces(sample_batch(Signal.TRACES, n))
        helper._retry.stop()
        await helper._queue.close()
        for task in helper._consumers:
            task.cancel()
        helper._queue.release()

    asyncio.run(fill())
    db = sqlite3.connect(storage.storage_path("exporter", "rec", "traces"))
    db.execute("UPDATE batches SET data = ? WHERE items = 2", (b"\xff\xff\xff",))
    db.commit()
    db.close()

    async def drain():
        tel, rec = Telemetry(), Recorder()
        helper = _helper(cfg, tel, rec)
        await helper.start(host)
        for _ in range(100):
            if len(rec.pushed) == 2:
                break
            await asyncio.sleep(0.01)
        await helper.shutdown()
        return tel, rec

    tel, rec = asyncio.run(drain())
    assert sorted(len(b.resource_spans[0].scope_spans[0].spans) for b in rec.pushed) == [1, 3]
    assert _value(tel, "send_failed") == 2 and _value(tel, "sent") == 4


@pytest.mark.parametrize("storage", [None, "file_storage"])
def test_items_sizer_bounds_the_queue_by_spans(tmp_path, storage):
    host = NopHost({ComponentID("file_storage"): Storage(tmp_path)})
    queue = {"sizer": "items", "queue_size": 5, "num_consumers": 1} | ({"storage": storage} if storage else {})

    async def run():
        tel, rec = Telemetry(), Recorder()
        rec.gate = asyncio.Event()
        helper = _helper({"sending_queue": queue}, tel, rec)
        await helper.start(host)
        await helper.consume_traces(sample_batch(Signal.TRACES, 1))  # taken by the consumer, in flight
        await asyncio.sleep(0.05)
        await helper.consume_traces(sample_batch(Signal.TRACES, 3))
        with pytest.raises(QueueFullError):
            await helper.consume_traces(sample_batch(Signal.TRACES, 3))
        rec.gate.set()
        await helper.shutdown()
        return tel

    tel = asyncio.run(run())
    assert _value(tel, "enqueue_failed") == 3
