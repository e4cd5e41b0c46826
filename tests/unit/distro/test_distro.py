from __future__ import annotations

import importlib
import os
import sys
from importlib.metadata import EntryPoint

import pytest
from opentelemetry import propagate

from otelray.distro import defaults
from otelray.distro import distro as distro_module
from otelray.distro.distro import OtelrayDistro

INSTRUMENTED: list[str] = []


class DemoInstrumentor:
    """A test instrumentor: records that it ran."""

    def instrument(self, **kwargs: object) -> None:
        INSTRUMENTED.append("demo")


def _entry_point(name: str) -> EntryPoint:
    return EntryPoint(name=name, value=f"{__name__}:DemoInstrumentor", group="opentelemetry_instrumentor")


def test_configure_sets_defaults_and_rebuilds_propagators(monkeypatch: pytest.MonkeyPatch) -> None:
    saved = dict(os.environ)
    for name in ("OTEL_PROPAGATORS", "OTEL_PYTHON_ID_GENERATOR", "OTEL_TRACES_EXPORTER"):
        os.environ.pop(name, None)
    monkeypatch.setattr(distro_module, "apply_defaults",
                        lambda environ: defaults.apply_defaults(environ, aws_platform=lambda _: None))
    try:
        OtelrayDistro().configure()
        assert os.environ["OTEL_PROPAGATORS"] == "xray,tracecontext,baggage"
        fields = propagate.get_global_textmap().fields
        assert {"X-Amzn-Trace-Id", "traceparent", "baggage"} <= set(fields)
    finally:
        os.environ.clear()
        os.environ.update(saved)  # the distro writes os.environ itself; leave no trace for other tests
        importlib.reload(propagate)


def test_instrumentor_waits_for_its_library(monkeypatch: pytest.MonkeyPatch) -> None:
    target = "tests.unit.distro.demo_library"
    sys.modules.pop(target, None)
    monkeypatch.setitem(distro_module.TARGET_MODULES, "demo", target)
    monkeypatch.delenv("OTELRAY_INSTRUMENT_EAGERLY", raising=False)
    INSTRUMENTED.clear()
    OtelrayDistro().load_instrumentor(_entry_point("demo"), skip_dep_check=True)
    assert INSTRUMENTED == []
    importlib.import_module(target)
    assert INSTRUMENTED == ["demo"]


def test_eager_switch_and_unknown_names_instrument_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    INSTRUMENTED.clear()
    OtelrayDistro().load_instrumentor(_entry_point("not-in-the-table"))
    assert INSTRUMENTED == ["demo"]
    monkeypatch.setitem(distro_module.TARGET_MODULES, "demo2", "tests.unit.distro.never_imported")
    monkeypatch.setenv("OTELRAY_INSTRUMENT_EAGERLY", "true")
    OtelrayDistro().load_instrumentor(_entry_point("demo2"))
    assert INSTRUMENTED == ["demo", "demo"]


def test_lambda_only_instrumentor_is_not_loaded_off_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    INSTRUMENTED.clear()
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    OtelrayDistro().load_instrumentor(_entry_point("aws-lambda"))
    assert INSTRUMENTED == []
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "fn")
    OtelrayDistro().load_instrumentor(_entry_point("aws-lambda"))
    assert INSTRUMENTED == ["demo"]
