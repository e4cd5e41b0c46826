from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest

from otelray.collector.aws.proxy import MAX_BODY_BYTES, ProxyOptions, XRayProxy, upstream_endpoint
from tests.unit.collector.aws.capture_server import ACCESS_KEY, SECRET_KEY, CaptureServer


@pytest.fixture
def aws_env(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


def _post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_endpoint_from_region_or_override() -> None:
    assert upstream_endpoint(ProxyOptions(), "eu-west-1") == "https://xray.eu-west-1.amazonaws.com"
    assert upstream_endpoint(ProxyOptions(), "cn-north-1") == "https://xray.cn-north-1.amazonaws.com.cn"
    assert upstream_endpoint(ProxyOptions(aws_endpoint="http://127.0.0.1:5/"), "x") == "http://127.0.0.1:5"


def test_forwards_any_path_signed_and_relays_the_answer(aws_env) -> None:
    capture = CaptureServer().start()

    async def main() -> tuple[int, bytes, tuple[int, bytes]]:
        proxy = XRayProxy(ProxyOptions(port=0, region="us-west-2", aws_endpoint=capture.url))
        await proxy.start()
        base = f"http://127.0.0.1:{proxy.address[1]}"
        try:
            status, body = await asyncio.to_thread(
                _post, base + "/GetSamplingRules?x=1", b"{}",
                {"Authorization": "AWS4-HMAC-SHA256 forged", "Content-Type": "application/json"})
            too_big = await asyncio.to_thread(_post, base + "/SamplingTargets", b"x" * (MAX_BODY_BYTES + 1))
        finally:
            await proxy.close()
            await proxy.close()
        return status, body, too_big

    try:
        status, body, too_big = asyncio.run(main())
    finally:
        capture.stop()
    assert status == 200
    assert json.loads(body) == {"UnprocessedTraceSegments": []}
    (seen,) = capture.requests
    assert seen.path == "/GetSamplingRules?x=1"
    assert seen.signature_valid
    assert "/us-west-2/xray/aws4_request" in seen.headers["Authorization"]
    assert too_big[0] == 413


def test_unreachable_endpoint_answers_502_with_the_reason(aws_env) -> None:
    async def main() -> tuple[int, bytes]:
        proxy = XRayProxy(ProxyOptions(port=0, region="us-west-2", aws_endpoint="http://127.0.0.1:9"))
        await proxy.start()
        try:
            answer = await asyncio.to_thread(_post, f"http://127.0.0.1:{proxy.address[1]}/GetSamplingRules", b"{}")
            assert proxy.stats.failed["unreachable"] == 1
            return answer
        finally:
            await proxy.close()

    status, body = asyncio.run(main())
    assert status == 502
    assert "cannot reach http://127.0.0.1:9" in json.loads(body)["message"]
