"""Helpers for the awards council's meeting: a council campaign with submitted nominations,
a council of N members, tokens per member, and the meeting's steps."""

from __future__ import annotations

import base64
from typing import Any

from tests.conftest import body
from tests.factories import CAMPAIGN, COMMUNE, DEPARTMENT, OTHER_DEPARTMENT
from tests.nominations import attach, complete_dossier, created, pdf, reviewer, setup

CAMPAIGN_ID = "kc-2025"
# Five working days from Friday 1/8/2025: closed on 8/8, before the tests' clock (18/8).
POSTED_ON = "2025-08-01"
COLLECTIVES = (DEPARTMENT, OTHER_DEPARTMENT, COMMUNE)
INDIVIDUALS = ("cb-001", "cb-004")
NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Vũ Thị Giang",
    "Đặng Văn Hải",
    "Bùi Thị Lan",
    "Đỗ Văn Minh",
]


def member_sub(i: int) -> str:
    return f"hd-{i}"


def council_members(n: int) -> list[dict[str, Any]]:
    roles = ["chair", "secretary", "vice_chair"] + ["member"] * max(0, n - 3)
    return [
        {
            "sub": member_sub(i),
            "full_name": NAMES[i % len(NAMES)],
            "position": "Ủy viên Hội đồng",
            "council_role": roles[i],
        }
        for i in range(n)
    ]


def setup_council(
    api: Any,
    monkeypatch: Any,
    *,
    members: int = 5,
    rule: dict[str, Any] | None = None,
    quotas: dict[str, int] | None = None,
    collectives: tuple[str, ...] = COLLECTIVES,
    individuals: tuple[str, ...] = INDIVIDUALS,
    posted_on: str | None = POSTED_ON,
) -> dict[str, str]:
    """A council campaign, its awards council, eligible nominations and the shortlist's
    public posting (by default already closed: the clock stands at 18/8/2025); returns
    nominee id -> nomination id."""
    setup(api)
    campaign = {
        **CAMPAIGN,
        "campaign_id": CAMPAIGN_ID,
        "award_procedure": "council",
        "award_quotas": quotas or {"collective": 10, "individual": 10},
    }
    r = api.post("/admin/campaigns", campaign)
    assert r.status_code == 201, r.body
    r = api.request(
        "PUT",
        f"/campaigns/{CAMPAIGN_ID}/councils/awards",
        {"members": council_members(members), **({"rule": rule} if rule else {})},
    )
    assert r.status_code == 200, r.body
    ids = {}
    for unit in collectives:
        ids[unit] = eligible(api, nominee_unit_id=unit)
    for official in individuals:
        ids[official] = eligible(api, kind="individual", nominee_official_id=official)
    if posted_on:
        r = api.post(f"/campaigns/{CAMPAIGN_ID}/posting", {"opens_on": posted_on})
        assert r.status_code == 201, r.body
    return ids


def eligible(api: Any, **fields: Any) -> str:
    """A nomination of the council campaign, its dossier complete (the campaign's default
    dossier_requirements: tờ trình, báo cáo thành tích, biên bản), submitted and appraised
    eligible by a reviewer."""
    nid = str(created(api, campaign=CAMPAIGN_ID, **fields)["nomination_id"])
    complete_dossier(api, nid)
    got = attach(api, nid, category="bien_ban", filename="Biên bản họp xét.pdf")
    assert got["status"] == "verified", got
    r = api.post(f"/nominations/{nid}/submit")
    assert r.status_code == 200, r.body
    r = api.post(f"/nominations/{nid}/appraisal", {"outcome": "eligible"}, token=reviewer(api))
    assert r.status_code == 200, r.body
    assert body(r)["status"] == "eligible"
    return nid


def token(api: Any, i: int) -> str:
    return api.make_token("council_member", sub=member_sub(i))


def secretary(api: Any) -> str:
    return token(api, 1)


def create_meeting(api: Any) -> dict[str, Any]:
    r = api.post(f"/campaigns/{CAMPAIGN_ID}/meetings", token=secretary(api))
    assert r.status_code == 201, r.body
    return dict(body(r))


def attend(api: Any, meeting_id: str, present: list[int]) -> Any:
    return api.request(
        "PUT",
        f"/meetings/{meeting_id}/attendance",
        {"present": [member_sub(i) for i in present]},
        token=secretary(api),
    )


def written_vote(api: Any, meeting_id: str, i: int, choices: dict[str, str]) -> Any:
    return api.post(
        f"/meetings/{meeting_id}/written-votes",
        {
            "member_sub": member_sub(i),
            "choices": choices,
            "file": {
                "filename": "Phiếu biểu quyết.pdf",
                "content_type": "application/pdf",
                "data": base64.b64encode(pdf("Phiếu biểu quyết")).decode(),
            },
        },
        token=secretary(api),
    )


def vote(api: Any, meeting_id: str, i: int, choices: dict[str, str]) -> Any:
    return api.post(f"/meetings/{meeting_id}/ballots", {"choices": choices}, token=token(api, i))


def step(api: Any, meeting_id: str, action: str) -> Any:
    return api.post(f"/meetings/{meeting_id}/{action}", token=secretary(api))


def all_(ids: list[str], choice: str = "agree") -> dict[str, str]:
    return dict.fromkeys(ids, choice)
