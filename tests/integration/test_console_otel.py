"""Spans from the OpenTelemetry SDK reach the console through ``otelray collector`` and the backend."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from playwright.sync_api import expect, sync_playwright

from tests.integration.conftest import free_port, start_collector
from tests.integration.console_seed import wait_for_summaries, xray_client

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PIPELINE = """
receivers:
  otlp: {{protocols: {{http: {{endpoint: "127.0.0.1:{http}"}}}}}}
processors:
  batch: {{timeout: 100ms}}
exporters:
  awsxray: {{region: us-east-1, endpoint: "{backend}"}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    traces: {{receivers: [otlp], processors: [batch], exporters: [awsxray]}}
"""


def send(endpoint: str, count: int) -> list[str]:
    """``count`` checkout requests, every third one failing in its payment call; X-Ray trace ids."""
    provider = TracerProvider(resource=Resource.create({"service.name": "checkout-otel"}),
                              id_generator=AwsXRayIdGenerator())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint), schedule_delay_millis=50))
    tracer = provider.get_tracer("otelray.console.tests")
    ids = []
    for i in range(count):
        status = 500 if i % 3 == 0 else 200
        with tracer.start_as_current_span("POST /checkout", kind=SpanKind.SERVER, attributes={
                "http.request.method": "POST", "http.response.status_code": status, "url.scheme": "http",
                "url.path": "/checkout", "server.address": "shop.example.com"}) as span:
            hexid = format(span.get_span_context().trace_id, "032x")
            ids.append(f"1-{hexid[:8]}-{hexid[8:]}")
            with tracer.start_as_current_span("POST", kind=SpanKind.CLIENT, attributes={
                    "http.request.method": "POST", "http.response.status_code": status,
                    "url.full": "https://payments.example.com/charge", "peer.service": "payments.example.com"}):
                time.sleep(0.001)
            if status == 500:
                span.set_status(Status(StatusCode.ERROR))
    provider.shutdown()
    return ids


@pytest.fixture(scope="module")
def stack(console_backend: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str]]]:
    http = free_port()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true")
    collector = start_collector(PIPELINE.format(http=http, backend=console_backend.backend.url),
                                tmp_path_factory.mktemp("collector"), env=env)
    try:
        ids = send(f"http://127.0.0.1:{http}/v1/traces", 9)
        wait_for_summaries(console_backend.backend.url, ids)
        yield console_backend, ids
    finally:
        collector.stop()


def _entities(url: str, trace_id: str) -> int:
    (trace,) = xray_client(url).batch_get_traces(TraceIds=[trace_id])["Traces"]
    stack = [json.loads(s["Document"]) for s in trace["Segments"]]
    count = 0
    while stack:
        count += 1
        stack.extend(stack.pop().get("subsegments", []))
    return count


def test_otel_sdk_spans_on_map_list_and_waterfall(stack: tuple[Any, list[str]]) -> None:
    console, ids = stack
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"{console.url}/map?range=900")
            page.wait_for_selector("svg.map .node:not(.client)")
            names = set(page.locator("svg.map .node:not(.client)").evaluate_all("ns => ns.map(n => n.dataset.name)"))
            assert {"checkout-otel", "payments.example.com"} <= names
            page.locator("svg.map .node:not(.client)[data-name=checkout-otel]").click()
            assert page.locator("#panel .stat-total").inner_text() == str(len(ids))

            page.goto(f"{console.url}/traces?range=900&filter=" + 'service("checkout-otel") { fault }')
            expect(page.locator("#trace-rows tr")).to_have_count(3)
            page.goto(f"{console.url}/traces/{ids[1]}")
            expect(page.locator("#main")).to_have_attribute("data-rows", str(_entities(console.backend.url, ids[1])))
            assert page.locator(".wf-row .label").all_inner_texts()[0] == "checkout-otel"
            assert dialogs == []
        finally:
            browser.close()
