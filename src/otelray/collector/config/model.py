"""The top-level collector configuration (collector ``otelcol/config.go``, ``service/pipelines``).

``build_config(raw, registry)`` turns the merged YAML mapping into a ``Config``: every component
section validated by its factory's pydantic model (unknown keys refused), the ``service`` section
checked, and cross-references resolved. All problems are collected and raised together as
``ConfigErrors``, each with a ``::`` path and upstream's wording where upstream has one, e.g.
``exporters::awsxray::region: Input should be a valid string`` or
``service::pipelines::traces: references receiver "otlp/2" which is not configured``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field, ValidationError, model_validator

from otelray.collector.component import ComponentID, Kind, Signal
from otelray.collector.config.blocks import ComponentConfig, ComponentIDField, HostPort
from otelray.collector.errors import ConfigError, ConfigErrors
from otelray.collector.registry import Registry

#: component types ADOT ships that otelray deliberately does not, with what to do instead
UNSUPPORTED: dict[str, str] = {
    "pprof": "pprof profiles the Go runtime and does not exist in otelray; remove it (profile with py-spy)",
    "zpages": "zpages is not available in otelray; use the Prometheus metrics of service::telemetry",
}
_SECTIONS = (Kind.RECEIVER, Kind.PROCESSOR, Kind.EXPORTER, Kind.EXTENSION, Kind.CONNECTOR)


class MetricsTelemetryConfig(ComponentConfig):
    """``service::telemetry::metrics``: the collector's own Prometheus endpoint.

    Both upstream forms are read: the older ``address: host:port`` and the current
    ``readers: [{pull: {exporter: {prometheus: {host, port}}}}]`` (one pull reader is supported).
    """

    level: str = Field("basic", pattern="^(none|basic|normal|detailed)$", description="none disables the endpoint.")
    address: HostPort = Field("127.0.0.1:8888", description="host:port of the Prometheus endpoint.")
    readers: list[dict[str, Any]] = Field(default_factory=list, description="Upstream reader list (one prometheus pull).")

    @model_validator(mode="after")
    def _readers(self) -> MetricsTelemetryConfig:
        if not self.readers:
            return self
        if len(self.readers) != 1:
            raise ValueError("only one reader is supported (a pull reader with a prometheus exporter)")
        try:
            prom = self.readers[0]["pull"]["exporter"]["prometheus"]
            host, port = str(prom.get("host", "127.0.0.1")), int(prom["port"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError("readers: only {pull: {exporter: {prometheus: {host: H, port: P}}}} is supported") from None
        object.__setattr__(self, "address", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
        return self


class LogsTelemetryConfig(ComponentConfig):
    """``service::telemetry::logs``: the collector's own log output."""

    level: str = Field("info", pattern="^(?i:debug|info|warn|error)$", description="Minimum log level.")
    encoding: str = Field("console", pattern="^(console|json)$", description="Log line format.")


class TelemetryConfig(ComponentConfig):
    """``service::telemetry``."""

    metrics: MetricsTelemetryConfig = Field(default_factory=MetricsTelemetryConfig)
    logs: LogsTelemetryConfig = Field(default_factory=LogsTelemetryConfig)


class PipelineModel(ComponentConfig):
    """One entry of ``service::pipelines``."""

    receivers: list[ComponentIDField] = Field(default_factory=list)
    processors: list[ComponentIDField] = Field(default_factory=list)
    exporters: list[ComponentIDField] = Field(default_factory=list)


class ServiceModel(ComponentConfig):
    """The ``service`` section."""

    extensions: list[ComponentIDField] = Field(default_factory=list)
    pipelines: dict[str, PipelineModel | None] = Field(default_factory=dict)
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig)


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A validated pipeline: its ID (``traces/name``), signal and component IDs in order."""

    id: ComponentID
    signal: Signal
    receivers: tuple[ComponentID, ...]
    processors: tuple[ComponentID, ...]
    exporters: tuple[ComponentID, ...]


@dataclass(frozen=True, slots=True)
class Config:
    """A validated collector configuration."""

    receivers: Mapping[ComponentID, ComponentConfig] = field(default_factory=dict)
    processors: Mapping[ComponentID, ComponentConfig] = field(default_factory=dict)
    exporters: Mapping[ComponentID, ComponentConfig] = field(default_factory=dict)
    extensions: Mapping[ComponentID, ComponentConfig] = field(default_factory=dict)
    connectors: Mapping[ComponentID, ComponentConfig] = field(default_factory=dict)
    service_extensions: tuple[ComponentID, ...] = ()
    pipelines: Mapping[ComponentID, Pipeline] = field(default_factory=dict)
    telemetry: TelemetryConfig = field(default_factory=TelemetryConfig)

    def of(self, kind: Kind) -> Mapping[ComponentID, ComponentConfig]:
        """The configured components of ``kind``."""
        return getattr(self, kind.section)  # type: ignore[no-any-return]


def pydantic_errors(exc: ValidationError, prefix: str, model: type[ComponentConfig] | None = None) -> list[ConfigError]:
    """Turn a pydantic ``ValidationError`` into ``ConfigError``s with ``::`` paths under ``prefix``."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        path = "::".join([prefix, *loc]) if prefix else "::".join(loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "invalid key"
            if model is not None and len(loc) == 1:
                msg += f" (valid keys: {', '.join(sorted(model.model_fields))})"
        out.append(ConfigError(path, msg))
    return out


