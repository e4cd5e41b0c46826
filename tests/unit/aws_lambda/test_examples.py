"""The Lambda, ECS and App Runner examples hold together: collector configs load with otelray's
registry, the ECS task wires the app to its collector sidecar, App Runner's app exports to the managed
collector's OTLP/gRPC port."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from otelray.collector.component import ComponentID
from otelray.collector.config.model import load_config
from otelray.collector.registry import load_registry

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.mark.parametrize("path", ["lambda/collector.yaml", "ecs/otel-config.yaml", "ecs/otel-task-metrics.yaml"])
def test_collector_configs_load(path: str) -> None:
    config = load_config([str(EXAMPLES / path)], load_registry(), env={"AWS_REGION": "us-west-2"})
    traces = config.pipelines[ComponentID("traces")]
    assert traces.receivers[0] == ComponentID("otlp") and ComponentID("awsxray") in traces.exporters


def test_lambda_collector_listens_on_localhost_only() -> None:
    otlp = yaml.safe_load((EXAMPLES / "lambda" / "collector.yaml").read_text())["receivers"]["otlp"]["protocols"]
    assert {p["endpoint"] for p in otlp.values()} == {"localhost:4317", "localhost:4318"}


def test_ecs_task_runs_the_app_with_a_collector_sidecar() -> None:
    task = json.loads((EXAMPLES / "ecs" / "task-definition.json").read_text())
    assert task["networkMode"] == "awsvpc"  # containers share localhost
    app, collector = task["containerDefinitions"]
    assert app["command"][:2] == ["otelray", "run"]
    env = {e["name"]: e["value"] for e in app["environment"]}
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://localhost:4318"
    assert collector["command"] == ["otelray", "collector"]
    assert [s["name"] for s in collector["secrets"]] == ["AOT_CONFIG_CONTENT"]
    assert {"containerName": collector["name"], "condition": "START"} in app["dependsOn"]


def test_apprunner_service_traces_to_the_managed_collector() -> None:
    config = yaml.safe_load((EXAMPLES / "apprunner" / "apprunner.yaml").read_text())
    assert config["run"]["command"].startswith("otelray run -- ")
    env = {e["name"]: e["value"] for e in config["run"]["env"]}
    assert (env["OTEL_EXPORTER_OTLP_PROTOCOL"], env["OTEL_EXPORTER_OTLP_ENDPOINT"]) == ("grpc", "http://localhost:4317")
    assert env["OTEL_PYTHON_ID_GENERATOR"] == "xray" and env["OTEL_PROPAGATORS"].startswith("xray")
    service = json.loads((EXAMPLES / "apprunner" / "service.json").read_text())
    assert service["ObservabilityConfiguration"]["ObservabilityEnabled"] is True
    assert ":observabilityconfiguration/" in service["ObservabilityConfiguration"]["ObservabilityConfigurationArn"]
