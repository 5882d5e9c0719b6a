"""Nominations over the API: the workflow, its states, text, deadlines and the audit trail."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from tests.conftest import body
from tests.factories import COMMUNE, DEPARTMENT, DIVISION, OTHER_DEPARTMENT
from tests.nominations import (
    BEFORE_DEADLINE,
    attach,
    audit_actions,
    complete_dossier,
    create,
    created,
    freeze,
    officer,
    pdf,
    reviewer,
    setup,
    submitted,
)

ISO_UTC = "%Y-%m-%dT%H:%M:%S"


def test_whole_workflow_over_the_api(api):
    setup(api)
    token = officer(api, DEPARTMENT, sub="van-thu-so-noi-vu")
    nomination = created(
        api, token, nominee_unit_id=DIVISION, creativity="Sáng kiến “họp không giấy”"
    )
    nid = nomination["nomination_id"]
    assert nomination["status"] == "draft"
    assert nomination["unit_id"] == DEPARTMENT  # the caller's unit nominates
    assert nomination["nominee"] == {
        "unit_id": DIVISION,
        "official_id": None,
        "name": "Phòng Tổ chức biên chế",
        "level": "division",
        "position": None,
    }
    assert nomination["created_by"] == {
        "sub": "van-thu-so-noi-vu",
        "role": "unit_officer",
        "unit_id": DEPARTMENT,
    }
    assert nomination["evidence"] is None
    assert nomination["nominee_rank"]["of"] >= 1

    r = api.patch(f"/nominations/{nid}", {"summary": "Thành tích đã bổ sung"}, token=token)
    assert r.status_code == 200, r.body
    assert body(r)["summary"] == "Thành tích đã bổ sung"

    complete_dossier(api, nid, token)
    r = api.post(f"/nominations/{nid}/submit", token=token)
    assert r.status_code == 200, r.body
    got = body(r)
    assert got["status"] == "submitted"
    assert got["submitted_at"].startswith("2025-08-18T03:00:00")
    evidence = got["evidence"]
    assert evidence["kind"] == "collective" and evidence["unit_id"] == DIVISION
    assert (evidence["from"], evidence["to"]) == ("2025-07-15", "2025-08-15")
    assert "as_of" in evidence and "metrics" in evidence and "score" in evidence
    assert evidence["rank"]["of"] == got["nominee_rank"]["of"]

    r = api.post(
        f"/nominations/{nid}/review",
        {"decision": "approve", "reason": "Đủ điều kiện"},
        token=reviewer(api),
    )
    assert r.status_code == 200, r.body
    decided = body(r)
    assert decided["status"] == "approved"
    assert decided["review"]["decision"] == "approve"
    assert decided["review"]["by"] == {"sub": "reviewer-1", "role": "reviewer", "unit_id": None}

    assert audit_actions(api, nid) == [
        "created",
        "edited",
        "file_added",
        "file_verified",
        "file_added",
        "file_verified",
        "submitted",
        "approved",
    ]
    # The officer still reads it; the viewer too.
    assert api.get(f"/nominations/{nid}", token=token).status_code == 200
    assert api.get(f"/nominations/{nid}", token=api.make_token("viewer")).status_code == 200


def test_individual_nomination_of_an_official_in_a_sub_unit(api):
    setup(api)
    token = officer(api, DEPARTMENT)
    nomination = created(api, token, kind="individual", nominee_official_id="cb-003")
    assert nomination["nominee"] == {
        "unit_id": DIVISION,
        "official_id": "cb-003",
        "name": "Lê Minh Châu",
        "level": None,
        "position": "Chuyên viên",
    }
    complete_dossier(api, nomination["nomination_id"], token)
    r = api.post(f"/nominations/{nomination['nomination_id']}/submit", token=token)
    assert r.status_code == 200, r.body
    evidence = body(r)["evidence"]
    assert evidence["kind"] == "individual" and evidence["official_id"] == "cb-003"
    assert {"processed_total", "online_rate", "on_time_rate", "digital_signatures"} <= set(evidence)


def test_vietnamese_text_is_kept_exactly(api):
    setup(api)
    nfc = "Đơn vị đạt 100% văn bản ký số; “Ngày không in giấy” 🌿\nDòng hai\ttab  "
    nfd = unicodedata.normalize("NFD", "Sáng kiến: số hóa quy trình")
    assert nfd != unicodedata.normalize("NFC", nfd)
    nomination = created(api, summary=nfc, creativity=nfd)
    nid = nomination["nomination_id"]
    assert (nomination["summary"], nomination["creativity"]) == (nfc, nfd)
    got = body(api.get(f"/nominations/{nid}"))
    assert (got["summary"], got["creativity"]) == (nfc, nfd)
    listed = body(api.get("/campaigns/kh-2025/nominations"))["items"][0]
    assert (listed["summary"], listed["creativity"]) == (nfc, nfd)
    edited = "  Thành tích: ữ ỹ ặ ẫ — “trích dẫn”  "
    assert body(api.patch(f"/nominations/{nid}", {"summary": edited}))["summary"] == edited
    trail = body(api.get(f"/nominations/{nid}/audit"))["items"]
    assert trail[0]["details"]["summary"] == nfc
    assert trail[1]["details"]["changes"]["summary"] == {"from": nfc, "to": edited}


CREATE_ERRORS = [
    ({"summary": "x" * 8001}, "summary", "8000"),
    ({"summary": "   \n "}, "summary", "blank"),
    ({"creativity": "ý" * 8001}, "creativity", "8000"),
    ({"summary": "\ud800 lỗi"}, "summary", "unicode"),
    ({"kind": "team"}, "kind", "collective"),
    ({"nominee_unit_id": "bad id!"}, "nominee_unit_id", "pattern"),
    ({"nominee_official_id": "cb-001"}, "(body)", "no official"),
    ({"kind": "individual", "nominee_unit_id": None}, "(body)", "nominee_official_id"),
    ({"colour": "red"}, "colour", "Extra"),
]


def test_create_validation_is_a_clear_400(api):
    setup(api)
    for payload, field, fragment in CREATE_ERRORS:
        body_in = {"kind": "collective", "nominee_unit_id": DEPARTMENT, "summary": "Tốt", **payload}
        r = api.post("/campaigns/kh-2025/nominations", body_in)
        assert r.status_code == 400, (payload, r.body)
        details = body(r)["error"]["details"]
        assert any(d["field"] == field and fragment in d["message"] for d in details), details
    # Exactly at the limits is fine.
    assert created(api, summary="x" * 8000, creativity="ý" * 8000)["summary"] == "x" * 8000
    assert body(api.get("/campaigns/kh-2025/nominations"))["items"][0]["creativity"] == "ý" * 8000


def test_patch_and_review_validation(api):
    setup(api)
    nid = created(api)["nomination_id"]
    r = api.patch(f"/nominations/{nid}", {})
    assert r.status_code == 400
    assert "at least one" in body(r)["error"]["details"][0]["message"]
    r = api.patch(f"/nominations/{nid}", {"summary": "y" * 8001})
    assert r.status_code == 400 and body(r)["error"]["details"][0]["field"] == "summary"
    r = api.patch(f"/nominations/{nid}", {"status": "approved"})
    assert r.status_code == 400 and body(r)["error"]["details"][0]["field"] == "status"
    r = api.post(f"/nominations/{nid}/review", {"decision": "return"})
    assert (
        r.status_code == 400 and "reason is required" in body(r)["error"]["details"][0]["message"]
    )
    r = api.post(f"/nominations/{nid}/review", {"decision": "reject", "reason": "x" * 2001})
    assert r.status_code == 400 and body(r)["error"]["details"][0]["field"] == "reason"
    r = api.post(f"/nominations/{nid}/review", {"decision": "maybe"})
    assert r.status_code == 400


def test_who_may_nominate_whom(api):
    setup(api)
    token = officer(api, DEPARTMENT)
    # Outside the officer's unit: 403; unknown: 404.
    assert create(api, token, nominee_unit_id=COMMUNE).status_code == 403
    assert create(api, token, kind="individual", nominee_official_id="cb-004").status_code == 403
    assert create(api, token, nominee_unit_id="ghost").status_code == 404
    assert create(api, token, kind="individual", nominee_official_id="ghost").status_code == 404
    assert create(api, token, campaign="ghost").status_code == 404
    # The nomination belongs to the officer's unit, whatever the body says.
    r = create(api, token, nominee_unit_id=DIVISION, unit_id=DIVISION)
    assert r.status_code == 403
    # A division officer cannot nominate its parent department.
    assert create(api, officer(api, DIVISION), nominee_unit_id=DEPARTMENT).status_code == 403
    # Province level is the awarding body; inactive officials are not nominated.
    r = create(api, nominee_unit_id="000.00.00.H34")
    assert r.status_code == 400 and "cannot be nominated" in r.body.decode()
    r = create(api, kind="individual", nominee_official_id="cb-005")
    assert r.status_code == 400 and "not active" in r.body.decode()
    # A province admin names the nominating unit; the nominee must be within it.
    r = create(api, nominee_unit_id=DIVISION, unit_id=COMMUNE)
    assert r.status_code == 400 and body(r)["error"]["details"][0]["field"] == "unit_id"
    assert created(api, nominee_unit_id=DIVISION)["unit_id"] == DIVISION
    assert created(api, nominee_unit_id=DIVISION, unit_id=DEPARTMENT)["unit_id"] == DEPARTMENT
    # Reviewers and viewers do not nominate.
    for role in ("reviewer", "viewer"):
        r = create(api, api.make_token(role))
        assert r.status_code == 403, role


def test_roles_on_each_action(api):
    setup(api)
    nid = submitted(api, officer(api, DEPARTMENT))["nomination_id"]
    viewer, officer_token = api.make_token("viewer"), officer(api, DEPARTMENT)
    for token in (viewer, officer_token):
        r = api.post(f"/nominations/{nid}/review", {"decision": "approve"}, token=token)
        assert r.status_code == 403
        assert body(r)["error"]["code"] == "forbidden"
    draft = created(api)["nomination_id"]
    for token in (viewer, reviewer(api)):
        assert api.patch(f"/nominations/{draft}", {"summary": "x"}, token=token).status_code == 403
        assert api.post(f"/nominations/{draft}/submit", token=token).status_code == 403
        r = api.post(
            f"/nominations/{draft}/files",
            {
                "filename": "a.pdf",
                "content_type": "application/pdf",
                "size": 10,
                "category": "other",
            },
            token=token,
        )
        assert r.status_code == 403
        for path in ("", "/files", "/audit"):
            assert api.get(f"/nominations/{draft}{path}", token=token).status_code == 200


def _conflict(r, status):
    assert r.status_code == 409, r.body
    err = body(r)["error"]
    assert err["details"][0]["status"] == status, err
    assert repr(status) in err["message"] or status in err["message"], err
    return err


def test_invalid_transitions_are_409_with_the_current_state(api):
    setup(api)
    nid = submitted(api)["nomination_id"]
    err = _conflict(api.post(f"/nominations/{nid}/submit"), "submitted")
    assert err["code"] == "conflict" and err["details"][0]["allowed_from"] == ["draft"]
    _conflict(api.patch(f"/nominations/{nid}", {"summary": "muộn"}), "submitted")
    r = api.post(
        f"/nominations/{nid}/files",
        {"filename": "a.pdf", "content_type": "application/pdf", "size": 10, "category": "other"},
    )
    _conflict(r, "submitted")
    file_id = body(api.get(f"/nominations/{nid}/files"))["items"][0]["file_id"]
    _conflict(api.delete(f"/nominations/{nid}/files/{file_id}"), "submitted")
    r = api.post(
        f"/nominations/{nid}/review", {"decision": "reject", "reason": "Thiếu"}, token=reviewer(api)
    )
    assert r.status_code == 200, r.body
    for decision in ("approve", "reject"):
        _conflict(
            api.post(f"/nominations/{nid}/review", {"decision": decision, "reason": "x"}),
            "rejected",
        )
    _conflict(
        api.post(f"/nominations/{nid}/review", {"decision": "return", "reason": "x"}), "rejected"
    )
    draft = created(api)["nomination_id"]
    err = _conflict(api.post(f"/nominations/{draft}/review", {"decision": "approve"}), "draft")
    assert err["details"][0]["allowed_from"] == ["submitted"]


def test_return_sends_back_to_draft_with_reason(api):
    setup(api)
    token = officer(api, COMMUNE)
    nid = submitted(api, token, nominee_unit_id=COMMUNE)["nomination_id"]
    r = api.post(
        f"/nominations/{nid}/review",
        {"decision": "return", "reason": "Bổ sung biên bản họp xét"},
        token=reviewer(api),
    )
    assert r.status_code == 200, r.body
    got = body(r)
    assert got["status"] == "draft"
    assert got["return_reason"] == "Bổ sung biên bản họp xét"
    attach(api, nid, token=token, category="bien_ban", filename="Biên bản họp xét.pdf")
    assert (
        api.patch(f"/nominations/{nid}", {"creativity": "Đã bổ sung"}, token=token).status_code
        == 200
    )
    freeze(BEFORE_DEADLINE + dt.timedelta(days=1))
    r = api.post(f"/nominations/{nid}/submit", token=token)
    assert r.status_code == 200, r.body
    again = body(r)
    assert again["status"] == "submitted" and again["return_reason"] is None
    assert again["submitted_at"].startswith("2025-08-19")
    trail = body(api.get(f"/nominations/{nid}/audit"))["items"]
    returned = next(a for a in trail if a["action"] == "returned")
    assert (returned["from_status"], returned["to_status"]) == ("submitted", "draft")
    assert returned["details"]["reason"] == "Bổ sung biên bản họp xét"
    assert [a["action"] for a in trail].count("submitted") == 2


def test_submit_needs_a_verified_to_trinh_and_bao_cao(api):
    setup(api)
    nid = created(api)["nomination_id"]
    r = api.post(f"/nominations/{nid}/submit")
    err = _conflict(r, "draft")
    assert err["code"] == "dossier_incomplete"
    assert err["details"][0]["missing"] == ["to_trinh", "bao_cao_thanh_tich"]
    attach(api, nid, category="to_trinh")
    rejected = attach(api, nid, category="bao_cao_thanh_tich", data=b"<html>not a pdf</html>")
    assert rejected["status"] == "rejected"
    err = _conflict(api.post(f"/nominations/{nid}/submit"), "draft")
    assert err["details"][0]["missing"] == ["bao_cao_thanh_tich"]
    # A pending file (uploaded, not yet verified) does not count either.
    from tests.nominations import ticket

    ticket(api, nid, category="bao_cao_thanh_tich")
    assert api.post(f"/nominations/{nid}/submit").status_code == 409
    attach(api, nid, category="bao_cao_thanh_tich")
    assert api.post(f"/nominations/{nid}/submit").status_code == 200


# kh-2025's nomination deadline is 2025-08-20, Asia/Ho_Chi_Minh (UTC+7): the first
# refused instant is 2025-08-21 00:00 local = 2025-08-20 17:00 UTC.
CLOSE = dt.datetime(2025, 8, 20, 17, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (CLOSE - dt.timedelta(seconds=1), 200),
        (CLOSE, 409),
        (CLOSE + dt.timedelta(seconds=1), 409),
    ],
    ids=["23:59:59 local", "00:00:00 local next day", "00:00:01 local next day"],
)
def test_deadline_edges(api, moment, status):
    setup(api)
    nid = created(api)["nomination_id"]
    complete_dossier(api, nid)
    freeze(moment)
    r = api.post(f"/nominations/{nid}/submit")
    assert r.status_code == status, r.body
    if status == 409:
        err = _conflict(r, "draft")
        assert err["code"] == "deadline_passed"
        assert err["details"][0]["closed_at"] == "2025-08-21T00:00:00+07:00"
        assert err["details"][0]["nomination_deadline"] == "2025-08-20"
        assert body(api.get(f"/nominations/{nid}"))["status"] == "draft"
    else:
        assert body(r)["status"] == "submitted"


def test_deadline_follows_the_province_time_zone(api, setting):
    """CAMPAIGN_TIMEZONE dates the deadlines as it dates the figures."""
    from tests.factories import CAMPAIGN

    setup(api)
    setting("CAMPAIGN_TIMEZONE", "UTC")
    utc_campaign = {**CAMPAIGN, "campaign_id": "utc-2025", "timezone": "UTC"}
    assert api.post("/admin/campaigns", utc_campaign).status_code == 201
    nid = created(api, campaign="utc-2025")["nomination_id"]
    complete_dossier(api, nid)
    freeze(CLOSE + dt.timedelta(hours=6))  # 2025-08-20 23:00 UTC: still open
    assert api.post(f"/nominations/{nid}/submit").status_code == 200


def test_audit_records_every_change(api):
    setup(api)
    token = officer(api, DEPARTMENT, sub="officer-7")
    nid = created(api, token)["nomination_id"]
    api.patch(f"/nominations/{nid}", {"creativity": "Sáng kiến mới"}, token=token)
    api.patch(f"/nominations/{nid}", {"creativity": "Sáng kiến mới"}, token=token)  # no change
    bad = attach(api, nid, token=token, category="other", data=b"MZ\x90\x00 not a pdf")
    assert bad["status"] == "rejected"
    assert api.delete(f"/nominations/{nid}/files/{bad['file_id']}", token=token).status_code == 204
    complete_dossier(api, nid, token)
    api.post(f"/nominations/{nid}/submit", token=token)
    api.post(
        f"/nominations/{nid}/review", {"decision": "return", "reason": "Sửa"}, token=reviewer(api)
    )
    api.post(f"/nominations/{nid}/submit", token=token)
    api.post(f"/nominations/{nid}/review", {"decision": "reject", "reason": "Không đạt"})
    trail = body(api.get(f"/nominations/{nid}/audit"))["items"]
    assert [a["action"] for a in trail] == [
        "created",
        "edited",
        "file_added",
        "file_rejected",
        "file_deleted",
        "file_added",
        "file_verified",
        "file_added",
        "file_verified",
        "submitted",
        "returned",
        "submitted",
        "rejected",
    ]
    states = [(a["from_status"], a["to_status"]) for a in trail]
    assert states[0] == (None, "draft")
    assert states[9:] == [
        ("draft", "submitted"),
        ("submitted", "draft"),
        ("draft", "submitted"),
        ("submitted", "rejected"),
    ]
    assert trail[0]["actor"] == {"sub": "officer-7", "role": "unit_officer", "unit_id": DEPARTMENT}
    assert trail[3]["actor"]["role"] == "system"
    assert "not a PDF" in trail[3]["details"]["reason"]
    assert trail[4]["details"]["file_id"] == bad["file_id"]
    assert trail[10]["actor"]["role"] == "reviewer"
    assert trail[12]["actor"]["role"] == "province_admin"
    for record in trail:
        assert record["at"].endswith("Z") and record["at"].startswith("2025-08-18T03:00:00")
    # Pagination walks the same records.
    seen, token_next = [], None
    while True:
        path = f"/nominations/{nid}/audit?limit=4" + (
            f"&next_token={token_next}" if token_next else ""
        )
        page = body(api.get(path))
        seen += [a["action"] for a in page["items"]]
        token_next = page["next_token"]
        if not token_next:
            break
    assert seen == [a["action"] for a in trail]
    # The trail has no write route.
    for method in ("DELETE", "PATCH", "PUT", "POST"):
        r = api.request(method, f"/nominations/{nid}/audit", {})
        assert r.status_code in (403, 404, 405), method
    assert api.get(f"/nominations/{nid}/audit?next_token=e30").status_code == 400


def test_audit_table_is_append_only_in_the_storage_layer():
    from chalicelib.storage.nominations import audit as store

    writers = [
        name
        for name in dir(store)
        if "audit" in name.lower() and callable(getattr(store, name)) and not name.startswith("_")
    ]
    # Readers (audit_page, audit_records, audit_records_since: the notifications job's
    # day of changes) and the one constructor of new records.
    assert sorted(writers) == [
        "NominationAuditModel",
        "audit_page",
        "audit_record",
        "audit_records",
        "audit_records_since",
    ]
    from pathlib import Path

    source = Path(store.__file__).read_text(encoding="utf-8")
    assert "NominationAuditModel.seq.does_not_exist()" in source


def test_list_is_scoped_filtered_and_paginated(api):
    setup(api)
    dept = officer(api, DEPARTMENT)
    ids = {
        "dept": created(api, dept)["nomination_id"],
        "div": created(api, officer(api, DIVISION), nominee_unit_id=DIVISION)["nomination_id"],
        "dept_ind": created(api, dept, kind="individual", nominee_official_id="cb-002")[
            "nomination_id"
        ],
        "commune": created(api, officer(api, COMMUNE), nominee_unit_id=COMMUNE)["nomination_id"],
        "other": created(api, nominee_unit_id=OTHER_DEPARTMENT)["nomination_id"],
    }
    complete_dossier(api, ids["commune"])
    assert api.post(f"/nominations/{ids['commune']}/submit").status_code == 200

    def listed(query="", token="admin"):
        r = api.get(f"/campaigns/kh-2025/nominations{query}", token=token)
        assert r.status_code == 200, r.body
        return {i["nomination_id"] for i in body(r)["items"]}

    assert listed() == set(ids.values())
    assert listed(token=api.make_token("viewer")) == set(ids.values())
    assert listed(token=dept) == {ids["dept"], ids["div"], ids["dept_ind"]}
    assert listed(token=officer(api, DIVISION)) == {ids["div"]}
    assert listed(token=officer(api, COMMUNE)) == {ids["commune"]}
    assert listed("?status=submitted") == {ids["commune"]}
    assert listed("?kind=individual") == {ids["dept_ind"]}
    assert listed(f"?unit_id={DEPARTMENT}") == {ids["dept"], ids["dept_ind"]}
    assert listed(f"?unit_id={DIVISION}", token=dept) == {ids["div"]}
    assert listed("?status=draft&kind=collective", token=dept) == {ids["dept"], ids["div"]}
    assert (
        api.get(f"/campaigns/kh-2025/nominations?unit_id={COMMUNE}", token=dept).status_code == 403
    )
    assert api.get("/campaigns/kh-2025/nominations?unit_id=ghost").status_code == 404
    assert api.get("/campaigns/kh-2025/nominations?status=won").status_code == 400
    assert api.get("/campaigns/kh-2025/nominations?kind=team").status_code == 400
    assert api.get("/campaigns/ghost/nominations").status_code == 404
    assert api.get("/campaigns/kh-2025/nominations?next_token=e30").status_code == 400
    for token in ("admin", dept):
        seen, page_token = [], None
        while True:
            query = "?limit=2" + (f"&next_token={page_token}" if page_token else "")
            r = api.get(f"/campaigns/kh-2025/nominations{query}", token=token)
            page = body(r)
            assert len(page["items"]) <= 2
            seen += [i["nomination_id"] for i in page["items"]]
            page_token = page["next_token"]
            if not page_token:
                break
        assert len(seen) == len(set(seen)) == len(listed(token=token))
    # Creation order, oldest first, and every item shows the nominee's rank.
    items = body(api.get("/campaigns/kh-2025/nominations"))["items"]
    assert [i["created_at"] for i in items] == sorted(i["created_at"] for i in items)
    assert all(i["nominee_rank"] is not None for i in items)


ID_ROUTES = [
    ("GET", "/nominations/{id}", None),
    ("PATCH", "/nominations/{id}", {"summary": "Sửa trộm"}),
    ("GET", "/nominations/{id}/files", None),
    (
        "POST",
        "/nominations/{id}/files",
        {"filename": "a.pdf", "content_type": "application/pdf", "size": 10, "category": "other"},
    ),
    ("DELETE", "/nominations/{id}/files/{file}", None),
    ("POST", "/nominations/{id}/submit", None),
    ("POST", "/nominations/{id}/review", {"decision": "approve"}),
    ("GET", "/nominations/{id}/audit", None),
]


def test_unit_officer_cannot_touch_another_units_nomination(api):
    setup(api)
    theirs = created(api, officer(api, DEPARTMENT))["nomination_id"]
    file_id = attach(api, theirs, category="to_trinh")["file_id"]
    before = body(api.get(f"/nominations/{theirs}"))
    trail = audit_actions(api, theirs)
    intruders = [officer(api, u) for u in (OTHER_DEPARTMENT, COMMUNE, DIVISION)]
    for method, path, payload in ID_ROUTES:
        for intruder in intruders:
            r = api.request(method, path.format(id=theirs, file=file_id), payload, token=intruder)
            assert r.status_code == 403, (method, path, r.body)
            assert body(r)["error"]["code"] == "forbidden"
            # Unknown ids are 404 for everyone the route admits; the review route refuses
            # unit officers by its declared roles before any lookup.
            r = api.request(method, path.format(id="0" * 32, file=file_id), payload, token=intruder)
            expected = 403 if path.endswith("/review") else 404
            assert r.status_code == expected, (method, path, r.body)
    assert body(api.get(f"/nominations/{theirs}")) == before
    assert audit_actions(api, theirs) == trail
    assert len(body(api.get(f"/nominations/{theirs}/files"))["items"]) == 1


def test_a_file_id_of_another_nomination_is_404(api):
    setup(api)
    token = officer(api, DEPARTMENT)
    mine = created(api, token)["nomination_id"]
    other = created(api, token, nominee_unit_id=DIVISION)["nomination_id"]
    file_id = attach(api, other)["file_id"]
    r = api.delete(f"/nominations/{mine}/files/{file_id}", token=token)
    assert r.status_code == 404
    assert len(body(api.get(f"/nominations/{other}/files"))["items"]) == 1


def test_files_of_a_deleted_nomination_file_never_return(api):
    setup(api)
    nid = created(api)["nomination_id"]
    got = attach(api, nid, data=pdf("một"))
    assert api.delete(f"/nominations/{nid}/files/{got['file_id']}").status_code == 204
    assert api.delete(f"/nominations/{nid}/files/{got['file_id']}").status_code == 404
    assert body(api.get(f"/nominations/{nid}/files"))["items"] == []
    assert body(api.get(f"/nominations/{nid}"))["file_count"] == 0
