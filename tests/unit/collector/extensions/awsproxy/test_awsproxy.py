from __future__ import annotations

import asyncio
import urllib.request

import pytest

from otelray.collector.component import Kind
from otelray.collector.errors import ComponentError
from otelray.collector.extensions.awsproxy import AwsProxyConfig, factory
from otelray.collector.testing import NopHost, make_settings
from tests.unit.collector.aws.capture_server import ACCESS_KEY, SECRET_KEY, CaptureServer


def test_defaults_listen_on_localhost_2000() -> None:
    cfg = AwsProxyConfig()
    assert (cfg.endpoint, cfg.service_name, cfg.local_mode) == ("127.0.0.1:2000", "xray", False)


def test_sampling_call_is_forwarded_signed(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    capture = CaptureServer().start()

    async def main() -> int:
        cfg = AwsProxyConfig.model_validate({"endpoint": "127.0.0.1:0", "region": "ap-southeast-2",
                                             "aws_endpoint": capture.url})
        ext = factory.create(make_settings("awsproxy", Kind.EXTENSION), cfg)
        await ext.start(NopHost())
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{ext.proxy.address[1]}/SamplingTargets",
                                             data=b'{"SamplingStatisticsDocuments":[]}', method="POST")
            response = await asyncio.to_thread(urllib.request.urlopen, request, timeout=10)
            return int(response.status)
        finally:
            await ext.shutdown()
            await ext.shutdown()

    try:
        assert asyncio.run(main()) == 200
    finally:
        capture.stop()
    (seen,) = capture.requests
    assert seen.signature_valid and seen.path == "/SamplingTargets"
    assert "/ap-southeast-2/xray/aws4_request" in seen.headers["Authorization"]


def test_port_in_use_is_a_component_error(monkeypatch) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        cfg = AwsProxyConfig.model_validate({"endpoint": f"127.0.0.1:{port}", "region": "us-east-1"})
        ext = factory.create(make_settings("awsproxy", Kind.EXTENSION), cfg)
        with pytest.raises(ComponentError, match="Address already in use"):
            asyncio.run(ext.start(NopHost()))
