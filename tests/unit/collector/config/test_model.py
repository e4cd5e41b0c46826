from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from otelray.collector.component import ComponentID, Signal
from otelray.collector.config.model import build_config
from otelray.collector.errors import ConfigErrors
from otelray.collector.registry import make_registry
from otelray.collector.testing import nop_factories
from otelray.collector.testing.sinkexporter import test_registry

TESTDATA = Path(__file__).parent / "testdata"
INVALID = yaml.safe_load((TESTDATA / "invalid_configs.yaml").read_text())


def _core_registry():
    # built-ins without third-party plugins, plus nop, so error texts listing types stay stable
    from otelray.collector.registry import load_registry

    base = load_registry(builtin=("otelray.collector.receivers.otlp:factory", "otelray.collector.processors.batch:factory",
                                  "otelray.collector.exporters.debug:factory", "otelray.collector.exporters.file:factory",
                                  "otelray.collector.exporters.otlp:factory"),
                         plugins=False)
    return make_registry([*base.factories(), *nop_factories()])


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_configs_report_every_error_with_its_path(case):
    with pytest.raises(ConfigErrors) as info:
        build_config(INVALID[case]["config"], _core_registry())
    assert str(info.value) == INVALID[case]["error"]


def test_valid_config_builds_the_expected_model():
    from otelray.collector.config.model import (
        Config,
        LogsTelemetryConfig,
        MetricsTelemetryConfig,
        Pipeline,
        TelemetryConfig,
    )
    from otelray.collector.processors.batch import BatchConfig
    from otelray.collector.receivers.otlp.config import GrpcServerConfig, OtlpReceiverConfig, Protocols
    from otelray.collector.testing.sinkexporter import SinkConfig

    raw = yaml.safe_load((TESTDATA / "valid.yaml").read_text())
    cid = ComponentID.parse
    expected = Config(
        receivers={cid("otlp"): OtlpReceiverConfig(protocols=Protocols(grpc=GrpcServerConfig(endpoint="0.0.0.0:4317")))},
        processors={cid("batch"): BatchConfig(), cid("batch/traces"): BatchConfig(timeout="1s", send_batch_size=50)},
        exporters={cid("sink"): SinkConfig(), cid("sink/b"): SinkConfig()},
        pipelines={
            cid("traces"): Pipeline(cid("traces"), Signal.TRACES, (cid("otlp"),), (cid("batch/traces"),),
                                    (cid("sink"), cid("sink/b"))),
            cid("traces/second"): Pipeline(cid("traces/second"), Signal.TRACES, (cid("otlp"),), (), (cid("sink"),)),
            cid("metrics"): Pipeline(cid("metrics"), Signal.METRICS, (cid("otlp"),), (cid("batch"),), (cid("sink"),)),
        },
        telemetry=TelemetryConfig(metrics=MetricsTelemetryConfig(address="127.0.0.1:0"),
                                  logs=LogsTelemetryConfig(level="debug")),
    )
    cfg = build_config(raw, test_registry())
    assert cfg == expected
    assert list(cfg.pipelines) == list(expected.pipelines)  # file order kept
    assert cfg.processors[cid("batch/traces")].timeout == timedelta(seconds=1)


def test_telemetry_readers_form_sets_the_metrics_address():
    raw = {"receivers": {"nop": None}, "exporters": {"nop": None},
           "service": {"telemetry": {"metrics": {"readers": [{"pull": {"exporter": {"prometheus": {"host": "0.0.0.0", "port": 9999}}}}]}},
                       "pipelines": {"traces": {"receivers": ["nop"], "exporters": ["nop"]}}}}
    assert build_config(raw, _core_registry()).telemetry.metrics.address == "0.0.0.0:9999"
    raw["service"]["telemetry"]["metrics"]["readers"] = [{"periodic": {"exporter": {"otlp": {}}}}]
    with pytest.raises(ConfigErrors, match=r"service::telemetry::metrics: readers: only \{pull"):
        build_config(raw, _core_registry())


def test_connector_without_a_supported_signal_pair_is_refused_clearly():
    from otelray.collector.registry import ConnectorFactory
    from otelray.collector.testing.nop import NopConfig

    registry = make_registry([*_core_registry().factories(), ConnectorFactory(type="forward", config=NopConfig)])
    raw = {"receivers": {"nop": None}, "exporters": {"nop": None}, "connectors": {"forward": None},
           "service": {"pipelines": {"traces": {"receivers": ["nop"], "exporters": ["forward"]},
                                     "traces/2": {"receivers": ["forward"], "exporters": ["nop"]}}}}
    with pytest.raises(ConfigErrors) as info:
        build_config(raw, registry)
    assert str(info.value).splitlines() == [
        'connectors::forward: connector "forward" used as exporter in traces pipeline but not used in any supported '
        "receiver pipeline",
        'connectors::forward: connector "forward" used as receiver in traces pipeline but not used in any supported '
        "exporter pipeline",
    ]
