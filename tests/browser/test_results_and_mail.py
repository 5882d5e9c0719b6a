"""Results reports, captured mail and the public scoreboard in the browser: a division
submits its report, its department sees it and returns another, the province's tracking
view, a digest opened from the captured mail, the public scoreboard at 390 px without
sign-in (with axe)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CAMPAIGN_ID
from tests.browser.test_pages import _axe

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

DIVISION = "000.01.31.H34"
DEPARTMENT = "000.00.31.H34"
COMMUNE = "000.00.71.H34"


def test_division_submits_and_department_returns(console, seeded):
    seeded.api(
        "POST",
        "/admin/campaigns",
        json={
            **seeded.campaign,
            "unit_report_deadline": "2099-12-31",
            "department_report_deadline": "2099-12-31",
        },
    )
    tab = console("unit_officer", DIVISION)
    page = tab.open("/results")
    page.fill("textarea[name=done]", "Số hóa toàn bộ hồ sơ của phòng")
    page.click("form.results-form button[type=submit]")
    page.locator("form.results-form button:has-text('Gửi báo cáo')").wait_for()
    page.click("form.results-form button:has-text('Gửi báo cáo')")
    page.locator("[data-status=submitted]").wait_for()
    assert "Số liệu đã chốt khi gửi" in page.inner_text("main")

    parent = console("unit_officer", DEPARTMENT)
    page = parent.open("/results")
    row = page.locator("table.tracking tbody tr", has_text="Phòng Tổ chức biên chế")
    assert "Đã nộp" in row.inner_text()
    row.locator("input[name=reason]").fill("Bổ sung phần khó khăn")
    row.get_by_role("button", name="Trả lại").click()
    page.locator("table.tracking tbody tr", has_text="Đang soạn").wait_for()

    province = console("province_admin")
    page = province.open("/results")
    page.locator("p.tracking-summary").wait_for()
    text = page.inner_text("main")
    assert "Sở Nội vụ" in text and "UBND phường Nha Trang" in text
    assert "Phòng Tổ chức biên chế" not in text  # the province tracks departments and communes
    assert page.locator("p.tracking-summary").count() == 1


def test_a_digest_opened_from_the_captured_mail(console, seeded):
    seeded.api(
        "POST",
        "/admin/units",
        json={
            "contacts": [
                {"unit_id": COMMUNE, "email": "vanthu@nhatrang.example.vn", "role": "clerk"}
            ]
        },
    )
    seeded.run_job("notifications")
    tab = console("province_admin")
    page = tab.open("/mail")
    digest = page.locator("details.mail[data-kind=digest]", has_text="vanthu@nhatrang.example.vn")
    digest.first.locator("summary").click()
    body = digest.first.locator("pre.mail-text").inner_text()
    assert "UBND phường Nha Trang" in body and "Xếp hạng" in body


def test_public_scoreboard_at_phone_width_without_sign_in(browser, seeded):
    seeded.api("POST", "/admin/campaigns", json={**seeded.campaign, "public": True})
    context = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{seeded.console_url}/public.html?campaign={CAMPAIGN_ID}&level=commune")
    page.wait_for_selector("table.public-ranking")
    text = page.inner_text("main")
    assert "UBND phường Nha Trang" in text and "CC BY 4.0" in text
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    assert not _axe(page)
    context.close()
