"""The pipeline graph: build, start and shut down (collector ``service/internal/graph/graph.go``).

Build order is from the end of each pipeline, and pipelines that read from a connector are built
before the pipelines that write to it (``config.model.pipeline_order``; cycles are config errors):
exporters (one instance per exporter ID and signal, shared by every pipeline of that signal) and
connectors (one per connector ID and signal pair, fanning out to the pipelines reading from it),
then processors (one instance per pipeline, built last to first so each knows its next consumer),
then receivers (one per receiver ID and signal, fanning out to the first node of every pipeline
that lists it; the OTLP receiver additionally shares its server across signals). Components start
in that creation order — extensions first, receivers last — and shut down in exactly the reverse
order: receivers first so nothing new enters, then processors first-to-last so buffers (batch)
flush downstream, through connectors, into exporters that are still running, then extensions.
Every shutdown error is collected and raised as one ``ExceptionGroup``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from otelray.collector.component import BuildInfo, Component, ComponentID, Kind, Settings, Signal
from otelray.collector.config.model import Config, Pipeline, pipeline_order
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
    _connectors: dict[tuple[ComponentID, Signal, Signal], Component] = field(default_factory=dict)
    _receivers: dict[tuple[ComponentID, Signal], Component] = field(default_factory=dict)
    _heads: dict[ComponentID, Any] = field(default_factory=dict)
    _nodes: list[_Node] = field(default_factory=list)  # creation order = start order
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

    # -- build ---------------------------------------------------------------------------------
    def _settings(self, kind: Kind, cid: ComponentID, signal: Signal | None) -> Settings:
        logger = logging.getLogger(f"otelray.collector.{kind.value}.{cid}")
        return Settings(id=cid, kind=kind, logger=logger, telemetry=self.telemetry.for_component(kind, cid),
                        build_info=self.build_info, signal=signal, shared=self._shared)

    def build(self) -> Graph:
        """Create every component (nothing starts yet), downstream pipelines first.

        Raises:
            ComponentError: a factory failed to create its component.
        """
        for cid in self.config.service_extensions:
            factory = self.registry.extensions[cid.type]
            ext = self._create(cid, factory.create, self._settings(Kind.EXTENSION, cid, None), self.config.extensions[cid])
            self._extensions[cid] = ext
            self._nodes.append(_Node(Kind.EXTENSION, cid, ext))
        firsts: dict[tuple[ComponentID, Signal], list[Any]] = {}
        for pipeline in pipeline_order(self.config, self.registry):
            head = self._build_pipeline(pipeline)
            self._heads[pipeline.id] = head
            for rid in pipeline.receivers:
                if rid not in self.config.connectors:
                    firsts.setdefault((rid, pipeline.signal), []).append(head)
        for (rid, signal), heads in firsts.items():
            factory = self.registry.receivers[rid.type]
            settings = self._settings(Kind.RECEIVER, rid, signal)
            receiver = self._create(rid, factory.create, signal, settings, self.config.receivers[rid], fanout(signal, heads))
            self._receivers[(rid, signal)] = receiver
            self._nodes.append(_Node(Kind.RECEIVER, rid, receiver))
        return self

    def _create(self, cid: ComponentID, make: Any, *args: Any) -> Component:
        try:
            return make(*args)  # type: ignore[no-any-return]
        except ComponentError:
            raise
        except Exception as exc:
            raise ComponentError(cid, f"failed to create: {exc}") from exc

    def _exporters_of(self, pipeline: Pipeline) -> list[Any]:
        signal, out = pipeline.signal, []
        for eid in pipeline.exporters:
            if eid in self.config.connectors:
                out.extend(self._connectors_from(eid, signal))
                continue
            key = (eid, signal)
            if key not in self._exporters:
                factory = self.registry.exporters[eid.type]
                settings = self._settings(Kind.EXPORTER, eid, signal)
                self._exporters[key] = self._create(eid, factory.create, signal, settings, self.config.exporters[eid])
                self._nodes.append(_Node(Kind.EXPORTER, eid, self._exporters[key], pipeline.id))
            out.append(self._exporters[key])
        return out

    def _connectors_from(self, cid: ComponentID, from_signal: Signal) -> list[Any]:
        """One connector instance per receiving signal, fanning out to the pipelines that read from it."""
        factory = self.registry.connectors[cid.type]
        targets: dict[Signal, list[Any]] = {}
        for pipeline in self.config.pipelines.values():
            if cid in pipeline.receivers and (from_signal, pipeline.signal) in factory.pairs:
                targets.setdefault(pipeline.signal, []).append(self._heads[pipeline.id])
        out = []
        for to_signal, heads in targets.items():
            key = (cid, from_signal, to_signal)
            if key not in self._connectors:
                settings = self._settings(Kind.CONNECTOR, cid, from_signal)
                self._connectors[key] = self._create(cid, factory.create, (from_signal, to_signal), settings,
                                                     self.config.connectors[cid], fanout(to_signal, heads))
                self._nodes.append(_Node(Kind.CONNECTOR, cid, self._connectors[key]))
            out.append(self._connectors[key])
        return out

    def _build_pipeline(self, pipeline: Pipeline) -> Any:
        signal = pipeline.signal
        nxt: Any = fanout(signal, self._exporters_of(pipeline))
        for pid in reversed(pipeline.processors):
            factory = self.registry.processors[pid.type]
            settings = self._settings(Kind.PROCESSOR, pid, signal)
            nxt = self._create(pid, factory.create, signal, settings, self.config.processors[pid], nxt)
            self._nodes.append(_Node(Kind.PROCESSOR, pid, nxt, pipeline.id))
        return nxt

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Start every component in creation order (downstream first, receivers last).

        On failure, what already started is shut down.

        Raises:
            ComponentError: naming the component that failed to start.
        """
        for node in self._nodes:
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
        nodes, self._started = self._started, []
        errors: list[Exception] = []
        for node in reversed(nodes):
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
