"""Award quotas under concurrent approvals, and the candidates behind nominations."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import body
from tests.factories import (
    CAMPAIGN,
    COMMUNE,
    DEPARTMENT,
    DIVISION,
    OTHER_DEPARTMENT,
    PROVINCE,
)
from tests.nominations import officer, reviewer, setup, submitted
from tests.webhooks import deliver, event

EXTRA_COMMUNES = [
    {
        "unit_id": f"000.00.{80 + i}.H34",
        "name": f"UBND xã Thử Nghiệm {i}",
        "level": "commune",
        "parent_id": "000.00.00.H34",
    }
    for i in range(15)
]


@pytest.fixture
def atomic_requests(monkeypatch):
    """DynamoDB applies each request atomically; moto's in-memory backend does not
    (a transaction backs up and restores whole tables). Serialise each request, as
    the real service does, so threads interleave between requests only: a
    read-then-write quota check would still overshoot here, a conditional counter
    cannot."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    original = BotocoreStubber.process_request

    def process_request(self, request):
        with lock:
            return original(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)


def _principal(role="reviewer", sub="reviewer-1"):
    from chalicelib.auth import Principal

    return Principal(sub=sub, role=role, unit_id=None)


def test_quota_holds_under_concurrent_approvals(api, atomic_requests):
    from chalicelib.api.errors import status_of
    from chalicelib.domain.errors import DomainError
    from chalicelib.services.nominations import workflow as nominations

    setup(api)
    assert api.post("/admin/units", {"units": EXTRA_COMMUNES}).status_code == 200
    ids = [
        submitted(api, officer(api, unit["unit_id"]), nominee_unit_id=unit["unit_id"])[
            "nomination_id"
        ]
        for unit in EXTRA_COMMUNES
    ]
    # One individual nomination: its quota is separate.
    individual = submitted(api, kind="individual", nominee_official_id="cb-001")["nomination_id"]
    barrier = threading.Barrier(len(ids))

    def approve(nomination_id: str) -> tuple[str, int, str]:
        barrier.wait()
        try:
            result = nominations.review(
                _principal(sub=f"reviewer-{nomination_id[:4]}"), nomination_id, "approve", None
            )
            return nomination_id, 200, result["status"]
        except DomainError as exc:
            return nomination_id, status_of(exc), exc.code

    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        results = list(pool.map(approve, ids))

    approved = [r for r in results if r[1] == 200]
    refused = [r for r in results if r[1] != 200]
    assert len(approved) == 10, results
    assert len(refused) == 5 and {r[1:] for r in refused} == {(409, "quota_reached")}, results
    listed = body(api.get("/campaigns/kh-2025/nominations?status=approved&kind=collective"))
    assert sorted(i["nomination_id"] for i in listed["items"]) == sorted(r[0] for r in approved)
    still = body(api.get("/campaigns/kh-2025/nominations?status=submitted&kind=collective"))
    assert sorted(i["nomination_id"] for i in still["items"]) == sorted(r[0] for r in refused)
    from chalicelib.storage import nominations as store

    assert store.approved_count("kh-2025", "collective") == 10
    for nomination_id, status, _ in results:
        actions = [
            a["action"] for a in body(api.get(f"/nominations/{nomination_id}/audit"))["items"]
        ]
        assert actions.count("approved") == (1 if status == 200 else 0)
    # The refusal is a 409 with the current state over the API too.
    r = api.post(f"/nominations/{refused[0][0]}/review", {"decision": "approve"})
    assert r.status_code == 409
    err = body(r)["error"]
    assert err["code"] == "quota_reached"
    assert err["details"][0] == {
        "nomination_id": refused[0][0],
        "status": "submitted",
        "kind": "collective",
        "quota": 10,
        "approved": 10,
    }
    assert "'submitted'" in err["message"]
    # Refused nominations can still be rejected or returned; the individual quota is untouched.
    r = api.post(
        f"/nominations/{refused[0][0]}/review", {"decision": "reject", "reason": "Hết chỉ tiêu"}
    )
    assert r.status_code == 200
    r = api.post(f"/nominations/{individual}/review", {"decision": "approve"}, token=reviewer(api))
    assert r.status_code == 200, r.body


def test_quota_is_campaign_data(api):
    setup(api)
    small = {**CAMPAIGN, "campaign_id": "small", "award_quotas": {"collective": 1, "individual": 0}}
    assert api.post("/admin/campaigns", small).status_code == 201
    first = submitted(api, campaign="small", nominee_unit_id=DEPARTMENT)["nomination_id"]
    second = submitted(api, campaign="small", nominee_unit_id=COMMUNE)["nomination_id"]
    person = submitted(api, campaign="small", kind="individual", nominee_official_id="cb-002")[
        "nomination_id"
    ]
    token = reviewer(api)
    assert (
        api.post(f"/nominations/{first}/review", {"decision": "approve"}, token=token).status_code
        == 200
    )
    r = api.post(f"/nominations/{second}/review", {"decision": "approve"}, token=token)
    assert r.status_code == 409 and body(r)["error"]["details"][0]["quota"] == 1
    r = api.post(f"/nominations/{person}/review", {"decision": "approve"}, token=token)
    assert r.status_code == 409 and body(r)["error"]["code"] == "quota_reached"
    assert body(api.get(f"/nominations/{person}"))["status"] == "submitted"


