"""Fuzzing config validation: any YAML-shaped input yields a Config or ConfigErrors, never another exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.collector.config.model import Config, build_config
from otelray.collector.errors import ConfigErrors
from otelray.collector.testing import test_registry

REGISTRY = test_registry()
KEYS = st.sampled_from(["receivers", "processors", "exporters", "extensions", "connectors", "service", "pipelines",
                        "traces", "metrics", "logs/x", "otlp", "batch", "batch/2", "file", "sink", "debug", "protocols",
                        "grpc", "http", "endpoint", "timeout", "send_batch_size", "telemetry", "address", "level",
                        "memory_limiter", "limit_mib", "check_interval", "health_check", "file_storage", "directory",
                        "sending_queue", "storage", "retry_on_failure", "otlphttp", "auth", "authenticator", "tls", "x/"])
SCALARS = st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=False) | st.sampled_from(
    ["", "1s", "otlp", "batch", "sink", "127.0.0.1:0", "0.0.0.0:4317", "http://h:1", "file_storage", "debug", "a b"])
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_any_mapping_gives_a_config_or_config_errors(raw):
    try:
        assert isinstance(build_config(raw, REGISTRY), Config)
    except ConfigErrors as exc:
        assert exc.errors and all(str(e) for e in exc.errors)
