"""The ASGI app in process (httpx ASGITransport) over a real SQLite store in a temporary directory."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from otelray.service.app import XRayApp
from otelray.service.server import BackendSettings, open_context
from otelray.xray.ids import new_segment_id, new_trace_id


@pytest.fixture
def app(tmp_path: Path) -> Iterator[XRayApp]:
    ctx = open_context(BackendSettings(data_dir=tmp_path))
    yield XRayApp(ctx, max_body_bytes=64 * 1024)
    ctx.close()


def call(app: XRayApp, method: str, path: str, body: bytes | None = None) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, content=body)

    return asyncio.run(go())


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert response.headers["x-amzn-errortype"] == body["__type"]
    assert response.headers["x-amzn-requestid"]
    return response.status_code, body["__type"], body["message"]


def test_put_trace_segments_answers_in_the_model_shape(app: XRayApp) -> None:
    t = new_trace_id()
    doc = {"name": "a", "id": new_segment_id(), "trace_id": t, "start_time": 1.0, "end_time": 2.0}
    r = call(app, "POST", "/TraceSegments", orjson.dumps({"TraceSegmentDocuments": [orjson.dumps(doc).decode()]}))
    assert r.status_code == 200 and r.json() == {"UnprocessedTraceSegments": []}
    assert r.headers["x-amzn-requestid"]


def test_malformed_json_body(app: XRayApp) -> None:
    status, code, text = error_of(call(app, "POST", "/TraceSegments", b'{"TraceSegmentDocuments": ['))
    assert (status, code) == (400, "InvalidRequestException") and "not valid JSON" in text


def test_body_over_the_limit_is_refused(app: XRayApp) -> None:
    big = orjson.dumps({"TraceSegmentDocuments": ["x" * 70_000]})
    status, code, text = error_of(call(app, "POST", "/TraceSegments", big))
    assert (status, code) == (400, "InvalidRequestException") and "exceeds 65536" in text


def test_unknown_path_and_method(app: XRayApp) -> None:
    status, code, text = error_of(call(app, "POST", "/NoSuchThing", b"{}"))
    assert (status, code) == (404, "UnknownOperationException") and "/NoSuchThing" in text
    status, code, _ = error_of(call(app, "GET", "/TraceSegments"))
    assert (status, code) == (404, "UnknownOperationException")


def test_wrong_types_are_rejected_with_the_member_name(app: XRayApp) -> None:
    status, code, text = error_of(call(app, "POST", "/Traces", b'{"TraceIds": "1-5759e988-bd862e3fe1be46a994272793"}'))
    assert (status, code) == (400, "InvalidRequestException") and "'TraceIds'" in text


def test_metrics_count_requests_and_rejections(app: XRayApp) -> None:
    call(app, "POST", "/TraceSegments", orjson.dumps({"TraceSegmentDocuments": ["{", "[]"]}))
    call(app, "POST", "/Nope", b"")
    text = call(app, "GET", "/-/metrics").text
    assert 'otelray_backend_segments_rejected_total{reason="InvalidJson",source="api"} 1.0' in text
    assert 'otelray_backend_segments_rejected_total{reason="MissingId",source="api"} 1.0' in text
    assert 'otelray_backend_requests_total{code="UnknownOperationException",operation="unknown"} 1.0' in text
    assert 'otelray_backend_requests_total{code="OK",operation="PutTraceSegments"} 1.0' in text


def test_health(app: XRayApp) -> None:
    assert call(app, "GET", "/-/health").json() == {"status": "ok"}
    assert call(app, "GET", "/-/nothing").status_code == 404


def test_batch_get_traces_rejects_foreign_next_token(app: XRayApp) -> None:
    body: dict[str, Any] = {"TraceIds": [new_trace_id()], "NextToken": "abc"}
    status, code, text = error_of(call(app, "POST", "/Traces", orjson.dumps(body)))
    assert (status, code) == (400, "InvalidRequestException") and "NextToken" in text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"TraceSegmentDocuments": ["{}", 5]}, "Value 5 at 'TraceSegmentDocuments.2' failed to satisfy constraint"),
        ({"TraceSegmentDocuments": "{}"}, "Member must be a list"),
        ({}, "TraceSegmentDocuments"),
    ],
)
def test_put_trace_segments_input_errors_name_the_member(app: XRayApp, params: dict[str, Any], expected: str) -> None:
    status, code, text = error_of(call(app, "POST", "/TraceSegments", orjson.dumps(params)))
    assert (status, code) == (400, "InvalidRequestException") and expected in text


def test_request_ids_are_unique_and_uuid_shaped(app: XRayApp) -> None:
    ids = {call(app, "POST", "/TraceSegments", b'{"TraceSegmentDocuments": []}').headers["x-amzn-requestid"]
           for _ in range(3)}
    assert len(ids) == 3 and all(len(i) == 36 and i.count("-") == 4 for i in ids)
