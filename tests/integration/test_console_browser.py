"""The web console in headless Chromium against a real ``otelray backend`` fed by real clients."""

from __future__ import annotations

import importlib.util
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from otelray.console.security import CSP
from tests.integration.console_seed import (
    HOSTILE,
    Seeded,
    seed_big,
    seed_old_page,
    seed_small,
    wait_for_summaries,
    xray_client,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture(scope="module")
def seeded(console_backend: Any) -> Seeded:
    data = seed_small(console_backend.backend.port, console_backend.backend.url)
    data.big = seed_big(console_backend.backend.url)
    wait_for_summaries(console_backend.backend.url, [*data.small, data.big])
    return data


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    # API error answers (a bad filter's 400) are expected; script errors are not.
    tab.on("console", lambda msg: errors.append(msg.text)
           if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    yield tab
    context.close()
    assert dialogs == [], f"a dialog fired: {dialogs}"
    assert errors == [], f"the page reported errors: {errors}"


def _rows(page: Page) -> list[str]:
    return page.locator("#trace-rows tr").evaluate_all("rows => rows.map(r => r.dataset.traceId)")


def test_traces_list_filter_and_error(console_backend: Any, seeded: Seeded, page: Page) -> None:
    page.goto(f"{console_backend.url}/traces?range=900")
    page.wait_for_selector("#trace-rows tr")
    listed = set(_rows(page))
    assert set(seeded.small) | {seeded.big} == listed

    page.fill("#filter", "fault")
    page.click("#filter-form button[type=submit]")
    expect(page.locator("#trace-rows tr")).to_have_count(2)
    assert set(_rows(page)) == set(seeded.faults)

    page.fill("#filter", "responsetime >")
    page.click("#filter-form button[type=submit]")
    box = page.locator("#filter-error")
    box.wait_for(state="visible")
    assert "Invalid filter expression at column 15" in box.locator(".message").inner_text()
    assert box.locator("pre.caret").inner_text().startswith(" " * 14 + "^")
    assert page.locator("#trace-rows tr").count() == 0


def test_every_response_carries_the_csp(console_backend: Any) -> None:
    for path in ("/traces", "/map", "/static/common.js", "/-/versions.json", "/api/map-layout", "/no-such-page"):
        response = httpx.get(console_backend.url + path)
        assert response.headers["content-security-policy"] == CSP, path
        assert response.headers["x-content-type-options"] == "nosniff"
    api = httpx.post(f"{console_backend.url}/xray/Groups", json={})
    assert api.headers["content-security-policy"] == CSP
    assert api.status_code == 200 and api.json()["Groups"][0]["GroupName"] == "Default"


def test_api_proxy_refuses_cross_origin_requests(console_backend: Any) -> None:
    evil = httpx.post(f"{console_backend.url}/xray/DeleteGroup", json={"GroupName": "x"},
                      headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    form = httpx.post(f"{console_backend.url}/xray/CreateGroup", content=b'{"GroupName":"x"}',
                      headers={"Content-Type": "text/plain"})
    assert form.status_code == 403
    assert httpx.post(f"{console_backend.url}/xray/Groups", json={}).status_code == 200



def _entities(url: str, trace_id: str) -> int:
    """Segments and subsegments of a trace as BatchGetTraces returns it (inferred segments included)."""
    (trace,) = xray_client(url).batch_get_traces(TraceIds=[trace_id])["Traces"]
    stack = [json.loads(s["Document"]) for s in trace["Segments"]]
    count = 0
    while stack:
        entity = stack.pop()
        count += 1
        stack.extend(entity.get("subsegments", []))
    return count


def test_service_map_nodes_edges_and_panel(console_backend: Any, seeded: Seeded, page: Page) -> None:
    page.goto(f"{console_backend.url}/map?range=900")
    page.wait_for_selector("svg.map .node")
    names = set(page.locator("svg.map .node").evaluate_all("nodes => nodes.map(n => n.dataset.name)"))
    assert {"frontend", "inventory", "query-stock", "guestbook", "batch-job"} <= names
    edges = page.locator("svg.map .edge").evaluate_all(
        "edges => edges.map(e => [e.dataset.source, e.dataset.target])")
    by_id = dict(page.locator("svg.map .node").evaluate_all("nodes => nodes.map(n => [n.dataset.id, n.dataset.name])"))
    named = {(by_id[s], by_id[t]) for s, t in edges}
    assert ("frontend", "inventory") in named and ("inventory", "query-stock") in named

    page.locator("svg.map .node:not(.client)[data-name=frontend]").click()
    panel = page.locator("#panel")
    expect(panel.locator(".panel-title")).to_have_text("frontend")
    assert panel.locator(".stat-total").inner_text() == str(len(seeded.ok) + len(seeded.faults))
    assert panel.locator("svg.panel-hist rect.bar").count() > 0
    panel.locator("a.view-traces").click()
    page.wait_for_url("**/traces?**")
    assert page.locator("#filter").input_value() == 'service("frontend")'
    expect(page.locator("#trace-rows tr")).to_have_count(len(seeded.ok) + len(seeded.faults))

    page.go_back()
    page.locator("svg.map .node:not(.client)[data-name=frontend]").click()
    box = panel.locator("svg.panel-hist").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 1, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 1, box["y"] + box["height"] / 2, steps=4)
    page.mouse.up()
    expect(panel.locator(".brush-note")).to_contain_text("Selected")
    panel.locator("a.view-traces").click()
    page.wait_for_url("**/traces?**")
    assert re.fullmatch(r'service\("frontend"\) \{ responsetime >= 0\.0+ \}',
                        page.locator("#filter").input_value())
    expect(page.locator("#trace-rows tr")).to_have_count(len(seeded.ok) + len(seeded.faults))

    page.go_back()
    ids = {v: k for k, v in by_id.items() if not page.locator(f"svg.map .node[data-id='{k}']").evaluate(
        "n => n.classList.contains('client')")}
    page.locator(f"svg.map .edge[data-source='{ids['frontend']}'][data-target='{ids['inventory']}'] path.hit").click(
        force=True)
    expect(panel.locator(".panel-title")).to_have_text("frontend → inventory")
    assert panel.locator(".stat-total").inner_text() == str(len(seeded.ok) + len(seeded.faults))
    panel.locator("a.view-traces").click()
    page.wait_for_url("**/traces?**")
    assert page.locator("#filter").input_value() == 'edge("frontend", "inventory")'
    expect(page.locator("#trace-rows tr")).to_have_count(len(seeded.ok) + len(seeded.faults))


def test_waterfall_rows_and_detail(console_backend: Any, seeded: Seeded, page: Page) -> None:
    trace_id = seeded.faults[0]
    page.goto(f"{console_backend.url}/traces/{trace_id}")
    expect(page.locator("#main")).to_have_attribute("data-rows", str(_entities(console_backend.backend.url, trace_id)))
    rows = page.locator(".wf-row")
    assert rows.count() == _entities(console_backend.backend.url, trace_id)
    assert page.locator(".wf-bar.fault").count() >= 2
    rows.nth(0).locator(".toggle").click()
    expect(rows).to_have_count(1)
    rows.nth(0).locator(".toggle").click()
    expect(rows).to_have_count(_entities(console_backend.backend.url, trace_id))
    page.locator(".wf-row", has_text="query-stock").first.click()
    page.locator("#panel .tabs button", has_text="SQL").click()
    expect(page.locator("#panel .tab-body")).to_contain_text("SELECT 1")
    assert page.locator("#trace-map svg.map .node").count() >= 3


def test_hostile_text_renders_as_text(console_backend: Any, seeded: Seeded, page: Page) -> None:
    page.goto(f"{console_backend.url}/traces/{seeded.hostile}")
    row = page.locator(".wf-row", has_text=HOSTILE)
    expect(row).to_have_count(1)
    assert row.locator(".label").inner_text() == HOSTILE
    row.click()
    page.locator("#panel .tabs button", has_text="Exceptions").click()
    assert page.locator("#panel .exception-message").inner_text() == HOSTILE
    page.locator(".wf-row", has_text="guestbook").click()
    page.locator("#panel .tabs button", has_text="Annotations").click()
    expect(page.locator("#panel .tab-body dd")).to_have_text(HOSTILE)
    page.locator("#panel .tabs button", has_text="Raw data").click()
    expect(page.locator("#panel pre.raw")).to_contain_text(HOSTILE)
    assert page.locator("img").count() == 0
    pending = page.locator(".wf-row", has_text="notify")
    expect(pending.locator(".wf-mark")).to_have_text("in progress")
    assert pending.locator(".wf-bar.in-progress").count() == 1

    page.goto(f"{console_backend.url}/traces?range=900&filter=" + "annotation.comment")
    expect(page.locator("#trace-rows tr")).to_have_count(1)
    assert HOSTILE in page.locator("#trace-rows td.url").inner_text()
    assert page.locator("img").count() == 0


def test_big_trace_opens_with_virtual_rows(console_backend: Any, seeded: Seeded, page: Page) -> None:
    began = time.monotonic()
    page.goto(f"{console_backend.url}/traces/{seeded.big}")
    expect(page.locator("#main")).to_have_attribute("data-rows", "20001", timeout=20_000)
    opened = time.monotonic() - began
    assert opened < 15, f"a 20,000-subsegment trace took {opened:.1f} s to open"
    assert 0 < page.locator(".wf-row").count() < 200
    page.locator(".wf-row").first.click()
    page.keyboard.press("End")
    expect(page.locator(".wf-row.selected .label")).to_have_text(re.compile(r"step-\d+"))
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".wf-row")).to_have_count(1)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    expect(page.locator(".wf-row.selected .label")).to_have_text(re.compile(r"chunk-\d+"))
    page.locator("#wf-viewport").evaluate("v => { v.scrollTop = v.scrollHeight; }")
    last_step = 20_000 - 20_000 // 250  # every document's chunk subsegment holds 249 steps
    expect(page.locator(".wf-row .label").last).to_have_text(f"step-{last_step}")
    assert page.locator(".wf-row").count() < 200


