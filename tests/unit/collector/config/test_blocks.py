from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from otelray.collector.component import ComponentID
from otelray.collector.config.blocks import (
    ExporterConfig,
    QueueConfig,
    RetryConfig,
    TLSServerConfig,
    format_duration,
    parse_duration,
    split_host_port,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("200ms", 0.2), ("1s", 1), ("1m30s", 90), ("1.5h", 5400), ("0", 0), ("10us", 1e-5), ("-2s", -2), (0, 0)],
)
def test_go_durations(text, seconds):
    assert parse_duration(text).total_seconds() == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["5", 5, "5 s", "s", "1d", "", True])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration():
    assert [format_duration(timedelta(seconds=s)) for s in (0, 0.2, 1.5, 60)] == ["0s", "200ms", "1.5s", "60s"]


def test_exporter_defaults_are_upstreams():
    cfg = ExporterConfig()
    assert cfg.timeout == timedelta(seconds=5)
    assert (cfg.sending_queue.enabled, cfg.sending_queue.num_consumers, cfg.sending_queue.queue_size) == (True, 10, 1000)
    r = cfg.retry_on_failure
    assert (r.initial_interval, r.max_interval, r.max_elapsed_time) == (
        timedelta(seconds=5), timedelta(seconds=30), timedelta(seconds=300))
    assert (r.multiplier, r.randomization_factor) == (1.5, 0.5)


def test_queue_storage_and_blocking_alias():
    q = QueueConfig.model_validate({"storage": "file_storage/q", "blocking": True})
    assert q.storage == ComponentID("file_storage", "q") and q.block_on_overflow


def test_unknown_keys_and_bad_values_are_refused():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        RetryConfig.model_validate({"initial_intervall": "1s"})
    with pytest.raises(ValidationError, match="missing unit"):
        RetryConfig.model_validate({"initial_interval": 5})
    with pytest.raises(ValidationError, match="both cert_file and key_file"):
        TLSServerConfig(cert_file="a.pem")


def test_split_host_port():
    assert split_host_port("0.0.0.0:4317") == ("0.0.0.0", 4317)
    assert split_host_port("[::1]:80") == ("::1", 80)
    assert split_host_port(":4318") == ("", 4318)
    with pytest.raises(ValueError, match="missing port"):
        split_host_port("localhost")
    with pytest.raises(ValueError, match="invalid port"):
        split_host_port("localhost:99999")
