from __future__ import annotations

import json

from tests.conftest import body
from tests.factories import COMMUNE, DEPARTMENT, DIVISION, OFFICIALS, UNITS, load_registry


def test_upsert_and_read_back_keeps_vietnamese(api):
    load_registry(api)
    r = api.get(f"/units/{DEPARTMENT}")
    assert r.status_code == 200
    assert body(r) == {
        "unit_id": DEPARTMENT,
        "name": "Sở Nội vụ",
        "level": "department",
        "parent_id": "000.00.00.H34",
    }
    officials = body(api.get(f"/units/{DEPARTMENT}/officials"))["items"]
    assert {o["full_name"] for o in officials} == {"Nguyễn Thị Hằng", "Trần Văn Đức"}


def test_upsert_is_idempotent_and_updates(api):
    load_registry(api)
    renamed = [dict(UNITS[1], name="Sở Nội vụ tỉnh Khánh Hòa")]
    assert api.post("/admin/units", {"units": renamed}).status_code == 200
    assert body(api.get(f"/units/{DEPARTMENT}"))["name"] == "Sở Nội vụ tỉnh Khánh Hòa"
    assert len(body(api.get("/units?limit=500"))["items"]) == len(UNITS)


def test_invalid_rows_are_all_reported_and_nothing_applied(api):
    load_registry(api)
    bad = [
        {"unit_id": "bad id!", "name": "X", "level": "commune", "parent_id": "000.00.00.H34"},
        {"unit_id": "u-1", "name": "Y", "level": "village", "parent_id": "000.00.00.H34"},
        {"unit_id": "u-2", "name": "Z", "level": "commune", "parent_id": "nope"},
        {"unit_id": "u-3", "name": "W", "level": "commune", "parent_id": "000.00.00.H34"},
        {"unit_id": "u-3", "name": "W again", "level": "commune", "parent_id": "000.00.00.H34"},
    ]
    r = api.post("/admin/units", {"units": bad})
    assert r.status_code == 400
    err = body(r)["error"]
    rows = {(d["row"], d["field"]) for d in err["details"]}
    assert {(0, "unit_id"), (1, "level"), (2, "parent_id"), (4, "unit_id")} <= rows
    assert "nothing was applied" in err["message"]
    ids = {u["unit_id"] for u in body(api.get("/units?limit=500"))["items"]}
    assert "u-3" not in ids


def test_cycles_are_refused(api):
    load_registry(api)
    cycle = [
        {"unit_id": "p-a", "name": "A", "level": "province", "parent_id": "p-b"},
        {"unit_id": "p-b", "name": "B", "level": "province", "parent_id": "p-a"},
    ]
    r = api.post("/admin/units", {"units": cycle})
    assert r.status_code == 400
    assert {d["id"] for d in body(r)["error"]["details"] if "cycle" in d["message"]} == {
        "p-a",
        "p-b",
    }


def test_official_with_unknown_unit(api):
    load_registry(api)
    r = api.post(
        "/admin/units", {"officials": [dict(OFFICIALS[0], official_id="x", unit_id="ghost")]}
    )
    assert r.status_code == 400
    assert body(r)["error"]["details"][0]["field"] == "unit_id"


