from __future__ import annotations

import pytest
from pydantic import ValidationError

from otelray.collector.component import Signal
from otelray.collector.processors.resourcedetection import ResourceDetectionConfig, factory
from otelray.collector.testing import sample_batch
from tests.unit.collector.processors.helpers import attrs, run


def test_env_detector_overrides_by_default(monkeypatch) -> None:
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-env,team=payments")
    (out,) = run(factory, {"detectors": ["env"]}, Signal.TRACES, sample_batch(Signal.TRACES, service="app"))
    assert attrs(out.resource_spans[0].resource.attributes) == {"service.name": "from-env", "team": "payments"}


def test_override_false_only_adds(monkeypatch) -> None:
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-env,team=payments")
    cfg = {"detectors": ["env", "system"], "override": False,
           "system": {"resource_attributes": {"os.type": {"enabled": False}}}}
    (out,) = run(factory, cfg, Signal.LOGS, sample_batch(Signal.LOGS, service="app"))
    got = attrs(out.resource_logs[0].resource.attributes)
    assert got["service.name"] == "app"
    assert got["team"] == "payments"
    assert "host.name" in got
    assert "os.type" not in got


def test_unknown_detector_and_misplaced_option_are_config_errors() -> None:
    with pytest.raises(ValidationError, match="unknown detector 'azure'"):
        ResourceDetectionConfig.model_validate({"detectors": ["azure"]})
    with pytest.raises(ValidationError, match="ec2: hostname_sources is a system detector setting"):
        ResourceDetectionConfig.model_validate({"ec2": {"hostname_sources": ["os"]}})
    with pytest.raises(ValidationError, match="timeout"):
        ResourceDetectionConfig.model_validate({"timeout": 5})
