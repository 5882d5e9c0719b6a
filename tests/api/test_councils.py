"""PUT/GET /campaigns/{campaign_id}/councils/{kind}: members, per-kind rules, who reads."""

from __future__ import annotations

import pytest

from tests.conftest import body
from tests.factories import load_registry

URL = "/campaigns/kh-2025/councils/initiatives"


def members(n: int = 5) -> list[dict[str, object]]:
    roles = ["chair", "vice_chair", "secretary"] + ["member"] * (n - 3)
    out: list[dict[str, object]] = [
        {
            "sub": f"hd-{i}",
            "full_name": f"Thành viên {i}",
            "position": "Chuyên gia",
            "council_role": roles[i],
        }
        for i in range(n)
    ]
    out[0]["official_id"] = "cb-001"
    return out


def test_admin_sets_and_reads_a_council_with_default_rule(api, make_token):
    load_registry(api)
    r = api.request("PUT", URL, {"members": members()})
    assert r.status_code == 200, r.body
    council = body(r)
    assert council["kind"] == "initiatives"
    assert council["rule"] == {"share": 2 / 3, "denominator": "members", "pass_score": 50}
    assert [m["sub"] for m in council["members"]] == [f"hd-{i}" for i in range(5)]
    assert council["members"][0]["official_id"] == "cb-001"
    assert council["updated_by"] == "admin-1"
    assert body(api.get(URL))["members"] == council["members"]
    # A member of the council reads it; a council member who is not on it may not.
    assert api.get(URL, token=make_token("council_member", sub="hd-3")).status_code == 200
    r = api.get(URL, token=make_token("council_member", sub="stranger"))
    assert r.status_code == 403
    assert body(r)["error"]["code"] == "not_a_member"
    assert api.get(URL, token=make_token("unit_officer", "000.00.31.H34")).status_code == 403
    assert api.get(URL, token=make_token("reviewer")).status_code == 200


def test_replacing_a_council_and_its_rule(api):
    load_registry(api)
    api.request("PUT", URL, {"members": members()})
    rule = {"share": 0.75, "denominator": "scored", "pass_score": 60}
    r = api.request("PUT", URL, {"members": members(3), "rule": rule})
    assert r.status_code == 200, r.body
    assert body(api.get(URL))["rule"] == rule
    assert len(body(api.get(URL))["members"]) == 3
    r = api.request("PUT", URL, {"members": members(3), "rule": {"share": 0.7}})
    assert body(r)["rule"]["share"] == 0.7


def test_awards_council_has_its_own_rule(api):
    load_registry(api)
    r = api.request("PUT", "/campaigns/kh-2025/councils/awards", {"members": members()})
    assert r.status_code == 200, r.body
    assert "pass_score" not in body(r)["rule"]
    assert body(r)["rule"]["denominator"] == "members"
    # pass_score is an initiatives council's word, not an awards council's.
    r = api.request(
        "PUT",
        "/campaigns/kh-2025/councils/awards",
        {"members": members(), "rule": {"pass_score": 50}},
    )
    assert r.status_code == 400, r.body
    assert "rule" in r.body.decode()


@pytest.mark.parametrize(
    ("change", "word"),
    [
        (lambda m: [*m, dict(m[0])], "once"),
        (lambda m: [{**x, "council_role": "chair"} for x in m], "chair"),
        (lambda m: [{**m[0], "council_role": "boss"}], "council_role"),
        (lambda m: [{**m[0], "sub": "has space"}], "sub"),
        (lambda m: [{**m[0], "official_id": "cb-999"}], "cb-999"),
        (lambda m: [], "members"),
    ],
)
def test_invalid_members_are_refused(api, change, word):
    load_registry(api)
    r = api.request("PUT", URL, {"members": change(members())})
    assert r.status_code == 400, r.body
    assert word in r.body.decode()


@pytest.mark.parametrize("share", [0, "3/2", 1.5, "abc", "2/0", -0.5])
def test_invalid_shares_are_refused(api, share):
    load_registry(api)
    r = api.request("PUT", URL, {"members": members(), "rule": {"share": share}})
    assert r.status_code == 400, r.body


def test_only_the_province_admin_sets_a_council(api, make_token):
    load_registry(api)
    for token in (
        make_token("reviewer"),
        make_token("viewer"),
        make_token("council_member", sub="hd-0"),
        make_token("unit_officer", "000.00.31.H34"),
    ):
        assert api.request("PUT", URL, {"members": members()}, token=token).status_code == 403


def test_unknown_kind_campaign_or_council_is_404(api):
    load_registry(api)
    assert (
        api.request("PUT", "/campaigns/kh-2025/councils/x", {"members": members()}).status_code
        == 404
    )
    assert (
        api.request(
            "PUT", "/campaigns/nope/councils/initiatives", {"members": members()}
        ).status_code
        == 404
    )
    r = api.get(URL)
    assert r.status_code == 404
    assert body(r)["error"]["code"] == "no_council"


def test_campaign_carries_the_award_road_fields_with_defaults(api):
    load_registry(api)
    campaign = body(api.get("/campaigns/kh-2025"))
    assert campaign["award_procedure"] == "review"  # today's single-reviewer approval
    assert campaign["holidays"] == []
    assert campaign["initiative_deadline"] is None
    assert [(c["key"], c["max_points"]) for c in campaign["initiative_criteria"]] == [
        ("novelty", 30),
        ("applicability", 30),
        ("effectiveness", 40),
    ]
    assert campaign["dossier_requirements"] == {
        "collective": ["to_trinh", "bao_cao_thanh_tich", "bien_ban"],
        "individual": ["to_trinh", "bao_cao_thanh_tich", "bien_ban"],
    }
    changed = {
        **campaign,
        "award_procedure": "council",
        "holidays": ["2025-09-01", "2025-09-02"],
        "initiative_deadline": "2025-08-10",
        "dossier_requirements": {"collective": ["to_trinh"], "individual": []},
    }
    r = api.post("/admin/campaigns", changed)
    assert r.status_code == 201, r.body
    assert body(api.get("/campaigns/kh-2025"))["holidays"] == ["2025-09-01", "2025-09-02"]
    for bad in (
        {"award_procedure": "lottery"},
        {"initiative_criteria": []},
        {"initiative_criteria": [campaign["initiative_criteria"][0]] * 2},
        {"dossier_requirements": {"collective": ["photo"]}},
    ):
        assert api.post("/admin/campaigns", {**campaign, **bad}).status_code == 400, bad
