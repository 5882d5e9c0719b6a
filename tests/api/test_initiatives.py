"""Initiatives: registration, files through the nominations' upload path, submission,
scoring with recusal, the close by the council's rule, the audit trail, scoping."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib import clock
from tests.conftest import body
from tests.factories import COMMUNE, DEPARTMENT, DIVISION, load_registry
from tests.initiatives import (
    CAMPAIGN,
    attach_pdf,
    give,
    member,
    officer,
    payload,
    register,
    set_council,
    submitted,
)

BEFORE = dt.datetime(2025, 8, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def road(api):
    load_registry(api)
    set_council(api)
    with clock.frozen(BEFORE):
        yield api


def test_officer_registers_files_and_submits(road):
    api = road
    item = register(api)
    assert item["status"] == "draft"
    assert item["unit_id"] == DEPARTMENT
    assert [a["name"] for a in item["authors"]] == ["Lê Minh Châu", "Sở Nội vụ"]
    iid = item["initiative_id"]
    attach_pdf(api, iid)
    files = body(api.get(f"/initiatives/{iid}/files", token=officer(api)))
    assert files["initiative_id"] == iid
    assert [f["status"] for f in files["items"]] == ["verified"]
    assert files["items"][0]["download_url"]
    r = api.patch(f"/initiatives/{iid}", {"title": "Sổ công văn điện tử"}, token=officer(api))
    assert body(r)["title"] == "Sổ công văn điện tử"
    r = api.post(f"/initiatives/{iid}/submit", token=officer(api))
    assert r.status_code == 200, r.body
    assert body(r)["status"] == "submitted"
    # No more edits, files or submissions once submitted.
    assert api.patch(f"/initiatives/{iid}", {"title": "x"}, token=officer(api)).status_code == 409
    assert api.post(f"/initiatives/{iid}/submit", token=officer(api)).status_code == 409
    r = api.post(
        f"/initiatives/{iid}/files",
        {"filename": "a.pdf", "content_type": "application/pdf", "size": 10, "category": "other"},
        token=officer(api),
    )
    assert r.status_code == 409


def test_initiative_files_are_verified_like_nomination_files(road):
    """A file that is not what it says is rejected by the same check."""
    from tests.nominations import key_of, s3_event, upload

    api = road
    iid = register(api)["initiative_id"]
    r = api.post(
        f"/initiatives/{iid}/files",
        {"filename": "x.pdf", "content_type": "application/pdf", "size": 12, "category": "other"},
        token=officer(api),
    )
    issued = body(r)
    upload(issued, b"not a pdf!!!")
    outcome = s3_event(api, key_of(api, issued)).payload
    assert outcome["outcome"] == "rejected"
    assert "PDF" in outcome["reason"]
    # A nomination's files route does not see an initiative's file.
    assert api.get(f"/nominations/{iid}/files").status_code == 404
    fid = issued["file"]["file_id"]
    assert api.delete(f"/initiatives/{iid}/files/{fid}", token=officer(api)).status_code == 204
    assert body(api.get(f"/initiatives/{iid}"))["file_count"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"authors": [{"official_id": "cb-004"}]}, "authors.0.official_id"),  # another unit's
        ({"authors": [{"unit_id": COMMUNE}]}, "authors.0.unit_id"),
        ({"authors": [{"official_id": "cb-003"}, {"official_id": "cb-003"}]}, "authors"),
        ({"authors": []}, "authors"),
        ({"title": "   "}, "title"),
        ({"authors": [{"official_id": "cb-003", "unit_id": DEPARTMENT}]}, "authors.0"),
    ],
)
def test_invalid_registrations_are_refused(road, change, field):
    r = road.post(f"/campaigns/{CAMPAIGN}/initiatives", payload(**change), token=officer(road))
    assert r.status_code == 400, r.body
    assert field in r.body.decode()


def test_scoping_of_initiatives(road):
    api = road
    draft = register(api)
    sub = submitted(api, title="Ký số toàn bộ văn bản đi")
    division = register(api, officer(api, DIVISION), authors=[{"official_id": "cb-003"}])
    url = f"/campaigns/{CAMPAIGN}/initiatives"
    ids = lambda token: {i["initiative_id"] for i in body(api.get(url, token=token))["items"]}  # noqa: E731
    assert ids(officer(api)) == {
        draft["initiative_id"],
        sub["initiative_id"],
        division["initiative_id"],
    }
    assert ids(officer(api, DIVISION)) == {division["initiative_id"]}
    assert ids(officer(api, COMMUNE)) == set()
    assert ids(api.make_token("viewer")) == ids(officer(api))
    # A council member sees the submitted ones only, and only on their own council.
    assert ids(member(api, "hd-0")) == {sub["initiative_id"]}
    assert api.get(url, token=member(api, "nobody")).status_code == 403
    assert (
        api.get(f"/initiatives/{draft['initiative_id']}", token=member(api, "hd-0")).status_code
        == 404  # a draft does not exist for the council yet
    )
    assert (
        api.get(f"/initiatives/{draft['initiative_id']}", token=officer(api, COMMUNE)).status_code
        == 403
    )
    assert api.get("/initiatives/" + "0" * 32).status_code == 404


def test_recusal_author_and_author_unit(road):
    api = road
    iid = submitted(api)["initiative_id"]
    r = give(api, iid, "hd-1", 20, 20, 30)  # an author
    assert r.status_code == 403, r.body
    assert body(r)["error"]["code"] == "recused"
    assert body(r)["error"]["details"][0]["reason"] == "author"
    r = give(api, iid, "hd-3", 20, 20, 30)  # an officer of the collective author's unit
    assert body(r)["error"]["code"] == "recused"
    assert body(r)["error"]["details"][0]["reason"] == "author_unit"
    # The view tells each member why, instead of the form.
    seen = body(api.get(f"/initiatives/{iid}", token=member(api, "hd-1")))
    assert seen["recusal"]["reason"] == "author"
    assert body(api.get(f"/initiatives/{iid}", token=member(api, "hd-0")))["recusal"] is None
    # Not a member at all, or not a council_member token.
    assert body(give(api, iid, "nobody", 1, 1, 1))["error"]["code"] == "not_a_member"
    r = api.post(f"/initiatives/{iid}/scores", {"points": {}}, token=api.admin_token)
    assert r.status_code == 403


def test_scores_are_hidden_while_open_and_rescoring_replaces(road):
    api = road
    iid = submitted(api)["initiative_id"]
    assert give(api, iid, "hd-0", 10, 10, 10).status_code == 200
    r = give(api, iid, "hd-0", 25, 25, 35)
    assert r.status_code == 200, r.body
    assert body(r)["total"] == 85
    assert give(api, iid, "hd-4", 5, 5, 5).status_code == 200
    mine = body(api.get(f"/initiatives/{iid}/scores", token=member(api, "hd-0")))
    assert mine["open"] is True
    assert mine["count"] == 2
    assert [s["member_sub"] for s in mine["items"]] == ["hd-0"]
    assert mine["items"][0]["total"] == 85
    assert body(api.get(f"/initiatives/{iid}/scores", token=member(api, "hd-2")))["items"] == []
    admin = body(api.get(f"/initiatives/{iid}/scores"))
    assert admin["items"] == [] and admin["count"] == 2
    assert body(api.get(f"/initiatives/{iid}"))["scores_received"] == 2
    assert api.get(f"/initiatives/{iid}/scores", token=officer(api)).status_code == 403
    unit_view = body(api.get(f"/initiatives/{iid}", token=officer(api)))
    assert unit_view["my_score"] is None and unit_view["scores_received"] is None
    trail = body(api.get(f"/initiatives/{iid}/audit", token=officer(api)))["items"]
    scored = [a for a in trail if a["action"] == "scored"]
    assert len(scored) == 3 and all(a["details"] == {} for a in scored)


@pytest.mark.parametrize(
    "points",
    [
        {"novelty": 31, "applicability": 1, "effectiveness": 1},
        {"novelty": -1, "applicability": 1, "effectiveness": 1},
        {"novelty": 1, "applicability": 1},
        {"novelty": 1, "applicability": 1, "effectiveness": 1, "beauty": 1},
    ],
)
def test_points_must_fit_the_criteria(road, points):
    iid = submitted(road)["initiative_id"]
    r = road.post(f"/initiatives/{iid}/scores", {"points": points}, token=member(road, "hd-0"))
    assert r.status_code == 400, r.body


def test_close_recognises_by_two_thirds_of_all_members(road):
    api = road
    good = submitted(api, title="Sáng kiến tốt")["initiative_id"]
    weak = submitted(api, title="Sáng kiến yếu", authors=[{"official_id": "cb-003"}])[
        "initiative_id"
    ]
    # good: hd-0, hd-2, hd-4 score >= 50; hd-1 and hd-3 are recused: 3 of 5 < 2/3 of 5
    # would fail, so the council allows "scored" as denominator below; first the default.
    for sub in ("hd-0", "hd-2", "hd-4"):
        assert give(api, good, sub, 20, 20, 30).status_code == 200
    # weak (author cb-003 of DIVISION only): hd-3 may score it now.
    for sub, pts in (
        ("hd-0", (10, 10, 10)),
        ("hd-2", (25, 25, 30)),
        ("hd-3", (20, 20, 20)),
        ("hd-4", (5, 5, 5)),
    ):
        assert give(api, weak, sub, *pts).status_code == 200
    # Only the secretary or the province admin closes.
    r = api.post(f"/campaigns/{CAMPAIGN}/initiatives/assessment/close", token=member(api, "hd-0"))
    assert r.status_code == 403
    assert body(r)["error"]["code"] == "not_secretary"
    assert (
        api.post(
            f"/campaigns/{CAMPAIGN}/initiatives/assessment/close", token=officer(api)
        ).status_code
        == 403
    )
    r = api.post(f"/campaigns/{CAMPAIGN}/initiatives/assessment/close", token=member(api, "hd-2"))
    assert r.status_code == 200, r.body
    closed = body(r)
    outcomes = {i["initiative_id"]: i for i in closed["items"]}
    # good: 3 in favour of 5 members; 2/3 of 5 needs 4 -> not recognised.
    assert outcomes[good]["outcome"] == "not_recognised"
    assert outcomes[good]["assessment"]["required"] == 4
    assert outcomes[good]["assessment"]["in_favour"] == 3
    # weak: hd-2 (80) and hd-3 (60) in favour, 2 of 5 -> not recognised.
    assert outcomes[weak]["assessment"]["in_favour"] == 2
    assert closed["recognised"] == 0
    # Decided: the unit sees the averages; every score is shown to the council now.
    seen = body(api.get(f"/initiatives/{good}", token=officer(api)))
    assert seen["status"] == "not_recognised"
    assert seen["assessment"]["average"] == {
        "novelty": 20,
        "applicability": 20,
        "effectiveness": 30,
    }
    assert seen["assessment"]["average_total"] == 70
    all_scores = body(api.get(f"/initiatives/{good}/scores", token=member(api, "hd-0")))
    assert all_scores["open"] is False and len(all_scores["items"]) == 3
    assert give(api, good, "hd-0", 30, 30, 40).status_code == 409


def test_close_with_scored_denominator_recognises(road):
    api = road
    set_council(api, share=2 / 3, denominator="scored", pass_score=50)
    good = submitted(api)["initiative_id"]
    for sub in ("hd-0", "hd-2", "hd-4"):
        give(api, good, sub, 20, 20, 30)
    r = api.post(f"/campaigns/{CAMPAIGN}/initiatives/assessment/close")
    assert body(r)["items"][0]["outcome"] == "recognised"
    assert body(api.get(f"/initiatives/{good}"))["status"] == "recognised"
    trail = [a["action"] for a in body(api.get(f"/initiatives/{good}/audit"))["items"]]
    assert trail == [
        "created",
        "file_added",
        "file_verified",
        "submitted",
        "scored",
        "scored",
        "scored",
        "recognised",
    ]


def test_close_without_council_is_404(api):
    load_registry(api)
    r = api.post(f"/campaigns/{CAMPAIGN}/initiatives/assessment/close")
    assert r.status_code == 404
    assert body(r)["error"]["code"] == "no_council"


def test_return_and_resubmit(road):
    api = road
    iid = submitted(api)["initiative_id"]
    assert (
        api.post(
            f"/initiatives/{iid}/return", {"reason": "Bổ sung số liệu"}, token=officer(api)
        ).status_code
        == 403
    )
    assert (
        api.post(
            f"/initiatives/{iid}/return", {"reason": "Bổ sung"}, token=member(api, "hd-0")
        ).status_code
        == 403
    )
    assert api.post(f"/initiatives/{iid}/return", {"reason": " "}).status_code == 400
    r = api.post(
        f"/initiatives/{iid}/return", {"reason": "Bổ sung số liệu"}, token=member(api, "hd-2")
    )
    assert r.status_code == 200, r.body
    assert body(r)["status"] == "draft"
    assert body(r)["return_reason"] == "Bổ sung số liệu"
    assert api.post(f"/initiatives/{iid}/submit", token=officer(api)).status_code == 200
    assert body(api.get(f"/initiatives/{iid}"))["return_reason"] is None


def test_submission_after_the_initiative_deadline_is_refused(road):
    api = road
    campaign = body(api.get(f"/campaigns/{CAMPAIGN}"))
    api.post("/admin/campaigns", {**campaign, "initiative_deadline": "2025-07-31"})
    iid = register(api)["initiative_id"]
    r = api.post(f"/initiatives/{iid}/submit", token=officer(api))
    assert r.status_code == 409
    assert body(r)["error"]["code"] == "deadline_passed"
    # Until the end of the deadline day, local time.
    with clock.frozen(dt.datetime(2025, 7, 31, 16, 59, tzinfo=dt.UTC)):
        assert api.post(f"/initiatives/{iid}/submit", token=officer(api)).status_code == 200


def test_roles_that_may_not_register(road):
    for token in (road.make_token("viewer"), road.make_token("reviewer"), member(road, "hd-0")):
        r = road.post(f"/campaigns/{CAMPAIGN}/initiatives", payload(), token=token)
        assert r.status_code == 403
    r = road.post(f"/campaigns/{CAMPAIGN}/initiatives", payload())  # admin names no unit
    assert r.status_code == 400
    r = road.post(f"/campaigns/{CAMPAIGN}/initiatives", payload(unit_id=DEPARTMENT))
    assert r.status_code == 201
    r = road.post(
        f"/campaigns/{CAMPAIGN}/initiatives", payload(unit_id=COMMUNE), token=officer(road)
    )
    assert r.status_code == 403


def test_creativity_becomes_a_figure(road):
    """Recognised initiatives show in the unit's KPI, the candidates and a nomination's
    evidence snapshot."""
    from tests.nominations import complete_dossier, created

    api = road
    set_council(api, denominator="scored")
    good = submitted(api)["initiative_id"]
    submitted(api, title="Chưa được công nhận")
    for sub in ("hd-0", "hd-2", "hd-4"):
        give(api, good, sub, 20, 20, 30)
    api.post(f"/campaigns/{CAMPAIGN}/initiatives/assessment/close")
    kpi = body(api.get(f"/units/{DEPARTMENT}/kpi?campaign_id={CAMPAIGN}", token=officer(api)))
    assert kpi["creativity"]["initiatives_submitted"] == 2
    assert kpi["creativity"]["initiatives_recognised"] == 1
    assert [i["initiative_id"] for i in kpi["creativity"]["recognised"]] == [good]
    other = body(api.get(f"/units/{COMMUNE}/kpi?campaign_id={CAMPAIGN}"))
    assert other["creativity"]["initiatives_submitted"] == 0
    rows = body(api.get(f"/campaigns/{CAMPAIGN}/candidates?kind=collective"))["items"]
    mine = next(r for r in rows if r["unit_id"] == DEPARTMENT)
    assert (mine["initiatives_submitted"], mine["initiatives_recognised"]) == (2, 1)
    people = body(api.get(f"/campaigns/{CAMPAIGN}/candidates?kind=individual&limit=100"))["items"]
    author = next(r for r in people if r["official_id"] == "cb-003")
    assert author["initiatives_recognised"] == 1
    nid = created(api)["nomination_id"]
    complete_dossier(api, nid)
    evidence = body(api.post(f"/nominations/{nid}/submit"))["evidence"]
    assert evidence["creativity"]["initiatives_recognised"] == 1


def test_creativity_as_a_weighted_criterion(road):
    """Off by default: no figure moves. A campaign that weighs it (or names its target)
    assesses it: met with at least `targets.creativity` recognised initiatives (default 1)."""
    from tests.factories import CAMPAIGN as CAMPAIGN_DATA

    api = road
    set_council(api, denominator="scored")
    good = submitted(api)["initiative_id"]
    for sub in ("hd-0", "hd-2", "hd-4"):
        give(api, good, sub, 20, 20, 30)
    api.post(f"/campaigns/{CAMPAIGN}/initiatives/assessment/close")

    def kpi_of(unit_id: str) -> dict:
        return body(api.get(f"/units/{unit_id}/kpi?campaign_id={CAMPAIGN}"))

    def ranking() -> dict:
        items = body(api.get(f"/campaigns/{CAMPAIGN}/ranking?level=department"))["items"]
        return {i["unit_id"]: (i["rank"], i["score"], i["compliant"]) for i in items}

    off_dept, off_commune, off_ranking = kpi_of(DEPARTMENT), kpi_of(COMMUNE), ranking()
    assert "creativity" not in off_dept["compliance"]
    assert "creativity" not in off_dept["metrics"]
    assert off_dept["creativity"]["initiatives_recognised"] == 1  # the figure, shown anyway

    # Weighed 4 (the five standing criteria weigh 1 each): a department without any
    # document scores 0 on them, so its score is 100 x 4/9 with one recognised initiative.
    r = api.post("/admin/campaigns", {**CAMPAIGN_DATA, "weights": {"creativity": 4}})
    assert r.status_code == 201, r.body
    on_dept, on_commune = kpi_of(DEPARTMENT), kpi_of(COMMUNE)
    assert on_dept["metrics"]["creativity"] == 1
    assert on_dept["compliance"]["creativity"] is True
    assert on_dept["score"] == round(100 * (off_dept["score"] / 100 * 5 + 4) / 9, 2) == 44.44
    assert on_commune["metrics"]["creativity"] == 0
    assert on_commune["compliance"]["creativity"] is False
    assert on_commune["compliance"]["compliant"] is False
    assert on_commune["score"] == round(off_commune["score"] * 5 / 9, 2)
    on_ranking = ranking()
    assert on_ranking[DEPARTMENT][:2] == (1, 44.44)
    assert all(score == 0 for unit, (_, score, _) in on_ranking.items() if unit != DEPARTMENT)
    rows = body(api.get(f"/campaigns/{CAMPAIGN}/candidates?kind=collective"))["items"]
    assert next(r for r in rows if r["unit_id"] == DEPARTMENT)["score"] == 44.44

    # A target of 2 (no weight): compliance only; one recognised initiative is not enough.
    r = api.post("/admin/campaigns", {**CAMPAIGN_DATA, "targets": {"creativity": 2}})
    assert r.status_code == 201, r.body
    two = kpi_of(DEPARTMENT)
    assert two["compliance"]["creativity"] is False
    assert two["score"] == off_dept["score"]

    # Turned off again: every figure is what it was.
    r = api.post("/admin/campaigns", {**CAMPAIGN_DATA, "weights": {"creativity": 0}})
    assert r.status_code == 201, r.body
    again = kpi_of(DEPARTMENT)
    for key in ("metrics", "compliance", "score", "shortfalls"):
        assert again[key] == off_dept[key]
    assert ranking() == off_ranking
    r = api.post("/admin/campaigns", {**CAMPAIGN_DATA, "targets": {"creativity": 1.5}})
    assert r.status_code == 400