def test_histogram_brush_becomes_a_responsetime_filter(console_backend: Any, seeded: Seeded, page: Page) -> None:
    page.goto(f"{console_backend.url}/traces?range=900")
    chart = page.locator("#histogram svg.hist")
    chart.wait_for()
    box = chart.bounding_box()
    assert box is not None
    # Drag across the left half: the fast traces, not the 2-second batch job at the right edge.
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    expect(page.locator("#filter")).to_have_value(re.compile(r"^responsetime >= [\d.]+ AND responsetime <= [\d.]+$"))
    expect(page.locator("#trace-rows tr")).to_have_count(len(seeded.small))
    assert seeded.big not in _rows(page)


def test_sort_and_group_selector(console_backend: Any, seeded: Seeded, page: Page) -> None:
    created = httpx.post(f"{console_backend.url}/xray/CreateGroup",
                         json={"GroupName": "faulty", "FilterExpression": "fault"})
    assert created.status_code == 200, created.text
    page.goto(f"{console_backend.url}/traces?range=900")
    page.wait_for_selector("#trace-rows tr")
    page.click("#trace-table th[data-key=ResponseTime]")
    times = page.locator("#trace-rows td.num:nth-child(6)").all_inner_texts()
    assert [float(t) for t in times] == sorted(float(t) for t in times)
    page.select_option("#group", "faulty")
    expect(page.locator("#trace-rows tr")).to_have_count(len(seeded.faults))
    httpx.post(f"{console_backend.url}/xray/DeleteGroup", json={"GroupName": "faulty"})


