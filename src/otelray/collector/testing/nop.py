"""Nop components, a nop host and settings for tests (collector ``componenttest`` / ``*test`` nop factories).

The nop components accept every batch and do nothing with it; they are registered under the type
``nop`` only in registries a test builds (``nop_factories()``), never in the built-in list.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from otelray.collector.component import Component, ComponentID, Host, Kind, Settings, Signal
from otelray.collector.config.blocks import ComponentConfig
from otelray.collector.consumer import Capabilities
from otelray.collector.registry import (
    AnyFactory,
    ExporterFactory,
    ExtensionFactory,
    ProcessorFactory,
    ReceiverFactory,
)
from otelray.collector.telemetry import Telemetry


class NopConfig(ComponentConfig):
    """The nop components take no settings."""


class NopComponent:
    """Accepts everything, does nothing; forwards to ``next_consumer`` when given one."""

    def __init__(self, next_consumer: Any = None) -> None:
        self._next = next_consumer
        for signal in Signal:
            setattr(self, f"consume_{signal.value}", self._consume_for(signal))

    def _consume_for(self, signal: Signal) -> Any:
        async def consume(batch: Any) -> None:
            if self._next is not None:
                await getattr(self._next, f"consume_{signal.value}")(batch)

        return consume

    @property
    def capabilities(self) -> Capabilities:
        """Never edits batches."""
        return Capabilities()

    async def start(self, host: Host) -> None:
        """Nothing to start."""

    async def shutdown(self) -> None:
        """Nothing to stop."""


class NopHost:
    """A host with the given extensions (none by default)."""

    def __init__(self, extensions: Mapping[ComponentID, Component] | None = None) -> None:
        self._extensions = dict(extensions or {})

    def extensions(self) -> Mapping[ComponentID, Component]:
        """The extensions given at construction."""
        return self._extensions


def make_settings(
    component_id: str | ComponentID,
    kind: Kind,
    *,
    signal: Signal | None = None,
    telemetry: Telemetry | None = None,
) -> Settings:
    """Settings for a component created outside a running collector."""
    cid = ComponentID.parse(component_id) if isinstance(component_id, str) else component_id
    tel = telemetry or Telemetry()
    logger = logging.getLogger(f"otelray.collector.{kind.value}.{cid}")
    return Settings(id=cid, kind=kind, logger=logger, telemetry=tel.for_component(kind, cid), signal=signal)


def _with_next(settings: Settings, config: Any, next_consumer: Any) -> Component:
    return NopComponent(next_consumer)


def _without_next(settings: Settings, config: Any) -> Component:
    return NopComponent()


def nop_factories() -> tuple[AnyFactory, ...]:
    """Factories of type ``nop`` for every kind and signal."""
    from otelray.collector.component import Stability

    every = {s.value: (_with_next, Stability.STABLE) for s in Signal}
    return (
        ReceiverFactory(type="nop", config=NopConfig, **every),  # type: ignore[arg-type]
        ProcessorFactory(type="nop", config=NopConfig, **every),  # type: ignore[arg-type]
        ExporterFactory(type="nop", config=NopConfig, **{s.value: (_without_next, Stability.STABLE) for s in Signal}),  # type: ignore[arg-type]
        ExtensionFactory(type="nop", config=NopConfig, create_extension=_without_next),
    )
