"""The web console in headless Chromium against a real ``otelray backend`` fed by real clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from otelray.console.security import CSP
from tests.integration.console_seed import Seeded, seed_big, seed_small, wait_for_summaries

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

