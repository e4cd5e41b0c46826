"""Every environment variable the otelray distro reads, declared once with its meaning.

The names and meanings follow the OpenTelemetry SDK environment-variable specification
("Environment Variable Specification", general SDK configuration and OTLP exporter sections) and
the ADOT Python distro's variables (aws-otel-python-instrumentation, README "Configuration").
Variables the upstream SDK reads itself are listed too when the distro sets a default for them,
so ``otelray run --help`` and the README can document the complete set in one place.
"""

from __future__ import annotations

OTEL_PYTHON_DISTRO = "OTEL_PYTHON_DISTRO"
"""Name of the ``opentelemetry_distro`` entry point to load; ``otelray run`` sets ``otelray``."""

OTEL_PYTHON_CONFIGURATOR = "OTEL_PYTHON_CONFIGURATOR"
"""Name of the ``opentelemetry_configurator`` entry point to load; ``otelray run`` sets ``otelray``."""

OTEL_SDK_DISABLED = "OTEL_SDK_DISABLED"
"""``true`` turns the SDK off: the configurator then builds nothing (no sampler polls, no exporters)."""

OTEL_SERVICE_NAME = "OTEL_SERVICE_NAME"
"""``service.name`` of the resource; wins over ``OTEL_RESOURCE_ATTRIBUTES``."""

OTEL_RESOURCE_ATTRIBUTES = "OTEL_RESOURCE_ATTRIBUTES"
"""Extra resource attributes, ``key=value`` pairs separated by commas."""

OTEL_EXPERIMENTAL_RESOURCE_DETECTORS = "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS"
"""Resource detectors (``opentelemetry_resource_detector`` entry points). Default: ``otel,process``
plus the AWS detector of the platform otelray finds itself on (``aws_lambda``, ``aws_ecs``, ``aws_eks``,
``aws_elastic_beanstalk``, ``aws_ec2``), found from environment variables and local files only."""

OTEL_PROPAGATORS = "OTEL_PROPAGATORS"
"""Text-map propagators. Default: ``xray,tracecontext,baggage``."""

OTEL_PYTHON_ID_GENERATOR = "OTEL_PYTHON_ID_GENERATOR"
"""Trace-id generator. Default: ``xray`` (epoch seconds in the first 32 bits)."""

OTEL_TRACES_SAMPLER = "OTEL_TRACES_SAMPLER"
"""Sampler name. Default: ``parentbased_always_on``; ``xray`` selects the X-Ray remote sampler."""

OTEL_TRACES_SAMPLER_ARG = "OTEL_TRACES_SAMPLER_ARG"
"""Sampler argument. For ``xray``: ``endpoint=http://127.0.0.1:2000,polling_interval=300``."""

OTEL_TRACES_EXPORTER = "OTEL_TRACES_EXPORTER"
"""Span exporters, comma separated. Default: ``otlp``."""

OTEL_METRICS_EXPORTER = "OTEL_METRICS_EXPORTER"
"""Metric exporters. Default: ``none`` (metrics are off unless asked for)."""

OTEL_LOGS_EXPORTER = "OTEL_LOGS_EXPORTER"
"""Log exporters. Default: ``none`` (logs are off unless asked for)."""

OTEL_EXPORTER_OTLP_PROTOCOL = "OTEL_EXPORTER_OTLP_PROTOCOL"
"""OTLP protocol. Default: ``http/protobuf`` (as ADOT; gRPC wheels are interpreter specific)."""

OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
"""OTLP protocol for traces only; wins over ``OTEL_EXPORTER_OTLP_PROTOCOL``."""

OTEL_EXPORTER_OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
"""OTLP base endpoint. Default: ``http://127.0.0.1:4318`` (``:4317`` with ``grpc``), the otelray collector."""

OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
"""OTLP endpoint for traces only, the full URL including ``/v1/traces`` for HTTP."""

OTEL_EXPORTER_OTLP_METRICS_ENDPOINT = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
"""OTLP endpoint for metrics only (read by the SDK; otelray names it in its warnings)."""

