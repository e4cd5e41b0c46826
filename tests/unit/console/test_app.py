"""The console app in-process over the real X-Ray API app and a temporary store."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from otelray.console.app import PAGES, create_app
from otelray.console.security import CSP
from otelray.service.app import XRayApp
from otelray.service.server import BackendSettings, open_context


class AppClient:
    """Synchronous calls into the ASGI app on one private event loop (httpx's ASGI transport)."""

    def __init__(self, app: Any, base_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.http.get(url, **kwargs))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.http.post(url, **kwargs))

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppClient]:
    data_dir: Path = tmp_path_factory.mktemp("console") / "data"
    ctx = open_context(BackendSettings(data_dir=data_dir))
    test_client = AppClient(create_app(XRayApp(ctx)), "http://127.0.0.1:2020")
    yield test_client
    test_client.close()
    ctx.close()


def _segment(name: str, *, parent_call: str | None = None, fault: bool = False) -> dict[str, object]:
    now = time.time()
    doc: dict[str, object] = {"trace_id": f"1-{int(now):08x}-{secrets.token_hex(12)}", "id": secrets.token_hex(8),
                              "name": name, "start_time": now - 0.5, "end_time": now, "fault": fault,
                              "http": {"response": {"status": 500 if fault else 200}}}
    if parent_call:
        doc["subsegments"] = [{"id": secrets.token_hex(8), "name": parent_call, "namespace": "remote",
                               "start_time": now - 0.4, "end_time": now - 0.1,
                               "http": {"request": {"url": f"http://{parent_call}/"}, "response": {"status": 200}}}]
    return doc


def test_every_page_renders_with_security_headers(client: AppClient) -> None:
    for page in PAGES:
        path = page.path.replace("{trace_id}", "1-5f84c7a1-2c8d4ce3b6f7a1b2c3d4e5f6")
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in response.text and " on" + "click=" not in response.text
        assert f'src="/static/{page.template.replace(".html", ".js")}"' in response.text


def test_root_redirects_to_the_map(client: AppClient) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.headers["location"] == "/map"


def test_a_bad_trace_id_is_a_404_page_that_escapes_it(client: AppClient) -> None:
    response = client.get("/traces/<b>x")
    assert response.status_code == 404
    assert "<b>x" not in response.text and "&lt;b&gt;x" in response.text
    assert response.headers["content-security-policy"] == CSP


def test_proxy_forwards_and_keeps_api_errors(client: AppClient) -> None:
    now = time.time()
    bad = client.post("/xray/TraceSummaries", json={"StartTime": now - 60, "EndTime": now, "FilterExpression": "ok AND"})
    assert bad.status_code == 400
    assert bad.json()["__type"] == "InvalidRequestException"
    assert "at column 7" in bad.json()["message"]
    assert client.post("/xray/NoSuchOperation", json={}).status_code == 404
    assert client.get("/xray/Groups").status_code == 405


def test_proxy_refuses_cross_site_requests(client: AppClient) -> None:
    assert client.post("/xray/Groups", json={}, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/xray/Groups", content=b"{}", headers={"Content-Type": "text/plain"}).status_code == 403
    assert client.post("/xray/Groups", json={}, headers={"Origin": "http://127.0.0.1:2020"}).status_code == 200


def test_foreign_host_names_are_refused(client: AppClient) -> None:
    assert client.get("/map", headers={"Host": "attacker.example"}).status_code == 400


def test_map_layout_lays_out_what_the_api_stored(client: AppClient) -> None:
    docs = [_segment("shop", parent_call="payments.example.com"), _segment("shop", fault=True)]
    answer = client.post("/xray/TraceSegments", json={"TraceSegmentDocuments": [json.dumps(d) for d in docs]})
    assert answer.status_code == 200 and answer.json()["UnprocessedTraceSegments"] == []
    deadline = time.monotonic() + 10
    while True:
        graph = client.get("/api/map-layout", params={"start": time.time() - 120, "end": time.time() + 5}).json()
        names = {n["name"] for n in graph["nodes"] if not n["client"]}
        if names >= {"shop", "payments.example.com"} or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert names == {"shop", "payments.example.com"}
    shop = next(n for n in graph["nodes"] if n["name"] == "shop" and not n["client"])
    assert shop["health"]["total"] == 2 and shop["health"]["fault"] == 1
    trace_map = client.get(f"/api/trace-map/{docs[0]['trace_id']}").json()
    assert {n["name"] for n in trace_map["nodes"] if not n["client"]} == {"shop", "payments.example.com"}


@pytest.mark.parametrize(("params", "message"), [
    ({"start": "yesterday"}, "epoch seconds"),
    ({"start": "100", "end": "50"}, "start must be before end"),
    ({"start": "0", "end": str(7 * 3600)}, "6 hours"),
])
def test_map_layout_rejects_bad_windows(client: AppClient, params: dict[str, str], message: str) -> None:
    response = client.get("/api/map-layout", params=params)
    assert response.status_code == 400
    assert response.json()["__type"] == "InvalidRequestException" and message in response.json()["message"]


def test_map_layout_passes_api_errors_through(client: AppClient) -> None:
    response = client.get("/api/map-layout", params={"group": "no-such-group"})
    assert response.status_code >= 400 and response.json()["__type"]


def test_trace_map_rejects_a_bad_id(client: AppClient) -> None:
    assert client.get("/api/trace-map/nope").status_code == 400


def _rejected(client: AppClient, reason: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(client.get("/-/metrics").text):
        for sample in family.samples:
            if sample.name == "otelray_console_rejected_requests_total" and sample.labels["reason"] == reason:
                return sample.value
    return 0.0


def test_every_refusal_is_counted_by_reason(client: AppClient) -> None:
    before = {r: _rejected(client, r) for r in ("cross_origin", "content_type", "foreign_host", "bad_window",
                                                "bad_trace_id", "api:InvalidRequestException")}
    client.post("/xray/Groups", json={}, headers={"Origin": "http://evil.example"})
    client.post("/xray/Groups", content=b"{}", headers={"Content-Type": "text/plain"})
    client.get("/map", headers={"Host": "attacker.example"})
    client.get("/api/map-layout", params={"start": "x"})
    client.get("/api/trace-map/nope")
    client.get("/traces/nope")
    client.get("/api/map-layout", params={"group": "x" * 40})
    after = {r: _rejected(client, r) for r in before}
    assert {r: after[r] - before[r] for r in before} == {
        "cross_origin": 1, "content_type": 1, "foreign_host": 1, "bad_window": 1, "bad_trace_id": 2,
        "api:InvalidRequestException": 1}


def test_introspection(client: AppClient) -> None:
    versions = client.get("/-/versions.json").json()
    assert versions["otelray"] and versions["libraries"]["grandalf"]
    config = client.get("/-/config.json").json()
    assert config["console"] == {"host": "127.0.0.1", "port": 2020, "api": "in-process"}
    routes = client.get("/-/routes.json").json()
    assert [p["path"] for p in routes["pages"]] == [p.path for p in PAGES]
    assert "/api/map-layout" in routes["json"]
