"""The appraisal under award_procedure council: the checklist, what is missing, holds
(409 on_hold, hold after appraisal back to submitted), separation of duties, one nomination
per nominee and campaign; the review procedure unchanged."""

from __future__ import annotations

import pytest

from tests.conftest import body
from tests.factories import CAMPAIGN, COMMUNE, DEPARTMENT
from tests.nominations import attach, audit_actions, created, officer, reviewer, setup

FULL = (
    ("to_trinh", "Tờ trình.pdf"),
    ("bao_cao_thanh_tich", "Báo cáo.pdf"),
    ("bien_ban", "Biên bản.pdf"),
)


def council_campaign(api, **fields):
    r = api.post("/admin/campaigns", {**CAMPAIGN, "award_procedure": "council", **fields})
    assert r.status_code == 201, r.body


def submitted(api, categories=FULL, **fields):
    token = officer(api, DEPARTMENT)
    nid = created(api, token, **fields)["nomination_id"]
    for category, name in categories:
        assert (
            attach(api, nid, token=token, category=category, filename=name)["status"] == "verified"
        )
    r = api.post(f"/nominations/{nid}/submit", token=token)
    assert r.status_code == 200, r.body
    return nid


def appraise(api, nid, outcome, reason=None, token=None):
    payload = {"outcome": outcome, **({"reason": reason} if reason else {})}
    return api.post(f"/nominations/{nid}/appraisal", payload, token=token or reviewer(api))


@pytest.fixture
def council(api):
    setup(api)
    council_campaign(api)
    return api


def test_eligible_with_a_complete_dossier(council):
    api = council
    nid = submitted(api)
    state = body(api.get(f"/nominations/{nid}/appraisal", token=reviewer(api)))
    assert state["missing"] == [] and state["holds"] == []
    assert [c["category"] for c in state["checklist"]] == [
        "to_trinh",
        "bao_cao_thanh_tich",
        "bien_ban",
    ]
    r = appraise(api, nid, "eligible")
    assert r.status_code == 200, r.body
    out = body(r)
    assert out["status"] == "eligible"
    assert out["appraisal"]["outcome"] == "eligible"
    assert out["appraisal"]["by"]["sub"] == "reviewer-1"
    assert audit_actions(api, nid)[-1] == "appraised"
    # Once appraised, not again; and the single-reviewer review is not this campaign's way.
    assert appraise(api, nid, "not_eligible", "x").status_code == 409
    r = api.post(f"/nominations/{nid}/review", {"decision": "approve"}, token=reviewer(api))
    assert r.status_code == 409
    assert body(r)["error"]["code"] == "council_procedure"


def test_an_incomplete_dossier_cannot_be_eligible(council):
    api = council
    nid = submitted(api, categories=FULL[:2])  # no biên bản họp xét
    assert body(api.get(f"/nominations/{nid}/appraisal", token=reviewer(api)))["missing"] == [
        "bien_ban"
    ]
    r = appraise(api, nid, "eligible")
    assert r.status_code == 409
    assert body(r)["error"]["code"] == "dossier_incomplete"
    assert body(r)["error"]["details"][0]["missing"] == ["bien_ban"]
    r = appraise(api, nid, "not_eligible", "Thiếu biên bản họp xét")
    assert r.status_code == 200, r.body
    assert body(r)["status"] == "not_eligible"
    assert body(r)["appraisal"]["missing"] == ["bien_ban"]


def test_the_checklist_is_campaign_data(api):
    setup(api)
    council_campaign(api, dossier_requirements={"collective": ["to_trinh"], "individual": []})
    nid = submitted(api, categories=FULL[:2])
    assert appraise(api, nid, "eligible").status_code == 200


def test_return_sends_back_to_draft_with_reason(council):
    api = council
    nid = submitted(api)
    assert appraise(api, nid, "return").status_code == 400  # a reason is needed
    r = appraise(api, nid, "return", "Bổ sung số liệu")
    assert r.status_code == 200, r.body
    assert body(r)["status"] == "draft"
    assert body(r)["return_reason"] == "Bổ sung số liệu"


def test_separation_of_duties(council):
    api = council
    author = api.make_token("province_admin", sub="admin-author")
    nid = created(api, author)["nomination_id"]
    for category, name in FULL:
        attach(api, nid, token=author, category=category, filename=name)
    assert api.post(f"/nominations/{nid}/submit", token=author).status_code == 200
    r = appraise(api, nid, "eligible", token=author)
    assert r.status_code == 403
    assert body(r)["error"]["code"] == "separation_of_duties"
    assert appraise(api, nid, "eligible").status_code == 200


