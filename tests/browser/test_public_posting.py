"""The public posting page (web/cong-khai.html) without sign-in, on a 390 px phone: the
shortlist with its evidence and the days left, a feedback with hostile text sent and shown
back only as text to the reviewer who answers it; axe on the page."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Console

CAMPAIGN = "posting-browser"
AXE_PATH = "tests/browser/vendor/axe-core/axe.min.js"
PHONE = 390
NOMINEE = "000.00.32.H34"  # Sở Khoa học và Công nghệ
HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> Góp ý'


@pytest.fixture(scope="module")
def posted(seeded: Any) -> dict[str, Any]:
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    seeded.api(
        "POST",
        "/admin/campaigns",
        json={
            "campaign_id": CAMPAIGN,
            "name": "Phong trào thử công khai",
            "start_date": "2025-07-15",
            "end_date": "2025-08-15",
            "timezone": "Asia/Ho_Chi_Minh",
            "nomination_deadline": (today + dt.timedelta(days=30)).isoformat(),
            "award_procedure": "council",
        },
    )
    nid = seeded.submitted_nomination(
        CAMPAIGN, {"kind": "collective", "nominee_unit_id": NOMINEE}, "Số hóa 100% hồ sơ"
    )
    reviewer = seeded.make_token("reviewer", sub="posting-reviewer")
    seeded.api(
        "POST", f"/nominations/{nid}/appraisal", token=reviewer, json={"outcome": "eligible"}
    )
    posting = seeded.api(
        "POST",
        f"/campaigns/{CAMPAIGN}/posting",
        json={"opens_on": today.isoformat(), "working_days": 5},
    )
    return {"nomination_id": nid, "posting": posting, "reviewer": reviewer}


def _public_tab(browser: Any, seeded: Any, **kwargs: Any) -> tuple[Console, Any]:
    tab = Console(browser, seeded, width=PHONE, **kwargs)  # no sign-in at all
    page = tab.page
    page.goto(f"{seeded.console_url}/cong-khai.html?campaign={CAMPAIGN}")
    page.wait_for_selector("ol.shortlist li.nominee")
    return tab, page


def test_public_page_on_a_phone_takes_feedback(browser, seeded, posted):
    tab, page = _public_tab(browser, seeded)
    try:
        text = page.inner_text("main")
        assert "Công khai danh sách đề nghị khen thưởng" in text
        assert "Sở Khoa học và Công nghệ" in text
        assert "ngày làm việc" in text  # the days left
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE
        assert page.evaluate("() => sessionStorage.getItem('kg.token')") is None
        page.click("details.feedback summary")
        page.fill("details.feedback textarea", HOSTILE)
        page.fill("details.feedback input[name=name]", "Người dân")
        page.click("details.feedback button[type=submit]")
        page.wait_for_selector("details.feedback .success")
        assert page.evaluate("() => window.pwned") is None
        # English switch.
        page.click("#lang-switch")
        page.wait_for_selector("text=Public posting of the award shortlist")
    finally:
        tab.close()
    # A reviewer reads it (as text) and answers it.
    feedback = seeded.api("GET", f"/campaigns/{CAMPAIGN}/feedback", token=posted["reviewer"])
    item = next(i for i in feedback["items"] if i["text"] == HOSTILE)
    answered = seeded.api(
        "POST",
        f"/feedback/{item['feedback_id']}/resolve",
        token=posted["reviewer"],
        json={"note": "Đã xác minh"},
    )
    assert answered["status"] == "resolved"


def test_public_page_is_accessible(browser, seeded, posted):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    tab, page = _public_tab(browser, seeded, bypass_csp=True)  # axe is injected as a script
    try:
        page.click("details.feedback summary")
        page.add_script_tag(path=str(root / AXE_PATH))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, serious
    finally:
        tab.close()


def test_unknown_campaign_says_so(browser, seeded):
    tab = Console(browser, seeded, width=PHONE)
    try:
        tab.page.goto(f"{seeded.console_url}/cong-khai.html?campaign=nope")
        tab.page.wait_for_selector("main .error")
        assert "Không có nội dung công khai" in tab.page.inner_text("main")
    finally:
        tab.close()
