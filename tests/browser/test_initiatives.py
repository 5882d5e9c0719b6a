"""Initiatives in the console (issue 21): an officer registers one with a PDF and submits it;
three members of the initiatives council score it, the author among the members is refused
and reads why instead of the form; the secretary closes the assessment and the unit page
shows the recognised initiative. axe on the initiatives page for the officer and for a
member (the scoring page with a recusal)."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.demo.nominations import minimal_pdf
from tests.browser.test_pages import _axe

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CAMPAIGN = "initiatives-browser"
UNIT = "000.00.71.H34"
TITLE = "Tra cứu văn bản bằng mã QR"


@pytest.fixture(scope="module")
def council(seeded: Any) -> dict[str, str]:
    """A campaign and its initiatives council: an author of the unit (recused), a secretary
    and two members; 3 of 4 members in favour reach the default 2/3 of every member."""
    seeded.api(
        "POST",
        "/admin/campaigns",
        json={
            "campaign_id": CAMPAIGN,
            "name": "Phong trào thử sáng kiến",
            "start_date": "2025-07-15",
            "end_date": "2025-08-15",
            "timezone": "Asia/Ho_Chi_Minh",
        },
    )
    officials = seeded.api("GET", f"/units/{UNIT}/officials/kpi")["items"]
    author = officials[0]
    members = [
        ("sk-author", author["full_name"], "member", author["official_id"]),
        ("sk-secretary", "Thư ký Hội đồng sáng kiến", "secretary", None),
        ("sk-chair", "Chủ tịch Hội đồng sáng kiến", "chair", None),
        ("sk-expert", "Chuyên gia độc lập", "member", None),
    ]
    seeded.api(
        "PUT",
        f"/campaigns/{CAMPAIGN}/councils/initiatives",
        json={
            "members": [
                {
                    "sub": sub,
                    "full_name": name,
                    "council_role": role,
                    **({"official_id": official} if official else {}),
                }
                for sub, name, role, official in members
            ]
        },
    )
    return {"author_official_id": author["official_id"], "author_name": author["full_name"]}


def _member(console: Any, sub: str, **kwargs: Any) -> Any:
    tab = console("province_admin", **kwargs)  # then signed in as the member
    token = tab.seeded.make_token("council_member", sub=sub)
    tab.page.evaluate("t => sessionStorage.setItem('kg.token', t)", token)
    return tab


def _open(tab: Any) -> Any:
    page = tab.page
    page.goto(f"{tab.seeded.console_url}/#/initiatives?campaign={CAMPAIGN}")
    tab.settle()
    page.wait_for_selector("#initiative-list .initiatives, #initiative-list p")
    return page


def _card(page: Any) -> Any:
    return page.locator("li.initiative", has_text=TITLE)


def test_register_score_with_recusal_close_and_the_unit_page(console, seeded, council):
    officer = console("unit_officer", UNIT, bypass_csp=True)
    page = _open(officer)
    page.click("details.create summary")
    assert not _axe(page), "initiatives page (officer)"
    page.fill("#new-initiative input[name=title]", TITLE)
    page.fill("#new-initiative textarea[name=description]", "Dán mã QR lên văn bản đến.")
    page.fill("#new-initiative textarea[name=benefit]", "Tra cứu từ 10 phút còn 1 phút.")
    page.fill("#new-initiative input[name=applied_from]", "2025-03-01")
    page.fill("#new-initiative input[name=author]", council["author_official_id"])
    page.click("#new-initiative button[type=submit]")
    card = _card(page)
    card.wait_for()
    card.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "minh-chung.pdf",
                "mimeType": "application/pdf",
                "buffer": minimal_pdf(["Minh chứng"]),
            }
        ]
    )
    card.locator("button", has_text="Tải lên").click()
    card.locator(".success").wait_for()
    seeded.run_job("verify_uploads")
    card.locator("button", has_text="Nộp").click()
    _card(page).locator("text=Đã nộp, chờ hội đồng chấm").wait_for()

    # The author, a member of the council, reads why instead of the form.
    author = _member(console, "sk-author", bypass_csp=True)
    page = _open(author)
    recusal = _card(page).locator(".recusal")
    assert recusal.inner_text() == "Bạn không chấm sáng kiến này: bạn là tác giả."
    assert _card(page).locator("form.score-form").count() == 0
    assert not _axe(page), "initiatives page (member, recused)"

    for sub, points in (
        ("sk-chair", (20, 20, 30)),
        ("sk-expert", (25, 25, 30)),
        ("sk-secretary", (20, 15, 30)),
    ):
        page = _open(_member(console, sub))
        form = _card(page).locator("form.score-form")
        for name, value in zip(("novelty", "applicability", "effectiveness"), points, strict=True):
            form.locator(f"input[name={name}]").fill(str(value))
        form.locator("button[type=submit]").click()
        form.locator(".success").wait_for()

    # The secretary closes; the outcome is shown.
    page = _open(_member(console, "sk-secretary"))
    page.click("#close-assessment")
    page.wait_for_selector("text=Đã kết thúc: 1 được công nhận, 0 không được công nhận.")
    _card(page).locator("text=Được công nhận").wait_for()

    # The unit page shows it.
    page = officer.page
    page.goto(f"{seeded.console_url}/#/units/{UNIT}?campaign={CAMPAIGN}")
    officer.settle()
    block = page.locator("#unit-creativity")
    block.wait_for()
    assert TITLE in block.locator("ul.recognised-initiatives").inner_text()
    assert "Sáng kiến được công nhận" in block.inner_text()
    assert page.is_visible("text=Phong trào không tính tiêu chí sáng tạo vào điểm")
    assert not _axe(page), "unit page with creativity"
