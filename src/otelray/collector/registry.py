"""Component factories and the registry that finds them (collector ``otelcol/factories.go``).

A factory is a frozen value: the component type as written in YAML, its config model (whose
default instance is the default config), and one ``(create, stability)`` pair per supported signal.
Built-in components are listed in ``BUILTIN`` as ``FactoryRef`` values (kind, type, deprecated alias,
``"module:attribute"`` import path) and found through the same code path as third-party ones, which
register under the entry-point groups ``otelray_receivers``, ``otelray_processors``,
``otelray_exporters``, ``otelray_extensions`` and ``otelray_connectors`` with the component type as
the entry-point name (OTel Python's ``opentelemetry_traces_exporter`` rule). ``load_registry`` only
lists names; a factory's module is imported the first time its type is looked up, so a collector
imports just the components its config names (``otelray components`` and ``Registry.factories()``
import them all). A loaded factory whose kind or type differs from its listing, and a type
registered twice, are ``RegistryError``s (upstream ``MakeFactoryMap``).

Create-function signatures:

- receiver / processor: ``create(settings, config, next_consumer) -> Component & consumer``
- exporter: ``create(settings, config) -> Component & consumer``
- extension: ``create(settings, config) -> Component``
- connector: ``create(settings, config, next_consumer)`` per ``(from_signal, to_signal)`` pair
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar, TypeAlias

from otelray.collector.component import Component, Kind, Settings, Signal, Stability
from otelray.collector.config.blocks import ComponentConfig
from otelray.collector.errors import RegistryError, SignalNotSupported

CreateWithNext: TypeAlias = Callable[[Settings, Any, Any], Component]
CreateNoNext: TypeAlias = Callable[[Settings, Any], Component]

@dataclass(frozen=True, slots=True)
class FactoryRef:
    """Where a factory lives, known without importing it."""

    kind: Kind
    type: str
    path: str  #: ``"module:attribute"``
    alias: str | None = None  #: the factory's ``deprecated_alias``

    @classmethod
    def builtin(cls, kind: Kind, type_: str, *, alias: str | None = None) -> FactoryRef:
        """The built-in factory ``otelray.collector.<kind>s.<type>:factory``."""
        return cls(kind, type_, f"otelray.collector.{kind.section}.{type_}:factory", alias)


_R, _P, _E, _X, _C = Kind.RECEIVER, Kind.PROCESSOR, Kind.EXPORTER, Kind.EXTENSION, Kind.CONNECTOR

#: The built-in factories, loaded like plugins (one line per component).
BUILTIN: tuple[FactoryRef, ...] = (
    FactoryRef.builtin(_R, "otlp"),
    FactoryRef.builtin(_P, "batch"),
    FactoryRef.builtin(_E, "debug"),
    FactoryRef.builtin(_E, "file"),
    FactoryRef.builtin(_P, "memory_limiter"),
    FactoryRef.builtin(_E, "otlp"),
    FactoryRef.builtin(_E, "otlphttp"),
    FactoryRef.builtin(_X, "health_check"),
    FactoryRef.builtin(_X, "file_storage"),
    FactoryRef.builtin(_R, "awsxray"),
    FactoryRef.builtin(_P, "attributes"),
    FactoryRef.builtin(_P, "resource"),
    FactoryRef.builtin(_P, "filter"),
    FactoryRef.builtin(_P, "resourcedetection"),
    FactoryRef.builtin(_P, "probabilistic_sampler"),
    FactoryRef.builtin(_E, "awsxray"),
    FactoryRef.builtin(_X, "awsproxy"),
    FactoryRef.builtin(_X, "sigv4auth"),
    FactoryRef.builtin(_E, "awsemf"),
    FactoryRef.builtin(_E, "prometheusremotewrite", alias="prometheus_remote_write"),
    FactoryRef.builtin(_R, "prometheus"),
    FactoryRef.builtin(_R, "statsd"),
    FactoryRef.builtin(_R, "awsecscontainermetrics"),
    FactoryRef.builtin(_C, "spanmetrics"),
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


class _Pending:
    """A factory not imported yet: ``load()`` imports it once and checks it matches its listing."""

    __slots__ = ("_factory", "_load", "exact", "kind", "names", "source")

    def __init__(self, kind: Kind, names: tuple[str, ...], source: str, load: Callable[[], Any], *,
                 exact: bool) -> None:
        """``exact``: ``names`` must be the factory's type and alias (built-ins), not just one of them."""
        self.kind, self.names, self.source, self._load, self.exact = kind, names, source, load, exact
        self._factory: AnyFactory | None = None

    def load(self) -> AnyFactory:
        if self._factory is None:
            factory = self._load()
            if getattr(factory, "kind", None) is not self.kind:
                raise RegistryError(f"{self.source} is not a {self.kind.value} factory")
            own = {factory.type, factory.deprecated_alias} - {None}
            if not (set(self.names) == own if self.exact else set(self.names) <= own):
                raise RegistryError(f"{self.source} is listed as {self.kind.value} {'/'.join(self.names)!r} "
                                    f"but its factory is {factory.type!r}")
            self._factory = factory
        return self._factory


