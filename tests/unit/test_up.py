from __future__ import annotations

import yaml

from otelray.collector.config.model import load_config
from otelray.collector.registry import load_registry
from otelray.up import StackPorts, collector_config


def _load(tmp_path, raw):
    path = tmp_path / "up.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_config([str(path)], load_registry(), env={})


def test_local_stack_config_validates_and_sends_only_to_the_backend(tmp_path):
    ports = StackPorts(xray=12000)
    cfg = _load(tmp_path, collector_config(ports, forward_to_aws=False, aws_region=None))
    (pipeline,) = cfg.pipelines.values()
    assert [str(e) for e in pipeline.exporters] == ["awsxray/local"]
    raw = collector_config(ports, forward_to_aws=False, aws_region=None)
    assert raw["exporters"]["awsxray/local"]["endpoint"] == "http://127.0.0.1:12000"
    # UDP goes to the collector; the backend keeps TCP 12000, so no sampling proxy in the collector
    assert raw["receivers"]["awsxray"] == {"endpoint": "127.0.0.1:12000", "transport": "udp", "proxy_server": None}


def test_forward_to_aws_adds_an_exporter_to_real_x_ray(tmp_path):
    raw = collector_config(StackPorts(), forward_to_aws=True, aws_region="eu-west-1")
    cfg = _load(tmp_path, raw)
    (pipeline,) = cfg.pipelines.values()
    assert sorted(str(e) for e in pipeline.exporters) == ["awsxray/aws", "awsxray/local"]
    assert raw["exporters"]["awsxray/aws"] == {"local_mode": True, "region": "eu-west-1"}  # no endpoint: AWS itself
