"""`make demo`'s road to the award and the council's meeting, on one campaign decided by its
council, over real HTTP (chalice local, moto server) on the system clock: nominations,
initiatives scored by a council of five, dossiers appraised (one held), the posting opened
today, two feedback items sent while it is open and answered, the meeting refused while
the window runs, then (the local stack's clock moved past its close) a council of seven
meets, one absent member votes in writing, the tally and the decision's lists are printed
and the four documents land in the output folder."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from scripts.demo import council, road
from scripts.demo.nominations import run_nominations_demo
from tests.factories import CAMPAIGN, OFFICIALS, UNITS

pytestmark = pytest.mark.e2e
CAMPAIGN_ID = "demo-council-road"


def test_the_demo_road_and_council_on_one_campaign(
    stack, make_token, tmp_path, capsys, holds_lifted
):
    admin = make_token("province_admin")
    headers = {"Authorization": f"Bearer {admin}"}
    r = requests.post(
        f"{stack.api_url}/admin/units",
        json={"units": UNITS, "officials": OFFICIALS},
        headers=headers,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    r = requests.post(
        f"{stack.api_url}/admin/campaigns",
        json={**CAMPAIGN, "campaign_id": CAMPAIGN_ID, "award_procedure": "council"},
        headers=headers,
        timeout=30,
    )
    assert r.status_code == 201, r.text
    log: list[str] = []
    rows = run_nominations_demo(
        stack.api_url,
        admin,
        CAMPAIGN_ID,
        token_for=make_token,
        collectives=2,
        individuals=2,
        approve=0,
        log=log.append,
    )
    # under the council's procedure the dossier carries the biên bản họp xét too
    assert all(row["status"] == "submitted" and row["verified_files"] == 3 for row in rows)

    def member(sub: str) -> str:
        return make_token("council_member", None, sub=sub)

    posted = road.run_road_demo(
        stack.api_url, admin, CAMPAIGN_ID, token_for=make_token, member_token=member, log=log.append
    )
    posting = posted["posting"]
    assert posting["state"] == "open" and posting["opens_on"] == road._today().isoformat()
    assert posted["held"] and posted["held"] not in {n["nomination_id"] for n in posting["items"]}
    assert any("409 on_hold" in line for line in log)
    assert any("2 phản ánh" in line and "đã trả lời cả 2" in line for line in log)

    moved: list[dt.datetime] = []

    def move_clock(to: dt.datetime) -> None:
        moved.append(to)
        stack.move_clock(to)

    try:
        out = council.run_council_demo(
            stack.api_url,
            admin,
            CAMPAIGN_ID,
            member_token=member,
            move_clock=move_clock,
            out_dir=tmp_path,
            log=log.append,
        )
    finally:
        stack.move_clock(None)
    # the meeting was refused while the window ran; the clock moved just past its close
    assert any("409 posting_open" in line for line in log)
    assert len(moved) == 1 and moved[0] > dt.datetime.now(dt.UTC)
    closes_at = dt.datetime.fromisoformat(posting["closes_at"])
    assert dt.timedelta(0) < moved[0] - closes_at <= dt.timedelta(minutes=1)
    # a council of seven, one absent whose written vote counts: 7 votes per nominee
    tally = out["tally"]
    assert tally["members_total"] == 7
    assert {n["agree"] + n["disagree"] for n in tally["nominees"]} == {7}
    assert len(tally["nominees"]) == len(posting["items"])
    printed = capsys.readouterr().out
    assert "KẾT QUẢ KIỂM PHIẾU" in printed and "ĐỀ NGHỊ TẶNG BẰNG KHEN" in printed
    for kind in ("collective", "individual"):
        for nid in tally["approved"].get(kind, []):
            name = next(n["name"] for n in tally["nominees"] if n["nomination_id"] == nid)
            assert name in printed
    # the four documents, PDF and DOCX, copied out
    names = sorted(p.name for p in out["files"])
    assert len(names) == 8 and all(p.stat().st_size > 1000 for p in out["files"])
    assert {n.rsplit(".", 1)[1] for n in names} == {"pdf", "docx"}
    # the public page's decision names the approved, without a token
    listed = [a["name"] for kind in out["decision"]["approved"].values() for a in kind]
    assert len(listed) == sum(len(v) for v in tally["approved"].values())
    # and after the demo the stack's clock is the system's again
    meeting = requests.get(
        f"{stack.api_url}/campaigns/{CAMPAIGN_ID}/posting", headers=headers, timeout=30
    ).json()
    assert meeting["state"] == "open"
