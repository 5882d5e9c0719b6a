"""Status changes by e-mail: every change the issue names produces exactly one mail to
each contact of the unit it concerns (the unit that filed the dossier), none to any other
unit, and a rerun sends none again: a nomination returned, appraised and decided (by the
province's review or by the awards council's vote), an initiative returned, recognised or
not recognised. (A results report returned: tests/api/test_notifications.py.)"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.domain import notifications as rules
from chalicelib.storage import mail as mail_store
from tests.conftest import body
from tests.council import (
    all_,
    attend,
    create_meeting,
    setup_council,
    step,
    vote,
)
from tests.factories import (
    COMMUNE,
    DEPARTMENT,
    DIVISION,
    OFFICIALS,
    OTHER_DEPARTMENT,
    PROVINCE,
)
from tests.initiatives import MEMBERS
from tests.nominations import BEFORE_DEADLINE, officer, reviewer, setup, submitted

CONTACTS = {
    DEPARTMENT: ("vanthu@snv.khanhhoa.gov.vn", "lanhdao@snv.khanhhoa.gov.vn"),
    DIVISION: ("phong.tcbc@snv.khanhhoa.gov.vn",),
    OTHER_DEPARTMENT: ("vanthu@skhcn.khanhhoa.gov.vn",),
    COMMUNE: ("vanthu@nhatrang.khanhhoa.gov.vn",),
}


def import_contacts(api: Any) -> None:
    lines = ["unit_id,email,role", f"{PROVINCE},quantri@khanhhoa.gov.vn,admin"]
    for unit, addresses in CONTACTS.items():
        lines += [f"{unit},{a},{'head' if 'lanhdao' in a else 'clerk'}" for a in addresses]
    r = api.request(
        "POST", "/admin/units", headers={"Content-Type": "text/csv"}, raw="\n".join(lines).encode()
    )
    assert r.status_code == 200, r.body


def run_job(api: Any) -> dict[str, Any]:
    r = api.post("/admin/jobs/notifications")
    assert r.status_code in (200, 202), r.body
    result = body(r)
    return dict(result.get("result") or result)


@pytest.fixture(autouse=True)
def captured(setting: Any, tmp_path: Path) -> None:
    """Bodies kept in the ledger (as locally), so every status mail's words are scanned."""
    setting("MAIL_CAPTURE_DIR", str(tmp_path / "mail"))
    setting("MAIL_SEND_RATE", "1000")


# Free text typed by people in these tests: never in a mail.
REVIEW_REASON = "Thiếu xác nhận của Ban Thi đua quận Hải Châu"
APPRAISAL_REASON = "Biên bản họp thiếu chữ ký chủ tọa"
INITIATIVE_REASON = "Số liệu tiết kiệm giấy chưa kiểm chứng"
TYPED = (REVIEW_REASON, APPRAISAL_REASON, INITIATIVE_REASON)


def status_mails() -> Counter[tuple[str, str, str, str]]:
    """(about, action, unit, recipient) of every status mail in the ledger, counted; each
    one's subject and bodies scanned: no official's name, no secret-document word, no
    text a person typed (a reason)."""
    names = [o["full_name"] for o in OFFICIALS] + [m["full_name"] for m in MEMBERS]
    out: Counter[tuple[str, str, str, str]] = Counter()
    for record in mail_store.all_records():
        if record.kind != rules.KIND_STATUS:
            continue
        assert record.status == rules.SENT, record
        assert record.text and record.html
        for words in (record.subject, record.text, record.html):
            assert rules.forbidden_words_in(words, [*names, *TYPED]) == [], words
        _, about, _, action, *_ = record.key.split("#")
        out[(about, action, record.unit_id or "", record.recipient)] += 1
    return out


def expected(about: str, changes: dict[str, list[str]]) -> Counter[tuple[str, str, str, str]]:
    """One mail per change and contact of the unit concerned."""
    return Counter(
        {
            (about, action, unit, address): 1
            for unit, actions in changes.items()
            for action in actions
            for address in CONTACTS[unit]
        }
    )