def test_a_nominee_is_approved_once(api):
    setup(api)
    by_department = submitted(api, officer(api, DEPARTMENT), nominee_unit_id=DIVISION)
    by_division = submitted(api, officer(api, DIVISION), nominee_unit_id=DIVISION)
    token = reviewer(api)
    r = api.post(
        f"/nominations/{by_department['nomination_id']}/review",
        {"decision": "approve"},
        token=token,
    )
    assert r.status_code == 200
    r = api.post(
        f"/nominations/{by_division['nomination_id']}/review", {"decision": "approve"}, token=token
    )
    assert r.status_code == 409
    err = body(r)["error"]
    assert err["code"] == "nominee_already_approved"
    assert err["details"][0]["approved_in"] == by_department["nomination_id"]
    from chalicelib.storage import nominations as store

    assert store.approved_count("kh-2025", "collective") == 1  # the refused approval left no trace


def _seed_kpis(api):
    r = api.post("/admin/sources", {"source_id": "eoffice-1", "name": "QLVB", "units": [PROVINCE]})
    secret = body(r)["secret"]
    events = [
        # The commune processes two documents online; cb-004 acts.
        event("c1", unit=COMMUNE, doc="c-1", actor_official_id="cb-004"),
        event("c2", unit=COMMUNE, doc="c-2", actor_official_id="cb-004"),
        # The department processes one on paper; cb-001 acts.
        event("d1", unit=DEPARTMENT, doc="d-1", channel="paper"),
        # cb-003 (division) processes one online.
        event("v1", unit=DIVISION, doc="v-1", actor_official_id="cb-003"),
        event("v2", unit=DIVISION, doc="v-2", channel="paper", actor_official_id="cb-003"),
    ]
    assert deliver(api, "eoffice-1", secret, events).status_code == 202
    result = body(api.post("/admin/jobs/aggregate_kpi"))["result"]
    assert result.get("events") == len(events), result


def test_candidates_and_the_nominees_rank(api):
    setup(api)
    _seed_kpis(api)
    r = api.get("/campaigns/kh-2025/candidates?kind=collective")
    assert r.status_code == 200, r.body
    found = body(r)
    assert (found["from"], found["to"]) == ("2025-07-15", "2025-08-15")
    assert found["as_of"] is not None
    items = found["items"]
    assert {i["unit_id"] for i in items} == {
        DEPARTMENT,
        DIVISION,
        OTHER_DEPARTMENT,
        COMMUNE,
        "000.00.72.H34",
    }
    assert "000.00.00.H34" not in {i["unit_id"] for i in items}  # the province is not a candidate
    assert items[0]["unit_id"] == COMMUNE and items[0]["rank"] == 1
    assert items[0]["online_rate"] == 1.0 and items[0]["processed_total"] == 2
    assert [i["rank"] for i in items] == sorted(i["rank"] for i in items)
    ranking = body(api.get("/campaigns/kh-2025/ranking?level=commune"))["items"]
    assert items[0]["level_rank"] == next(i["rank"] for i in ranking if i["unit_id"] == COMMUNE)
    assert len(body(api.get("/campaigns/kh-2025/candidates?kind=collective&limit=2"))["items"]) == 2

    people = body(api.get("/campaigns/kh-2025/candidates?kind=individual"))["items"]
    assert people[0]["official_id"] == "cb-004" and people[0]["rank"] == 1
    assert "cb-005" not in {p["official_id"] for p in people}  # inactive
    assert [p["official_id"] for p in people][:2] == ["cb-004", "cb-003"]

    # A unit officer sees their own unit's candidates, ranked province-wide.
    mine = body(
        api.get("/campaigns/kh-2025/candidates?kind=collective", token=officer(api, DEPARTMENT))
    )["items"]
    assert {i["unit_id"] for i in mine} == {DEPARTMENT, DIVISION}
    assert api.get("/campaigns/kh-2025/candidates").status_code == 400
    assert api.get("/campaigns/kh-2025/candidates?kind=team").status_code == 400
    assert api.get("/campaigns/kh-2025/candidates?kind=individual&limit=101").status_code == 400
    assert api.get("/campaigns/ghost/candidates?kind=individual").status_code == 404

    # Each nomination shows its nominee's rank, and carries its evidence once submitted.
    nomination = submitted(api, officer(api, COMMUNE), nominee_unit_id=COMMUNE)
    assert nomination["nominee_rank"]["rank"] == 1
    assert nomination["nominee_rank"]["of"] == len(items)
    assert nomination["nominee_rank"]["as_of"] == found["as_of"]
    evidence = nomination["evidence"]
    kpi = body(api.get(f"/units/{COMMUNE}/kpi?from=2025-07-15&to=2025-08-15"))
    assert evidence["metrics"] == kpi["metrics"]
    assert evidence["score"] == kpi["score"]
    assert evidence["as_of"] == kpi["as_of"]
    assert evidence["rank"]["rank"] == 1
    person = submitted(api, officer(api, DIVISION), kind="individual", nominee_official_id="cb-003")
    assert person["nominee_rank"]["rank"] == 2
    assert person["evidence"]["processed_total"] == 2
    assert person["evidence"]["online_rate"] == 0.5
