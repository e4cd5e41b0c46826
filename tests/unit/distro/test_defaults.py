from __future__ import annotations

from otelray.distro import defaults
from otelray.distro.defaults import apply_defaults, detect_aws_platform


def _none(environ: object) -> None:
    return None


def test_defaults_on_an_empty_environment() -> None:
    environ: dict[str, str] = {}
    applied = apply_defaults(environ, aws_platform=_none)
    assert environ == applied == {
        "OTEL_PROPAGATORS": "xray,tracecontext,baggage",
        "OTEL_PYTHON_ID_GENERATOR": "xray",
        "OTEL_TRACES_SAMPLER": "parentbased_always_on",
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
        "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS": "otel,process",
        "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "django",
    }


def test_user_values_win_and_empty_counts_as_unset() -> None:
    environ = {"OTEL_PROPAGATORS": "tracecontext", "OTEL_TRACES_SAMPLER": "xray", "OTEL_METRICS_EXPORTER": "otlp",
               "OTEL_PYTHON_ID_GENERATOR": " ", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}
    applied = apply_defaults(environ, aws_platform=_none)
    assert environ["OTEL_PROPAGATORS"] == "tracecontext"
    assert environ["OTEL_TRACES_SAMPLER"] == "xray"
    assert environ["OTEL_METRICS_EXPORTER"] == "otlp"
    assert applied["OTEL_PYTHON_ID_GENERATOR"] == "xray"
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in environ  # the traces endpoint is set


def test_grpc_protocol_gets_the_grpc_port() -> None:
    environ = {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
    apply_defaults(environ, aws_platform=_none)
    assert environ["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4317"


def test_aws_detector_added_for_the_platform() -> None:
    environ: dict[str, str] = {}
    apply_defaults(environ, aws_platform=lambda _: "aws_ecs")
    assert environ["OTEL_EXPERIMENTAL_RESOURCE_DETECTORS"] == "otel,process,aws_ecs"


def test_detect_aws_platform_from_env_and_files() -> None:
    nothing = {"exists": lambda _: False, "read": lambda _: ""}
    assert detect_aws_platform({}, **nothing) is None
    assert detect_aws_platform({"AWS_LAMBDA_FUNCTION_NAME": "f", "ECS_CONTAINER_METADATA_URI_V4": "u"},
                               **nothing) == "aws_lambda"
    assert detect_aws_platform({"ECS_CONTAINER_METADATA_URI": "u"}, **nothing) == "aws_ecs"
    assert detect_aws_platform({"KUBERNETES_SERVICE_HOST": "k"}, **nothing) is None
    token = {"exists": lambda p: p == defaults._EKS_TOKEN, "read": lambda _: ""}
    assert detect_aws_platform({"KUBERNETES_SERVICE_HOST": "k"}, **token) == "aws_eks"
    beanstalk = {"exists": lambda p: p == defaults._BEANSTALK_CONF, "read": lambda _: ""}
    assert detect_aws_platform({}, **beanstalk) == "aws_elastic_beanstalk"
    ec2 = {"exists": lambda _: False, "read": lambda p: "Amazon EC2" if p.endswith("sys_vendor") else ""}
    assert detect_aws_platform({}, **ec2) == "aws_ec2"


def test_django_disabled_only_without_settings() -> None:
    environ = {"OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "redis, flask"}
    apply_defaults(environ, aws_platform=_none)
    assert environ["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] == "redis,flask,django"
    environ = {"DJANGO_SETTINGS_MODULE": "site.settings"}
    apply_defaults(environ, aws_platform=_none)
    assert "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS" not in environ
    environ = {"OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "*"}
    apply_defaults(environ, aws_platform=_none)
    assert environ["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] == "*"
