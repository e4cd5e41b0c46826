"""The OpenTelemetry SDK as the Lambda layer builds it: a fixed set of parts, no discovery.

Follows the upstream layer's ``otel_wrapper.py`` (opentelemetry-lambda ``python/src/otel``) and ADOT's
Lambda layer in what is built — X-Ray ids, parent-based always-on sampling, the ``xray``,
``tracecontext`` and ``baggage`` propagators, the handler instrumented by
opentelemetry-instrumentation-aws-lambda with the incoming ``_X_AMZN_TRACE_ID`` as parent (ADOT's
extractor: the environment's trace header replaces any ``X-Amzn-Trace-Id`` of the event, then the
global propagator runs, so a W3C ``traceparent`` in the event still wins), and a flush before each
invocation returns. It differs in how: instead of ``opentelemetry-instrument``'s entry-point
discovery (0.75–1 s of cold start measured upstream, opentelemetry-lambda#1497) the instrumentors
are a static list, each applied when its library is first imported.

Standard variables honoured: ``OTEL_SDK_DISABLED=true`` (nothing is set up; the handler runs
untraced), ``OTEL_PROPAGATORS`` (when set, upstream's propagator list replaces the default),
``OTEL_TRACES_SAMPLER``/``_ARG`` (built by the distro's ``build_sampler``, ``xray`` included; only
imported when set), ``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``.

Export (``OTELRAY_LAMBDA_EXPORTER``): ``xray-udp`` (default) sends segment documents to
``AWS_XRAY_DAEMON_ADDRESS`` (``otelray.aws_lambda.exporter``); ``otlp`` sends OTLP/HTTP to a collector
extension at ``OTEL_EXPORTER_OTLP_ENDPOINT`` (default ``http://localhost:4318``); ``none`` exports nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased, Sampler

from otelray.aws_lambda.errors import LambdaConfigError

_logger = logging.getLogger(__name__)

EXPORTER_VARIABLE = "OTELRAY_LAMBDA_EXPORTER"
EXPORTERS = ("xray-udp", "otlp", "none")
TRACE_ID_VARIABLE = "_X_AMZN_TRACE_ID"
XRAY_HEADER = "X-Amzn-Trace-Id"

#: instrumentor entry-point name -> (library module whose import triggers it, instrumentor class path)
INSTRUMENTORS: dict[str, tuple[str, str]] = {
    "botocore": ("botocore", "opentelemetry.instrumentation.botocore:BotocoreInstrumentor"),
    "requests": ("requests", "opentelemetry.instrumentation.requests:RequestsInstrumentor"),
    "urllib3": ("urllib3", "opentelemetry.instrumentation.urllib3:URLLib3Instrumentor"),
    "urllib": ("urllib.request", "opentelemetry.instrumentation.urllib:URLLibInstrumentor"),
}


def build_propagator() -> CompositePropagator:
    """``xray,tracecontext,baggage`` built directly (no entry-point lookups)."""
    from opentelemetry.baggage.propagation import W3CBaggagePropagator
    from opentelemetry.propagators.aws import AwsXRayPropagator
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    return CompositePropagator([AwsXRayPropagator(), TraceContextTextMapPropagator(), W3CBaggagePropagator()])


def make_event_context_extractor(environ: Mapping[str, str]) -> Callable[[Any], Context]:
    """ADOT's extractor: event headers, with ``_X_AMZN_TRACE_ID`` as the X-Ray header, through the global propagator."""

    def extract(event: Any) -> Context:
        headers = event.get("headers") if isinstance(event, dict) else None
        carrier = {k: v for k, v in headers.items() if isinstance(k, str)} if isinstance(headers, dict) else {}
        trace_header = environ.get(TRACE_ID_VARIABLE)
        if trace_header:
            carrier = {k: v for k, v in carrier.items() if k.lower() != XRAY_HEADER.lower()}
            carrier[XRAY_HEADER] = trace_header
        return propagate.extract(carrier)

    return extract


def build_resource(environ: Mapping[str, str]) -> Resource:
    """SDK identity, ``OTEL_RESOURCE_ATTRIBUTES`` (the wrapper put the Lambda attributes there) and
    ``OTEL_SERVICE_NAME``; built directly, without the SDK's detector entry-point lookups."""
    from opentelemetry.sdk.resources import OTELResourceDetector

    from otelray import __version__

    base = Resource({
        "telemetry.sdk.language": "python", "telemetry.sdk.name": "opentelemetry",
        "telemetry.sdk.version": _sdk_version(), "telemetry.distro.name": "otelray",
        "telemetry.distro.version": __version__, "service.name": "unknown_service",
    })
    resource = base.merge(OTELResourceDetector().detect())
    service = environ.get("OTEL_SERVICE_NAME", "").strip()
    return resource.merge(Resource({"service.name": service})) if service else resource


