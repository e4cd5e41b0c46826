"""One lifecycle test for every registered component × signal (collector ``generated_component_test.go``).

Third-party and AWS components join automatically through the registry. A factory may provide
``lifecycle_test_config`` (e.g. an endpoint on 127.0.0.1) used instead of its default config.
"""

from __future__ import annotations

import asyncio
import tempfile

import pytest

from otelray.collector.component import Component, Kind, Signal
from otelray.collector.errors import SignalNotSupported
from otelray.collector.registry import load_registry
from otelray.collector.testing import NopHost, make_settings, sample_batch
from otelray.collector.testing.sink import SINKS

REGISTRY = load_registry()
SIGNAL_CASES = [
    pytest.param(f, s, id=f"{f.kind.value}-{f.type}-{s.value}")
    for f in REGISTRY.factories() if f.kind in (Kind.RECEIVER, Kind.PROCESSOR, Kind.EXPORTER)
    for s in f.signals()
]
EXTENSIONS = [pytest.param(f, id=f"extension-{f.type}") for f in REGISTRY.factories() if f.kind is Kind.EXTENSION]
CONNECTORS = [
    pytest.param(f, pair, id=f"connector-{f.type}-{pair[0].value}-to-{pair[1].value}")
    for f in REGISTRY.factories() if f.kind is Kind.CONNECTOR for pair in f.pairs
]
UNSUPPORTED = [
    pytest.param(f, s, id=f"{f.kind.value}-{f.type}-{s.value}")
    for f in REGISTRY.factories() if f.kind in (Kind.RECEIVER, Kind.PROCESSOR, Kind.EXPORTER)
    for s in Signal if s not in f.signals()
]


def _config(factory):
    if factory.lifecycle_test_config is None:
        return factory.config()  # the default config must be valid
    return factory.config.model_validate(dict(factory.lifecycle_test_config))


def _create(factory, signal, sink):
    settings = make_settings(factory.type, factory.kind, signal=signal)
    if factory.kind is Kind.EXPORTER:
        return factory.create(signal, settings, _config(factory))
    return factory.create(signal, settings, _config(factory), sink)


def test_registry_has_the_core_components():
    assert {"otlp"} <= set(REGISTRY.receivers)
    assert {"batch", "memory_limiter"} <= set(REGISTRY.processors)
    assert {"debug", "file", "otlp", "otlphttp"} <= set(REGISTRY.exporters)
    assert {"health_check", "file_storage"} <= set(REGISTRY.extensions)


@pytest.mark.parametrize(("factory", "signal"), SIGNAL_CASES)
def test_lifecycle(factory, signal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sink = SINKS[signal]()

    async def run() -> None:
        unstarted = _create(factory, signal, sink)
        await unstarted.shutdown()  # shutdown without start is safe
        component = _create(factory, signal, sink)
        assert isinstance(component, Component)
        await component.start(NopHost())
        if factory.kind is not Kind.RECEIVER:
            await getattr(component, f"consume_{signal.value}")(sample_batch(signal, 3))
        await component.shutdown()
        await component.shutdown()  # and twice

    asyncio.run(asyncio.wait_for(run(), 20))
    if factory.kind is Kind.PROCESSOR:
        assert sink.item_count <= 3  # flushed on shutdown, never more than was given


@pytest.mark.parametrize(("factory", "signal"), UNSUPPORTED)
def test_unregistered_signal_raises(factory, signal):
    with pytest.raises(SignalNotSupported):
        _create(factory, signal, SINKS[signal]())


@pytest.mark.parametrize("factory", EXTENSIONS)
def test_extension_lifecycle(factory):
    with tempfile.TemporaryDirectory() as tmp:
        config = factory.config.model_validate(
            {k: (tmp if v == "$TMP" else v) for k, v in (factory.lifecycle_test_config or {}).items()}
        ) if factory.lifecycle_test_config else factory.config()

        async def run() -> None:
            settings = make_settings(factory.type, Kind.EXTENSION)
            await factory.create(settings, config).shutdown()
            ext = factory.create(settings, config)
            await ext.start(NopHost())
            await ext.shutdown()
            await ext.shutdown()

        asyncio.run(asyncio.wait_for(run(), 20))


@pytest.mark.parametrize(("factory", "pair"), CONNECTORS)
def test_connector_lifecycle(factory, pair):
    sink = SINKS[pair[1]]()

    async def run() -> None:
        settings = make_settings(factory.type, Kind.CONNECTOR, signal=pair[0])
        await factory.create(pair, settings, _config(factory), sink).shutdown()
        connector = factory.create(pair, settings, _config(factory), sink)
        await connector.start(NopHost())
        await getattr(connector, f"consume_{pair[0].value}")(sample_batch(pair[0], 3))
        await connector.shutdown()
        await connector.shutdown()

    asyncio.run(asyncio.wait_for(run(), 20))
