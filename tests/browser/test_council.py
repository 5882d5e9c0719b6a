"""The awards council on phones (390 px): five present members vote, the secretary records
the sixth member's written vote, a tie at the quota boundary is settled by a runoff, the
documents are downloaded and read (names, counts, the decision's lists), and the public
page shows the decision without sign-in; axe on the secretary's page, a member's ballot and
confirmation screens, and the public page with the decision."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import requests

from scripts.demo.nominations import minimal_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CAMPAIGN = "browser-council"
# Two departments, equal on every figure (the campaign's period has no events): the quota of
# one collective and equal votes put them level at the boundary.
NOMINEES = ("000.00.31.H34", "000.00.32.H34")
MEMBERS = [
    ("bc-0", "Nguyễn Văn An", "chair"),
    ("bc-1", "Trần Thị Bình", "secretary"),
    ("bc-2", "Lê Văn Cường", "vice_chair"),
    ("bc-3", "Phạm Thị Dung", "member"),
    ("bc-4", "Hoàng Văn Em", "member"),
    ("bc-5", "Vũ Thị Giang", "member"),
]
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = 390


def _submitted(seeded: Any, unit_id: str) -> str:
    nid = seeded.submitted_nomination(
        CAMPAIGN, {"kind": "collective", "nominee_unit_id": unit_id}, f"Thành tích {unit_id}"
    )
    seeded.api(
        "POST",
        f"/nominations/{nid}/appraisal",
        token=seeded.make_token("reviewer", sub="browser-reviewer"),
        json={"outcome": "eligible"},
    )
    return str(nid)


@pytest.fixture(scope="module")
def council(seeded: Any) -> dict[str, str]:
    import datetime as dt

    today = dt.date.today()
    seeded.api(
        "POST",
        "/admin/campaigns",
        json={
            "campaign_id": CAMPAIGN,
            "name": "Phong trào thử Hội đồng",
            "start_date": "2024-01-01",
            "end_date": "2024-01-31",
            "timezone": "Asia/Ho_Chi_Minh",
            "nomination_deadline": (today + dt.timedelta(days=30)).isoformat(),
            "award_quotas": {"collective": 1, "individual": 0},
            "award_procedure": "council",
        },
    )
    seeded.api(
        "PUT",
        f"/campaigns/{CAMPAIGN}/councils/awards",
        json={
            "members": [
                {"sub": s, "full_name": n, "position": "Ủy viên", "council_role": r}
                for s, n, r in MEMBERS
            ]
        },
    )
    ids = {unit: _submitted(seeded, unit) for unit in NOMINEES}
    # posted for public comment (5 working days from 6/1/2025): long closed
    seeded.api("POST", f"/campaigns/{CAMPAIGN}/posting", json={"opens_on": "2025-01-06"})
    return ids


def _member_tab(console: Any, sub: str, **kwargs: Any) -> Any:
    tab = console("province_admin", width=PHONE, **kwargs)  # then signed in as the member
    token = tab.seeded.make_token("council_member", sub=sub)
    tab.page.evaluate("t => sessionStorage.setItem('kg.token', t)", token)
    return tab


def _open(tab: Any) -> Any:
    page = tab.page
    page.goto(f"{tab.seeded.console_url}/#/council?campaign={CAMPAIGN}")
    tab.settle()
    return page


def _vote(tab: Any, choices: dict[str, str], names: dict[str, str], axe: bool = False) -> None:
    page = _open(tab)
    page.wait_for_selector("#ballot-form")
    if axe:  # the ballot over the shortlist, on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        assert not _axe(page)
    for nid, choice in choices.items():
        page.locator("fieldset.nominee", has_text=names[nid]).locator(
            f"input[value={choice}]"
        ).check()
    page.click("#ballot-form button[type=submit]")
    page.wait_for_selector("#cast-ballot")
    if axe:  # the confirm step
        assert not _axe(page)
    page.click("#cast-ballot")
    page.wait_for_selector(".step.done")
    assert "Phiếu của bạn đã được ghi nhận" in page.inner_text(".step")
    if axe:  # "your ballot is in"
        assert not _axe(page)


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_council_meeting_on_phones(console, browser, seeded, council):
    names = {
        nid: seeded.api("GET", f"/nominations/{nid}")["nominee"]["name"] for nid in council.values()
    }
    # axe is injected as a script: this tab alone lets it past the CSP (as in test_pages)
    secretary = _member_tab(console, "bc-1", bypass_csp=True)
    page = _open(secretary)
    page.click("#meeting-create")
    page.wait_for_selector("#attendance-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    for sub, _, _ in MEMBERS[:5]:
        page.check(f"#attendance-form input[value={sub}]")
    page.click("#attendance-form button[type=submit]")
    # the absent member's written vote, with its scan
    page.wait_for_selector("#written-vote-form")
    for nid in council.values():
        page.locator("#written-vote-form fieldset.nominee", has_text=names[nid]).locator(
            "input[value=agree]"
        ).check()
    page.set_input_files(
        "#wv-file",
        files=[
            {"name": "phieu.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf(["Phiếu"])}
        ],
    )
    page.click("#written-vote-form button[type=submit]")
    page.wait_for_selector("#attendance-form >> text=đã có phiếu bằng văn bản")
    page.click("#meeting-open")
    page.wait_for_selector("#ballot-form")

    # five members vote on phones (the secretary too): all agree with both
    _vote(secretary, dict.fromkeys(council.values(), "agree"), names)
    for sub, _, _ in MEMBERS[:5]:
        if sub == "bc-1":
            continue
        first = sub == "bc-0"  # axe is injected as a script: this tab lets it past the CSP
        _vote(
            _member_tab(console, sub, bypass_csp=first),
            dict.fromkeys(council.values(), "agree"),
            names,
            axe=first,
        )
    page = _open(secretary)
    page.click("#meeting-close")
    page.wait_for_selector("#meeting-runoff")
    assert "bằng phiếu tại giới hạn chỉ tiêu" in page.inner_text(".secretary")
    page.click("#meeting-runoff")
    page.wait_for_selector("#ballot-form")
    winner, loser = council[NOMINEES[1]], council[NOMINEES[0]]
    runoff = {winner: "agree", loser: "disagree"}
    _vote(secretary, runoff, names)
    for sub, _, _ in MEMBERS[:5]:
        if sub != "bc-1":
            _vote(_member_tab(console, sub), runoff, names)
    page = _open(secretary)
    page.click("#meeting-close")
    page.wait_for_selector("#meeting-tally")
    seeded.run_job("meeting_documents")
    page.click("#meeting-refresh")
    page.wait_for_selector("#meeting-documents ul.documents a")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    assert not _axe(page)
    links = page.locator("#meeting-documents a")
    assert links.count() == 8
    texts, grids = {}, {}
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        data = requests.get(href, timeout=30).content
        name = links.nth(i).get_attribute("download")
        if name.endswith(".pdf"):
            from pypdf import PdfReader

            texts[name] = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        else:
            from docx import Document

            doc = Document(io.BytesIO(data))
            grids[name] = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
            texts[name] = "\n".join(
                [p.text for p in doc.paragraphs]
                + [c.text for t in doc.tables for r in t.rows for c in r.cells]
            )
    minutes = texts["bien-ban-hop-hoi-dong.docx"]
    assert "Nguyễn Văn An" in minutes and "Vũ Thị Giang" in minutes  # present and absent
    assert "Có, được tính" in minutes  # the written vote
    assert "bỏ phiếu lại" in minutes
    # the draft decision's annex of collectives (its own page, after the body)
    annex = texts["du-thao-quyet-dinh.pdf"].split("DANH SÁCH TẬP THỂ")[-1]
    annex = annex.split("DANH SÁCH CÁ NHÂN")[0]
    assert names[winner] in annex and names[loser] not in annex
    assert names[winner] in texts["du-thao-quyet-dinh.docx"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts["to-trinh.pdf"]
    # the vote results' counts: five ballots and the written vote agree with both (6 of 6
    # members), then the runoff among the five present: 5 for one, 0 for the other
    from chalicelib.reports.council_documents import RESULT_VI

    rows = {
        r[1]: r for r in grids["ket-qua-bo-phieu.docx"] if r[1] in (names[winner], names[loser])
    }
    assert rows[names[winner]][2:4] == ["6", "0"] and rows[names[loser]][2:4] == ["6", "0"]
    assert rows[names[winner]][5] == "5" and rows[names[loser]][5] == "0"
    assert rows[names[winner]][6] == RESULT_VI["approved"]
    assert rows[names[loser]][6] == RESULT_VI["outside_quota"]
    assert seeded.api("GET", f"/nominations/{winner}")["status"] == "approved"
    assert seeded.api("GET", f"/nominations/{loser}")["status"] == "rejected"
    _public_page_shows_the_decision(browser, seeded, names[winner], names[loser])


def _public_page_shows_the_decision(browser: Any, seeded: Any, winner: str, loser: str) -> None:
    """After the decision, the posting's public page (no sign-in, 390 px) shows it first: the
    lists proposed for the award, never a member or a count per nominee."""
    from tests.browser.conftest import Console

    tab = Console(browser, seeded, width=PHONE, bypass_csp=True)  # no sign-in at all
    try:
        page = tab.page
        page.goto(f"{seeded.console_url}/cong-khai.html?campaign={CAMPAIGN}")
        page.wait_for_selector("section.decision ol.awardees li")
        shown = page.inner_text("section.decision")
        assert "Kết quả xét khen thưởng" in shown
        assert "Tập thể được đề nghị khen thưởng (1)" in shown
        assert winner in shown and loser not in shown
        assert "trong 2 trường hợp được xét" in shown
        assert not any(m[1] in shown for m in MEMBERS)  # no member is named
        assert "Danh sách đã công khai" in page.inner_text("main")
        assert page.evaluate("() => sessionStorage.getItem('kg.token')") is None
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        assert not _axe(page)
        page.click("#lang-switch")
        page.wait_for_selector("text=The award decision")
    finally:
        tab.close()