def _component_section(
    kind: Kind, raw: Any, registry: Registry, errors: list[ConfigError], declared: set[ComponentID]
) -> dict[ComponentID, ComponentConfig]:
    section = kind.section
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(ConfigError(section, f"expected a mapping of component IDs, got {type(raw).__name__}"))
        return {}
    factories = registry.of(kind)
    out: dict[ComponentID, ComponentConfig] = {}
    for key, body in raw.items():
        try:
            cid = ComponentID.parse(str(key))
        except ValueError as exc:
            errors.append(ConfigError(f"{section}::{key}", str(exc)))
            continue
        declared.add(cid)  # defined, even if unknown or invalid: one error, no "not configured" follow-up
        factory = factories.get(cid.type)
        if factory is None:
            hint = UNSUPPORTED.get(cid.type)
            if hint is None:
                valid = ", ".join(sorted(factories))
                hint = f'unknown type: "{cid.type}" for id: "{cid}" (valid values: [{valid}])'
            errors.append(ConfigError(f"{section}::{cid}", hint))
            continue
        try:
            out[cid] = factory.config.model_validate({} if body is None else body)
        except ValidationError as exc:
            errors.extend(pydantic_errors(exc, f"{section}::{cid}", factory.config))
    return out


def _check_refs(
    path: str, role: str, ids: list[ComponentID], known: set[ComponentID], errors: list[ConfigError]
) -> None:
    seen: set[ComponentID] = set()
    for cid in ids:
        if cid not in known:
            errors.append(ConfigError(path, f'references {role} "{cid}" which is not configured'))
        elif cid in seen:
            errors.append(ConfigError(path, f'references {role} "{cid}" multiple times'))
        seen.add(cid)


def _pipelines(
    service: ServiceModel, declared: dict[Kind, set[ComponentID]], registry: Registry, errors: list[ConfigError]
) -> dict[ComponentID, Pipeline]:
    out: dict[ComponentID, Pipeline] = {}
    if not service.pipelines:
        errors.append(ConfigError("service::pipelines", "service must have at least one pipeline"))
    for key, model in service.pipelines.items():
        path = f"service::pipelines::{key}"
        try:
            pid = ComponentID.parse(key)
        except ValueError as exc:
            errors.append(ConfigError(path, str(exc)))
            continue
        if pid.type not in Signal.__members__.values():
            errors.append(ConfigError(path, f'pipeline type "{pid.type}" is not supported (use traces, metrics or logs)'))
            continue
        signal = Signal(pid.type)
        model = model or PipelineModel()
        if not model.receivers:
            errors.append(ConfigError(path, "must have at least one receiver"))
        if not model.exporters:
            errors.append(ConfigError(path, "must have at least one exporter"))
        connectors = declared[Kind.CONNECTOR]
        _check_refs(path, "receiver", model.receivers, declared[Kind.RECEIVER] | connectors, errors)
        _check_refs(path, "processor", model.processors, declared[Kind.PROCESSOR], errors)
        _check_refs(path, "exporter", model.exporters, declared[Kind.EXPORTER] | connectors, errors)
        _check_signals(path, signal, model, registry, errors)
        out[pid] = Pipeline(pid, signal, tuple(model.receivers), tuple(model.processors), tuple(model.exporters))
    _check_connectors(out, declared[Kind.CONNECTOR], registry, errors)
    return out


def _check_connectors(pipelines: Mapping[ComponentID, Pipeline], connectors: set[ComponentID], registry: Registry,
                      errors: list[ConfigError]) -> None:
    """A connector must join a pipeline it exports from to one it receives into, through a supported pair."""
    for cid in sorted(connectors):
        factory = registry.connectors.get(cid.type)
        if factory is None:
            continue  # already reported as an unknown type
        as_exporter = {p.signal for p in pipelines.values() if cid in p.exporters}
        as_receiver = {p.signal for p in pipelines.values() if cid in p.receivers}
        for sig in sorted(as_exporter):
            if not any((sig, to) in factory.pairs for to in as_receiver):
                errors.append(ConfigError(f"connectors::{cid}", f'connector "{cid}" used as exporter in {sig.value} '
                                          "pipeline but not used in any supported receiver pipeline"))
        for sig in sorted(as_receiver):
            if not any((frm, sig) in factory.pairs for frm in as_exporter):
                errors.append(ConfigError(f"connectors::{cid}", f'connector "{cid}" used as receiver in {sig.value} '
                                          "pipeline but not used in any supported exporter pipeline"))