def test_only_reviewers_appraise(council):
    api = council
    nid = submitted(api)
    for token in (
        officer(api, DEPARTMENT),
        api.make_token("viewer"),
        api.make_token("council_member", sub="m"),
    ):
        assert appraise(api, nid, "eligible", token=token).status_code == 403


def test_review_procedure_has_no_appraisal(api):
    setup(api)
    nid = submitted(api)
    r = appraise(api, nid, "eligible")
    assert r.status_code == 409
    assert body(r)["error"]["code"] == "review_procedure"


def test_a_held_nominee_cannot_be_eligible_and_a_later_hold_puts_back(council):
    api = council
    held = submitted(api)  # collective: DEPARTMENT
    r = api.post(
        "/admin/holds",
        {
            "subject": {"unit_id": DEPARTMENT},
            "kind": "inspection",
            "reason": "Thanh tra công vụ",
            "from": "2025-08-01",
        },
    )
    assert r.status_code == 201, r.body
    hold = body(r)
    assert hold["active"] is True and hold["subject_name"] == "Sở Nội vụ"
    state = body(api.get(f"/nominations/{held}/appraisal", token=reviewer(api)))
    assert [h["hold_id"] for h in state["holds"]] == [hold["hold_id"]]
    r = appraise(api, held, "eligible")
    assert r.status_code == 409
    error = body(r)["error"]
    assert error["code"] == "on_hold"
    assert hold["hold_id"] in error["message"]
    # Lifted: the record stays, the nominee may be appraised.
    assert api.delete(f"/admin/holds/{hold['hold_id']}").status_code == 204
    assert api.delete(f"/admin/holds/{hold['hold_id']}").status_code == 409
    listed = body(api.get("/admin/holds"))["items"]
    assert listed[0]["lifted_at"] is not None and listed[0]["active"] is False
    assert appraise(api, held, "eligible").status_code == 200
    # A hold recorded after the appraisal puts it back to submitted, with a note.
    r = api.post(
        "/admin/holds",
        {
            "subject": {"unit_id": DEPARTMENT},
            "kind": "complaint",
            "reason": "Đơn khiếu nại",
            "from": "2025-08-18",
        },
    )
    assert body(r)["held_back"] == [held]
    assert body(api.get(f"/nominations/{held}"))["status"] == "submitted"
    assert audit_actions(api, held)[-1] == "held_back"


def test_an_officials_hold_bars_their_individual_nomination_only(council):
    api = council
    r = api.post(
        "/admin/holds",
        {
            "subject": {"official_id": "cb-001"},
            "kind": "discipline",
            "reason": "Xem xét kỷ luật",
            "from": "2025-01-01",
            "to": "2025-12-31",
        },
    )
    assert r.status_code == 201, r.body
    individual = submitted(api, kind="individual", nominee_official_id="cb-001")
    collective = submitted(api)
    assert body(appraise(api, individual, "eligible"))["error"]["code"] == "on_hold"
    assert appraise(api, collective, "eligible").status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"subject": {}, "kind": "audit", "reason": "x", "from": "2025-01-01"},
        {
            "subject": {"unit_id": DEPARTMENT, "official_id": "cb-001"},
            "kind": "audit",
            "reason": "x",
            "from": "2025-01-01",
        },
        {"subject": {"unit_id": "nope"}, "kind": "audit", "reason": "x", "from": "2025-01-01"},
        {"subject": {"unit_id": DEPARTMENT}, "kind": "gossip", "reason": "x", "from": "2025-01-01"},
        {"subject": {"unit_id": DEPARTMENT}, "kind": "audit", "reason": " ", "from": "2025-01-01"},
        {
            "subject": {"unit_id": DEPARTMENT},
            "kind": "audit",
            "reason": "x",
            "from": "2025-02-01",
            "to": "2025-01-01",
        },
    ],
)
def test_invalid_holds_are_refused(council, payload):
    assert council.post("/admin/holds", payload).status_code == 400


def test_holds_are_admin_only(council):
    api = council
    for token in (reviewer(api), officer(api, COMMUNE)):
        assert api.get("/admin/holds", token=token).status_code == 403
    assert api.delete("/admin/holds/" + "0" * 32).status_code == 404


def test_a_nominee_is_nominated_once_per_council_campaign(council):
    api = council
    first = created(api, officer(api, DEPARTMENT))
    r = api.post(
        "/campaigns/kh-2025/nominations",
        {"kind": "collective", "nominee_unit_id": DEPARTMENT, "summary": "Lần hai"},
    )
    assert r.status_code == 409
    assert body(r)["error"]["code"] == "already_nominated"
    assert first["nomination_id"] in body(r)["error"]["message"]


def test_review_campaigns_still_nominate_freely(api):
    setup(api)
    created(api)
    created(api)
