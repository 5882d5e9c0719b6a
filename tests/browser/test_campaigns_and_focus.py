"""One campaign per page (two overlapping campaigns with different targets: each unit page
is consistent with its own), focus on the new page's heading after a route change, and a
failed call shown with its message and request id (the unit page's ranking)."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import CAMPAIGN_ID
from tests.browser.vi import percent

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

UNIT = "000.00.71.H34"  # a commune with figures in the seeded month
# Overlaps browser-2025 (07-15..08-15) and ends before it: the default stays browser-2025.
LENIENT = {
    "campaign_id": "browser-2025-b",
    "name": "Đợt bổ sung (thử)",
    "start_date": "2025-07-20",
    "end_date": "2025-08-10",
    "timezone": "Asia/Ho_Chi_Minh",
    "targets": {"online_rate": 0.3},
}


def _show(tab, path: str):
    tab.page.goto(f"{tab.seeded.console_url}/#{path}")
    tab.settle()
    tab.page.wait_for_selector("#unit-score")
    return tab.page


def test_each_unit_page_is_consistent_with_its_campaign(console, seeded):
    seeded.api("POST", "/admin/campaigns", json=LENIENT)
    listing = seeded.api("GET", "/campaigns")
    assert listing["default_campaign_id"] == CAMPAIGN_ID
    tab = console("viewer")
    for campaign, target in ((CAMPAIGN_ID, 1.0), (LENIENT["campaign_id"], 0.3)):
        kpi = seeded.api("GET", f"/units/{UNIT}/kpi", params={"campaign_id": campaign})
        assert kpi["campaign_id"] == campaign
        page = _show(tab, f"/units/{UNIT}?campaign={campaign}")
        online = [
            " ".join(c.split())
            for c in page.locator("table.figures tbody tr").nth(0).locator("td").all_inner_texts()
        ]
        assert online[1] == percent(kpi["metrics"]["online_rate"])
        assert online[3] == percent(target, 0), (campaign, online)
        rate, met = kpi["metrics"]["online_rate"], kpi["compliance"]["online_rate"]
        assert online[4] == (
            "— Không có dữ liệu" if rate is None else ("✔ Đạt" if met else "✘ Chưa đạt")
        )
        verdict = "Đạt" if kpi["compliance"]["compliant"] else "Chưa đạt"
        assert verdict in page.inner_text("#unit-kpi .cards")
    # No campaign in the address: the API's default, not a rule of the console's own.
    tab.page.evaluate("() => sessionStorage.removeItem('kg.campaign')")
    page = _show(tab, f"/units/{UNIT}")
    row = page.locator("table.figures tbody tr").nth(0).locator("td").all_inner_texts()
    assert " ".join(row[3].split()) == percent(1.0, 0)


def test_focus_moves_to_the_new_pages_heading(console, seeded):
    tab = console("viewer")
    page = tab.open("/scoreboard")
    assert page.evaluate("() => document.activeElement.tagName") == "H1"
    page.click("#nav a[href='#/interconnection']")
    page.wait_for_selector("main .page-interconnection h1")
    tab.settle()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.tagName === 'H1'"
    )
    assert page.evaluate("() => document.activeElement.closest('.page-interconnection') !== null")

    def focused_on(page_class: str) -> None:
        page.wait_for_function(
            f"""() => document.activeElement && document.activeElement.tagName === 'H1'
                  && document.activeElement.closest('.{page_class}') !== null"""
        )

    # A link inside the page (the scoreboard's unit), and the browser's Back: the same.
    page.click("#nav a[href='#/scoreboard']")
    page.wait_for_selector("table.ranking tbody a")
    focused_on("page-scoreboard")
    page.click("table.ranking tbody a >> nth=0")
    page.wait_for_selector("#unit-score")
    focused_on("page-unit")
    page.go_back()
    page.wait_for_selector("table.ranking")
    focused_on("page-scoreboard")


def test_a_failed_ranking_call_is_shown_with_its_request_id(console, seeded):
    tab = console("viewer")
    error = {
        "error": {
            "code": "unavailable",
            "message": "Tạm thời không đọc được bảng xếp hạng",
            "details": [],
            "request_id": "req-ranking-503",
        }
    }
    tab.page.route(
        "**/ranking?**",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            headers={
                "X-Request-Id": "req-ranking-503",
                "Retry-After": "5",
                # The console reads it cross-origin, as from the API.
                "Access-Control-Allow-Origin": seeded.console_url,
                "Access-Control-Expose-Headers": "X-Request-Id, Retry-After",
            },
            body=json.dumps(error),
        ),
    )
    page = tab.open(f"/units/{UNIT}")
    page.wait_for_selector("#unit-score")
    shown = page.inner_text("#ranking-error")
    assert "Tạm thời không đọc được bảng xếp hạng" in shown
    assert "req-ranking-503" in shown
    assert page.locator("#unit-rank").count() == 0


# A failed call on each kind of page: the page's main call answers 503 (the API's error
# shape); the page shows the API's message and the request id to quote, never an empty
# state. (path suffix of the API call, the console page, the role)
FAILING_CALLS = [
    ("/ranking", "/scoreboard", "viewer"),
    ("/freshness", "/freshness", "viewer"),
    ("/interconnection", "/interconnection", "viewer"),
    (f"/units/{UNIT}/kpi/daily", f"/units/{UNIT}", "viewer"),
    ("/reports", "/reports", "viewer"),
    ("/nominations", "/nominations", "viewer"),
    ("/admin/mail", "/mail", "province_admin"),
]


def _fail(seeded, suffix: str, request_id: str):
    from urllib.parse import urlsplit

    api_host = urlsplit(seeded.api_url).netloc

    def matches(url: str) -> bool:
        parts = urlsplit(url)
        return parts.netloc == api_host and parts.path.endswith(suffix)

    body = {
        "error": {
            "code": "unavailable",
            "message": f"Dịch vụ tạm thời gián đoạn ({request_id})",
            "details": [],
            "request_id": request_id,
        }
    }
    handler = lambda route: route.fulfill(  # noqa: E731
        status=503,
        content_type="application/json",
        headers={
            "X-Request-Id": request_id,
            "Retry-After": "5",
            "Access-Control-Allow-Origin": seeded.console_url,
            "Access-Control-Expose-Headers": "X-Request-Id, Retry-After",
        },
        body=json.dumps(body),
    )
    return matches, handler


@pytest.mark.parametrize("role", ["viewer", "province_admin"])
def test_every_failed_call_shows_its_message_and_request_id(console, seeded, role):
    tab = console(role)
    for suffix, path, who in FAILING_CALLS:
        if who != role:
            continue
        request_id = f"req-{path.strip('/').replace('/', '-')}"
        matches, handler = _fail(seeded, suffix, request_id)
        tab.page.route(matches, handler)
        page = tab.open(path)
        alert = page.locator(".error[role=alert]").filter(has_text=request_id).first
        alert.wait_for()
        shown = alert.inner_text()
        assert f"Dịch vụ tạm thời gián đoạn ({request_id})" in shown, (path, shown)
        assert request_id in alert.locator(".request-id").inner_text(), (path, shown)
        tab.page.unroute(matches, handler)


def test_the_public_scoreboard_shows_a_failure_with_its_request_id(browser, seeded):
    """A 503 is not "nothing published": the API's message and the request id."""
    context = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)
    page = context.new_page()
    matches, handler = _fail(seeded, "/ranking", "req-public-503")
    page.route(matches, handler)
    page.goto(f"{seeded.console_url}/public.html?campaign={CAMPAIGN_ID}&level=commune")
    alert = page.locator(".error[role=alert]")
    alert.wait_for()
    shown = alert.inner_text()
    assert "Dịch vụ tạm thời gián đoạn (req-public-503)" in shown
    assert "req-public-503" in alert.locator(".request-id").inner_text()
    assert "Không có bảng xếp hạng công khai" not in shown
    context.close()
