"""GET /campaigns/{id}/interconnection/cross-check (issue 25, item 4): per pair of units,
what push sources reported against what the hub saw, with the differences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import body
from tests.factories import COMMUNE, DEPARTMENT, DIVISION, PROVINCE, load_registry
from tests.webhooks import deliver, event

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "edxml" / "qcvn_package_signed.xml"


def aggregate(api: Any) -> None:
    while True:
        r = api.post("/admin/jobs/aggregate_kpi")
        assert r.status_code in (200, 202), r.body
        if body(r)["result"].get("done"):
            return


def test_push_reports_and_hub_sightings_are_compared_per_pair(api: Any) -> None:
    load_registry(api)
    r = api.post("/admin/sources", {"source_id": "eoffice", "name": "QLVB", "units": [PROVINCE]})
    secret = body(r)["secret"]
    api.post(
        "/admin/sources",
        {
            "source_id": "lgsp",
            "name": "LGSP",
            "units": [PROVINCE],
            "kind": "hub",
            "hub": {"base_url": "http://127.0.0.1:9", "system_id": "s", "secret": "k"},
        },
    )
    # The department's own system reports two electronic sends (and a paper one).
    at = "2025-07-15T10:00:00+07:00"
    events = [
        event("s1", "document.sent", doc="vb-1", at=at, to_unit_id=DIVISION),
        event("s2", "document.sent", doc="vb-2", at=at, to_unit_id=COMMUNE),
        event("s3", "document.sent", doc="vb-3", at=at, to_unit_id=COMMUNE, channel="paper"),
    ]
    assert deliver(api, "eoffice", secret, events).status_code == 202
    # The hub saw the department's package to three communes (one is the division above).
    from chalicelib.services import edxml_ingestion

    assert edxml_ingestion.ingest_pulled("lgsp", FIXTURE.read_bytes())["accepted"] > 0
    aggregate(api)

    r = api.get("/campaigns/kh-2025/interconnection/cross-check?from=2025-07-15&to=2025-07-15")
    assert r.status_code == 200, r.body
    answer = body(r)
    assert answer["push_sources"] == ["eoffice"] and answer["hub_sources"] == ["lgsp"]
    rows = {(p["from_unit_id"], p["to_unit_id"]): p for p in answer["pairs"]}
    assert {k: (v["reported"], v["seen_on_hub"]) for k, v in rows.items()} == {
        (DEPARTMENT, DIVISION): (1, 1),  # 000.01.31.H34: reported and seen
        (DEPARTMENT, "000.02.31.H34"): (0, 1),
        (DEPARTMENT, "000.03.31.H34"): (0, 1),
        (DEPARTMENT, COMMUNE): (1, 0),  # the paper send is not an electronic exchange
    }
    assert rows[(DEPARTMENT, COMMUNE)]["reported_not_seen"] == 1
    assert rows[(DEPARTMENT, "000.02.31.H34")]["seen_not_reported"] == 1
    assert rows[(DEPARTMENT, DIVISION)]["from_name"] == "Sở Nội vụ"
    assert [(d["from_unit_id"], d["to_unit_id"]) for d in answer["differences"]] == sorted(
        k for k, v in rows.items() if v["reported"] != v["seen_on_hub"]
    )
    # another day: nothing
    r = api.get("/campaigns/kh-2025/interconnection/cross-check?from=2025-07-16&to=2025-07-16")
    assert body(r)["pairs"] == []
    # province roles only; an unknown campaign is a 404
    officer = api.make_token("unit_officer", COMMUNE)
    r = api.get("/campaigns/kh-2025/interconnection/cross-check", token=officer)
    assert r.status_code == 403
    assert api.get("/campaigns/nope/interconnection/cross-check").status_code == 404
