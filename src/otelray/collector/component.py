"""Components: kinds, signals, IDs, stability, the Component and Host protocols, Settings.

Component IDs parse and validate exactly as the collector's ``component/identifiable.go``: the type
matches ``^[a-zA-Z][0-9a-zA-Z_]{0,62}$``; the optional name after ``/`` is non-empty, at most 1024
bytes, and has no whitespace, control or symbol characters (Unicode categories Z*, C*, S*). Both
parts are trimmed of surrounding whitespace first, as upstream does.

The ``Component`` lifecycle contract is upstream's (``component/component.go``): ``start`` may return
quickly and continue in the background; ``shutdown`` is safe without ``start`` and safe twice; it
stops intake, cancels its tasks, flushes to the next consumer and releases sockets and files.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from otelray.collector.telemetry import ComponentTelemetry

_TYPE_RE = re.compile(r"^[a-zA-Z][0-9a-zA-Z_]{0,62}$")
_NAME_MAX_BYTES = 1024


class Kind(StrEnum):
    """The five kinds of collector components, named as their YAML sections (singular)."""

    RECEIVER = "receiver"
    PROCESSOR = "processor"
    EXPORTER = "exporter"
    EXTENSION = "extension"
    CONNECTOR = "connector"

    @property
    def section(self) -> str:
        """The top-level config key of this kind (``receivers``…)."""
        return f"{self.value}s"


class Signal(StrEnum):
    """Telemetry signals; a pipeline ID's type is one of these."""

    TRACES = "traces"
    METRICS = "metrics"
    LOGS = "logs"

    @property
    def item(self) -> str:
        """The unit counted in telemetry metric names (``spans``, ``metric_points``, ``log_records``)."""
        return _ITEMS[self]


_ITEMS = {Signal.TRACES: "spans", Signal.METRICS: "metric_points", Signal.LOGS: "log_records"}


class Stability(StrEnum):
    """Stability levels of a component per signal (collector ``component.StabilityLevel``)."""

    UNDEVELOPED = "undeveloped"
    DEVELOPMENT = "development"
    ALPHA = "alpha"
    BETA = "beta"
    STABLE = "stable"
    DEPRECATED = "deprecated"
    UNMAINTAINED = "unmaintained"


def _q(text: str) -> str:
    """Quote like Go's ``%q`` (printable Unicode kept, control characters escaped)."""
    return json.dumps(text, ensure_ascii=False)


def _validate_type(type_: str, whole: str) -> None:
    if not type_:
        raise ValueError("id must not be empty")
    if not _TYPE_RE.match(type_):
        raise ValueError(f"in {_q(whole)} id: invalid character(s) in type {_q(type_)}")


def _validate_name(name: str) -> None:
    size = len(name.encode())
    if size > _NAME_MAX_BYTES:
        raise ValueError(f"name {_q(name)} is longer than 1024 characters ({size} characters)")
    if any(unicodedata.category(ch)[0] in "ZCS" for ch in name):
        raise ValueError(f"invalid character(s) in name {_q(name)}")


@dataclass(frozen=True, slots=True, order=True)
class ComponentID:
    """``type[/name]`` identifying one configured component (or a pipeline: ``traces/name``)."""

    type: str
    name: str = ""

    @classmethod
    def parse(cls, text: str) -> ComponentID:
        """Parse and validate ``type[/name]`` like upstream's ``ID.UnmarshalText``.

        Raises:
            ValueError: with upstream's message when the ID is not valid.
        """
        type_, sep, name = text.partition("/")
        type_ = type_.strip()
        if not type_:
            if sep:
                raise ValueError(f"in {_q(text)} id: the part before / should not be empty")
            raise ValueError("id must not be empty")
        if sep:
            name = name.strip()
            if not name:
                raise ValueError(f"in {_q(text)} id: the part after / should not be empty")
            try:
                _validate_name(name)
            except ValueError as exc:
                raise ValueError(f"in {_q(name)} id: {exc}") from None
        _validate_type(type_, text)
        return cls(type_, name)

    def __str__(self) -> str:
        return f"{self.type}/{self.name}" if self.name else self.type


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """What the running collector reports about itself (``otelcol`` ``BuildInfo``)."""

    command: str = "otelray"
    description: str = "otelray collector"
    version: str = "0.1.0"


@dataclass(frozen=True, slots=True)
class Settings:
    """Developer-supplied settings of one component instance (not user YAML: that is its Config).

    Attributes:
        id: the configured ID, e.g. ``otlp/2``.
        kind: what the component is.
        logger: a logger named after the component (``otelray.collector.exporter.otlp/2``).
        telemetry: the collector's own metrics for this component.
        build_info: name and version of the running collector.
        signal: the signal this instance serves (``None`` for extensions).
        shared: the graph's store of instances shared between signals, keyed by
            ``(Kind, ComponentID)`` (upstream ``internal/sharedcomponent``); see
            ``otelray.collector.service.shared``.
    """

    id: ComponentID
    kind: Kind
    logger: logging.Logger
    telemetry: ComponentTelemetry
    build_info: BuildInfo = field(default_factory=BuildInfo)
    signal: Signal | None = None
    shared: dict[Any, Any] = field(default_factory=dict, compare=False)


@runtime_checkable
class Component(Protocol):
    """A started-and-stopped piece of a pipeline (collector ``component.Component``)."""

    async def start(self, host: Host) -> None:
        """Start the component. May return quickly and continue in the background.

        Raises:
            ComponentError: when the component cannot start (port in use, missing extension…).
        """

    async def shutdown(self) -> None:
        """Stop intake, cancel tasks, flush to the next consumer, release resources.

        Safe without a prior ``start`` and safe to call twice.
        """


class Host(Protocol):
    """What a running component may ask of the collector that started it."""

    def extensions(self) -> Mapping[ComponentID, Component]:
        """The started extensions, by ID."""
        ...
