from __future__ import annotations

import threading
import time

import pytest

from chalicelib import clock
from tests.conftest import body
from tests.factories import (
    COMMUNE,
    DEPARTMENT,
    DIVISION,
    OTHER_DEPARTMENT,
    PROVINCE,
    load_registry,
)
from tests.webhooks import deliver, event


@pytest.fixture
def source(api):
    load_registry(api)
    secret = body(
        api.post("/admin/sources", {"source_id": "eo", "name": "QLVB", "units": [PROVINCE]})
    )["secret"]
    return "eo", secret


def aggregate(api):
    r = api.post("/admin/jobs/aggregate_kpi")
    assert r.status_code == 202, r.body
    return body(r)["result"]


def kpi(api, unit, frm="2025-07-15", to="2025-08-15", token="admin"):
    r = api.get(f"/units/{unit}/kpi?from={frm}&to={to}", token=token)
    assert r.status_code == 200, r.body
    return body(r)


def test_figures_rates_and_shape(api, source):
    sid, secret = source
    events = [
        event("p1", doc="d1"),
        event("p2", doc="d2", channel="paper"),
        event("i1", "document.issued", doc="d3"),
        event("s1", "document.signed", doc="d3"),
        event("x1", doc="d4", document={"security": "mat"}),
        event("ev1", "official.evaluated", official_id="cb-001", period="2025-07"),
    ]
    assert deliver(api, sid, secret, events).status_code == 202
    result = aggregate(api)
    assert result["events"] == 6 and result["done"] is True
    data = kpi(api, DEPARTMENT)
    assert data["unit_id"] == DEPARTMENT and data["from"] == "2025-07-15" and data["as_of"]
    m = data["metrics"]
    assert (m["processed_total"], m["processed_online"], m["online_rate"]) == (2, 1, 0.5)
    assert (m["issued_total"], m["issued_signed_digitally"], m["issued_online"]) == (1, 1, 1)
    assert m["exempt_total"] == 1
    assert (m["officials_active"], m["officials_evaluated"], m["kpi_coverage"]) == (2, 1, 0.5)
    assert m["on_time_rate"] is None
    assert data["compliance"]["online_rate"] is False
    assert data["compliance"]["compliant"] is False
    assert set(data["compliance"]) == {
        "online_rate",
        "signing_rate",
        "e_issuance_rate",
        "kpi_coverage",
        "two_way_interconnection",
        "compliant",
    }
    assert 0 <= data["score"] <= 100


def test_late_paper_event_corrects_the_earlier_day(api, source):
    sid, secret = source
    deliver(api, sid, secret, [event("p1", doc="d1", at="2025-07-16T09:00:00+07:00")])
    aggregate(api)
    assert kpi(api, DEPARTMENT, "2025-07-16", "2025-07-16")["metrics"]["processed_online"] == 1
    deliver(
        api, sid, secret, [event("p2", doc="d1", channel="paper", at="2025-07-20T09:00:00+07:00")]
    )
    aggregate(api)
    day = kpi(api, DEPARTMENT, "2025-07-16", "2025-07-16")["metrics"]
    assert (day["processed_total"], day["processed_online"]) == (1, 0)
    assert kpi(api, DEPARTMENT, "2025-07-20", "2025-07-20")["metrics"]["processed_total"] == 0


def test_local_midnight_boundary(api, source):
    sid, secret = source
    deliver(
        api,
        sid,
        secret,
        [
            event("a", doc="d1", at="2025-07-16T16:59:59Z"),
            event("b", doc="d2", at="2025-07-16T17:00:00Z"),
        ],
    )
    aggregate(api)
    assert kpi(api, DEPARTMENT, "2025-07-16", "2025-07-16")["metrics"]["processed_total"] == 1
    assert kpi(api, DEPARTMENT, "2025-07-17", "2025-07-17")["metrics"]["processed_total"] == 1


def test_running_twice_and_redelivery_change_nothing(api, source):
    sid, secret = source
    deliver(api, sid, secret, [event(f"e{i}", doc=f"d{i}") for i in range(20)])
    aggregate(api)
    first = kpi(api, DEPARTMENT)["metrics"]
    assert aggregate(api)["events"] == 0
    deliver(api, sid, secret, [event(f"e{i}", doc=f"d{i}") for i in range(20)])
    aggregate(api)
    assert kpi(api, DEPARTMENT)["metrics"] == first


def test_the_same_events_twice_in_the_inbox_count_once(api, source):
    """A failed delivery retried by the sender leaves the events in the inbox twice."""
    from chalicelib.storage import events as store

    sid, _secret = source
    records = [dict(event("e1"), source_id=sid)]
    store.inbox_put(clock.now(), "r1", sid, records)
    store.inbox_put(clock.now(), "r2", sid, records)
    aggregate(api)
    assert kpi(api, DEPARTMENT)["metrics"]["processed_total"] == 1


