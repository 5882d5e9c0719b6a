"""The public posting: the window in working days, the frozen shortlist, what the public
sees (and does not), feedback bounded like a public endpoint, reading and answering it."""

from __future__ import annotations

import datetime as dt
import json

import chalice.local
import pytest

from chalicelib import clock
from tests.conftest import body
from tests.factories import DEPARTMENT
from tests.nominations import officer, reviewer
from tests.posting import DURING, OPENS_ON, council_road, open_posting

SHORTLIST = "/public/campaigns/kh-2025/shortlist"


@pytest.fixture
def road(api):
    ids = council_road(api)
    return api, ids


def feedback(api, nid, text="Đơn vị làm tốt", **fields):
    return api.post(f"{SHORTLIST}/{nid}/feedback", {"text": text, **fields}, token=None)


def from_address(monkeypatch, ip):
    monkeypatch.setattr(chalice.local.LambdaEventConverter, "LOCAL_SOURCE_IP", ip)


def test_opening_freezes_the_eligible_shortlist_and_the_window(road):
    api, ids = road
    posting = open_posting(api)
    assert [n["nomination_id"] for n in posting["items"]] == [ids["eligible"]]
    assert posting["working_days"] == 5
    assert posting["last_day"] == "2025-09-08"  # skips the weekend and 1-2 September
    assert posting["opens_at"].startswith("2025-08-28T17:00:00")  # 00:00 in Khánh Hòa
    assert posting["closes_at"].startswith("2025-09-08T17:00:00")
    r = api.post("/campaigns/kh-2025/posting", {"opens_on": OPENS_ON})
    assert r.status_code == 409 and body(r)["error"]["code"] == "already_posted"
    # Frozen: a later change of the nomination does not change the posted entry.
    assert (
        body(api.get("/campaigns/kh-2025/posting", token=reviewer(api)))["items"]
        == posting["items"]
    )


def test_the_public_sees_the_shortlist_and_nothing_else(road):
    api, ids = road
    open_posting(api)
    with clock.frozen(DURING):
        r = api.get(SHORTLIST, token=None)
    assert r.status_code == 200, r.body
    assert "public" in r.headers["Cache-Control"]
    shortlist = body(r)
    assert shortlist["state"] == "open"
    assert shortlist["working_days_left"] == 4
    (nominee,) = shortlist["items"]
    assert set(nominee) == {
        "nomination_id",
        "kind",
        "name",
        "position",
        "unit_id",
        "unit_name",
        "evidence",
        "initiatives",
        "summary",
    }
    assert nominee["name"] == "Sở Nội vụ" and nominee["kind"] == "collective"
    assert set(nominee["evidence"]) <= {
        "score",
        "rank",
        "of",
        "compliant",
        "online_rate",
        "signing_rate",
        "e_issuance_rate",
        "kpi_coverage",
        "two_way_interconnection",
        "on_time_rate",
        "latest_evaluation_score",
        "processed_total",
        "as_of",
    }
    text = r.body.decode()
    for hidden in (
        ids["refused"],
        ids["draft"],
        "Trần Văn Đức",
        "Lê Minh Châu",
        "officer-",
        "to_trinh",
    ):
        assert hidden not in text
    assert api.get("/public/campaigns/nope/shortlist", token=None).status_code == 404


def test_a_campaign_that_never_posted_answers_404(road):
    api, _ = road
    r = api.get(SHORTLIST, token=None)
    assert r.status_code == 404
    r2 = api.get("/public/campaigns/other-2026/shortlist", token=None)
    assert body(r2)["error"]["message"] == body(r)["error"]["message"]


def test_feedback_only_while_the_window_is_open(road, monkeypatch):
    api, ids = road
    open_posting(api)
    with clock.frozen(dt.datetime(2025, 8, 28, 16, 59, tzinfo=dt.UTC)):
        r = feedback(api, ids["eligible"])
    assert r.status_code == 409 and body(r)["error"]["code"] == "posting_not_open"
    with clock.frozen(DURING):
        r = feedback(api, ids["eligible"], name="Nguyễn Văn A", contact="0905 000 000")
        assert r.status_code == 202, r.body
        assert body(r)["status"] == "received"
        # Only shortlisted nominees take feedback.
        assert feedback(api, ids["refused"]).status_code == 404
        assert feedback(api, ids["draft"]).status_code == 404
    with clock.frozen(dt.datetime(2025, 9, 8, 17, 0, tzinfo=dt.UTC)):  # 00:00 of 9/9 local
        r = feedback(api, ids["eligible"])
    assert r.status_code == 409 and body(r)["error"]["code"] == "posting_closed"


def test_hostile_feedback_text_is_stored_as_text(road):
    api, ids = road
    open_posting(api)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes" \' ;--'
    with clock.frozen(DURING):
        assert feedback(api, ids["eligible"], hostile, name="<b>Tên</b>").status_code == 202
        items = body(api.get("/campaigns/kh-2025/feedback", token=reviewer(api)))["items"]
    assert items[0]["text"] == hostile
    assert items[0]["name"] == "<b>Tên</b>"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"text": "x" * 2001}, 400),
        ({"text": "   "}, 400),
        ({"text": "a\x00b"}, 400),
        ({"text": "ok", "name": "n" * 201}, 400),
        ({"text": "ok", "role": "admin"}, 400),
        ({"text": "ok", "contact": "a\x1bb"}, 400),
    ],
)
def test_invalid_feedback_is_refused(road, payload, status):
    api, ids = road
    open_posting(api)
    with clock.frozen(DURING):
        r = api.post(f"{SHORTLIST}/{ids['eligible']}/feedback", payload, token=None)
    assert r.status_code == status, r.body


