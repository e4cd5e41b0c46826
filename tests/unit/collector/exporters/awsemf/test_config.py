"""awsemf config: upstream defaults, a custom config, and refusals with their paths (adot-collector.md §3.1)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from otelray.collector.exporters.awsemf import AwsEmfExporterConfig
from otelray.translate.emf import RollupOption

TESTDATA = Path(__file__).parent / "testdata"
CONFIGS = yaml.safe_load((TESTDATA / "config.yaml").read_text())
CASES = yaml.safe_load((TESTDATA / "invalid_configs.yaml").read_text())


def _errors(exc: ValidationError) -> list[str]:
    return [f"{'::'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]


def test_defaults_match_upstream():
    cfg = AwsEmfExporterConfig.model_validate(CONFIGS["awsemf"] or {})
    assert cfg == AwsEmfExporterConfig()
    assert cfg.dimension_rollup_option is RollupOption.ZERO_AND_SINGLE
    assert (cfg.output_destination, cfg.version, cfg.log_retention, cfg.max_retries) == ("cloudwatch", "1", 0, 2)
    assert not cfg.sending_queue.enabled and not cfg.retry_on_failure.enabled
    options = cfg.options("otel-stream-x")
    assert (options.log_group_name, options.log_stream_name) == ("", "otel-stream-x")


def test_custom_config_becomes_translation_options():
    options = AwsEmfExporterConfig.model_validate(CONFIGS["awsemf/custom"]).options("unused")
    assert options.log_stream_name == "{TaskId}"
    assert options.dimension_rollup_option is RollupOption.SINGLE_ONLY
    (decl,) = options.metric_declarations
    assert decl.dimensions == (("ClusterName", "TaskId"), ("ClusterName",))
    assert decl.matches_name("latency") and not decl.matches_name("latency_count")
    assert decl.matches_labels({"service.name": "shop"}) and not decl.matches_labels({"service.name": "cart"})
    assert options.descriptor("latency").unit == "Milliseconds"
    assert options.resource_to_telemetry_conversion


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_configs(case):
    with pytest.raises(ValidationError) as info:
        AwsEmfExporterConfig.model_validate(CASES[case]["config"])
    assert _errors(info.value) == [CASES[case]["error"]]