def test_sampling_rules_create_edit_delete(console_backend: Any, page: Page) -> None:
    # statistics as an X-Ray SDK reports them with its targets poll
    xray_client(console_backend.backend.url).get_sampling_targets(SamplingStatisticsDocuments=[
        {"RuleName": "Default", "ClientID": "c" * 24, "Timestamp": time.time(), "RequestCount": 40,
         "SampledCount": 7, "BorrowCount": 1}])
    page.goto(f"{console_backend.url}/sampling")
    default = page.locator("#rules tr[data-name=Default]")
    expect(default).to_have_count(1)
    assert default.locator("td").all_inner_texts()[9:12] == ["40", "7", "1"]
    page.fill("#rule-form input[name=RuleName]", "checkout")
    page.fill("#rule-form input[name=ServiceName]", "frontend")
    page.fill("#rule-form input[name=Priority]", "10")
    page.click("#rule-save")
    row = page.locator("#rules tr[data-name=checkout]")
    expect(row).to_contain_text("frontend")
    page.fill("#rule-form input[name=RuleName]", "checkout")
    page.click("#rule-save")
    expect(page.locator("#rule-error")).to_be_visible()
    assert "InvalidRequestException" in page.locator("#rule-error").inner_text()
    page.click("#rule-cancel")

    row.locator("button.edit").click()
    page.fill("#rule-form input[name=FixedRate]", "0.5")
    page.click("#rule-save")
    expect(row).to_contain_text("50.0 %")
    rules = httpx.post(f"{console_backend.url}/xray/GetSamplingRules", json={}).json()["SamplingRuleRecords"]
    assert {r["SamplingRule"]["RuleName"]: r["SamplingRule"]["FixedRate"] for r in rules}["checkout"] == 0.5

    row.locator("button.delete").click()
    row.locator("button.delete").click()
    expect(row).to_have_count(0)
    assert page.locator("#rules tr[data-name=Default] button.delete").count() == 0