def test_body_limit_and_media_type(road):
    api, ids = road
    open_posting(api)
    url = f"{SHORTLIST}/{ids['eligible']}/feedback"
    with clock.frozen(DURING):
        big = json.dumps({"text": "x", "name": " " * 20000}).encode()
        r = api.request("POST", url, token=None, raw=big)
        assert r.status_code == 413, r.body
        r = api.request(
            "POST", url, token=None, raw=b"text=hi", headers={"Content-Type": "text/plain"}
        )
        assert r.status_code == 415


def test_feedback_rate_limits_per_client_and_per_nominee(road, monkeypatch):
    from chalicelib.services import public_limits

    api, ids = road
    open_posting(api)
    per_client, _ = public_limits.LIMITS["feedback"]
    per_nominee, _ = public_limits.LIMITS["feedback_nominee"]
    with clock.frozen(DURING):
        from_address(monkeypatch, "198.51.100.1")
        statuses = [feedback(api, ids["eligible"]).status_code for _ in range(per_client + 1)]
        assert statuses == [202] * per_client + [429]
        r = feedback(api, ids["eligible"])
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        # Other addresses still may, until the nominee's own bound.
        sent = per_client
        address = 2
        while sent < per_nominee:
            from_address(monkeypatch, f"198.51.100.{address}")
            address += 1
            for _ in range(min(per_client, per_nominee - sent)):
                assert feedback(api, ids["eligible"]).status_code == 202
                sent += 1
        from_address(monkeypatch, "198.51.100.250")
        r = feedback(api, ids["eligible"])
        assert r.status_code == 429
        assert "nominee" in body(r)["error"]["message"]
        assert int(r.headers["Retry-After"]) >= 1


def test_province_roles_read_and_answer_feedback(road):
    from chalicelib.services import posting

    api, ids = road
    open_posting(api)
    with clock.frozen(DURING):
        feedback(api, ids["eligible"], "Phản ánh một")
    with clock.frozen(DURING + dt.timedelta(minutes=1)):
        feedback(api, ids["eligible"], "Phản ánh hai")
        assert posting.posting_window_open("kh-2025") is True
    assert posting.posting_window_open("kh-2025") is False  # today, long after
    assert posting.unanswered_feedback("kh-2025", ids["eligible"]) == 2
    for token in (officer(api, DEPARTMENT), api.make_token("council_member", sub="m")):
        assert api.get("/campaigns/kh-2025/feedback", token=token).status_code == 403
    items = body(api.get("/campaigns/kh-2025/feedback", token=api.make_token("viewer")))["items"]
    assert [i["text"] for i in items] == ["Phản ánh một", "Phản ánh hai"]
    assert items[0]["nominee_name"] == "Sở Nội vụ"
    first = items[0]["feedback_id"]
    assert (
        api.post(
            f"/feedback/{first}/resolve", {"note": "x"}, token=api.make_token("viewer")
        ).status_code
        == 403
    )
    r = api.post(
        f"/feedback/{first}/resolve", {"note": "Đã xác minh: không có cơ sở"}, token=reviewer(api)
    )
    assert r.status_code == 200, r.body
    assert body(r)["status"] == "resolved"
    assert body(r)["resolution"]["by"]["sub"] == "reviewer-1"
    r = api.post(f"/feedback/{first}/resolve", {"note": "lại"}, token=reviewer(api))
    assert r.status_code == 409 and body(r)["error"]["code"] == "already_resolved"
    assert posting.unanswered_feedback("kh-2025", ids["eligible"]) == 1
    open_items = body(api.get("/campaigns/kh-2025/feedback?status=open", token=reviewer(api)))[
        "items"
    ]
    assert [i["text"] for i in open_items] == ["Phản ánh hai"]
    assert api.post("/feedback/" + "0" * 32 + "/resolve", {"note": "x"}).status_code == 404
    view = body(api.get("/campaigns/kh-2025/posting"))
    assert (view["feedback_open"], view["feedback_total"]) == (1, 2)


def test_what_cannot_be_posted(api):
    from tests.nominations import setup

    setup(api)
    r = api.post("/campaigns/kh-2025/posting", {"opens_on": OPENS_ON})
    assert r.status_code == 409 and body(r)["error"]["code"] == "review_procedure"
    from tests.factories import CAMPAIGN

    api.post("/admin/campaigns", {**CAMPAIGN, "award_procedure": "council"})
    r = api.post("/campaigns/kh-2025/posting", {"opens_on": OPENS_ON})
    assert r.status_code == 409 and body(r)["error"]["code"] == "empty_shortlist"
    assert (
        api.post(
            "/campaigns/kh-2025/posting", {"opens_on": OPENS_ON, "working_days": 0}
        ).status_code
        == 400
    )
    assert (
        api.post(
            "/campaigns/kh-2025/posting", {"opens_on": OPENS_ON}, token=reviewer(api)
        ).status_code
        == 403
    )
