"""Results reports, captured mail and the public scoreboard in the browser: a division
submits its report, its department sees it and returns another, the province's tracking
view, a digest opened from the captured mail, the public scoreboard at 390 px without
sign-in (with axe)."""

from __future__ import annotations

import re

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
    # The columns are config.json's rate criteria (the vocabulary), in the console's words.
    headers = page.locator("table.public-ranking thead th").all_inner_texts()
    assert headers[3:7] == ["Xử lý trên mạng", "Ký số", "Phát hành điện tử", "Đánh giá KPI"]
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    assert not _axe(page)
    context.close()


def test_an_unsubscribe_link_from_a_captured_mail_at_phone_width(browser, seeded):
    """The one-click link of a captured message, opened without sign-in on a phone: the
    page says what it stops and asks to confirm (a GET changes nothing); confirming stops
    that kind for that address only. Both pages pass axe."""
    address = "vanthu.ngung@nhatrang.example.vn"
    seeded.api(
        "POST",
        "/admin/units",
        json={"contacts": [{"unit_id": COMMUNE, "email": address, "role": "clerk"}]},
    )
    seeded.run_job("notifications")
    items = seeded.api("GET", "/admin/mail?limit=100")["items"]
    message = next(i for i in items if i["recipient"] == address and i["kind"] == "digest")
    found = re.search(r"Ngừng nhận loại thư này: (\S+)", message["text"])
    assert found is not None, message["text"]
    context = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(found.group(1))
    assert "Bản tin tuần" in page.inner_text("main")
    assert not _axe(page)
    contacts = seeded.api("GET", f"/units/{COMMUNE}/contacts")["items"]
    assert next(c for c in contacts if c["email"] == address)["unsubscribed"] == []
    page.get_by_role("button", name="Xác nhận ngừng nhận").click()
    page.locator("h1", has_text="Đã ngừng nhận thư").wait_for()
    assert not _axe(page)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    contacts = seeded.api("GET", f"/units/{COMMUNE}/contacts")["items"]
    assert next(c for c in contacts if c["email"] == address)["unsubscribed"] == ["digest"]
    context.close()
