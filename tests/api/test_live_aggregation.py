"""Aggregation driven by the inbox stream (issue 15): the fold_inbox handler invoked with
moto's stream records in Lambda's shape, partial batch responses, redelivery, the sweep
as a safety net and what `as_of` promises."""

from __future__ import annotations

import base64
import datetime as dt
import threading
import time

import pytest

from chalicelib import clock
from chalicelib.storage.events import seq_time
from tests.conftest import body
from tests.factories import DEPARTMENT, PROVINCE, load_registry
from tests.streams import Recorder, invoker, poller
from tests.webhooks import deliver, event


@pytest.fixture
def source(api):
    load_registry(api)
    created = api.post("/admin/sources", {"source_id": "eo", "name": "QLVB", "units": [PROVINCE]})
    secret = body(created)["secret"]
    return "eo", secret


def kpi(api, unit=DEPARTMENT):
    r = api.get(f"/units/{unit}/kpi?from=2025-07-15&to=2025-08-15")
    assert r.status_code == 200, r.body
    return body(r)


def pending() -> list:
    from chalicelib.storage.events import pending_items

    return list(pending_items())


def test_an_accepted_event_is_folded_by_the_stream_consumer(api, source):
    sid, secret = source
    assert deliver(api, sid, secret, [event("p1", doc="d1"), event("p2", doc="d2")]).status_code
    accepted_at = clock.now()
    assert kpi(api)["metrics"]["processed_total"] == 0  # nothing folded yet
    assert len(pending()) == 1

    consumer = poller(api.client)
    assert consumer.poll_once(flush=True) == 1  # one inbox item: one stream record
    data = kpi(api)
    assert data["metrics"]["processed_total"] == 2
    assert dt.datetime.fromisoformat(data["as_of"]) >= accepted_at
    assert pending() == []


def test_records_have_lambdas_shape_and_the_handler_reads_it(api, source):
    sid, secret = source
    deliver(api, sid, secret, [event("p1", doc="d1")])
    (record,) = Recorder().new_records()
    assert record["eventName"] == "INSERT" and record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"].split("/")[-3].endswith("inbox")
    ddb = record["dynamodb"]
    assert ddb["StreamViewType"] == "NEW_IMAGE" and isinstance(ddb["SequenceNumber"], str)
    assert isinstance(ddb["ApproximateCreationDateTime"], float)
    base64.b64decode(ddb["NewImage"]["events"]["B"], validate=True)  # binary as base64
    response = invoker(api.client)({"Records": [record]})
    assert response == {"batchItemFailures": []}
    assert kpi(api)["metrics"]["processed_total"] == 1


def test_a_redelivered_batch_changes_nothing(api, source):
    sid, secret = source
    for b in range(3):
        deliver(api, sid, secret, [event(f"e{b}-{i}", doc=f"d{i % 4}") for i in range(5)])
    records = Recorder().new_records()
    invoke = invoker(api.client)
    invoke({"Records": records})
    first = kpi(api)["metrics"]
    invoke({"Records": records})
    invoke({"Records": records[1:]})
    assert kpi(api)["metrics"] == first
    assert first["processed_total"] == 4


def test_a_failed_item_is_reported_and_the_rest_of_the_batch_is_folded(api, source, monkeypatch):
    from chalicelib.services import aggregation

    sid, secret = source
    deliver(api, sid, secret, [event("ok1", doc="d1")])
    deliver(api, sid, secret, [event("bad", doc="d2")])
    deliver(api, sid, secret, [event("ok2", doc="d3")])
    records = Recorder().new_records()
    real_fold = aggregation.fold

    def fold(batches):
        if any(r["event_id"] == "bad" for b in batches for r in b.records):
            raise RuntimeError("storage hiccup")
        return real_fold(batches)

    monkeypatch.setattr(aggregation, "fold", fold)
    response = invoker(api.client)({"Records": records})
    bad_seq = records[1]["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": bad_seq}]}
    assert kpi(api)["metrics"]["processed_total"] == 2
    assert len(pending()) == 1  # the failed item's marker stays for a retry or the sweep
    # as_of stops at the item still pending
    (_, seq) = pending()[0]
    assert dt.datetime.fromisoformat(kpi(api)["as_of"]) <= seq_time(seq)

    monkeypatch.setattr(aggregation, "fold", real_fold)
    r = api.post("/admin/jobs/aggregate_kpi")
    assert body(r)["result"]["inbox_items"] == 1
    assert kpi(api)["metrics"]["processed_total"] == 3 and pending() == []


def test_the_poller_retries_from_the_first_failed_record_then_leaves_it_to_the_sweep(
    api, source, monkeypatch
):
    from chalicelib.services import aggregation

    sid, secret = source
    for name in ("a", "bad", "c"):
        deliver(api, sid, secret, [event(name, doc=f"doc-{name}")])
    real_fold = aggregation.fold
    calls = []

    def fold(batches):
        calls.append([r["event_id"] for b in batches for r in b.records])
        if any(r["event_id"] == "bad" for b in batches for r in b.records):
            raise RuntimeError("always fails")
        return real_fold(batches)

    monkeypatch.setattr(aggregation, "fold", fold)
    consumer = poller(api.client, max_retry_attempts=2)
    consumer.poll_once(flush=True)
    assert len(consumer.dropped) == 1
    first_dropped = consumer.dropped[0][0]["dynamodb"]["NewImage"]["seq"]["S"]
    assert first_dropped == pending()[0][1]  # dropped from the failed record on
    assert kpi(api)["metrics"]["processed_total"] == 2
    monkeypatch.setattr(aggregation, "fold", real_fold)
    api.post("/admin/jobs/aggregate_kpi")
    assert kpi(api)["metrics"]["processed_total"] == 3


