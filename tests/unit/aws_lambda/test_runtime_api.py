"""The local Runtime API, driven with plain HTTP the way the runtime interface client calls it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from otelray.aws_lambda.runtime_api import MAX_PAYLOAD_BYTES, Invocation, RuntimeApiServer

BASE = "/2018-06-01/runtime"


@pytest.fixture
def api() -> Iterator[RuntimeApiServer]:
    server = RuntimeApiServer().start()
    yield server
    server.stop()


def url(api: RuntimeApiServer, path: str) -> str:
    return f"http://{api.address}{BASE}{path}"


def test_next_hands_out_the_event_with_lambda_headers(api: RuntimeApiServer) -> None:
    item = Invocation("req-1", b'{"a": 1}', 3.0, "arn:aws:lambda:us-east-1:1:function:f", "Root=1-abc;Sampled=1")
    api.submit(item)
    response = httpx.get(url(api, "/invocation/next"), timeout=5)
    assert response.status_code == 200
    assert response.content == b'{"a": 1}'
    assert response.headers["Lambda-Runtime-Aws-Request-Id"] == "req-1"
    assert response.headers["Lambda-Runtime-Trace-Id"] == "Root=1-abc;Sampled=1"
    assert response.headers["Lambda-Runtime-Invoked-Function-Arn"].endswith(":function:f")
    assert int(response.headers["Lambda-Runtime-Deadline-Ms"]) == item.deadline_ms > 0
    posted = httpx.post(url(api, "/invocation/req-1/response"), content=b'"done"', timeout=5)
    assert posted.status_code == 202
    assert item.done.is_set() and item.response == b'"done"' and item.error is None


def test_next_blocks_until_an_event_is_submitted(api: RuntimeApiServer) -> None:
    got: list[httpx.Response] = []
    poller = threading.Thread(target=lambda: got.append(httpx.get(url(api, "/invocation/next"), timeout=5)))
    poller.start()
    assert api.first_poll.wait(5)
    assert not got
    api.submit(Invocation("late", b"{}", 1.0, "arn"))
    poller.join(5)
    assert got[0].headers["Lambda-Runtime-Aws-Request-Id"] == "late"


def test_error_post_keeps_type_body_and_xray_cause(api: RuntimeApiServer) -> None:
    item = Invocation("req-2", b"{}", 3.0, "arn")
    api.submit(item)
    httpx.get(url(api, "/invocation/next"), timeout=5)
    response = httpx.post(url(api, "/invocation/req-2/error"),
                          json={"errorMessage": "boom", "errorType": "ValueError"},
                          headers={"Lambda-Runtime-Function-Error-Type": "Unhandled",
                                   "Lambda-Runtime-Function-XRay-Error-Cause": '{"exceptions":[]}'}, timeout=5)
    assert response.status_code == 202
    assert item.error == {"errorMessage": "boom", "errorType": "ValueError"}
    assert item.error_type == "Unhandled" and item.xray_error_cause == '{"exceptions":[]}'


def test_unknown_or_repeated_request_id_is_invalid_request_id(api: RuntimeApiServer) -> None:
    response = httpx.post(url(api, "/invocation/nope/response"), content=b"{}", timeout=5)
    assert response.status_code == 400 and response.json()["errorType"] == "InvalidRequestID"
    item = Invocation("once", b"{}", 3.0, "arn")
    api.submit(item)
    httpx.get(url(api, "/invocation/next"), timeout=5)
    assert httpx.post(url(api, "/invocation/once/response"), content=b"1", timeout=5).status_code == 202
    assert httpx.post(url(api, "/invocation/once/response"), content=b"2", timeout=5).status_code == 400
    assert item.response == b"1"
    assert api.rejected["InvalidRequestID"] == 2


def test_oversized_response_becomes_response_size_too_large(api: RuntimeApiServer) -> None:
    item = Invocation("big", b"{}", 3.0, "arn")
    api.submit(item)
    httpx.get(url(api, "/invocation/next"), timeout=5)
    httpx.post(url(api, "/invocation/big/response"), content=b"x" * (MAX_PAYLOAD_BYTES + 1), timeout=10)
    assert item.response is None
    assert item.error is not None and item.error["errorType"] == "Function.ResponseSizeTooLarge"
    assert api.rejected["ResponseSizeTooLarge"] == 1


def test_init_error_and_unknown_paths(api: RuntimeApiServer) -> None:
    response = httpx.post(url(api, "/init/error"), json={"errorMessage": "no module"},
                          headers={"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"}, timeout=5)
    assert response.status_code == 202
    assert api.init_errors[0].error_type == "Runtime.ImportModuleError"
    assert api.init_errors[0].body == {"errorMessage": "no module"}
    assert httpx.get(url(api, "/bogus"), timeout=5).status_code == 404
    assert httpx.post(url(api, "/invocation/x/other"), timeout=5).status_code == 404


def test_forgotten_invocations_are_not_handed_out_or_accepted(api: RuntimeApiServer) -> None:
    stale, fresh = Invocation("stale", b"1", 3.0, "arn"), Invocation("fresh", b"2", 3.0, "arn")
    api.submit(stale)
    api.submit(fresh)
    api.forget("stale")  # e.g. its runtime died before fetching it
    response = httpx.get(url(api, "/invocation/next"), timeout=5)
    assert response.headers["Lambda-Runtime-Aws-Request-Id"] == "fresh"
    assert httpx.post(url(api, "/invocation/stale/response"), content=b"x", timeout=5).status_code == 400
