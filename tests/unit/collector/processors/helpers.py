"""Build a processor from YAML-shaped config, push one batch through it into a sink."""

from __future__ import annotations

import asyncio
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from otelray.collector.component import Kind, Signal
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import NopHost, make_settings
from otelray.collector.testing.sink import SINKS


def run(factory: Any, config: dict[str, Any], signal: Signal, batch: Any, telemetry: Telemetry | None = None) -> list[Any]:
    """Run ``batch`` through a processor built from ``config``; return what reached the sink."""
    async def main() -> list[Any]:
        sink = SINKS[signal]()
        settings = make_settings(factory.type, Kind.PROCESSOR, signal=signal, telemetry=telemetry)
        proc = factory.create(signal, settings, factory.config.model_validate(config), sink)
        await proc.start(NopHost())
        await getattr(proc, f"consume_{signal.value}")(batch)
        await proc.shutdown()
        return sink.batches
    return asyncio.run(main())


def py(value: AnyValue) -> Any:
    """An AnyValue as Python."""
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


def attrs(kvs: Any) -> dict[str, Any]:
    """A KeyValue list as a dict."""
    return {kv.key: py(kv.value) for kv in kvs}
