"""Component factories and the registry that finds them (collector ``otelcol/factories.go``).

A factory is a frozen value: the component type as written in YAML, its config model (whose
default instance is the default config), and one ``(create, stability)`` pair per supported signal.
Built-in components are listed in ``BUILTIN`` as ``"module:attribute"`` import paths and loaded
through the same code path as third-party ones, which register under the entry-point groups
``otelray_receivers``, ``otelray_processors``, ``otelray_exporters``, ``otelray_extensions`` and
``otelray_connectors``. Loading happens only when ``load_registry`` is called, never at import time;
a type registered twice is a ``RegistryError`` (upstream ``MakeFactoryMap``).

Create-function signatures:

- receiver / processor: ``create(settings, config, next_consumer) -> Component & consumer``
- exporter: ``create(settings, config) -> Component & consumer``
- extension: ``create(settings, config) -> Component``
- connector: ``create(settings, config, next_consumer)`` per ``(from_signal, to_signal)`` pair
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar, TypeAlias

from otelray.collector.component import Component, Kind, Settings, Signal, Stability
from otelray.collector.config.blocks import ComponentConfig
from otelray.collector.errors import RegistryError, SignalNotSupported

CreateWithNext: TypeAlias = Callable[[Settings, Any, Any], Component]
CreateNoNext: TypeAlias = Callable[[Settings, Any], Component]

#: Import paths of the built-in factories, loaded like plugins (one line per component).
BUILTIN: tuple[str, ...] = (
    "otelray.collector.receivers.otlp:factory",
    "otelray.collector.processors.batch:factory",
    "otelray.collector.exporters.debug:factory",
    "otelray.collector.exporters.file:factory",
    "otelray.collector.processors.memory_limiter:factory",
    "otelray.collector.exporters.otlp:factory",
    "otelray.collector.exporters.otlphttp:factory",
    "otelray.collector.extensions.health_check:factory",
    "otelray.collector.extensions.file_storage:factory",
    "otelray.collector.receivers.awsxray:factory",
    "otelray.collector.processors.attributes:factory",
    "otelray.collector.processors.resource:factory",
    "otelray.collector.processors.filter:factory",
    "otelray.collector.processors.resourcedetection:factory",
    "otelray.collector.processors.probabilistic_sampler:factory",
    "otelray.collector.exporters.awsxray:factory",
    "otelray.collector.extensions.awsproxy:factory",
    "otelray.collector.extensions.sigv4auth:factory",
    "otelray.collector.exporters.awsemf:factory",
    "otelray.collector.exporters.prometheusremotewrite:factory",
    "otelray.collector.receivers.prometheus:factory",
    "otelray.collector.receivers.statsd:factory",
    "otelray.collector.receivers.awsecscontainermetrics:factory",
    "otelray.collector.connectors.spanmetrics:factory",
)

ENTRY_POINT_GROUPS: dict[Kind, str] = {kind: f"otelray_{kind.section}" for kind in Kind}


@dataclass(frozen=True, slots=True, kw_only=True)
class _Factory:
    """Fields every factory carries (what upstream's ``metadata.yaml`` holds)."""

    kind: ClassVar[Kind]
    type: str
    config: type[ComponentConfig]
    description: str = ""
    deprecated_alias: str | None = None
    #: config used by the registry-wide lifecycle test instead of the default (upstream ``tests::config``)
    lifecycle_test_config: Mapping[str, Any] | None = None

    def default_config(self) -> ComponentConfig:
        """The default config (the model with no keys set)."""
        return self.config()


@dataclass(frozen=True, slots=True, kw_only=True)
class _SignalFactory(_Factory):
    traces: tuple[Callable[..., Component], Stability] | None = None
    metrics: tuple[Callable[..., Component], Stability] | None = None
    logs: tuple[Callable[..., Component], Stability] | None = None

    def signals(self) -> tuple[Signal, ...]:
        """The signals this factory can create a component for."""
        return tuple(s for s in Signal if getattr(self, s.value) is not None)

    def stability(self, signal: Signal) -> Stability:
        """Stability of the component for ``signal``.

        Raises:
            SignalNotSupported: when ``signal`` is not registered.
        """
        entry = getattr(self, signal.value)
        if entry is None:
            raise SignalNotSupported(self.type, signal.value)
        return entry[1]  # type: ignore[no-any-return]

    def _creator(self, settings: Settings, signal: Signal) -> Callable[..., Component]:
        entry = getattr(self, signal.value)
        if entry is None:
            raise SignalNotSupported(settings.id, signal.value)
        return entry[0]  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiverFactory(_SignalFactory):
    """Creates receivers; ``create`` raises ``SignalNotSupported`` for an unregistered signal."""

    kind: ClassVar[Kind] = Kind.RECEIVER

    def create(self, signal: Signal, settings: Settings, config: Any, next_consumer: Any) -> Component:
        """Create the receiver of ``signal`` feeding ``next_consumer``."""
        return self._creator(settings, signal)(settings, config, next_consumer)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessorFactory(_SignalFactory):
    """Creates processors."""

    kind: ClassVar[Kind] = Kind.PROCESSOR

    def create(self, signal: Signal, settings: Settings, config: Any, next_consumer: Any) -> Component:
        """Create the processor of ``signal`` feeding ``next_consumer``."""
        return self._creator(settings, signal)(settings, config, next_consumer)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExporterFactory(_SignalFactory):
    """Creates exporters (usually ``exporterhelper`` wrappers around a ``push``)."""

    kind: ClassVar[Kind] = Kind.EXPORTER

    def create(self, signal: Signal, settings: Settings, config: Any) -> Component:
        """Create the exporter of ``signal``."""
        return self._creator(settings, signal)(settings, config)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionFactory(_Factory):
    """Creates extensions (no signal)."""

    kind: ClassVar[Kind] = Kind.EXTENSION
    create_extension: CreateNoNext
    stability_level: Stability = Stability.BETA

    def create(self, settings: Settings, config: Any) -> Component:
        """Create the extension."""
        return self.create_extension(settings, config)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectorFactory(_Factory):
    """Creates connectors: an exporter in one pipeline and a receiver in another."""

    kind: ClassVar[Kind] = Kind.CONNECTOR
    pairs: Mapping[tuple[Signal, Signal], tuple[CreateWithNext, Stability]] = field(default_factory=dict)

    def create(
        self, pair: tuple[Signal, Signal], settings: Settings, config: Any, next_consumer: Any
    ) -> Component:
        """Create the connector from ``pair[0]`` pipelines into ``pair[1]`` pipelines."""
        entry = self.pairs.get(pair)
        if entry is None:
            raise SignalNotSupported(settings.id, f"{pair[0]} to {pair[1]}")
        return entry[0](settings, config, next_consumer)


AnyFactory: TypeAlias = ReceiverFactory | ProcessorFactory | ExporterFactory | ExtensionFactory | ConnectorFactory


@dataclass(frozen=True, slots=True)
class Registry:
    """The factories available to a collector, per kind and type."""

    receivers: Mapping[str, ReceiverFactory]
    processors: Mapping[str, ProcessorFactory]
    exporters: Mapping[str, ExporterFactory]
    extensions: Mapping[str, ExtensionFactory]
    connectors: Mapping[str, ConnectorFactory]

    def of(self, kind: Kind) -> Mapping[str, AnyFactory]:
        """The factories of ``kind`` by type (aliases included)."""
        return getattr(self, kind.section)  # type: ignore[no-any-return]

    def of_section(self, section: str) -> Mapping[str, AnyFactory]:
        """The factories of the kind whose YAML section is ``section`` (``receivers``…)."""
        return getattr(self, section)  # type: ignore[no-any-return]

    def factories(self) -> Iterable[AnyFactory]:
        """Every factory once (aliases skipped), ordered by kind then type."""
        for kind in Kind:
            for type_, factory in sorted(self.of(kind).items()):
                if type_ == factory.type:
                    yield factory


def _import(path: str) -> Any:
    module_name, _, attr = path.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise RegistryError(f"cannot load component factory {path}: {exc}") from exc


def _discovered() -> Iterable[tuple[str, Any]]:
    for kind, group in ENTRY_POINT_GROUPS.items():
        for ep in entry_points(group=group):
            try:
                factory = ep.load()
            except Exception as exc:  # a broken plugin must name itself
                raise RegistryError(f"cannot load {group} entry point {ep.name}: {exc}") from exc
            if getattr(factory, "kind", None) is not kind:
                raise RegistryError(f"{group} entry point {ep.name} is not a {kind.value} factory")
            yield ep.value, factory


def make_registry(factories: Iterable[AnyFactory]) -> Registry:
    """Build a registry from factory values.

    Raises:
        RegistryError: when two factories of one kind share a type (or alias).
    """
    by_kind: dict[Kind, dict[str, AnyFactory]] = {kind: {} for kind in Kind}
    for factory in factories:
        table = by_kind[factory.kind]
        for name in filter(None, (factory.type, factory.deprecated_alias)):
            if name in table:
                raise RegistryError(f"duplicate {factory.kind.value} factory {name!r}")
            table[name] = factory
    return Registry(**{kind.section: by_kind[kind] for kind in Kind})  # type: ignore[arg-type]


def load_registry(*, builtin: Iterable[str] = BUILTIN, plugins: bool = True) -> Registry:
    """Import the built-in factories and (if ``plugins``) the entry-point ones.

    Raises:
        RegistryError: a factory cannot be imported, or a type is registered twice.
    """
    found: list[AnyFactory] = [_import(path) for path in builtin]
    if plugins:
        found.extend(factory for _, factory in _discovered())
    return make_registry(found)
