from __future__ import annotations

import pytest
from botocore.credentials import Credentials

from otelray.collector.aws.errors import AwsConfigError
from otelray.collector.aws.session import make_session
from otelray.collector.aws.sigv4 import SigV4Signer, infer_service_region, verify_signature


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("aps-workspaces.us-west-2.amazonaws.com", ("aps", "us-west-2")),
        ("search-domain-abc.eu-west-1.es.amazonaws.com", ("es", "eu-west-1")),
        ("logs.ap-south-1.amazonaws.com:443", ("logs", "ap-south-1")),
        ("xray.us-east-1.amazonaws.com", ("xray", "us-east-1")),
        ("monitoring.us-east-2.amazonaws.com", ("monitoring", "us-east-2")),
        ("127.0.0.1:4318", ("", "")),
    ],
)
def test_infer_service_region_from_host(host: str, expected: tuple[str, str]) -> None:
    assert infer_service_region(host) == expected


@pytest.fixture
def creds(monkeypatch) -> Credentials:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


def test_signature_matches_an_independent_botocore_computation(creds: Credentials) -> None:
    signer = SigV4Signer(make_session("us-east-1"), service="aps", region="us-west-2")
    url = "http://127.0.0.1:9090/api/v1/write"
    body = b"\x00snappy-bytes"
    headers = signer.sign("POST", url, {"Content-Type": "application/x-protobuf", "Connection": "close"}, body)
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-west-2/aps/aws4_request" in headers["Authorization"]
    assert "Connection" not in headers
    assert verify_signature("POST", url, headers, body, creds)
    assert not verify_signature("POST", url, headers, body + b"x", creds)
    assert not verify_signature("POST", url, headers, body, Credentials("AKIDEXAMPLE", "other-secret"))


def test_service_and_region_inferred_from_host(creds: Credentials) -> None:
    signer = SigV4Signer(make_session("us-east-1"))
    headers = signer.sign("POST", "https://logs.eu-west-3.amazonaws.com/", {}, b"{}")
    assert "/eu-west-3/logs/aws4_request" in headers["Authorization"]


def test_unknown_host_without_service_is_a_clear_error(creds: Credentials) -> None:
    signer = SigV4Signer(make_session("us-east-1"))
    with pytest.raises(AwsConfigError, match="cannot infer the service name from host '127.0.0.1:1'"):
        signer.sign("GET", "http://127.0.0.1:1/x", {}, b"")
