from __future__ import annotations

import logging

import pytest
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from otelray import __version__
from otelray.distro import configurator
from otelray.distro.exporter import GuardedSpanExporter
from otelray.distro.sampler.remote import XRayRemoteSampler


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name in ("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SERVICE_NAME"):
        monkeypatch.delenv(name, raising=False)
    return {}


def test_resource_has_distro_identity_and_service(monkeypatch: pytest.MonkeyPatch, environ: dict) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "shop")
    monkeypatch.setenv("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "otel,process")
    attrs = configurator.build_resource(dict(OTEL_EXPERIMENTAL_RESOURCE_DETECTORS="otel,process")).attributes
    assert attrs["service.name"] == "shop"
    assert attrs["telemetry.distro.name"] == "otelray"
    assert attrs["telemetry.auto.version"] == f"{__version__}-otelray"
    assert "process.pid" in attrs


def test_unknown_detector_is_dropped_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    environ = {"OTEL_EXPERIMENTAL_RESOURCE_DETECTORS": "otel,nope"}
    configurator._checked_detectors(environ)
    assert environ["OTEL_EXPERIMENTAL_RESOURCE_DETECTORS"] == "otel"
    assert "unknown resource detector(s) nope" in caplog.text


def test_samplers_by_name(caplog: pytest.LogCaptureFixture) -> None:
    assert configurator.build_sampler({}, None) is None
    assert isinstance(configurator.build_sampler({"OTEL_TRACES_SAMPLER": "parentbased_always_on"}, None),
                      ParentBased)
    ratio = configurator.build_sampler({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"},
                                       None)
    assert isinstance(ratio, TraceIdRatioBased) and ratio.rate == 0.25
    bad_ratio = configurator.build_sampler({"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "x"},
                                           None)
    assert bad_ratio.rate == 1.0
    assert configurator.build_sampler({"OTEL_TRACES_SAMPLER": "nosuch"}, None) is None
    assert "OTEL_TRACES_SAMPLER=nosuch cannot be used" in caplog.text
    assert configurator.build_sampler({"OTEL_TRACES_SAMPLER": "xray", "OTEL_TRACES_SAMPLER_ARG": "bogus"},
                                      None) is None
    assert "'bogus' is not endpoint=URL" in caplog.text


def test_xray_sampler_gets_endpoint_interval_and_resource() -> None:
    from opentelemetry.sdk.resources import Resource

    sampler = configurator.build_sampler(
        {"OTEL_TRACES_SAMPLER": "xray", "OTEL_TRACES_SAMPLER_ARG": "endpoint=http://127.0.0.1:9,polling_interval=30"},
        Resource.create({"service.name": "shop"}),
    )
    try:
        assert isinstance(sampler, XRayRemoteSampler)
        assert (sampler.endpoint, sampler.polling_interval) == ("http://127.0.0.1:9", 30.0)
        assert sampler._resource["service.name"] == "shop"
    finally:
        sampler.shutdown()


def test_id_generators(caplog: pytest.LogCaptureFixture) -> None:
    assert isinstance(configurator.build_id_generator({}), AwsXRayIdGenerator)
    assert isinstance(configurator.build_id_generator({"OTEL_PYTHON_ID_GENERATOR": "random"}), RandomIdGenerator)
    with caplog.at_level(logging.WARNING):
        assert isinstance(configurator.build_id_generator({"OTEL_PYTHON_ID_GENERATOR": "dice"}), AwsXRayIdGenerator)
    assert "OTEL_PYTHON_ID_GENERATOR=dice cannot be used" in caplog.text


def test_exporter_names_resolve_otlp_by_protocol(caplog: pytest.LogCaptureFixture) -> None:
    names = configurator.span_exporter_names
    assert names({}) == []
    assert names({"OTEL_TRACES_EXPORTER": "none"}) == []
    assert names({"OTEL_TRACES_EXPORTER": "otlp"}) == ["otlp_proto_http"]
    assert names({"OTEL_TRACES_EXPORTER": "otlp,console", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}) == [
        "otlp_proto_grpc", "console"]
    assert names({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
                  "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}) == ["otlp_proto_http"]
    assert names({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "carrier-pigeon"}) == [
        "otlp_proto_http"]
    assert "'carrier-pigeon' is not grpc or http/protobuf" in caplog.text


def test_span_exporters_are_guarded_and_unknown_ones_skipped(caplog: pytest.LogCaptureFixture) -> None:
    environ = {"OTEL_TRACES_EXPORTER": "otlp,fax", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318/"}
    guards = configurator.build_span_exporters(environ)
    assert [type(g) for g in guards] == [GuardedSpanExporter]
    assert guards[0].endpoint == "http://127.0.0.1:4318/v1/traces"
    assert guards[0].shutdown_timeout == 0.5
    assert "span exporter 'fax', which no installed package provides" in caplog.text


def test_shutdown_timeout_setting(caplog: pytest.LogCaptureFixture) -> None:
    assert configurator._shutdown_timeout({"OTELRAY_EXPORT_SHUTDOWN_TIMEOUT": "0.2"}) == 0.2
    assert configurator._shutdown_timeout({"OTELRAY_EXPORT_SHUTDOWN_TIMEOUT": "soon"}) == 0.5
    assert "OTELRAY_EXPORT_SHUTDOWN_TIMEOUT='soon' is not 0..60 seconds" in caplog.text


def test_describe_endpoint() -> None:
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317"}
    assert configurator.describe_endpoint("otlp_proto_grpc", env) == "http://c:4317"
    assert configurator.describe_endpoint("otlp_proto_http", env | {
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://t/v1/traces"}) == "http://t/v1/traces"
    assert configurator.describe_endpoint("console", env) == "console"


def test_unsupported_adot_switches_warn(caplog: pytest.LogCaptureFixture) -> None:
    configurator._warn_unsupported({"OTEL_AWS_APPLICATION_SIGNALS_ENABLED": "true"})
    assert "OTEL_AWS_APPLICATION_SIGNALS_ENABLED=true is not supported" in caplog.text


def test_unsupported_adot_settings_warn(caplog: pytest.LogCaptureFixture) -> None:
    configurator._warn_unsupported({"AWS_XRAY_ADAPTIVE_SAMPLING_CONFIG": "version: 1.0", "AGENT_OBSERVABILITY_ENABLED": "false"})
    assert caplog.messages == ["otelray: AWS_XRAY_ADAPTIVE_SAMPLING_CONFIG is not supported (adaptive sampling is not built); ignored"]


def test_baggage_keys_become_span_attributes() -> None:
    from opentelemetry import baggage, context
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    assert configurator.build_baggage_processor({}) is None
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(configurator.build_baggage_processor(
        {"OTEL_BAGGAGE_SPAN_ATTRIBUTE_KEYS": "tenant, region"}))
    finished = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(finished))
    ctx = baggage.set_baggage("tenant", "acme", baggage.set_baggage("secret", "x"))
    token = context.attach(ctx)
    try:
        with provider.get_tracer("t").start_as_current_span("op"):
            pass
    finally:
        context.detach(token)
    attrs = finished.get_finished_spans()[0].attributes
    assert attrs["tenant"] == "acme" and "secret" not in attrs


def test_only_the_otlp_http_exporter_is_built_lazily() -> None:
    http, console = configurator.build_span_exporters({"OTEL_TRACES_EXPORTER": "otlp,console"})
    assert http._inner is None
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    assert isinstance(console._inner, ConsoleSpanExporter)


def test_sdk_disabled_builds_nothing() -> None:
    from opentelemetry import trace

    before = trace.get_tracer_provider()
    assert configurator.configure_sdk({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_SAMPLER": "xray"}) is None
    assert trace.get_tracer_provider() is before