def test_csv_upload_units_and_officials(api):
    csv_units = (
        "unit_id,name,level,parent_id\n000.00.00.H34,UBND tỉnh Khánh Hòa,province,\n"
        "000.00.80.H34,UBND xã Cam Lâm,commune,000.00.00.H34\n"
    )
    r = api.post(
        "/admin/units", raw=("\ufeff" + csv_units).encode(), headers={"Content-Type": "text/csv"}
    )
    assert r.status_code == 200, r.body
    assert body(r) == {"units": 2, "officials": 0, "contacts": 0}
    csv_officials = (
        "official_id,unit_id,full_name,position,active\n"
        "cb-9,000.00.80.H34,Đặng Thị Ngọc Ánh,Văn thư,true\n"
    )
    r = api.post("/admin/units", raw=csv_officials.encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.body
    assert (
        body(api.get("/units/000.00.80.H34/officials"))["items"][0]["full_name"]
        == "Đặng Thị Ngọc Ánh"
    )


def test_csv_bad_header(api):
    r = api.post("/admin/units", raw=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"})
    assert r.status_code == 400
    assert "header" in body(r)["error"]["message"]


def test_pagination_walks_every_unit_once(api):
    load_registry(api)
    seen, token = [], None
    while True:
        path = "/units?limit=2" + (f"&next_token={token}" if token else "")
        page = body(api.get(path))
        seen += [u["unit_id"] for u in page["items"]]
        token = page["next_token"]
        if not token:
            break
    assert sorted(seen) == sorted(u["unit_id"] for u in UNITS)


def test_officials_pages_walk_every_official_once(api):
    load_registry(api)
    seen, token = [], None
    while True:
        path = f"/units/{DEPARTMENT}/officials?limit=1" + (f"&next_token={token}" if token else "")
        r = api.get(path)
        assert r.status_code == 200, r.body
        page = body(r)
        seen += [o["official_id"] for o in page["items"]]
        token = page["next_token"]
        if not token:
            break
    assert sorted(seen) == ["cb-001", "cb-002"]


def test_forged_officials_page_tokens_are_a_400_not_a_500(api):
    """Found by fuzzing: a page token that decodes to any other JSON object reached
    DynamoDB as ExclusiveStartKey and failed with a 500."""
    import base64

    load_registry(api)

    def token(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    first = body(api.get(f"/units/{DEPARTMENT}/officials?limit=1"))["next_token"]
    for forged in (
        token({"after": "cb-001"}),  # a /units token
        token({"official_id": {"S": "cb-001"}}),
        token({"official_id": {"S": "cb-001"}, "unit_id": {"S": COMMUNE}}),  # another unit
        token({"official_id": {"N": "1"}, "unit_id": {"S": DEPARTMENT}}),
        token({"official_id": "cb-001", "unit_id": DEPARTMENT}),
        token([]),
    ):
        r = api.get(f"/units/{DEPARTMENT}/officials?limit=1&next_token={forged}")
        assert r.status_code == 400, (forged, r.body)
        assert body(r)["error"]["code"] == "bad_request"
    assert api.get(f"/units/{COMMUNE}/officials?next_token={first}").status_code == 400


def test_bad_page_token_and_limit(api):
    assert api.get("/units?next_token=%%%").status_code == 400
    assert api.get("/units?limit=0").status_code == 400
    assert api.get("/units?level=village").status_code == 400


def test_filters(api):
    load_registry(api)
    communes = body(api.get("/units?level=commune"))["items"]
    assert {u["unit_id"] for u in communes} == {COMMUNE, "000.00.72.H34"}
    under = body(api.get(f"/units?parent_id={DEPARTMENT}"))["items"]
    assert [u["unit_id"] for u in under] == [DIVISION]


def test_unknown_unit_is_404(api):
    load_registry(api)
    r = api.get("/units/ghost")
    assert r.status_code == 404
    assert body(r)["error"]["code"] == "not_found"


def test_bad_json_and_wrong_content_type(api):
    r = api.post("/admin/units", raw=b"{not json")
    assert r.status_code == 400
    assert body(r)["error"]["code"] == "bad_request"
    r = api.post("/admin/units", raw=b"<x/>", headers={"Content-Type": "application/xml"})
    assert r.status_code == 415
    assert body(r)["error"]["code"] == "unsupported_media_type"
    r = api.post("/admin/units", {"units": [], "extra": 1})
    assert r.status_code == 400
    assert body(r)["error"]["details"][0]["field"] == "extra"


def test_wrong_method(api):
    r = api.request("DELETE", "/units")
    assert r.status_code == 405
    assert body(r)["error"]["code"] == "method_not_allowed"


def test_campaign_crud_and_validation(api):
    load_registry(api)
    got = body(api.get("/campaigns/kh-2025"))
    assert got["name"] == "Ngày không in giấy 2025"
    assert got["award_quotas"] == {"collective": 10, "individual": 10}
    assert [c["campaign_id"] for c in body(api.get("/campaigns"))["items"]] == ["kh-2025"]
    bad = {
        "campaign_id": "x",
        "name": "X",
        "start_date": "2025-08-01",
        "end_date": "2025-07-01",
        "timezone": "Mars/Olympus",
        "targets": {"speed": 1},
    }
    r = api.post("/admin/campaigns", bad)
    assert r.status_code == 400
    text = json.dumps(body(r))
    assert "time zone" in text and "speed" in text
    assert api.get("/campaigns/nope").status_code == 404


def test_a_campaign_has_the_province_time_zone(api, setting):
    """Daily figures are shared by every campaign, so every campaign has the one zone of
    CAMPAIGN_TIMEZONE (its deadlines too): another zone is refused, none means that one."""
    from tests.factories import CAMPAIGN

    r = api.post("/admin/campaigns", {**CAMPAIGN, "campaign_id": "utc-2025", "timezone": "UTC"})
    assert r.status_code == 400
    error = body(r)["error"]
    assert error["code"] == "validation_failed"
    assert error["details"][0]["field"] == "timezone"
    assert "time zone Asia/Ho_Chi_Minh" in error["details"][0]["message"]
    assert api.get("/campaigns/utc-2025").status_code == 404

    unzoned = {k: v for k, v in CAMPAIGN.items() if k != "timezone"}
    r = api.post("/admin/campaigns", unzoned)
    assert r.status_code == 201 and body(r)["timezone"] == "Asia/Ho_Chi_Minh"
    setting("CAMPAIGN_TIMEZONE", "UTC")
    r = api.post("/admin/campaigns", {**unzoned, "campaign_id": "utc-2025"})
    assert r.status_code == 201 and body(r)["timezone"] == "UTC"
    assert api.post("/admin/campaigns", CAMPAIGN).status_code == 400
