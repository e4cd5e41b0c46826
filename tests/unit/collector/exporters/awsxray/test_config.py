from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from otelray.collector.exporters.awsxray import AwsXrayExporterConfig

TESTDATA = Path(__file__).parent / "testdata"


def _errors(exc: ValidationError) -> list[str]:
    return [f"{'::'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]


def test_default_config_matches_upstream_defaults() -> None:
    cfg = AwsXrayExporterConfig.model_validate(yaml.safe_load((TESTDATA / "config.yaml").read_text())["awsxray"] or {})
    assert cfg == AwsXrayExporterConfig()
    assert (cfg.num_workers, cfg.request_timeout_seconds, cfg.max_retries) == (8, 30, 2)
    assert (cfg.region, cfg.endpoint, cfg.local_mode, cfg.index_all_attributes) == ("", "", False, False)


def test_custom_config() -> None:
    raw = yaml.safe_load((TESTDATA / "config.yaml").read_text())["awsxray/custom"]
    cfg = AwsXrayExporterConfig.model_validate(raw)
    assert cfg.region == "eu-west-1"
    assert cfg.indexed_attributes == ["http.route", "customer.tier"]
    assert cfg.telemetry.enabled and cfg.telemetry.include_metadata
    assert cfg.sending_queue.queue_size == 500
    assert cfg.retry_on_failure.max_elapsed_time == timedelta(seconds=60)


CASES = yaml.safe_load((TESTDATA / "invalid_configs.yaml").read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_configs(case: str) -> None:
    with pytest.raises(ValidationError) as info:
        AwsXrayExporterConfig.model_validate(CASES[case]["config"])
    assert _errors(info.value) == [CASES[case]["error"]]
