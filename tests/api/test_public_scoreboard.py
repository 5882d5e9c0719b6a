"""The public scoreboard: opt-in per campaign, no token, units only, bounded."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import body
from tests.factories import CAMPAIGN, OFFICIALS, load_registry

PUBLIC = "/public/campaigns/kh-2025"


@pytest.fixture
def public_api(api: Any) -> Any:
    from chalicelib.services import public_scoreboard

    public_scoreboard.invalidate()
    load_registry(api)
    return api


def make_public(api: Any, public: bool = True) -> None:
    r = api.post("/admin/campaigns", {**CAMPAIGN, "public": public})
    assert r.status_code in (200, 201), r.body


def test_every_public_route_is_404_unless_the_campaign_opted_in(public_api):
    for path in (
        f"{PUBLIC}/ranking?level=commune",
        f"{PUBLIC}/open-data.json",
        f"{PUBLIC}/open-data.csv",
        "/public/campaigns/unknown/ranking?level=commune",
    ):
        r = public_api.get(path, token=None)
        assert r.status_code == 404, path
    # The same answer for an unknown campaign and a private one: nothing to learn.
    private = body(public_api.get(f"{PUBLIC}/open-data.json", token=None))["error"]["message"]
    assert "public scoreboard" in private


def test_ranking_and_open_data_without_a_token(public_api):
    make_public(public_api)
    r = public_api.get(f"{PUBLIC}/ranking?level=department", token=None)
    assert r.status_code == 200, r.body
    assert "max-age=60" in r.headers["Cache-Control"]
    got = body(r)
    assert got["level"] == "department" and "CC BY 4.0" in got["licence"]
    assert {i["unit_id"] for i in got["items"]} == {"000.00.31.H34", "000.00.32.H34"}
    assert set(got["items"][0]) == {
        "rank",
        "unit_id",
        "name",
        "level",
        "score",
        "online_rate",
        "signing_rate",
        "e_issuance_rate",
        "kpi_coverage",
        "two_way_interconnection",
        "compliant",
    }
    assert public_api.get(f"{PUBLIC}/ranking?level=province", token=None).status_code == 400
    assert public_api.get(f"{PUBLIC}/ranking", token=None).status_code == 400

    data = body(public_api.get(f"{PUBLIC}/open-data.json", token=None))
    assert "as_of" in data and data["licence"]
    assert {i["level"] for i in data["items"]} == {"department", "commune", "division"}
    r = public_api.get(f"{PUBLIC}/open-data.csv", token=None)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    lines = r.body.decode("utf-8").splitlines()
    assert lines[0].startswith("# ") and "CC BY 4.0" in lines[1]
    assert lines[2].startswith("rank,unit_id,name,level,score")
    # Nothing personal anywhere: no official's name or id.
    everything = r.body.decode("utf-8") + public_api.get(
        f"{PUBLIC}/open-data.json", token=None
    ).body.decode("utf-8")
    for official in OFFICIALS:
        assert official["full_name"] not in everything
        assert official["official_id"] not in everything


def test_public_routes_are_rate_limited_per_address(public_api):
    from chalicelib.services import public_limits

    make_public(public_api)
    limit, _window = public_limits.LIMITS["scoreboard"]
    statuses = [
        public_api.get(f"{PUBLIC}/ranking?level=commune", token=None).status_code
        for _ in range(limit + 1)
    ]
    assert statuses[:limit] == [200] * limit
    assert statuses[-1] == 429
    r = public_api.get(f"{PUBLIC}/open-data.json", token=None)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_a_storage_fault_is_a_503_not_a_missing_scoreboard(public_api):
    """An outage reading the campaigns is not "not public": 503 with Retry-After, never a
    404 the public would take for an answer."""
    from chalicelib.storage import outages
    from chalicelib.storage import registry as registry_store

    make_public(public_api)
    registry_store.invalidate_registry()  # a new container: the campaigns are read
    outages.inject("Scan", table="campaigns")
    outages.inject("GetItem", table="campaigns")
    try:
        r = public_api.get(f"{PUBLIC}/ranking?level=department", token=None)
    finally:
        outages.clear()
    assert r.status_code == 503, r.body
    assert r.headers.get("Retry-After")
    assert body(r)["error"]["code"] == "unavailable"
