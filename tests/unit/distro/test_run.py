from __future__ import annotations

import os

from click.testing import CliRunner

from otelray.cli import cli
from otelray.distro.run import auto_instrumentation_dir, child_environment


def test_child_environment_selects_otelray_and_upstream_sitecustomize() -> None:
    child = child_environment({"PYTHONPATH": "/a"}, service_name="shop", endpoint="http://c:4318",
                              sampler="xray", sampler_arg="endpoint=http://s:2000", cwd="/work/app")
    hook = auto_instrumentation_dir()
    assert os.path.exists(os.path.join(hook, "sitecustomize.py"))
    assert child["PYTHONPATH"].split(os.pathsep) == [hook, "/work/app", "/a"]
    assert child["OTEL_PYTHON_DISTRO"] == child["OTEL_PYTHON_CONFIGURATOR"] == "otelray"
    assert child["OTEL_SERVICE_NAME"] == "shop"
    assert child["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://c:4318"
    assert (child["OTEL_TRACES_SAMPLER"], child["OTEL_TRACES_SAMPLER_ARG"]) == ("xray", "endpoint=http://s:2000")


def test_child_environment_keeps_user_settings_and_does_not_duplicate_the_hook() -> None:
    hook = auto_instrumentation_dir()
    child = child_environment({"PYTHONPATH": hook, "OTEL_SERVICE_NAME": "mine"}, cwd="/w")
    assert child["PYTHONPATH"].split(os.pathsep) == [hook, "/w"]
    assert child["OTEL_SERVICE_NAME"] == "mine"


def test_missing_command_and_bad_endpoint_are_clear_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["run", "--", "no-such-program-xyz"])
    assert result.exit_code == 1
    assert "command not found: no-such-program-xyz" in result.output
    result = runner.invoke(cli, ["run", "--endpoint", "127.0.0.1:4318", "--", "python"])
    assert result.exit_code == 2
    assert "'127.0.0.1:4318' is not an http(s) URL" in result.output
    result = runner.invoke(cli, ["run"])
    assert result.exit_code == 2
