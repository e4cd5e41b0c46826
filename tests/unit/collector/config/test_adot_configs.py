"""ADOT's shipped configurations load unchanged (examples/collector, reference adot-collector.md §5.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from otelray.collector.component import ComponentID
from otelray.collector.config.model import load_config
from otelray.collector.registry import load_registry

EXAMPLES = Path(__file__).parents[4] / "examples" / "collector"
ENV = {"AWS_REGION": "us-west-2", "AWS_PROMETHEUS_ENDPOINT": "https://aps-workspaces.us-west-2.amazonaws.com/workspaces/ws-1/api/v1/remote_write"}
REGISTRY = load_registry()


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_adot_config_loads_unchanged(name):
    cfg = load_config([str(EXAMPLES / name)], REGISTRY, env=ENV)
    assert cfg.pipelines and all(p.receivers and p.exporters for p in cfg.pipelines.values())


def test_apprunner_config_values():
    cfg = load_config([str(EXAMPLES / "apprunner-default-config.yaml")], REGISTRY, env=ENV)
    otlp = cfg.receivers[ComponentID("otlp")]
    assert otlp.protocols.grpc is not None and otlp.protocols.http is not None  # `grpc:` with no value = on
    limiter = cfg.processors[ComponentID("memory_limiter")]
    assert (limiter.limit_percentage, limiter.spike_limit_percentage, limiter.check_interval.total_seconds()) == (40, 8, 5)
    assert cfg.pipelines[ComponentID("traces")].processors == (
        ComponentID("memory_limiter"), ComponentID("resourcedetection"), ComponentID("batch"))
    assert cfg.service_extensions == (ComponentID("health_check"),)


def test_ecs_xray_config_binds_what_it_says():
    cfg = load_config([str(EXAMPLES / "ecs-xray.yaml")], REGISTRY, env=ENV)
    assert cfg.receivers[ComponentID("otlp")].protocols.grpc.endpoint == "0.0.0.0:4317"
    assert cfg.processors[ComponentID("batch", "traces")].send_batch_size == 50
