from __future__ import annotations

import asyncio

import pytest
from botocore.credentials import Credentials
from pydantic import ValidationError

from otelray.collector.auth import HTTPClientAuthenticator
from otelray.collector.aws.sigv4 import verify_signature
from otelray.collector.component import Kind
from otelray.collector.errors import ComponentError
from otelray.collector.extensions.sigv4auth import SigV4AuthConfig, factory
from otelray.collector.testing import NopHost, make_settings


@pytest.fixture
def aws_env(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSIGV4AUTH")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


def _started(config: dict):
    ext = factory.create(make_settings("sigv4auth", Kind.EXTENSION), SigV4AuthConfig.model_validate(config))
    asyncio.run(ext.start(NopHost()))
    return ext


def test_signs_remote_write_requests_for_amp(aws_env) -> None:
    ext = _started({"region": "us-west-2"})
    assert isinstance(ext, HTTPClientAuthenticator)
    url = "https://aps-workspaces.us-west-2.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
    body = b"\x10snappy"
    headers = ext.sign_request("POST", url, {"Content-Encoding": "snappy"}, body)
    assert "/us-west-2/aps/aws4_request" in headers["Authorization"]
    assert headers["Content-Encoding"] == "snappy"
    assert verify_signature("POST", url, headers, body, Credentials("AKIDSIGV4AUTH", "s3cr3t"))


def test_unknown_host_needs_service(aws_env) -> None:
    ext = _started({"region": "us-east-1"})
    with pytest.raises(ComponentError, match="cannot infer the service name from host '127.0.0.1:9090'; set `service`"):
        ext.sign_request("POST", "http://127.0.0.1:9090/api/v1/write", {}, b"")
    signed = _started({"region": "us-east-1", "service": "aps"}).sign_request(
        "POST", "http://127.0.0.1:9090/api/v1/write", {}, b"")
    assert "/us-east-1/aps/aws4_request" in signed["Authorization"]


def test_used_before_start_is_an_error() -> None:
    ext = factory.create(make_settings("sigv4auth", Kind.EXTENSION), SigV4AuthConfig())
    with pytest.raises(ComponentError, match="used before start"):
        ext.sign_request("GET", "https://logs.us-east-1.amazonaws.com/", {}, b"")


def test_assume_role_keys() -> None:
    cfg = SigV4AuthConfig.model_validate({"assume_role": {"arn": "arn:aws:iam::1:role/r", "sts_region": "us-east-1"}})
    assert cfg.assume_role.session_name == "otelray"
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        SigV4AuthConfig.model_validate({"assume_role": {"role": "x"}})