class _Factories(Mapping[str, "AnyFactory"]):
    """Factories of one kind by type and alias; a pending factory is imported when first looked up."""

    __slots__ = ("_entries",)

    def __init__(self, entries: dict[str, AnyFactory | _Pending]) -> None:
        self._entries = entries

    def __getitem__(self, name: str) -> AnyFactory:
        entry = self._entries[name]
        return entry.load() if isinstance(entry, _Pending) else entry

    def __contains__(self, name: object) -> bool:
        return name in self._entries  # listed is enough: no import

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def _pending_ref(ref: FactoryRef) -> _Pending:
    names = (ref.type, ref.alias) if ref.alias else (ref.type,)
    return _Pending(ref.kind, names, ref.path, lambda: _import(ref.path), exact=True)


def _pending_entry_point(kind: Kind, group: str, ep: Any) -> _Pending:
    def load() -> Any:
        try:
            return ep.load()
        except Exception as exc:  # a broken plugin must name itself
            raise RegistryError(f"cannot load {group} entry point {ep.name}: {exc}") from exc

    return _Pending(kind, (ep.name,), f"{group} entry point {ep.name}", load, exact=False)


def _discovered() -> Iterable[_Pending]:
    for kind, group in ENTRY_POINT_GROUPS.items():
        for ep in entry_points(group=group):
            yield _pending_entry_point(kind, group, ep)


def make_registry(factories: Iterable[AnyFactory | FactoryRef | _Pending]) -> Registry:
    """Build a registry from factory values and ``FactoryRef``s (imported on first lookup).

    Raises:
        RegistryError: when two factories of one kind share a type (or alias).
    """
    by_kind: dict[Kind, dict[str, AnyFactory | _Pending]] = {kind: {} for kind in Kind}
    for item in factories:
        entry = _pending_ref(item) if isinstance(item, FactoryRef) else item
        if isinstance(entry, _Pending):
            names: tuple[str | None, ...] = entry.names
        else:
            names = (entry.type, entry.deprecated_alias)
        table = by_kind[entry.kind]
        for name in filter(None, names):
            if name in table:
                raise RegistryError(f"duplicate {entry.kind.value} factory {name!r}")
            table[name] = entry
    return Registry(**{kind.section: _Factories(by_kind[kind]) for kind in Kind})  # type: ignore[arg-type]


def load_registry(*, builtin: Iterable[FactoryRef | str] = BUILTIN, plugins: bool = True) -> Registry:
    """List the built-in factories and (if ``plugins``) the entry-point ones.

    ``FactoryRef``s and entry points are imported when their type is first looked up; a
    ``"module:attribute"`` string is imported now.

    Raises:
        RegistryError: a string path cannot be imported, or a type is registered twice.
    """
    found: list[AnyFactory | FactoryRef | _Pending] = [
        item if isinstance(item, FactoryRef) else _import(item) for item in builtin
    ]
    if plugins:
        found.extend(_discovered())
    return make_registry(found)