def _sdk_version() -> str:
    from opentelemetry.sdk.version import __version__

    return __version__


def build_processor(environ: Mapping[str, str]) -> SpanProcessor | None:
    """The span processor for ``OTELRAY_LAMBDA_EXPORTER``; raises ``LambdaConfigError`` on a bad value."""
    name = (environ.get(EXPORTER_VARIABLE) or "xray-udp").strip().lower()
    if name == "none":
        return None
    if name == "xray-udp":
        from otelray.aws_lambda.exporter import XRayUdpSpanExporter, parse_daemon_address

        try:
            address = parse_daemon_address(environ.get("AWS_XRAY_DAEMON_ADDRESS"))
        except ValueError as exc:
            raise LambdaConfigError(str(exc)) from exc
        # Synchronous: each span leaves as it ends, so nothing is pending when the function freezes.
        return SimpleSpanProcessor(XRayUdpSpanExporter(address))
    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        # flushed by the handler instrumentation before each invocation returns
        return BatchSpanProcessor(OTLPSpanExporter())
    raise LambdaConfigError(f"{EXPORTER_VARIABLE}={name!r} is not one of {', '.join(EXPORTERS)}")


class _NoMeterFlush:
    """Stands in for a meter provider: the layer exports no metrics, and the handler
    instrumentation would otherwise warn on every invocation that ``force_flush`` is missing."""

    def force_flush(self, timeout_millis: float = 30000) -> bool:
        return True


def instrument_libraries(provider: TracerProvider, names: list[str]) -> None:
    """Instrument each named library now if imported, else when the function first imports it."""
    import importlib
    import sys

    from wrapt import register_post_import_hook

    for name in names:
        if name not in INSTRUMENTORS:
            _logger.warning("otelray lambda: unknown instrumentation %r (known: %s); skipped",
                            name, ", ".join(INSTRUMENTORS))
            continue
        target, path = INSTRUMENTORS[name]

        def apply(_module: object, path: str = path, name: str = name) -> None:
            module_name, _, cls = path.partition(":")
            try:
                # the library is already imported, so upstream's installed-version check is moot
                getattr(importlib.import_module(module_name), cls)().instrument(tracer_provider=provider,
                                                                                 skip_dep_check=True)
            except Exception:  # a missing or broken instrumentation must not break the function
                _logger.exception("otelray lambda: instrumenting %s failed; continuing without it", name)

        if target in sys.modules:
            apply(sys.modules[target])
        else:
            register_post_import_hook(apply, target)


def build_sampler(environ: Mapping[str, str], resource: Resource) -> Sampler:
    """``OTEL_TRACES_SAMPLER`` through the distro's sampler builder; parent-based always-on when unset."""
    if not environ.get("OTEL_TRACES_SAMPLER", "").strip():
        return ParentBased(ALWAYS_ON)
    from otelray.distro.configurator import build_sampler as distro_sampler

    return distro_sampler(dict(environ), resource) or ParentBased(ALWAYS_ON)


def configure(environ: Mapping[str, str]) -> TracerProvider | None:
    """Build and install the tracer provider, the propagator and the handler instrumentation.

    Returns ``None`` (and sets nothing up) when ``OTEL_SDK_DISABLED=true``.
    """
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    from opentelemetry.instrumentation.aws_lambda import AwsLambdaInstrumentor
    from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator

    resource = build_resource(environ)
    provider = TracerProvider(
        id_generator=AwsXRayIdGenerator(), sampler=build_sampler(environ, resource), resource=resource
    )
    processor = build_processor(environ)
    if processor is not None:
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    if not environ.get("OTEL_PROPAGATORS", "").strip():  # else upstream built it from the variable
        propagate.set_global_textmap(build_propagator())
    raw = environ.get("OTELRAY_LAMBDA_INSTRUMENTATIONS", "botocore,requests,urllib3")
    instrument_libraries(provider, [n.strip() for n in raw.split(",") if n.strip() and n.strip() != "none"])
    AwsLambdaInstrumentor().instrument(
        tracer_provider=provider,
        skip_dep_check=True,
        meter_provider=_NoMeterFlush(),
        event_context_extractor=make_event_context_extractor(environ),
    )
    return provider
