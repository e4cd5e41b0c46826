"""The layer's SDK parts: parent from the Lambda trace header, exporter choice, resource."""

from __future__ import annotations

import pytest
from opentelemetry import propagate, trace

from otelray.aws_lambda.errors import LambdaConfigError
from otelray.aws_lambda.sdk import (
    build_processor,
    build_propagator,
    build_resource,
    make_event_context_extractor,
)

TRACE = "1-5759e988-bd862e3fe1be46a994272793"
LAMBDA_HEADER = f"Root={TRACE};Parent=53995c3f42cd8ad8;Sampled=1"


@pytest.fixture(autouse=True)
def global_propagator():
    before = propagate.get_global_textmap()
    propagate.set_global_textmap(build_propagator())
    yield
    propagate.set_global_textmap(before)


def parent(context) -> trace.SpanContext:
    return trace.get_current_span(context).get_span_context()


def test_lambda_trace_header_is_the_parent() -> None:
    ctx = parent(make_event_context_extractor({"_X_AMZN_TRACE_ID": LAMBDA_HEADER})({"order_id": 1}))
    assert f"{ctx.trace_id:032x}" == TRACE.replace("-", "")[1:]
    assert f"{ctx.span_id:016x}" == "53995c3f42cd8ad8" and ctx.trace_flags.sampled


def test_environment_header_replaces_an_event_xray_header_but_traceparent_wins() -> None:
    extract = make_event_context_extractor({"_X_AMZN_TRACE_ID": LAMBDA_HEADER})
    other = "Root=1-5759e988-00000000000000000000beef;Parent=0000000000000001;Sampled=1"
    ctx = parent(extract({"headers": {"x-amzn-trace-id": other}}))
    assert f"{ctx.span_id:016x}" == "53995c3f42cd8ad8"
    w3c = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    ctx = parent(extract({"headers": {"traceparent": w3c}}))
    assert f"{ctx.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"


def test_no_header_no_parent() -> None:
    assert not parent(make_event_context_extractor({})("not a dict")).is_valid


def test_exporter_choice() -> None:
    assert type(build_processor({})).__name__ == "SimpleSpanProcessor"
    assert build_processor({"OTELRAY_LAMBDA_EXPORTER": "none"}) is None
    with pytest.raises(LambdaConfigError, match="OTELRAY_LAMBDA_EXPORTER='zipkin'"):
        build_processor({"OTELRAY_LAMBDA_EXPORTER": "zipkin"})
    with pytest.raises(LambdaConfigError, match="AWS_XRAY_DAEMON_ADDRESS"):
        build_processor({"AWS_XRAY_DAEMON_ADDRESS": "nowhere"})


def test_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "faas.name=orders,cloud.platform=aws_lambda")
    attrs = build_resource({"OTEL_SERVICE_NAME": "orders-svc"}).attributes
    assert attrs["service.name"] == "orders-svc" and attrs["faas.name"] == "orders"
    assert attrs["telemetry.distro.name"] == "otelray" and attrs["telemetry.sdk.language"] == "python"


def test_sampler_from_the_standard_variables() -> None:
    from opentelemetry.sdk.resources import Resource

    from otelray.aws_lambda.sdk import build_sampler, configure

    resource = Resource.create({})
    assert build_sampler({}, resource).get_description().startswith("ParentBased{root:AlwaysOnSampler")
    assert build_sampler({"OTEL_TRACES_SAMPLER": "always_off"}, resource).get_description() == "AlwaysOffSampler"
    ratio = build_sampler({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"}, resource)
    assert ratio.get_description() == "TraceIdRatioBased{0.25}"
    assert configure({"OTEL_SDK_DISABLED": "true"}) is None
