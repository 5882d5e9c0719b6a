"""The vendor sandbox (issue 25, item 5): a test source is answered like a live one, stored
apart, never counted; a dry run answers per event and stores nothing."""

from __future__ import annotations

from typing import Any

from tests.conftest import body
from tests.factories import DEPARTMENT, PROVINCE, load_registry
from tests.webhooks import deliver, encode, event, sign


def register(api: Any, source_id: str, mode: str) -> str:
    r = api.post(
        "/admin/sources",
        {"source_id": source_id, "name": "Vendor", "units": [PROVINCE], "mode": mode},
    )
    assert r.status_code == 201, r.body
    return str(body(r)["secret"])


def live_tables() -> dict[str, int]:
    from chalicelib.storage.events import archive_keys
    from chalicelib.storage.models import EventLedgerModel, InboxModel

    return {
        "ledger": sum(1 for _ in EventLedgerModel.scan()),
        "inbox": sum(1 for _ in InboxModel.scan()),
        "archive": len(list(archive_keys())),
    }


def aggregate(api: Any) -> None:
    while True:
        r = api.post("/admin/jobs/aggregate_kpi")
        assert r.status_code == 202, r.body
        if body(r)["result"].get("done"):
            return


def test_a_test_source_is_answered_like_live_but_stored_apart_and_never_counted(api: Any) -> None:
    load_registry(api)
    live, test = register(api, "live", "live"), register(api, "vendor", "test")
    events = [event("e1"), event("e2", "document.issued")]
    # the same answers, delivery by delivery
    for source_id, secret in (("live", live), ("vendor", test)):
        r = deliver(api, source_id, secret, events)
        assert (r.status_code, body(r)) == (202, {"accepted": 2, "duplicates": 0}), r.body
        r = deliver(api, source_id, secret, [event("e1"), event("e3")])
        assert (r.status_code, body(r)) == (202, {"accepted": 1, "duplicates": 1}), r.body
        # a unit outside the registry: refused as a whole, with its reason
        r = deliver(api, source_id, secret, [event("e4"), event("e5", unit="999.99.99.H34")])
        assert r.status_code == 422, r.body
        # unreadable
        r = deliver(api, source_id, secret, raw=b"{not json")
        assert r.status_code == 400, r.body
    stored = live_tables()
    assert stored["ledger"] == 3  # only the live source's e1, e2, e3
    aggregate(api)
    kpi = body(api.get(f"/units/{DEPARTMENT}/kpi?from=2025-07-16&to=2025-07-16"))
    assert kpi["metrics"]["processed_total"] == 1  # d-1 once, from the live source only

    listed = body(api.get("/admin/sources/vendor/deliveries"))["items"]
    assert [d["status"] for d in listed] == [400, 422, 202, 202]  # newest first
    refused = listed[1]["events"]
    assert [e["event_id"] for e in refused] == ["e4", "e5"]
    assert all(e["outcome"] == "refused" for e in refused)
    assert "registry" in refused[1]["reason"]
    assert [(e["event_id"], e["outcome"]) for e in listed[2]["events"]] == [
        ("e1", "duplicate"),
        ("e3", "stored"),
    ]
    # the live source has no sandbox deliveries
    assert body(api.get("/admin/sources/live/deliveries"))["items"] == []
    assert api.get("/admin/sources/nope/deliveries").status_code == 404


def test_switching_to_live_keeps_nothing_of_the_test_data(api: Any) -> None:
    load_registry(api)
    secret = register(api, "vendor", "test")
    assert deliver(api, "vendor", secret, [event("e1")]).status_code == 202
    r = api.request("PATCH", "/admin/sources/vendor", {"mode": "live"})
    assert r.status_code == 200 and body(r)["mode"] == "live"
    assert live_tables()["ledger"] == 0
    # the same event id is new for the live source: test data made nothing a duplicate
    r = deliver(api, "vendor", secret, [event("e1")])
    assert body(r) == {"accepted": 1, "duplicates": 0}
    aggregate(api)
    kpi = body(api.get(f"/units/{DEPARTMENT}/kpi?from=2025-07-16&to=2025-07-16"))
    assert kpi["metrics"]["processed_total"] == 1


def test_dry_run_answers_per_event_and_stores_nothing(api: Any) -> None:
    load_registry(api)
    secret = register(api, "live", "live")
    assert deliver(api, "live", secret, [event("e1")]).status_code == 202
    before = live_tables()
    data = encode(
        [event("e1"), event("e2"), event("e3", unit="999.99.99.H34"), event("e1", doc="other")]
    )
    r = api.request(
        "POST", "/webhooks/live?dry_run=true", token=None, headers=sign(secret, data), raw=data
    )
    assert r.status_code == 200, r.body
    answer = body(r)
    assert answer["dry_run"] is True
    assert [(e["event_id"], e["outcome"]) for e in answer["events"]] == [
        ("e1", "duplicate"),
        ("e2", "stored"),
        ("e3", "refused"),
        ("e1", "refused"),
    ]
    assert answer["events"][3]["reason"] == "event id already used with a different payload"
    assert (answer["accepted"], answer["duplicates"], answer["refused"]) == (1, 1, 2)
    assert live_tables() == before
    # signed as usual: a bad signature is refused like any delivery
    bad = sign("whsec_" + "A" * 43, data)
    r = api.request("POST", "/webhooks/live?dry_run=true", token=None, headers=bad, raw=data)
    assert r.status_code == 401
