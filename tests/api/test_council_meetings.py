"""The awards council's meeting through the API: every state and refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.conftest import body
from tests.council import (
    CAMPAIGN_ID,
    all_,
    attend,
    council_members,
    create_meeting,
    member_sub,
    secretary,
    setup_council,
    step,
    token,
    vote,
    written_vote,
)
from tests.factories import COMMUNE, DEPARTMENT, OTHER_DEPARTMENT


def _code(r: Any) -> str:
    return str(body(r)["error"]["code"])


def test_a_whole_meeting_from_attendance_to_decision(api, monkeypatch):
    ids = setup_council(api, monkeypatch, members=5)
    meeting = create_meeting(api)
    mid = meeting["meeting_id"]
    assert meeting["status"] == "preparing" and meeting["round"] == 1
    assert meeting["rule"]["denominator"] == "members" and meeting["rule"]["share"] == 0.7
    assert [n["nomination_id"] for n in meeting["shortlist"]] == meeting["ballot_nominees"]
    assert set(meeting["ballot_nominees"]) == set(ids.values())
    # a second meeting for the campaign is refused
    r = api.post(f"/campaigns/{CAMPAIGN_ID}/meetings", token=secretary(api))
    assert r.status_code == 409 and _code(r) == "meeting_exists"

    assert attend(api, mid, [0, 1, 2, 3]).status_code == 200
    nominees = meeting["ballot_nominees"]
    # member 4 is absent and votes in writing: disagrees with the commune
    choices = {**all_(nominees), ids[COMMUNE]: "disagree"}
    r = written_vote(api, mid, 4, choices)
    assert r.status_code == 201, r.body
    assert body(r)["written_votes"][0]["member_sub"] == member_sub(4)
    assert written_vote(api, mid, 4, choices).status_code == 409  # once

    r = step(api, mid, "open")
    assert r.status_code == 200 and body(r)["status"] == "voting"
    # 4 ballots: everyone agrees with all but the commune (2 agree, 2 disagree)
    for i in range(4):
        c = {**all_(nominees), ids[COMMUNE]: "agree" if i < 2 else "disagree"}
        assert vote(api, mid, i, c).status_code == 201
    seen = body(api.get(f"/meetings/{mid}", token=token(api, 3)))
    assert seen["ballots_in"] == 4 and seen["tally"] is None
    assert [m["voted"] for m in seen["members"]] == [True, True, True, True, False]
    assert "counts" not in str(seen["rounds"])  # never a count per nominee while open

    r = step(api, mid, "close")
    assert r.status_code == 200, r.body
    decided = body(r)
    assert decided["status"] == "decided" and decided["tally_sha256"]
    tally = {n["nomination_id"]: n for n in decided["tally"]["nominees"]}
    # of all 5 members: 5/5 agree passes; the commune 2/5 = 40 % does not
    assert tally[ids[DEPARTMENT]]["agree"] == 5 and tally[ids[DEPARTMENT]]["denominator"] == 5
    assert tally[ids[COMMUNE]]["agree"] == 2 and tally[ids[COMMUNE]]["result"] == "below_threshold"
    assert body(api.get(f"/nominations/{ids[DEPARTMENT]}"))["status"] == "approved"
    assert body(api.get(f"/nominations/{ids[COMMUNE]}"))["status"] == "rejected"
    trail = body(api.get(f"/nominations/{ids[COMMUNE]}/audit"))["items"]
    assert trail[-1]["action"] == "council_rejected"
    assert trail[-1]["details"]["reason"] == "below_threshold"
    # the public decision: the lists, never a member, a ballot or a count
    public = api.get(f"/public/campaigns/{CAMPAIGN_ID}/decision", token=None)
    assert public.status_code == 200, public.body
    shown = body(public)
    names = [a["name"] for a in shown["approved"]["collective"]]
    assert len(names) == 2 and shown["nominees_considered"] == 5
    assert "agree" not in public.body.decode() and "hd-" not in public.body.decode()
    assert public.headers["Cache-Control"].startswith("public")
    # frozen: no more ballots, no second close
    assert vote(api, mid, 0, all_(nominees)).status_code == 409
    assert step(api, mid, "close").status_code == 409
    # the documents: pending until the job, then eight presigned links with their hashes
    docs = body(api.get(f"/meetings/{mid}/documents", token=token(api, 0)))
    assert docs["status"] == "pending" and docs["items"] == []
    r = api.post("/admin/jobs/meeting_documents")
    assert r.status_code == 202, r.body
    docs = body(api.get(f"/meetings/{mid}/documents", token=token(api, 0)))
    assert docs["status"] == "ready" and len(docs["items"]) == 8
    assert {(d["kind"], d["format"]) for d in docs["items"]} == {
        (k, f)
        for k in ("minutes", "vote_results", "submission", "draft_decision")
        for f in ("pdf", "docx")
    }
    assert all(d["url"].startswith("http") for d in docs["items"])
    trail = api.get(f"/meetings/{mid}", token=token(api, 0))
    assert body(trail)["documents_status"] == "ready"
    from chalicelib.storage.nominations import audit_records

    actions = [r.action for r in audit_records(f"meeting~{mid}")]
    assert actions[0] == "created" and actions.count("voted") == 4
    assert actions[-2:] == ["decided", "documents_generated"]
    assert "agree" not in str([r.details for r in audit_records(f"meeting~{mid}")])


def test_no_quorum_names_the_counts(api, monkeypatch):
    setup_council(api, monkeypatch, members=6)
    mid = create_meeting(api)["meeting_id"]
    assert step(api, mid, "open").status_code == 409  # attendance first
    r = api.get(f"/public/campaigns/{CAMPAIGN_ID}/decision", token=None)
    assert r.status_code == 404  # nothing public before the decision
    attend(api, mid, [0, 1, 2])
    r = step(api, mid, "open")
    assert r.status_code == 409 and _code(r) == "no_quorum"
    assert body(r)["error"]["details"] == [{"members": 6, "present": 3, "required": 4}]
    attend(api, mid, [0, 1, 2, 3])
    assert step(api, mid, "open").status_code == 200


def test_ballot_refusals(api, monkeypatch, make_token):
    setup_council(api, monkeypatch, members=4)
    meeting = create_meeting(api)
    mid, nominees = meeting["meeting_id"], meeting["ballot_nominees"]
    r = vote(api, mid, 0, all_(nominees))
    assert r.status_code == 409 and _code(r) == "ballot_closed"  # not open yet
    attend(api, mid, [0, 1, 2])
    step(api, mid, "open")
    # not present
    r = vote(api, mid, 3, all_(nominees))
    assert r.status_code == 403 and _code(r) == "not_present"
    # not on the council
    r = api.post(
        f"/meetings/{mid}/ballots",
        {"choices": all_(nominees)},
        token=make_token("council_member", sub="stranger"),
    )
    assert r.status_code == 403 and _code(r) == "not_a_member"
    # the secretary for someone else
    r = api.post(
        f"/meetings/{mid}/ballots",
        {"choices": all_(nominees), "member_sub": member_sub(0)},
        token=secretary(api),
    )
    assert r.status_code == 403 and _code(r) == "not_your_ballot"
    # other roles never vote
    r = api.post(f"/meetings/{mid}/ballots", {"choices": all_(nominees)})
    assert r.status_code == 403
    # an incomplete ballot, a wrong choice
    r = vote(api, mid, 0, all_(nominees[1:]))
    assert r.status_code == 400
    r = vote(api, mid, 0, {**all_(nominees), nominees[0]: "maybe"})
    assert r.status_code == 400
    # one ballot each
    assert vote(api, mid, 0, all_(nominees)).status_code == 201
    r = vote(api, mid, 0, all_(nominees))
    assert r.status_code == 409 and _code(r) == "already_voted"
    assert body(api.get(f"/meetings/{mid}"))["ballots_in"] == 1


def test_only_the_secretary_runs_the_meeting(api, monkeypatch, make_token):
    setup_council(api, monkeypatch, members=4)
    r = api.post(f"/campaigns/{CAMPAIGN_ID}/meetings", token=token(api, 0))  # the chair
    assert r.status_code == 403 and _code(r) == "not_secretary"
    mid = create_meeting(api)["meeting_id"]
    for action in ("open", "close", "runoff"):
        assert api.post(f"/meetings/{mid}/{action}", token=token(api, 2)).status_code == 403
    r = api.request("PUT", f"/meetings/{mid}/attendance", {"present": []}, token=token(api, 0))
    assert r.status_code == 403
    unit = make_token("unit_officer", DEPARTMENT)
    assert api.get(f"/meetings/{mid}", token=unit).status_code == 403
    assert api.get(f"/meetings/{mid}", token=make_token("viewer")).status_code == 200
    assert api.get("/meetings/0123", token=secretary(api)).status_code == 404
    # state refusals
    assert step(api, mid, "close").status_code == 409
    assert step(api, mid, "runoff").status_code == 409
    r = attend(api, mid, [0, 9])
    assert r.status_code == 400  # hd-9 is not on the council


def test_written_vote_refusals(api, monkeypatch):
    setup_council(api, monkeypatch, members=4)
    meeting = create_meeting(api)
    mid, nominees = meeting["meeting_id"], meeting["ballot_nominees"]
    r = written_vote(api, mid, 3, all_(nominees))
    assert r.status_code == 409 and _code(r) == "attendance_not_recorded"
    attend(api, mid, [0, 1, 2])
    r = written_vote(api, mid, 0, all_(nominees))
    assert r.status_code == 409 and _code(r) == "member_present"
    r = written_vote(api, mid, 3, all_(nominees[:1]))
    assert r.status_code == 400
    r = api.post(
        f"/meetings/{mid}/written-votes",
        {
            "member_sub": member_sub(3),
            "choices": all_(nominees),
            "file": {"filename": "x.pdf", "content_type": "application/pdf", "data": "aGVsbG8="},
        },
        token=secretary(api),
    )
    assert r.status_code == 400 and _code(r) == "file_rejected"  # "hello" is no PDF
    assert written_vote(api, mid, 3, all_(nominees)).status_code == 201
    # the absent member with a written vote cannot then be marked present
    r = attend(api, mid, [0, 1, 2, 3])
    assert r.status_code == 409 and _code(r) == "written_vote_recorded"


@pytest.mark.parametrize(
    ("rule", "passes"),
    [
        ({}, False),  # 3 agree of 5 members = 60 % < 70 %
        ({"denominator": "present"}, True),  # 3 of 3 present + 0 written
        ({"denominator": "votes_cast"}, True),
        ({"share": 0.6}, True),
    ],
)
def test_the_rule_decides_with_its_denominator(api, monkeypatch, rule, passes):
    ids = setup_council(
        api, monkeypatch, members=5, rule=rule, collectives=(DEPARTMENT,), individuals=()
    )
    meeting = create_meeting(api)
    mid, nominees = meeting["meeting_id"], meeting["ballot_nominees"]
    attend(api, mid, [0, 1, 2, 3])
    step(api, mid, "open")
    for i in range(3):
        vote(api, mid, i, all_(nominees))
    # member 3 is present and does not vote
    tally = body(step(api, mid, "close"))["tally"]
    (n,) = tally["nominees"]
    assert n["agree"] == 3
    assert (n["result"] == "approved") is passes
    status = body(api.get(f"/nominations/{ids[DEPARTMENT]}"))["status"]
    assert status == ("approved" if passes else "rejected")


def test_a_tie_at_the_quota_boundary_goes_to_a_runoff(api, monkeypatch):
    ids = setup_council(
        api,
        monkeypatch,
        members=3,
        quotas={"collective": 1, "individual": 10},
        collectives=(DEPARTMENT, OTHER_DEPARTMENT),
        individuals=(),
    )
    meeting = create_meeting(api)
    mid, nominees = meeting["meeting_id"], meeting["ballot_nominees"]
    attend(api, mid, [0, 1, 2])
    step(api, mid, "open")
    for i in range(3):
        vote(api, mid, i, all_(nominees))
    r = step(api, mid, "close")
    out = body(r)
    assert out["status"] == "runoff_required", out
    assert out["runoffs"] == [{"kind": "collective", "nominees": sorted(ids.values()), "seats": 1}]
    assert body(api.get(f"/nominations/{ids[DEPARTMENT]}"))["status"] == "eligible"
    assert vote(api, mid, 0, all_(nominees)).status_code == 409  # not open
    r = step(api, mid, "runoff")
    assert r.status_code == 200 and body(r)["round"] == 2
    assert sorted(body(r)["ballot_nominees"]) == sorted(ids.values())
    # a runoff ballot agrees with at most the seat left
    assert vote(api, mid, 0, all_(nominees)).status_code == 400
    winner, loser = ids[OTHER_DEPARTMENT], ids[DEPARTMENT]
    for i in range(3):
        choice = (
            {winner: "agree", loser: "disagree"} if i < 2 else {winner: "disagree", loser: "agree"}
        )
        assert vote(api, mid, i, choice).status_code == 201
    decided = body(step(api, mid, "close"))
    assert decided["status"] == "decided"
    assert decided["tally"]["approved"]["collective"] == [winner]
    assert body(api.get(f"/nominations/{winner}"))["status"] == "approved"
    trail = body(api.get(f"/nominations/{loser}/audit"))["items"]
    assert trail[-1]["details"]["reason"] == "outside_quota"
    by_id = {n["nomination_id"]: n for n in decided["tally"]["nominees"]}
    assert by_id[winner]["runoff_agree"] == [2] and by_id[loser]["runoff_agree"] == [1]


def test_open_votes_when_the_rule_is_not_secret(api, monkeypatch):
    setup_council(api, monkeypatch, members=3, rule={"secret": False}, individuals=())
    meeting = create_meeting(api)
    mid, nominees = meeting["meeting_id"], meeting["ballot_nominees"]
    attend(api, mid, [0, 1, 2])
    step(api, mid, "open")
    for i in range(3):
        vote(api, mid, i, all_(nominees))
    from chalicelib.storage import council_meetings as store

    assert store.ballots(mid, 1) == []  # no box: the roll keeps each open vote
    assert all(store.roll(mid, 1).values())
    assert body(step(api, mid, "close"))["status"] == "decided"


def test_the_public_decision_is_rate_limited(api, monkeypatch):
    setup_council(api, monkeypatch, members=1, collectives=(DEPARTMENT,), individuals=())
    statuses = [
        api.get(f"/public/campaigns/{CAMPAIGN_ID}/decision", token=None).status_code
        for _ in range(61)
    ]
    assert statuses[:60] == [404] * 60  # nothing decided yet, and the same answer for all
    r = api.get(f"/public/campaigns/{CAMPAIGN_ID}/decision", token=None)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_written_votes_count_as_the_rule_says(api, monkeypatch):
    """5 members, 3 present agree, 2 absent agree in writing: counted, 5/5 passes; not
    counted, 3/5 = 60 % is below 70 % of all members."""
    for counted, result in ((True, "approved"), (False, "below_threshold")):
        from tests.moto_backend import reset_backend

        reset_backend()
        setup_council(
            api,
            monkeypatch,
            members=5,
            rule={"written_votes_count": counted, "quorum": 0.6},
            collectives=(DEPARTMENT,),
            individuals=(),
        )
        meeting = create_meeting(api)
        mid, nominees = meeting["meeting_id"], meeting["ballot_nominees"]
        attend(api, mid, [0, 1, 2])
        for absent in (3, 4):
            assert written_vote(api, mid, absent, all_(nominees)).status_code == 201
        step(api, mid, "open")
        for i in range(3):
            vote(api, mid, i, all_(nominees))
        (n,) = body(step(api, mid, "close"))["tally"]["nominees"]
        assert n["agree"] == (5 if counted else 3) and n["result"] == result


def test_a_campaign_decided_by_review_has_no_meeting(api, monkeypatch):
    setup_council(api, monkeypatch, members=3, collectives=(DEPARTMENT,), individuals=())
    from tests.factories import CAMPAIGN

    r = api.post(
        "/admin/campaigns", {**CAMPAIGN, "campaign_id": "review-only", "award_procedure": "review"}
    )
    assert r.status_code == 201, r.body
    r = api.request(
        "PUT",
        "/campaigns/review-only/councils/awards",
        {"members": [{"sub": member_sub(1), "full_name": "Thư ký", "council_role": "secretary"}]},
    )
    assert r.status_code == 200, r.body
    r = api.post("/campaigns/review-only/meetings", token=secretary(api))
    assert r.status_code == 409 and _code(r) == "not_council_procedure"


def test_the_council_meets_after_the_posting_and_its_feedback(api, monkeypatch):
    from tests.conftest import set_service_clock

    ids = setup_council(
        api, monkeypatch, members=3, collectives=(DEPARTMENT,), individuals=(), posted_on=None
    )
    r = api.post(f"/campaigns/{CAMPAIGN_ID}/meetings", token=secretary(api))
    assert r.status_code == 409 and _code(r) == "not_posted"
    # posted today (Monday 18/8/2025): open for five working days
    assert (
        api.post(f"/campaigns/{CAMPAIGN_ID}/posting", {"opens_on": "2025-08-18"}).status_code == 201
    )
    r = api.post(f"/campaigns/{CAMPAIGN_ID}/meetings", token=secretary(api))
    assert r.status_code == 409 and _code(r) == "posting_open"
    nid = ids[DEPARTMENT]
    r = api.post(
        f"/public/campaigns/{CAMPAIGN_ID}/shortlist/{nid}/feedback",
        {"text": "Đề nghị làm rõ số liệu."},
        token=None,
    )
    assert r.status_code == 202, r.body
    set_service_clock(dt.datetime(2025, 8, 30, 3, 0, tzinfo=dt.UTC))  # the window has closed
    r = api.post(f"/campaigns/{CAMPAIGN_ID}/meetings", token=secretary(api))
    assert r.status_code == 409 and _code(r) == "feedback_unresolved"
    assert body(r)["error"]["details"][0]["nomination_id"] == nid
    feedback = body(api.get(f"/campaigns/{CAMPAIGN_ID}/feedback"))["items"]
    r = api.post(f"/feedback/{feedback[0]['feedback_id']}/resolve", {"note": "Đã giải trình."})
    assert r.status_code == 200, r.body
    meeting = create_meeting(api)
    assert meeting["ballot_nominees"] == [nid]


def test_the_tally_is_frozen_against_later_edits(api, monkeypatch):
    """Once decided, the tally is the meeting's: a new rule or membership for the council,
    new quotas or a new name for the campaign, a hold on an approved nominee change nothing
    in it, nor in its hash, nor in the documents rendered from it."""
    ids = setup_council(api, monkeypatch, members=3, individuals=())
    mid = create_meeting(api)["meeting_id"]
    assert attend(api, mid, [0, 1, 2]).status_code == 200
    assert step(api, mid, "open").status_code == 200
    nominees = list(ids.values())
    for i in range(3):
        assert vote(api, mid, i, all_(nominees)).status_code == 201
    decided = body(step(api, mid, "close"))
    assert decided["status"] == "decided"

    # the edits: the council (another rule, a fourth member), the campaign (quotas, name),
    # and a hold recorded on an approved nominee
    r = api.request(
        "PUT",
        f"/campaigns/{CAMPAIGN_ID}/councils/awards",
        {"members": council_members(4), "rule": {"share": 1.0, "denominator": "votes_cast"}},
    )
    assert r.status_code == 200, r.body
    campaign = body(api.get(f"/campaigns/{CAMPAIGN_ID}"))
    r = api.post(
        "/admin/campaigns",
        {**campaign, "name": "Tên mới", "award_quotas": {"collective": 0, "individual": 0}},
    )
    assert r.status_code in (200, 201), r.body
    r = api.post(
        "/admin/holds",
        {
            "subject": {"unit_id": DEPARTMENT},
            "kind": "inspection",
            "reason": "Thanh tra sau khi Hội đồng đã quyết định",
            "from": "2025-08-18",
        },
    )
    assert r.status_code == 201, r.body

    after = body(api.get(f"/meetings/{mid}", token=token(api, 0)))
    assert after["tally"] == decided["tally"]
    assert after["tally_sha256"] == decided["tally_sha256"]
    assert after["tally"]["campaign_name"] != "Tên mới"
    assert body(api.get(f"/nominations/{ids[DEPARTMENT]}"))["status"] == "approved"
    # the documents come from the frozen tally: its hash, its name
    assert api.post("/admin/jobs/meeting_documents").status_code == 202
    docs = body(api.get(f"/meetings/{mid}/documents", token=token(api, 0)))
    assert docs["status"] == "ready" and docs["tally_sha256"] == decided["tally_sha256"]