def test_concurrent_runs_give_the_same_result_as_one(api, source):
    from chalicelib.services.aggregation import run_aggregation

    sid, secret = source
    for b in range(5):
        deliver(
            api,
            sid,
            secret,
            [
                event(f"e{b}-{i}", doc=f"d{i % 7}", channel="paper" if i % 5 == 0 else "electronic")
                for i in range(30)
            ],
        )
    results = []

    def run():
        results.append(run_aggregation(deadline=time.monotonic() + 60))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    while run_aggregation(deadline=time.monotonic() + 60).get("events"):
        pass
    concurrent = kpi(api, DEPARTMENT)["metrics"]
    assert concurrent["processed_total"] == 7
    assert len(results) == 3


def test_a_run_while_another_holds_the_lease_is_skipped(api, source):
    """Two runs at once: the second finds the first's lease, folds nothing and says so;
    once the lease is released, the next run folds everything."""
    from chalicelib.services.aggregation import JOB, run_aggregation
    from chalicelib.storage import jobs as job_store

    sid, secret = source
    deliver(api, sid, secret, [event(f"e{i}", doc=f"d{i}") for i in range(5)])
    assert job_store.acquire_lease(JOB, "the-first-run", 60)
    second = run_aggregation(deadline=time.monotonic() + 60)
    assert second == {"skipped": "another aggregation run holds the lease"}
    assert kpi(api, DEPARTMENT)["metrics"]["processed_total"] == 0
    job_store.release_lease(JOB, "the-first-run")
    assert run_aggregation(deadline=time.monotonic() + 60)["events"] == 5
    assert kpi(api, DEPARTMENT)["metrics"]["processed_total"] == 5


def test_a_run_that_fails_midway_resumes_without_loss(api, source):
    from chalicelib.domain.errors import Unavailable
    from chalicelib.services import aggregation
    from chalicelib.storage import outages

    sid, secret = source
    for b in range(3):
        deliver(api, sid, secret, [event(f"e{b}-{i}", doc=f"b{b}-d{i}") for i in range(10)])
    # The first commit of daily rows finds DynamoDB throttled (botocore's retries spent).
    outages.inject("TransactWriteItems", times=1)
    with pytest.raises(Unavailable):
        aggregation.run_aggregation(deadline=time.monotonic() + 60)
    aggregation.run_aggregation(deadline=time.monotonic() + 60)
    assert kpi(api, DEPARTMENT)["metrics"]["processed_total"] == 30


def test_deadline_stops_between_batches_and_continues(api, source):
    from chalicelib.services.aggregation import run_aggregation

    sid, secret = source
    for b in range(3):
        deliver(api, sid, secret, [event(f"e{b}-{i}", doc=f"b{b}-d{i}") for i in range(5)])
    first = run_aggregation(deadline=time.monotonic() - 1)
    assert first["done"] is False and first["events"] == 0
    second = run_aggregation(deadline=time.monotonic() + 60)
    assert second["done"] is True and second["events"] == 15


def test_daily_series_adds_up(api, source):
    sid, secret = source
    deliver(
        api,
        sid,
        secret,
        [event(f"e{d}", doc=f"d{d}", at=f"2025-07-{d:02d}T10:00:00+07:00") for d in range(15, 25)],
    )
    aggregate(api)
    r = api.get(f"/units/{DEPARTMENT}/kpi/daily?from=2025-07-15&to=2025-07-24")
    days = body(r)["days"]
    assert len(days) == 10
    assert (
        sum(d["metrics"]["processed_total"] for d in days)
        == kpi(api, DEPARTMENT, "2025-07-15", "2025-07-24")["metrics"]["processed_total"]
        == 10
    )


def test_interconnection_two_way_and_matrix(api, source):
    sid, secret = source
    deliver(
        api,
        sid,
        secret,
        [
            event("s1", "document.sent", unit=COMMUNE, doc="c1", to_unit_id=DEPARTMENT),
            event("r1", "document.received", unit=COMMUNE, doc="c2", from_unit_id=DEPARTMENT),
            event("s2", "document.sent", unit=DEPARTMENT, doc="c2", to_unit_id=COMMUNE),
            event("r2", "document.received", unit=DEPARTMENT, doc="c1", from_unit_id=COMMUNE),
            event(
                "s3",
                "document.sent",
                unit=OTHER_DEPARTMENT,
                doc="c3",
                to_unit_id=COMMUNE,
                channel="paper",
            ),
        ],
    )
    aggregate(api)
    assert kpi(api, COMMUNE)["metrics"]["two_way_interconnection"] is True
    assert kpi(api, DEPARTMENT)["metrics"]["two_way_interconnection"] is True
    assert kpi(api, OTHER_DEPARTMENT)["metrics"]["two_way_interconnection"] is False
    assert kpi(api, DIVISION)["metrics"]["two_way_interconnection"] is None
    matrix = body(api.get("/campaigns/kh-2025/interconnection"))
    pairs = {(p["province_unit_id"], p["commune_unit_id"]): p for p in matrix["pairs"]}
    assert pairs[(DEPARTMENT, COMMUNE)]["sent_electronic"] == 1
    assert pairs[(OTHER_DEPARTMENT, COMMUNE)]["sent_paper"] == 1
    without = {u["unit_id"] for u in matrix["units_without_two_way"]}
    assert OTHER_DEPARTMENT in without and COMMUNE not in without


