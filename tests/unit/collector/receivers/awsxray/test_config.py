from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from otelray.collector.receivers.awsxray import AwsXrayReceiverConfig

TESTDATA = Path(__file__).parent / "testdata"
VALID = yaml.safe_load((TESTDATA / "config.yaml").read_text())
INVALID = yaml.safe_load((TESTDATA / "invalid_configs.yaml").read_text())


def _load(component_id: str) -> AwsXrayReceiverConfig:
    return AwsXrayReceiverConfig.model_validate(VALID[component_id] or {})


def test_defaults_bind_localhost_2000_with_the_proxy_on() -> None:
    cfg = _load("awsxray")
    assert cfg == AwsXrayReceiverConfig()
    assert (cfg.endpoint, cfg.transport) == ("127.0.0.1:2000", "udp")
    assert cfg.proxy_server is not None and cfg.proxy_server.endpoint == "127.0.0.1:2000"


def test_adot_and_proxy_configs() -> None:
    assert _load("awsxray/adot").endpoint == "0.0.0.0:2000"
    proxy = _load("awsxray/proxy").proxy_server
    assert proxy is not None
    options = proxy.options()
    assert (options.host, options.port, options.region, options.local_mode) == ("127.0.0.1", 2001, "eu-west-1", True)
    assert (options.aws_endpoint, options.tls_insecure, options.tls_server_name_override) == (
        "http://127.0.0.1:2772", True, "xray.local")
    assert _load("awsxray/no_proxy").proxy_server is None


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_configs(case: str) -> None:
    with pytest.raises(ValidationError) as info:
        AwsXrayReceiverConfig.model_validate(INVALID[case]["config"])
    got = [f"{'::'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in info.value.errors()]
    assert got == [INVALID[case]["error"]]
