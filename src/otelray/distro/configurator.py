"""The ``opentelemetry_configurator`` entry point ``otelray``: builds the SDK from the environment.

Follows the SDK's ``_initialize_components`` (opentelemetry-sdk ``_configuration``) and ADOT's
``AwsOpenTelemetryConfigurator`` in what it builds: a resource from the configured detectors plus
``telemetry.distro.*``, the id generator and sampler named by the environment (``xray`` builds
otelray's remote sampler with that resource), and one batch processor per span exporter. It
differs where that makes otelray start and stop faster: span exporters are wrapped in a
``GuardedSpanExporter`` (built lazily, one warning per outage, bounded at exit), and the metrics and
logs SDKs are set up only when an exporter is configured for them. A bad value in any variable is
reported in one warning naming the variable, and a working default is used instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from opentelemetry.util._importlib_metadata import entry_points

from otelray.distro import environment as env

if TYPE_CHECKING:  # annotations only: these modules load lazily at run time
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.id_generator import IdGenerator
    from opentelemetry.sdk.trace.sampling import Sampler

    from otelray.distro.exporter import GuardedSpanExporter

_logger = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_DEFAULT = 0.5
_TRUE = ("true", "1", "yes", "on")


#: ADOT switches otelray does not implement: variable -> what it would turn on
_UNSUPPORTED_SWITCHES = {
    env.OTEL_AWS_APPLICATION_SIGNALS_ENABLED: "Application Signals",
    env.OTEL_AWS_PYTHON_DEFER_TO_WORKERS_ENABLED: "deferring SDK set-up to forked workers",
    env.AGENT_OBSERVABILITY_ENABLED: "the GenAI agent-observability mode",
}
#: ADOT settings otelray does not implement: any value is reported
_UNSUPPORTED_SETTINGS = {
    env.AWS_XRAY_ADAPTIVE_SAMPLING_CONFIG: "adaptive sampling",
    env.OTEL_AWS_HTTP_OPERATION_PATHS: "Application Signals operation names",
    env.OTEL_AWS_EXPERIMENTAL_CODE_ATTRIBUTES: "code attributes",
}


def _warn_unsupported(environ: MutableMapping[str, str]) -> None:
    for name, what in _UNSUPPORTED_SWITCHES.items():
        if environ.get(name, "").strip().lower() in _TRUE:
            _logger.warning("otelray: %s=true is not supported (%s is not built); ignored", name, what)
    for name, what in _UNSUPPORTED_SETTINGS.items():
        if environ.get(name, "").strip():
            _logger.warning("otelray: %s is not supported (%s is not built); ignored", name, what)


def _checked_detectors(environ: MutableMapping[str, str]) -> None:
    raw = environ.get(env.OTEL_EXPERIMENTAL_RESOURCE_DETECTORS, "")
    names = [name.strip() for name in raw.split(",") if name.strip()]
    known = set(entry_points(group="opentelemetry_resource_detector").names) | {"*"}
    unknown = [name for name in names if name not in known]
    if unknown:
        _logger.warning(
            "otelray: %s names unknown resource detector(s) %s; skipping them",
            env.OTEL_EXPERIMENTAL_RESOURCE_DETECTORS, ", ".join(unknown),
        )
        environ[env.OTEL_EXPERIMENTAL_RESOURCE_DETECTORS] = ",".join(n for n in names if n not in unknown)


def build_resource(environ: MutableMapping[str, str]) -> Resource:
    """The resource: configured detectors, ``OTEL_RESOURCE_ATTRIBUTES``/``OTEL_SERVICE_NAME``, distro identity."""
    from opentelemetry.sdk.resources import Resource

    from otelray import __version__

    _checked_detectors(environ)
    return Resource.create(
        {
            "telemetry.distro.name": "otelray",
            "telemetry.distro.version": __version__,
            "telemetry.auto.version": f"{__version__}-otelray",
        }
    )


def _load(group: str, name: str) -> Any:
    found = list(entry_points(group=group, name=name))
    if not found:
        raise LookupError(f"no installed package provides {name!r} in entry-point group {group}")
    return found[0].load()


def _sdk_sampler(environ: MutableMapping[str, str], name: str) -> Sampler | None:
    from opentelemetry.sdk.trace.sampling import Sampler

    arg: object = environ.get(env.OTEL_TRACES_SAMPLER_ARG)
    if name in ("traceidratio", "parentbased_traceidratio"):
        try:
            arg = float(str(arg))
        except ValueError:
            _logger.warning("otelray: %s=%r is not a number; using 1.0", env.OTEL_TRACES_SAMPLER_ARG, arg)
            arg = 1.0
    try:
        sampler = _load("opentelemetry_traces_sampler", name)(arg)
        if not isinstance(sampler, Sampler):
            raise TypeError(f"{name!r} did not produce a Sampler")
    except Exception as exc:  # a broken third-party sampler must not stop the application
        _logger.warning("otelray: %s=%s cannot be used (%s); using parentbased_always_on",
                        env.OTEL_TRACES_SAMPLER, name, exc)
        return None
    return sampler


def build_sampler(environ: MutableMapping[str, str], resource: Resource | None) -> Sampler | None:
    """The sampler named by ``OTEL_TRACES_SAMPLER``; ``xray`` is built here with the resource.

    ``None`` means the SDK default, ``parentbased_always_on``.
    """
    name = environ.get(env.OTEL_TRACES_SAMPLER, "").strip()
    if not name:
        return None
    if name != "xray":
        return _sdk_sampler(environ, name)
    from otelray.distro.errors import SamplerConfigError
    from otelray.distro.sampler.remote import XRayRemoteSampler, parse_sampler_arg

    try:
        endpoint, interval = parse_sampler_arg(environ.get(env.OTEL_TRACES_SAMPLER_ARG))
    except SamplerConfigError as exc:
        _logger.warning("otelray: %s; using sampler parentbased_always_on", exc)
        return None
    return XRayRemoteSampler(resource, endpoint=endpoint, polling_interval=interval)


def build_id_generator(environ: MutableMapping[str, str]) -> IdGenerator:
    """The id generator named by ``OTEL_PYTHON_ID_GENERATOR`` (``xray`` when the name is unusable)."""
    name = environ.get(env.OTEL_PYTHON_ID_GENERATOR, "xray").strip() or "xray"
    try:
        return _load("opentelemetry_id_generator", name)()
    except Exception as exc:  # unknown or broken generator: say so once and keep running
        _logger.warning("otelray: %s=%s cannot be used (%s); using xray", env.OTEL_PYTHON_ID_GENERATOR, name, exc)
        from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator

        return AwsXRayIdGenerator()


_SIGNAL_ENDPOINTS = {"traces": env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, "metrics": env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT}


def describe_endpoint(name: str, environ: MutableMapping[str, str], signal: str = "traces") -> str:
    """Where the exporter ``name`` of ``signal`` (``traces``, ``metrics``) sends to, for messages."""
    if name in ("otlp_proto_http", "otlp_proto_grpc"):
        specific = environ.get(_SIGNAL_ENDPOINTS[signal], "").strip()
        if specific:
            return specific
        base = environ.get(env.OTEL_EXPORTER_OTLP_ENDPOINT, "").strip().rstrip("/")
        return f"{base}/v1/{signal}" if name == "otlp_proto_http" else base
    return name


#: exporters built on first export instead of at start-up (their import is the slow part of start-up,
#: and they can be built at exit); the rest are built at start-up like upstream does
LAZY_EXPORTERS = frozenset({"otlp_proto_http"})
_OTLP_BY_PROTOCOL = {"grpc": "otlp_proto_grpc", "http/protobuf": "otlp_proto_http"}


def span_exporter_names(environ: MutableMapping[str, str]) -> list[str]:
    """Entry-point names from ``OTEL_TRACES_EXPORTER``, ``otlp`` resolved by protocol (SDK rule)."""
    raw = environ.get(env.OTEL_TRACES_EXPORTER, "").strip()
    if not raw or raw.lower() == "none":
        return []
    protocol = (
        environ.get(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) or environ.get(env.OTEL_EXPORTER_OTLP_PROTOCOL) or ""
    ).strip()
    names = []
    for name in (part.strip() for part in raw.split(",")):
        if name == "otlp":
            if protocol and protocol not in _OTLP_BY_PROTOCOL:
                _logger.warning("otelray: OTLP protocol %r is not grpc or http/protobuf; using http/protobuf",
                                protocol)
            name = _OTLP_BY_PROTOCOL.get(protocol, "otlp_proto_http")
        if name and name not in names:
            names.append(name)
    return names


def _shutdown_timeout(environ: MutableMapping[str, str]) -> float:
    raw = environ.get(env.OTELRAY_EXPORT_SHUTDOWN_TIMEOUT, "").strip()
    try:
        value = float(raw) if raw else SHUTDOWN_TIMEOUT_DEFAULT
    except ValueError:
        value = -1.0
    if not 0 <= value <= 60:
        _logger.warning("otelray: %s=%r is not 0..60 seconds; using %g",
                        env.OTELRAY_EXPORT_SHUTDOWN_TIMEOUT, raw, SHUTDOWN_TIMEOUT_DEFAULT)
        value = SHUTDOWN_TIMEOUT_DEFAULT
    return value


def build_span_exporters(environ: MutableMapping[str, str]) -> list[GuardedSpanExporter]:
    """One guarded (lazily built) exporter per ``OTEL_TRACES_EXPORTER`` name; unknown names are skipped."""
    from otelray.distro.exporter import GuardedSpanExporter

    timeout = _shutdown_timeout(environ)
    guards = []
    for name in span_exporter_names(environ):
        found = list(entry_points(group="opentelemetry_traces_exporter", name=name))
        if not found:
            _logger.warning("otelray: %s names span exporter %r, which no installed package provides; skipped",
                            env.OTEL_TRACES_EXPORTER, name)
            continue
        point = found[0]
        factory: Callable[[], object] = lambda point=point: point.load()()  # noqa: E731
        guard = GuardedSpanExporter(factory, describe_endpoint(name, environ), shutdown_timeout=timeout)
        if name not in LAZY_EXPORTERS:
            guard.build_now()
        guards.append(guard)
    return guards


def _configure_metrics_and_logs(environ: MutableMapping[str, str], resource: Resource) -> None:
    def wanted(name: str) -> bool:
        return environ.get(name, "").strip().lower() not in ("", "none")

    if not wanted(env.OTEL_METRICS_EXPORTER) and not wanted(env.OTEL_LOGS_EXPORTER):
        return
    # Only now pay for the SDK's configuration module (metrics and logs SDKs, ~80 ms of imports).
    from opentelemetry.sdk._configuration import (
        _get_exporter_names,
        _import_exporters,
        _init_logging,
    )

    metric_names, log_names = _get_exporter_names("metrics"), _get_exporter_names("logs")
    try:
        _, metric_exporters, log_exporters = _import_exporters([], metric_names, log_names)
    except RuntimeError as exc:
        _logger.warning("otelray: %s; metrics and logs are not exported", exc)
        return
    if metric_exporters:
        _install_metrics(environ, metric_exporters, resource)
    if log_exporters:
        _init_logging(log_exporters, resource, setup_logging_handler=False)


def _install_metrics(environ: MutableMapping[str, str], exporters: dict[str, type], resource: Resource) -> None:
    """A MeterProvider whose push exporters are guarded like the span exporters (SDK ``_init_metrics``)."""
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader

    from otelray.distro.metric_export import GuardedMetricExporter, bound_at_exit

    timeout = _shutdown_timeout(environ)
    readers: list[MetricReader] = []
    guards: list[GuardedMetricExporter] = []
    for name, exporter_class in exporters.items():
        try:
            built = exporter_class()
        except Exception as exc:  # e.g. a bad certificate path: say so, keep the other exporters
            _logger.warning("otelray: metric exporter %r cannot be built (%s); skipped", name, exc)
            continue
        if isinstance(built, MetricReader):  # pull exporters (prometheus) are readers themselves
            readers.append(built)
            continue
        guard = GuardedMetricExporter(built, describe_endpoint(name, environ, "metrics"), shutdown_timeout=timeout)
        guards.append(guard)
        readers.append(PeriodicExportingMetricReader(guard))
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=readers))
    bound_at_exit(guards)  # registered after the provider's own exit hook, so it runs first


def build_baggage_processor(environ: MutableMapping[str, str]) -> SpanProcessor | None:
    """``OTEL_BAGGAGE_SPAN_ATTRIBUTE_KEYS``: copy these baggage entries (``*``: all) onto every new span."""
    keys = {key.strip() for key in environ.get(env.OTEL_BAGGAGE_SPAN_ATTRIBUTE_KEYS, "").split(",") if key.strip()}
    if not keys:
        return None
    from opentelemetry.processor.baggage import ALLOW_ALL_BAGGAGE_KEYS, BaggageSpanProcessor

    return BaggageSpanProcessor(ALLOW_ALL_BAGGAGE_KEYS if "*" in keys else keys.__contains__)


def configure_sdk(environ: MutableMapping[str, str] | None = None) -> TracerProvider | None:
    """Build and install the tracer provider (and meter/logger providers when asked for).

    Returns ``None`` and builds nothing when ``OTEL_SDK_DISABLED=true``.
    """
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased

    from otelray.distro.exporter import ExitBoundedSpanProcessor
    from otelray.distro.sigterm import install_sigterm_flush

    environ = os.environ if environ is None else environ
    if environ.get(env.OTEL_SDK_DISABLED, "").strip().lower() == "true":
        return None  # the API's no-op provider stays in place, as the SDK specification asks
    _warn_unsupported(environ)
    resource = build_resource(environ)
    # An explicit default: given None, the SDK would read OTEL_TRACES_SAMPLER again and complain
    # about names only otelray knows (``xray``) or already reported.
    sampler = build_sampler(environ, resource) or ParentBased(ALWAYS_ON)
    provider = TracerProvider(id_generator=build_id_generator(environ), sampler=sampler, resource=resource)
    baggage = build_baggage_processor(environ)
    if baggage is not None:
        provider.add_span_processor(baggage)
    for exporter in build_span_exporters(environ):
        provider.add_span_processor(ExitBoundedSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configure_metrics_and_logs(environ, resource)
    install_sigterm_flush(environ)
    return provider


class OtelrayConfigurator:
    """Entry point ``opentelemetry_configurator: otelray``.

    Upstream's loader only calls ``configure(**kwargs)``; not subclassing the SDK's
    ``_BaseConfigurator`` keeps its module (and the metrics and logs SDKs) out of start-up.
    """

    def configure(self, **kwargs: object) -> None:
        """Configure the SDK from the environment (keyword arguments from the loader are unused)."""
        configure_sdk()
