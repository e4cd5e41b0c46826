"""prometheusremotewrite config: upstream defaults and refusals with their paths (adot-collector.md §4.2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from otelray.collector.exporters.prometheusremotewrite import PrometheusRemoteWriteConfig

URL = "http://127.0.0.1:9090/api/v1/write"


def _errors(exc: ValidationError) -> list[str]:
    return [f"{'::'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]


def test_defaults_match_upstream():
    cfg = PrometheusRemoteWriteConfig(endpoint=URL)
    assert cfg.timeout == timedelta(seconds=5)
    assert cfg.retry_on_failure.initial_interval == timedelta(milliseconds=50)
    assert (cfg.remote_write_queue.queue_size, cfg.remote_write_queue.num_consumers) == (10_000, 5)
    assert cfg.max_batch_size_bytes == 3_000_000 and cfg.target_info.enabled and cfg.add_metric_suffixes
    helper = cfg.helper_config()
    assert helper.sending_queue.enabled and helper.sending_queue.queue_size == 10_000


def test_external_labels_are_normalised_into_options():
    cfg = PrometheusRemoteWriteConfig(endpoint=URL, external_labels={"k8s.cluster": "c1"},
                                      resource_to_telemetry_conversion={"enabled": True})
    options = cfg.options()
    assert dict(options.external_labels) == {"k8s_cluster": "c1"} and options.resource_to_telemetry_conversion


@pytest.mark.parametrize(("config", "error"), [
    ({}, "endpoint: Field required"),
    ({"endpoint": "127.0.0.1:9090"},
     'endpoint: Value error, endpoint must be a valid URL with http or https scheme, got "127.0.0.1:9090"'),
    ({"endpoint": URL, "external_labels": {"a": ""}},
     "external_labels: Value error, prometheus external label 'a' has an empty name or value"),
    ({"endpoint": URL, "send_metadata": True},
     ": Value error, send_metadata is not implemented by otelray's prometheusremotewrite exporter"),
    ({"endpoint": URL, "wal": {"directory": "/tmp"}},
     ": Value error, wal is not implemented by otelray's prometheusremotewrite exporter: use remote_write_queue"),
    ({"endpoint": URL, "sending_queue": {}}, "sending_queue: Extra inputs are not permitted"),
])
def test_invalid_configs(config, error):
    with pytest.raises(ValidationError) as info:
        PrometheusRemoteWriteConfig.model_validate(config)
    assert _errors(info.value) == [error]


def test_both_type_names_select_the_exporter():
    from otelray.collector.registry import load_registry

    exporters = load_registry(plugins=False).exporters
    assert exporters["prometheusremotewrite"] is exporters["prometheus_remote_write"]
