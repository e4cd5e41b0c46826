"""The distro's configuration defaults, applied only where the user has not set a variable.

Follows what ADOT's ``AwsOpenTelemetryDistro._configure`` does (ADOT Python,
``aws_opentelemetry_distro.py``): OTLP over ``http/protobuf``, X-Ray propagation first, the X-Ray
id generator; and differs where otelray targets a local stack: traces go to the otelray collector
on ``127.0.0.1:4318``, metrics and logs stay off unless asked for, and the AWS resource detectors are
chosen from environment variables and local files, so start-up never waits on a metadata endpoint
outside AWS (ADOT always runs the EC2/ECS/EKS detectors, whose IMDS probe costs a 1 s timeout).
"""

from __future__ import annotations

import os
from collections.abc import Callable, MutableMapping

from otelray.distro import environment as env

DEFAULT_PROPAGATORS = "xray,tracecontext,baggage"
DEFAULT_ID_GENERATOR = "xray"
DEFAULT_SAMPLER = "parentbased_always_on"
DEFAULT_PROTOCOL = "http/protobuf"
DEFAULT_HTTP_ENDPOINT = "http://127.0.0.1:4318"
DEFAULT_GRPC_ENDPOINT = "http://127.0.0.1:4317"
DEFAULT_SAMPLING_ENDPOINT = "http://127.0.0.1:2000"
BASE_DETECTORS = "otel,process"

#: Files whose presence marks an AWS platform (checked without any network call).
_EKS_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
_BEANSTALK_CONF = "/var/elasticbeanstalk/xray/environment.conf"
_DMI_FILES = ("/sys/devices/virtual/dmi/id/sys_vendor", "/sys/devices/virtual/dmi/id/board_asset_tag")
_HYPERVISOR_UUID = "/sys/hypervisor/uuid"


def _read_small(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.read(64).strip()
    except OSError:
        return ""


def detect_aws_platform(
    environ: MutableMapping[str, str],
    *,
    exists: Callable[[str], bool] = os.path.exists,
    read: Callable[[str], str] = _read_small,
) -> str | None:
    """Name the AWS resource detector for the platform this process runs on, or ``None``.

    Only environment variables and local files are consulted, in the order Lambda, ECS, EKS,
    Elastic Beanstalk, EC2 (the most specific platform wins; ECS and EKS often run on EC2).
    """
    if environ.get(env.AWS_LAMBDA_FUNCTION_NAME):
        return "aws_lambda"
    if environ.get(env.ECS_CONTAINER_METADATA_URI_V4) or environ.get(env.ECS_CONTAINER_METADATA_URI):
        return "aws_ecs"
    if environ.get(env.KUBERNETES_SERVICE_HOST) and exists(_EKS_TOKEN):
        return "aws_eks"
    if exists(_BEANSTALK_CONF):
        return "aws_elastic_beanstalk"
    vendor, asset_tag = (read(path) for path in _DMI_FILES)
    if vendor.startswith("Amazon EC2") or asset_tag.startswith("i-") or read(_HYPERVISOR_UUID).startswith("ec2"):
        return "aws_ec2"
    return None


def otlp_protocol(environ: MutableMapping[str, str]) -> str:
    """The OTLP protocol traces will use, after defaults."""
    return (
        environ.get(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL)
        or environ.get(env.OTEL_EXPORTER_OTLP_PROTOCOL)
        or DEFAULT_PROTOCOL
    ).strip()


def apply_defaults(
    environ: MutableMapping[str, str],
    *,
    aws_platform: Callable[[MutableMapping[str, str]], str | None] = detect_aws_platform,
) -> dict[str, str]:
    """Set otelray's defaults in ``environ`` where unset (empty counts as unset); return what was set."""
    applied: dict[str, str] = {}

    def default(name: str, value: str) -> None:
        if not environ.get(name, "").strip():
            environ[name] = value
            applied[name] = value

    default(env.OTEL_PROPAGATORS, DEFAULT_PROPAGATORS)
    default(env.OTEL_PYTHON_ID_GENERATOR, DEFAULT_ID_GENERATOR)
    default(env.OTEL_TRACES_SAMPLER, DEFAULT_SAMPLER)
    default(env.OTEL_TRACES_EXPORTER, "otlp")
    default(env.OTEL_METRICS_EXPORTER, "none")
    default(env.OTEL_LOGS_EXPORTER, "none")
    default(env.OTEL_EXPORTER_OTLP_PROTOCOL, DEFAULT_PROTOCOL)
    if not environ.get(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, "").strip():
        grpc = otlp_protocol(environ) == "grpc"
        default(env.OTEL_EXPORTER_OTLP_ENDPOINT, DEFAULT_GRPC_ENDPOINT if grpc else DEFAULT_HTTP_ENDPOINT)
    if not environ.get(env.DJANGO_SETTINGS_MODULE, "").strip():
        # ADOT's rule: the Django instrumentation needs configured settings, else it fails at import
        disabled = [n.strip() for n in environ.get(env.OTEL_PYTHON_DISABLED_INSTRUMENTATIONS, "").split(",") if n.strip()]
        if "django" not in disabled and "*" not in disabled:
            environ[env.OTEL_PYTHON_DISABLED_INSTRUMENTATIONS] = ",".join([*disabled, "django"])
            applied[env.OTEL_PYTHON_DISABLED_INSTRUMENTATIONS] = environ[env.OTEL_PYTHON_DISABLED_INSTRUMENTATIONS]
    if not environ.get(env.OTEL_EXPERIMENTAL_RESOURCE_DETECTORS, "").strip():
        platform = aws_platform(environ)
        default(env.OTEL_EXPERIMENTAL_RESOURCE_DETECTORS, BASE_DETECTORS + (f",{platform}" if platform else ""))
    return applied