def test_the_sweep_folds_an_item_written_late_with_an_old_timestamp(api, source):
    """The lost item of the time-cursor design: its timestamp was taken before a later
    item's, its write landed after that later item was folded and as_of had moved."""
    from chalicelib.services.ingestion import _public
    from chalicelib.storage import events as store

    sid, secret = source
    consumer = poller(api.client)
    taken_at = clock.now()  # the slow request computes its timestamp ...
    time.sleep(0.01)
    deliver(api, sid, secret, [event("fast", doc="d1")])
    consumer.poll_once(flush=True)
    before = kpi(api)
    assert before["metrics"]["processed_total"] == 1
    assert dt.datetime.fromisoformat(before["as_of"]) > taken_at
    # ... and writes only now, with the older timestamp.
    store.inbox_put(
        taken_at, "slow-request", sid, [_public(dict(event("slow", doc="d2"), source_id=sid))]
    )
    consumer.poll_once(flush=True)
    assert kpi(api)["metrics"]["processed_total"] == 2
    # Without the stream (a lost batch), the sweep finds it by its marker, not by time.
    store.inbox_put(
        taken_at, "slower-request", sid, [_public(dict(event("slower", doc="d3"), source_id=sid))]
    )
    assert body(api.post("/admin/jobs/aggregate_kpi"))["result"]["inbox_items"] == 1
    assert kpi(api)["metrics"]["processed_total"] == 3


def test_as_of_stays_before_the_oldest_item_not_folded(api, source):
    sid, secret = source
    deliver(api, sid, secret, [event("p1", doc="d1")])
    poller(api.client).poll_once(flush=True)
    folded_as_of = kpi(api)["as_of"]
    deliver(api, sid, secret, [event("p2", doc="d2")])
    (_, seq) = pending()[0]
    # a consumer that finishes another batch now must not move as_of past the pending item
    from chalicelib.services.aggregation import advance_as_of

    assert advance_as_of() == seq_time(seq)
    assert dt.datetime.fromisoformat(kpi(api)["as_of"]) >= dt.datetime.fromisoformat(folded_as_of)
    assert dt.datetime.fromisoformat(kpi(api)["as_of"]) <= seq_time(seq)


def test_two_consumers_fold_the_same_days_at_once_without_losing_an_update(api, source):
    sid, secret = source
    for b in range(8):
        deliver(
            api,
            sid,
            secret,
            [
                event(f"e{b}-{i}", doc=f"b{b}-d{i}", channel="paper" if i % 3 else "electronic")
                for i in range(6)
            ],
        )
    records = Recorder().new_records()
    invoke = invoker(api.client)
    halves = [records[0::2], records[1::2]]  # two shards, same units and days
    threads = [threading.Thread(target=invoke, args=({"Records": h},)) for h in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    m = kpi(api)["metrics"]
    assert m["processed_total"] == 48
    assert m["processed_online"] == 16
    assert pending() == []


def test_a_document_changing_more_days_than_a_transaction_holds_is_folded_in_steps(api, source):
    """120 printed events of one document on 120 days: 120 daily items, more than one
    transaction (100 items) can carry with the document."""
    sid, secret = source
    start = dt.date(2025, 3, 1)
    events = [
        event(
            f"pr{i}",
            "document.printed",
            doc="thick",
            pages=1,
            at=f"{start + dt.timedelta(days=i)}T09:00:00+07:00",
        )
        for i in range(120)
    ]
    assert deliver(api, sid, secret, events).status_code == 202
    assert poller(api.client).poll_once(flush=True) == 2  # two inbox items (100 + 20)
    r = api.get(f"/units/{DEPARTMENT}/kpi?from={start}&to={start + dt.timedelta(days=119)}")
    assert body(r)["metrics"]["paper_pages"] == 120
    assert pending() == []


def test_the_sweep_leaves_young_items_to_the_stream_and_folds_them_once_old(api, source, setting):
    """Issue 23: a sweep folding the items the consumers are folding at that moment only
    races them for the same documents (the burst's conflicts). It leaves items younger
    than SWEEP_MIN_AGE_SECONDS to the stream; a later sweep folds any the stream missed,
    and as_of never passes them meanwhile."""
    setting("SWEEP_MIN_AGE_SECONDS", 300)
    sid, secret = source
    ingested = clock.now()
    deliver(api, sid, secret, [event("young", doc="d1")])
    (_, seq) = pending()[0]
    with clock.frozen(ingested + dt.timedelta(seconds=299)):
        result = body(api.post("/admin/jobs/aggregate_kpi"))["result"]
        assert result["inbox_items"] == 0  # the stream's, not the sweep's
        assert len(pending()) == 1
        assert dt.datetime.fromisoformat(kpi(api)["as_of"]) <= seq_time(seq)
        assert kpi(api)["metrics"]["processed_total"] == 0
    with clock.frozen(ingested + dt.timedelta(seconds=301)):  # the stream never took it
        assert body(api.post("/admin/jobs/aggregate_kpi"))["result"]["inbox_items"] == 1
        assert pending() == []
        assert kpi(api)["metrics"]["processed_total"] == 1