def pipeline_order(config: Config, registry: Registry) -> list[Pipeline]:
    """Pipelines ordered so each comes after the pipelines it feeds through connectors (build order).

    An edge runs from a pipeline exporting to a connector to each pipeline receiving from it whose
    signal pair the connector's factory supports.

    Raises:
        ConfigError: at ``service::pipelines`` when connectors form a cycle.
    """
    readers = {cid: [p for p in config.pipelines.values() if cid in p.receivers] for cid in config.connectors}

    def fed_by(pipeline: Pipeline, cid: ComponentID) -> list[Pipeline]:
        factory = registry.connectors.get(cid.type)
        pairs = factory.pairs if factory is not None else {}
        return [r for r in readers.get(cid, []) if (pipeline.signal, r.signal) in pairs]

    order: list[Pipeline] = []
    state: dict[ComponentID, str] = {}

    def visit(pipeline: Pipeline, trail: list[str]) -> None:
        if state.get(pipeline.id) == "done":
            return
        if state.get(pipeline.id) == "visiting":
            raise ConfigError("service::pipelines", f"cycle detected: {' -> '.join([*trail, str(pipeline.id)])}")
        state[pipeline.id] = "visiting"
        for cid in pipeline.exporters:
            for downstream in fed_by(pipeline, cid):
                visit(downstream, [*trail, str(pipeline.id), f"connector {cid}"])
        state[pipeline.id] = "done"
        order.append(pipeline)

    for pipeline in config.pipelines.values():
        visit(pipeline, [])
    return order


def _check_signals(path: str, signal: Signal, model: PipelineModel, registry: Registry, errors: list[ConfigError]) -> None:
    for role, kind, ids in (("receiver", Kind.RECEIVER, model.receivers), ("processor", Kind.PROCESSOR, model.processors),
                            ("exporter", Kind.EXPORTER, model.exporters)):
        for cid in ids:
            factory = registry.of(kind).get(cid.type)
            if factory is not None and signal not in factory.signals():  # type: ignore[union-attr]
                errors.append(ConfigError(path, f'{role} "{cid}" does not support {signal.value}'))


def _check_extension_uses(
    sections: Mapping[Kind, Mapping[ComponentID, ComponentConfig]], enabled: set[ComponentID], errors: list[ConfigError]
) -> None:
    """``sending_queue::storage`` and ``auth::authenticator`` must name an extension of ``service::extensions``."""
    for kind in (Kind.RECEIVER, Kind.EXPORTER):
        for cid, cfg in sections[kind].items():
            queue = getattr(cfg, "sending_queue", None)
            auth = getattr(cfg, "auth", None)
            uses = [("sending_queue::storage", getattr(queue, "storage", None)),
                    ("auth::authenticator", getattr(auth, "authenticator", None))]
            for field_path, ext in uses:
                if isinstance(ext, ComponentID) and ext not in enabled:
                    errors.append(ConfigError(f"{kind.section}::{cid}::{field_path}",
                                              f'extension "{ext}" is not enabled: add it to extensions and to '
                                              "service::extensions"))


def build_config(raw: Mapping[str, Any], registry: Registry) -> Config:
    """Validate the merged YAML mapping against ``registry``.

    Raises:
        ConfigErrors: every problem found, in file order.
    """
    errors: list[ConfigError] = []
    known = {kind.section for kind in _SECTIONS} | {"service"}
    errors.extend(ConfigError(str(k), f"invalid key (valid keys: {', '.join(sorted(known))})") for k in raw if k not in known)
    declared: dict[Kind, set[ComponentID]] = {kind: set() for kind in _SECTIONS}
    sections = {kind: _component_section(kind, raw.get(kind.section), registry, errors, declared[kind])
                for kind in _SECTIONS}
    try:
        service = ServiceModel.model_validate(raw.get("service") or {})
    except ValidationError as exc:
        errors.extend(pydantic_errors(exc, "service", ServiceModel))
        raise ConfigErrors(errors) from None
    for kind in (Kind.RECEIVER, Kind.EXPORTER):
        if not raw.get(kind.section):
            errors.append(ConfigError("", f"no {kind.value} configuration specified in config"))
    _check_refs("service::extensions", "extension", service.extensions, declared[Kind.EXTENSION], errors)
    _check_extension_uses(sections, set(service.extensions), errors)
    pipelines = _pipelines(service, declared, registry, errors)
    config = Config(**{kind.section: sections[kind] for kind in _SECTIONS},  # type: ignore[arg-type]
                    service_extensions=tuple(service.extensions), pipelines=pipelines, telemetry=service.telemetry)
    if not errors:
        try:
            pipeline_order(config, registry)  # a connector cycle is a config error, not a hang
        except ConfigError as exc:
            errors.append(exc)
    if errors:
        raise ConfigErrors(errors)
    return config


def load_config(sources: list[str], registry: Registry, env: Mapping[str, str] | None = None) -> Config:
    """Read, merge, expand and validate configuration sources (see ``config.loader``)."""
    from otelray.collector.config.loader import load_raw

    return build_config(load_raw(sources, env), registry)