def test_ranking_is_public_and_ties_share_rank(api, source, make_token):
    _sid, _secret = source
    aggregate(api)
    for role, unit in (("viewer", None), ("unit_officer", COMMUNE), ("reviewer", None)):
        r = api.get("/campaigns/kh-2025/ranking?level=department", token=make_token(role, unit))
        assert r.status_code == 200, r.body
    items = body(r)["items"]
    assert [i["rank"] for i in items] == [1, 1]  # two departments with no data tie
    assert {i["unit_id"] for i in items} == {DEPARTMENT, OTHER_DEPARTMENT}
    # Each criterion's mark is the API's, the unit's own compliance (the console has no rule).
    for item in items:
        compliance = kpi(api, item["unit_id"])["compliance"]
        assert item["met"] == {k: v for k, v in compliance.items() if k != "compliant"}
    assert api.get("/campaigns/kh-2025/ranking").status_code == 400
    assert api.get("/campaigns/kh-2025/ranking?level=village").status_code == 400
    assert api.get("/campaigns/nope/ranking?level=commune").status_code == 404


def test_unit_officer_scoping_on_kpi_routes(api, source, make_token):
    aggregate(api)
    token = make_token("unit_officer", DEPARTMENT)
    assert api.get(f"/units/{DIVISION}/kpi", token=token).status_code == 200
    assert api.get(f"/units/{COMMUNE}/kpi", token=token).status_code == 403
    assert api.get(f"/units/{COMMUNE}/kpi/daily", token=token).status_code == 403
    assert api.get(f"/units/{COMMUNE}/officials/kpi", token=token).status_code == 403
    assert api.get("/officials/cb-004/kpi", token=token).status_code == 403
    assert api.get("/officials/cb-001/kpi", token=token).status_code == 200
    assert api.get("/campaigns/kh-2025/interconnection", token=token).status_code == 403
    assert api.get("/campaigns/kh-2025/freshness", token=token).status_code == 403
    assert api.get("/officials/ghost/kpi").status_code == 404


def test_individual_kpis(api, source):
    sid, secret = source
    deliver(
        api,
        sid,
        secret,
        [
            event("p1", doc="d1", actor_official_id="cb-002", due_at="2025-07-20T00:00:00+07:00"),
            event(
                "p2",
                doc="d2",
                actor_official_id="cb-002",
                channel="paper",
                due_at="2025-07-10T00:00:00+07:00",
            ),
            event("s1", "document.signed", doc="d3", signer_official_id="cb-002"),
            event("ev", "official.evaluated", official_id="cb-002", period="2025-07", score=88.5),
        ],
    )
    aggregate(api)
    one = body(api.get("/officials/cb-002/kpi?from=2025-07-01&to=2025-07-31"))
    assert (one["processed_total"], one["processed_online"], one["online_rate"]) == (2, 1, 0.5)
    assert (one["on_time_total"], one["on_time"]) == (2, 1)
    assert one["digital_signatures"] == 1
    assert one["latest_evaluation_score"] == 88.5 and one["full_name"] == "Trần Văn Đức"
    listed = body(api.get(f"/units/{DEPARTMENT}/officials/kpi?from=2025-07-01&to=2025-07-31"))
    assert {o["official_id"] for o in listed["items"]} == {"cb-001", "cb-002"}


def test_freshness_lists_silent_units_and_sources(api, source):
    sid, secret = source
    now = clock.now().isoformat()
    deliver(api, sid, secret, [event("e1", at=now)])
    api.post("/admin/sources", {"source_id": "quiet", "name": "Silent", "units": [PROVINCE]})
    aggregate(api)
    data = body(api.get("/campaigns/kh-2025/freshness?hours=1"))
    assert {s["source_id"] for s in data["silent_sources"]} == {"quiet"}
    silent_units = {u["unit_id"] for u in data["silent_units"]}
    assert DEPARTMENT not in silent_units and COMMUNE in silent_units


def test_bad_ranges(api, source):
    assert api.get(f"/units/{DEPARTMENT}/kpi?from=2025-08-01&to=2025-07-01").status_code == 400
    assert api.get(f"/units/{DEPARTMENT}/kpi?from=yesterday").status_code == 400