OTEL_PYTHON_DISABLED_INSTRUMENTATIONS = "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"
"""Instrumentor entry-point names not to load (comma list, ``*`` for all; read by upstream). otelray
adds ``django`` when ``DJANGO_SETTINGS_MODULE`` is unset, as ADOT does."""

DJANGO_SETTINGS_MODULE = "DJANGO_SETTINGS_MODULE"
"""Django's settings module; without it the Django instrumentation is disabled (it would fail)."""

OTELRAY_INSTRUMENT_EAGERLY = "OTELRAY_INSTRUMENT_EAGERLY"
"""``true`` loads every instrumentor at start-up, as upstream does. Default ``false``: an
instrumentor whose library is not imported yet is loaded when the application imports it."""

OTELRAY_EXPORT_SHUTDOWN_TIMEOUT = "OTELRAY_EXPORT_SHUTDOWN_TIMEOUT"
"""Seconds the final span export may take when the process exits. Default ``0.5``."""

OTELRAY_FLUSH_ON_SIGTERM = "OTELRAY_FLUSH_ON_SIGTERM"
"""Default ``true``: when the program leaves SIGTERM at its default action, a SIGTERM (what ECS,
Kubernetes and ``docker stop`` send) exits through the normal shutdown path, so spans still queued
are exported first (bounded by ``OTELRAY_EXPORT_SHUTDOWN_TIMEOUT``). ``false`` keeps the default
action, which kills the process at once and loses them (upstream OTel and ADOT behave that way)."""

OTEL_AWS_PYTHON_DEFER_TO_WORKERS_ENABLED = "OTEL_AWS_PYTHON_DEFER_TO_WORKERS_ENABLED"
"""ADOT variable; ``true`` skips SDK set-up in a pre-fork master process (not supported: warns)."""

OTEL_AWS_APPLICATION_SIGNALS_ENABLED = "OTEL_AWS_APPLICATION_SIGNALS_ENABLED"
"""ADOT variable; Application Signals are not built in otelray (``true`` warns)."""

AWS_XRAY_ADAPTIVE_SAMPLING_CONFIG = "AWS_XRAY_ADAPTIVE_SAMPLING_CONFIG"
"""ADOT variable; adaptive sampling (boosts, anomaly capture) is not built in otelray (set: warns)."""

OTEL_AWS_HTTP_OPERATION_PATHS = "OTEL_AWS_HTTP_OPERATION_PATHS"
"""ADOT variable for Application Signals operation names; not supported (set: warns)."""

OTEL_BAGGAGE_SPAN_ATTRIBUTE_KEYS = "OTEL_BAGGAGE_SPAN_ATTRIBUTE_KEYS"
"""Baggage keys copied onto every new span as attributes (comma list, ``*`` for all), as ADOT does."""

OTEL_AWS_EXPERIMENTAL_CODE_ATTRIBUTES = "OTEL_AWS_EXPERIMENTAL_CODE_ATTRIBUTES"
"""ADOT variable adding code.* attributes; not supported (set: warns)."""

AGENT_OBSERVABILITY_ENABLED = "AGENT_OBSERVABILITY_ENABLED"
"""ADOT GenAI/AgentCore mode; not supported (``true`` warns)."""

AWS_LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME"
"""Set by AWS Lambda; selects the ``aws_lambda`` resource detector."""

ECS_CONTAINER_METADATA_URI = "ECS_CONTAINER_METADATA_URI"
"""Set by Amazon ECS (v3 metadata); selects the ``aws_ecs`` resource detector."""

ECS_CONTAINER_METADATA_URI_V4 = "ECS_CONTAINER_METADATA_URI_V4"
"""Set by Amazon ECS (v4 metadata); selects the ``aws_ecs`` resource detector."""

KUBERNETES_SERVICE_HOST = "KUBERNETES_SERVICE_HOST"
"""Set inside Kubernetes pods; with a service-account token, selects the ``aws_eks`` detector."""

#: Every variable above, for documentation tests.
ALL: tuple[str, ...] = tuple(
    value for name, value in sorted(globals().items()) if name.isupper() and isinstance(value, str)
)
