"""The pipeline graph: build, start and shut down (collector ``service/internal/graph/graph.go``).

Build order is from the end of each pipeline: exporters (one instance per exporter ID and signal,
shared by every pipeline of that signal), then processors (one instance per pipeline, built last to
first so each knows its next consumer), then receivers (one per receiver ID and signal, fanning out
to the first node of every pipeline that lists it; the OTLP receiver additionally shares its
server across signals). Start: extensions, exporters, processors (last to first), receivers;
shutdown in reverse — receivers first so nothing new enters, then processors first-to-last so
buffers (batch) flush into exporters that are still running, then exporters (queues drain),
then extensions. Every shutdown error is collected and raised as one ``ExceptionGroup``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from otelray.collector.component import BuildInfo, Component, ComponentID, Kind, Settings, Signal
from otelray.collector.config.model import Config, Pipeline
from otelray.collector.errors import ComponentError
from otelray.collector.registry import Registry
from otelray.collector.service.fanout import fanout
from otelray.collector.telemetry import Telemetry

_log = logging.getLogger(__name__)


@dataclass
class _Node:
    kind: Kind
    id: ComponentID
    component: Component
    pipeline: ComponentID | None = None


@dataclass
class Graph:
    """The built components of a configuration; also the ``Host`` components see."""

    config: Config
    registry: Registry
    telemetry: Telemetry = field(default_factory=Telemetry)
    build_info: BuildInfo = field(default_factory=BuildInfo)
    _extensions: dict[ComponentID, Component] = field(default_factory=dict)
    _exporters: dict[tuple[ComponentID, Signal], Component] = field(default_factory=dict)
    _processors: list[_Node] = field(default_factory=list)
    _receivers: dict[tuple[ComponentID, Signal], Component] = field(default_factory=dict)
    _shared: dict[Any, Any] = field(default_factory=dict)
    _started: list[_Node] = field(default_factory=list)

    # -- Host ---------------------------------------------------------------------------------
    def extensions(self) -> Mapping[ComponentID, Component]:
        """The extensions of ``service::extensions``, by ID."""
        return self._extensions

    def exporter(self, cid: ComponentID | str, signal: Signal) -> Component:
        """The exporter instance of ``cid`` for ``signal`` (tests read sinks through it)."""
        key = ComponentID.parse(cid) if isinstance(cid, str) else cid
        return self._exporters[(key, signal)]

    def receiver(self, cid: ComponentID | str, signal: Signal) -> Component:
        """The receiver instance of ``cid`` for ``signal``."""
        key = ComponentID.parse(cid) if isinstance(cid, str) else cid
        return self._receivers[(key, signal)]

    # -- build --------------------------------------------------------------------------------
    def _settings(self, kind: Kind, cid: ComponentID, signal: Signal | None) -> Settings:
        logger = logging.getLogger(f"otelray.collector.{kind.value}.{cid}")
        return Settings(id=cid, kind=kind, logger=logger, telemetry=self.telemetry.for_component(kind, cid),
                        build_info=self.build_info, signal=signal, shared=self._shared)

    def build(self) -> Graph:
        """Create every component (nothing starts yet).

        Raises:
            ComponentError: a factory failed to create its component.
        """
        for cid in self.config.service_extensions:
            factory = self.registry.extensions[cid.type]
            self._extensions[cid] = factory.create(self._settings(Kind.EXTENSION, cid, None), self.config.extensions[cid])
        firsts: dict[tuple[ComponentID, Signal], list[Any]] = {}
        for pipeline in self.config.pipelines.values():
            head = self._build_pipeline(pipeline)
            for rid in pipeline.receivers:
                firsts.setdefault((rid, pipeline.signal), []).append(head)
        for (rid, signal), heads in firsts.items():
            factory = self.registry.receivers[rid.type]
            settings = self._settings(Kind.RECEIVER, rid, signal)
            self._receivers[(rid, signal)] = self._create(
                rid, factory.create, signal, settings, self.config.receivers[rid], fanout(signal, heads))
        return self

    def _create(self, cid: ComponentID, make: Any, *args: Any) -> Component:
        try:
            return make(*args)  # type: ignore[no-any-return]
        except ComponentError:
            raise
        except Exception as exc:
            raise ComponentError(cid, f"failed to create: {exc}") from exc

    def _build_pipeline(self, pipeline: Pipeline) -> Any:
        signal = pipeline.signal
        exporters = []
        for eid in pipeline.exporters:
            key = (eid, signal)
            if key not in self._exporters:
                factory = self.registry.exporters[eid.type]
                settings = self._settings(Kind.EXPORTER, eid, signal)
                self._exporters[key] = self._create(eid, factory.create, signal, settings, self.config.exporters[eid])
            exporters.append(self._exporters[key])
        nxt: Any = fanout(signal, exporters)
        for pid in reversed(pipeline.processors):
            factory = self.registry.processors[pid.type]
            settings = self._settings(Kind.PROCESSOR, pid, signal)
            nxt = self._create(pid, factory.create, signal, settings, self.config.processors[pid], nxt)
            self._processors.append(_Node(Kind.PROCESSOR, pid, nxt, pipeline.id))
        return nxt

    # -- lifecycle ----------------------------------------------------------------------------
    def _start_order(self) -> list[_Node]:
        nodes = [_Node(Kind.EXTENSION, cid, c) for cid, c in self._extensions.items()]
        nodes += [_Node(Kind.EXPORTER, cid, c) for (cid, _), c in self._exporters.items()]
        nodes += self._processors  # appended last-to-first per pipeline: downstream starts first
        nodes += [_Node(Kind.RECEIVER, cid, c) for (cid, _), c in self._receivers.items()]
        return nodes

    async def start(self) -> None:
        """Start every component in dependency order; on failure shut down what already started.

        Raises:
            ComponentError: naming the component that failed to start.
        """
        for node in self._start_order():
            _log.debug("Starting %s %s", node.kind.value, node.id)
            try:
                await node.component.start(self)
            except Exception as exc:
                await self._shutdown_started(suppress=True)
                if isinstance(exc, ComponentError):
                    raise
                raise ComponentError(node.id, f"failed to start {node.kind.value}: {exc}") from exc
            self._started.append(node)
        for ext in self._extensions.values():
            ready = getattr(ext, "ready", None)
            if ready is not None:
                ready()
        _log.info("Everything is ready. Begin running and processing data.")

    async def shutdown(self) -> None:
        """Shut down in reverse start order (receivers first); safe to call twice.

        Raises:
            ExceptionGroup: every shutdown error, after every component was asked to stop.
        """
        for ext in self._extensions.values():
            not_ready = getattr(ext, "not_ready", None)
            if not_ready is not None:
                not_ready()
        await self._shutdown_started(suppress=False)

    async def _shutdown_started(self, *, suppress: bool) -> None:
        nodes = self._started or []
        receivers = [n for n in nodes if n.kind is Kind.RECEIVER]
        processors = list(reversed([n for n in nodes if n.kind is Kind.PROCESSOR]))  # first-to-last
        rest = list(reversed([n for n in nodes if n.kind in (Kind.EXPORTER, Kind.EXTENSION)]))
        self._started = []
        errors: list[Exception] = []
        for node in reversed(receivers) if receivers else []:
            await self._stop(node, errors)
        for node in processors + rest:
            await self._stop(node, errors)
        if errors and not suppress:
            raise ExceptionGroup("errors while shutting down the collector", errors)

    @staticmethod
    async def _stop(node: _Node, errors: list[Exception]) -> None:
        try:
            await node.component.shutdown()
        except Exception as exc:
            _log.error("Failed to shut down %s %s: %s", node.kind.value, node.id, exc)
            errors.append(ComponentError(node.id, f"failed to shut down: {exc}"))
