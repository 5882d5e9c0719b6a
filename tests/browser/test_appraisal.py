"""The road to the council in the console (issue 21): the province admin records a hold on
the Holds page; a reviewer appraises one nomination eligible and one not eligible on the
nomination page's appraisal step, and the third, whose nominee is held, is refused with the
hold named; the posting page shows the public's feedback and the reviewer answers it there.
axe on the Holds page, the appraisal step and the posting page."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.browser.test_pages import _axe

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CAMPAIGN = "appraisal-browser"
ELIGIBLE, NOT_ELIGIBLE, HELD = "000.00.31.H34", "000.00.32.H34", "000.00.71.H34"
HOLD_REASON = "Thanh tra công vụ đang tiến hành"


def _submitted(seeded: Any, unit_id: str) -> str:
    return seeded.submitted_nomination(
        CAMPAIGN, {"kind": "collective", "nominee_unit_id": unit_id}, "Số hóa 100% hồ sơ"
    )


@pytest.fixture(scope="module")
def nominations(seeded: Any) -> dict[str, str]:
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    seeded.api(
        "POST",
        "/admin/campaigns",
        json={
            "campaign_id": CAMPAIGN,
            "name": "Phong trào thử thẩm định",
            "start_date": "2025-07-15",
            "end_date": "2025-08-15",
            "timezone": "Asia/Ho_Chi_Minh",
            "nomination_deadline": (today + dt.timedelta(days=30)).isoformat(),
            "award_procedure": "council",
        },
    )
    return {unit: _submitted(seeded, unit) for unit in (ELIGIBLE, NOT_ELIGIBLE, HELD)}


def _nomination_page(tab: Any, nid: str) -> Any:
    page = tab.page
    page.goto(f"{tab.seeded.console_url}/#/nominations/{nid}?campaign={CAMPAIGN}")
    tab.settle()
    page.wait_for_selector("#appraisal h3")
    return page


def test_holds_appraisal_and_posting(console, seeded, nominations, holds_lifted):
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    # The province admin records the hold on the Holds page.
    admin = console("province_admin", bypass_csp=True)
    page = admin.open("/holds")
    page.wait_for_selector("#new-hold")
    assert not _axe(page), "holds page"
    page.select_option("#new-hold select[name=subject_kind]", "unit")
    page.fill("#new-hold input[name=subject_id]", HELD)
    page.select_option("#new-hold select[name=kind]", "inspection")
    page.fill("#new-hold textarea[name=reason]", HOLD_REASON)
    page.fill("#new-hold input[name=from]", today.isoformat())
    page.click("#new-hold button[type=submit]")
    page.wait_for_selector("#new-hold .success")
    page.wait_for_selector(f"ul.holds li:has-text('{HELD}')")

    reviewer = console("reviewer", bypass_csp=True)
    # Eligible: a complete dossier, no hold.
    page = _nomination_page(reviewer, nominations[ELIGIBLE])
    assert "✘" not in page.inner_text("#appraisal ul.checklist")
    assert not _axe(page), "appraisal step"
    page.click("#appraisal-actions button[data-outcome=eligible]")
    page.wait_for_selector("#nomination-facts >> text=Đủ điều kiện")

    # Not eligible: the reason is asked for first, in words.
    page = _nomination_page(reviewer, nominations[NOT_ELIGIBLE])
    page.click("#appraisal-actions button[data-outcome=not_eligible]")
    page.wait_for_selector("#appraisal .error[role=alert]")
    page.fill("#appraisal textarea[name=reason]", "Chưa đạt tiêu chí ký số")
    page.click("#appraisal-actions button[data-outcome=not_eligible]")
    page.wait_for_selector("#nomination-facts >> text=Không đủ điều kiện")

    # Held: the hold is shown beside the checklist, and eligible is refused naming it.
    page = _nomination_page(reviewer, nominations[HELD])
    assert HOLD_REASON in page.inner_text("#appraisal [role=note]")
    page.click("#appraisal-actions button[data-outcome=eligible]")
    refusal = page.locator("#appraisal .error[role=alert]")
    refusal.wait_for()
    assert HOLD_REASON in refusal.inner_text() and "152/2025" in refusal.inner_text()
    assert "Đủ điều kiện" not in page.inner_text("#nomination-facts")

    # The posting: the eligible one is on the shortlist; the public's feedback is answered
    # on the posting page.
    seeded.api(
        "POST",
        f"/campaigns/{CAMPAIGN}/posting",
        json={"opens_on": today.isoformat(), "working_days": 5},
    )
    r = requests.post(
        f"{seeded.api_url}/public/campaigns/{CAMPAIGN}/shortlist/{nominations[ELIGIBLE]}/feedback",
        json={"text": "Đơn vị còn dùng văn bản giấy ở bộ phận một cửa.", "name": "Người dân"},
        timeout=30,
    )
    assert r.status_code == 202, r.text
    page = reviewer.page
    page.goto(f"{seeded.console_url}/#/posting?campaign={CAMPAIGN}")
    reviewer.settle()
    item = page.locator("li.feedback-item")
    item.wait_for()
    assert not _axe(page), "posting page"
    item.locator("textarea[name=note]").fill("Đã kiểm tra, bộ phận một cửa đã chuyển sang điện tử.")
    item.locator("button").click()
    page.wait_for_selector("li.feedback-item .success")
    feedback = seeded.api("GET", f"/campaigns/{CAMPAIGN}/feedback")["items"]
    assert [i["status"] for i in feedback] == ["resolved"]