def test_nominations_returned_approved_and_rejected_by_review(api):
    setup(api)
    import_contacts(api)
    token = officer(api, DEPARTMENT)
    decisions = {
        "approve": submitted(api, token, nominee_unit_id=DEPARTMENT),
        "reject": submitted(api, token, nominee_unit_id=DIVISION),
        "return": submitted(api, token, kind="individual", nominee_official_id="cb-002"),
    }
    for decision, nomination in decisions.items():
        payload = {
            "decision": decision,
            **({} if decision == "approve" else {"reason": REVIEW_REASON}),
        }
        r = api.post(
            f"/nominations/{nomination['nomination_id']}/review", payload, token=reviewer(api)
        )
        assert r.status_code == 200, r.body
    with clock.frozen(BEFORE_DEADLINE):
        first = run_job(api)
        again = run_job(api)
    assert status_mails() == expected(
        "nomination", {DEPARTMENT: ["approved", "rejected", "returned"]}
    )
    assert first["counts"]["status"] == 6
    assert "status" not in again["counts"]


def test_nominations_returned_appraised_and_decided_by_the_council(api, monkeypatch):
    ids = setup_council(
        api, monkeypatch, members=3, collectives=(DEPARTMENT, COMMUNE), individuals=()
    )
    # A third dossier, returned by the appraisal (submitted, not eligible).
    from tests.council import CAMPAIGN_ID
    from tests.nominations import attach, complete_dossier, created

    returned = created(api, campaign=CAMPAIGN_ID, nominee_unit_id=OTHER_DEPARTMENT)
    nid = returned["nomination_id"]
    complete_dossier(api, nid)
    attach(api, nid, category="bien_ban", filename="Biên bản.pdf")
    assert api.post(f"/nominations/{nid}/submit").status_code == 200
    r = api.post(
        f"/nominations/{nid}/appraisal",
        {"outcome": "return", "reason": APPRAISAL_REASON},
        token=reviewer(api),
    )
    assert r.status_code == 200, r.body
    import_contacts(api)
    meeting = create_meeting(api)
    mid = meeting["meeting_id"]
    assert attend(api, mid, [0, 1, 2]).status_code == 200
    assert step(api, mid, "open").status_code == 200
    choices = {**all_(meeting["ballot_nominees"]), ids[COMMUNE]: "disagree"}
    for i in range(3):
        assert vote(api, mid, i, choices).status_code == 201
    assert step(api, mid, "close").status_code == 200
    assert body(api.get(f"/nominations/{ids[DEPARTMENT]}"))["status"] == "approved"
    assert body(api.get(f"/nominations/{ids[COMMUNE]}"))["status"] == "rejected"
    with clock.frozen(BEFORE_DEADLINE):
        first = run_job(api)
        again = run_job(api)
    assert status_mails() == expected(
        "nomination",
        {
            DEPARTMENT: ["appraised", "council_approved"],
            COMMUNE: ["appraised", "council_rejected"],
            OTHER_DEPARTMENT: ["returned"],
        },
    )
    assert first["counts"]["status"] == 7
    assert "status" not in again["counts"]


def test_initiatives_returned_recognised_and_not_recognised(api):
    from tests.factories import load_registry
    from tests.initiatives import CAMPAIGN, give, member, set_council
    from tests.initiatives import submitted as initiative

    load_registry(api)
    set_council(api, share=2 / 3, denominator="scored", pass_score=50)
    import_contacts(api)
    with clock.frozen(BEFORE_DEADLINE):
        good = initiative(api)["initiative_id"]
        weak = initiative(api, title="Sổ tay điện tử")["initiative_id"]
        back = initiative(api, title="Lịch họp điện tử")["initiative_id"]
        r = api.post(
            f"/initiatives/{back}/return", {"reason": INITIATIVE_REASON}, token=member(api, "hd-2")
        )
        assert r.status_code == 200, r.body
        for sub in ("hd-0", "hd-2", "hd-4"):
            assert give(api, good, sub, 20, 20, 30).status_code == 200
            assert give(api, weak, sub, 5, 5, 5).status_code == 200
        r = api.post(f"/campaigns/{CAMPAIGN}/initiatives/assessment/close")
        assert r.status_code == 200, r.body
        outcomes = {i["initiative_id"]: i["outcome"] for i in body(r)["items"]}
        assert outcomes == {good: "recognised", weak: "not_recognised"}
        first = run_job(api)
        again = run_job(api)
    assert status_mails() == expected(
        "initiative", {DEPARTMENT: ["returned", "recognised", "not_recognised"]}
    )
    assert first["counts"]["status"] == 6
    assert "status" not in again["counts"]
