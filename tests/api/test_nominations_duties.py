"""Separation of duties (issue 13, item 4): no one approves, rejects or returns a
nomination they created or submitted; the refusal speaks the audit trail's terms."""

from __future__ import annotations

import pytest

from tests.conftest import body
from tests.factories import DEPARTMENT
from tests.nominations import audit_actions, complete_dossier, created, officer, setup


def _admin(api, sub: str) -> str:
    return api.make_token("province_admin", sub=sub)


def _submit(api, nid: str, token: str) -> None:
    r = api.post(f"/nominations/{nid}/submit", token=token)
    assert r.status_code == 200, r.body


@pytest.mark.parametrize("decision", ["approve", "reject", "return"])
def test_the_creator_who_submitted_may_not_review(api, decision):
    setup(api)
    author = _admin(api, "admin-author")
    nid = created(api, author)["nomination_id"]
    complete_dossier(api, nid, author)
    _submit(api, nid, author)
    r = api.post(f"/nominations/{nid}/review", {"decision": decision, "reason": "x"}, token=author)
    assert r.status_code == 403, r.body
    error = body(r)["error"]
    assert error["code"] == "separation_of_duties"
    assert "'admin-author'" in error["message"] and "'created'" in error["message"]
    (detail,) = error["details"]
    assert detail["conflicting_action"] == "created"
    assert detail["action"] == decision
    assert detail["actor"] == {"sub": "admin-author", "role": "province_admin", "unit_id": None}
    assert audit_actions(api, nid)[-1] == "submitted"  # nothing was decided
    other = _admin(api, "admin-reviewer")
    r = api.post(f"/nominations/{nid}/review", {"decision": decision, "reason": "x"}, token=other)
    assert r.status_code == 200, r.body


def test_the_one_who_submitted_someone_elses_draft_may_not_review(api):
    setup(api)
    clerk = officer(api, DEPARTMENT, sub="van-thu")
    nid = created(api, clerk)["nomination_id"]
    complete_dossier(api, nid, clerk)
    submitter = _admin(api, "admin-submitter")
    _submit(api, nid, submitter)
    r = api.post(f"/nominations/{nid}/review", {"decision": "approve"}, token=submitter)
    assert r.status_code == 403, r.body
    assert body(r)["error"]["details"][0]["conflicting_action"] == "submitted"


def test_an_earlier_submission_counts_after_a_return(api):
    """Submitted by A, returned by B, resubmitted by the clerk: A still may not decide."""
    setup(api)
    clerk = officer(api, DEPARTMENT, sub="van-thu")
    nid = created(api, clerk)["nomination_id"]
    complete_dossier(api, nid, clerk)
    first = _admin(api, "admin-a")
    _submit(api, nid, first)
    returned = api.post(
        f"/nominations/{nid}/review",
        {"decision": "return", "reason": "Bổ sung"},
        token=_admin(api, "admin-b"),
    )
    assert returned.status_code == 200, returned.body
    _submit(api, nid, clerk)
    r = api.post(f"/nominations/{nid}/review", {"decision": "reject", "reason": "x"}, token=first)
    assert r.status_code == 403, r.body
    assert body(r)["error"]["details"][0]["conflicting_action"] == "submitted"
    # The one who returned it neither created nor submitted it: they decide.
    r = api.post(
        f"/nominations/{nid}/review", {"decision": "approve"}, token=_admin(api, "admin-b")
    )
    assert r.status_code == 200, r.body
    assert audit_actions(api, nid) == [
        "created",
        *["file_added", "file_verified"] * 2,
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
