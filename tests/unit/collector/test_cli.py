from __future__ import annotations

import json

from click.testing import CliRunner

from otelray.cli import cli

GOOD = "receivers: {otlp: }\nexporters: {debug: }\nservice: {pipelines: {traces: {receivers: [otlp], exporters: [debug]}}}\n"


def test_validate_reports_every_error_and_exits_1(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("receivers: {otlp: {protocols: {}}}\nexporters: {debug: {verbosity: loud}}\n"
                   "service: {pipelines: {traces: {receivers: [otlp], exporters: [debug]}}}\n")
    result = CliRunner().invoke(cli, ["collector", "validate", "--config", str(cfg)])
    assert result.exit_code == 1
    assert "receivers::otlp::protocols: must specify at least one protocol" in result.output
    assert "exporters::debug::verbosity: String should match pattern" in result.output
    assert "2 error(s)" in result.output


def test_validate_with_set_override_and_feature_gates(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(GOOD)
    ok = CliRunner().invoke(cli, ["collector", "validate", "--config", str(cfg), "--set", "exporters::debug::verbosity=detailed",
                                  "--feature-gates", "+exporter.xray.allowDot"])
    assert ok.exit_code == 0 and "Configuration is valid: 1 pipeline(s), 2 component(s)." in ok.output
    bad = CliRunner().invoke(cli, ["collector", "validate", "--config", str(cfg), "--feature-gates", "nope"])
    assert bad.exit_code == 1 and 'no such feature gate "nope"' in bad.output


def test_collector_without_config_is_a_usage_error(monkeypatch):
    monkeypatch.delenv("AOT_CONFIG_CONTENT", raising=False)
    result = CliRunner().invoke(cli, ["collector"])
    assert result.exit_code == 2 and "at least one --config FILE is required" in result.output


def test_components_lists_the_registry():
    result = CliRunner().invoke(cli, ["components", "--json"])
    listing = json.loads(result.output)
    types = {(c["kind"], c["type"]) for c in listing["components"]}
    assert {("receiver", "otlp"), ("processor", "batch"), ("exporter", "otlphttp"), ("extension", "file_storage")} <= types
    otlp = next(c for c in listing["components"] if c["type"] == "otlp" and c["kind"] == "receiver")
    assert otlp["stability"] == {"traces": "stable", "metrics": "stable", "logs": "stable"}


def test_components_describe_prints_fields_defaults_and_descriptions():
    result = CliRunner().invoke(cli, ["components", "--describe", "batch"])
    assert result.exit_code == 0
    assert "  timeout: 200ms — Send a non-empty batch after this long (0 = at once)." in result.output
    assert "  send_batch_size: 8192 — Send as soon as this many items are pending." in result.output
    nested = CliRunner().invoke(cli, ["components", "--describe", "otlphttp"])
    assert "    initial_interval: 5s — Wait before the first retry." in nested.output
    missing = CliRunner().invoke(cli, ["components", "--describe", "nope"])
    assert missing.exit_code == 1 and 'no component of type "nope"' in missing.output