def test_groups_create_error_and_delete(console_backend: Any, page: Page) -> None:
    page.goto(f"{console_backend.url}/groups")
    expect(page.locator("#groups tr[data-name=Default]")).to_have_count(1)
    page.fill("#group-form input[name=GroupName]", "slow")
    page.fill("#group-form input[name=FilterExpression]", "responsetime > 1")
    page.click("#group-save")
    expect(page.locator("#groups tr[data-name=slow]")).to_contain_text("responsetime > 1")
    page.fill("#group-form input[name=GroupName]", "broken")
    page.fill("#group-form input[name=FilterExpression]", "responsetime >")
    page.click("#group-save")
    expect(page.locator("#group-error")).to_contain_text("at column 15")
    page.click("#group-cancel")
    row = page.locator("#groups tr[data-name=slow]")
    row.locator("button.edit").click()
    page.fill("#group-form input[name=FilterExpression]", "responsetime > 2")
    page.click("#group-save")
    expect(row).to_contain_text("responsetime > 2")
    row.locator("button.delete").click()
    row.locator("button.delete").click()
    expect(row).to_have_count(0)


def test_analytics_charts(console_backend: Any, seeded: Seeded, page: Page) -> None:
    page.goto(f"{console_backend.url}/analytics?range=900")
    expect(page.locator("#status")).to_contain_text("requests in")
    total = len(seeded.small) + 1
    assert page.locator("#status").inner_text().startswith(f"{total} requests")
    assert page.locator("#latency-chart rect.bar").count() > 0
    assert page.locator("#requests-chart path.series.requests").count() == 1
    page.select_option("#service", "inventory")
    expect(page.locator("#status")).to_contain_text(f"{len(seeded.ok) + len(seeded.faults)} requests")
    assert page.locator("#rates-chart path.series.fault").count() == 1
    page.click("#view-traces")
    page.wait_for_url("**/traces?**")
    assert page.locator("#filter").input_value() == 'service("inventory")'
    expect(page.locator("#trace-rows tr")).to_have_count(len(seeded.ok) + len(seeded.faults))


def test_screenshot_script(console_backend: Any, seeded: Seeded, browser: Browser, tmp_path: Path) -> None:
    screenshots = _load_script("screenshots")
    paths = screenshots.take(console_backend.url, tmp_path, seeded.faults[0], browser)
    assert [p.name for p in paths] == ["console-map.png", "console-traces.png", "console-waterfall.png"]
    for path in paths:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def _load_script(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[2] / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pages_of_summaries_load_with_next_token(console_backend: Any, seeded: Seeded, page: Page) -> None:
    then, ids = seed_old_page(console_backend.backend.url, 130)
    page.goto(f"{console_backend.url}/traces?range=10800&filter=annotation.paged")
    rows = page.locator("#trace-rows tr")
    expect(rows).to_have_count(100, timeout=10_000)
    more = page.locator("#more")
    expect(more).to_be_visible()
    more.click()
    expect(rows).to_have_count(130)
    expect(more).to_be_hidden()
    assert set(_rows(page)) == set(ids)

    # a custom window: the first 50 of those traces (one a second)
    page.goto(f"{console_backend.url}/traces?start={int(then)}&end={int(then) + 50}&filter=annotation.paged")
    expect(page.locator("#custom-range")).to_be_visible()
    assert page.locator("#range").input_value() == "custom"
    expect(rows).to_have_count(50)
    assert set(_rows(page)) == set(ids[:50])
