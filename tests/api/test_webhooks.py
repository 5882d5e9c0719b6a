from __future__ import annotations

import datetime as dt
import json
import zlib

import pytest
from standardwebhooks.webhooks import Webhook

from tests.conftest import body
from tests.factories import COMMUNE, PROVINCE, load_registry
from tests.webhooks import deliver, encode, event, sign


@pytest.fixture
def source(api):
    load_registry(api)
    r = api.post(
        "/admin/sources",
        {"source_id": "eoffice-1", "name": "Hệ thống QLVB tỉnh", "units": [PROVINCE]},
    )
    assert r.status_code == 201, r.body
    secret = body(r)["secret"]
    assert secret.startswith("whsec_")
    return "eoffice-1", secret


def _inbox_records():
    from chalicelib.storage.models import InboxModel

    out = []
    for item in InboxModel.scan():
        out += json.loads(zlib.decompress(item.events))
    return out


def _archive_bodies():
    from chalicelib.storage.events import archive_get, archive_keys

    return [archive_get(k)[0] for k in archive_keys()]


def test_reference_vector_of_standard_webhooks(monkeypatch):
    # The Standard Webhooks specification's published test vector.
    import standardwebhooks.webhooks as sw

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.fromtimestamp(1614265330, tz=dt.UTC)

    monkeypatch.setattr(sw, "datetime", Frozen)
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    assert Webhook(secret).verify(b'{"test": 2432232314}', headers) == {"test": 2432232314}
    assert (
        Webhook(secret).sign(headers["webhook-id"], Frozen.now(), '{"test": 2432232314}')
        == headers["webhook-signature"]
    )


def test_reference_vector_through_our_verifier():
    """The service's verifier (not the package's) accepts the spec's vector and refuses it
    outside the tolerance."""
    from chalicelib.domain.signatures import SignatureRefused, verify

    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v2,xxx v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    moment = dt.datetime.fromtimestamp(1614265330, tz=dt.UTC)
    payload = b'{"test": 2432232314}'
    assert (
        verify([secret], headers, payload, now=moment, tolerance_seconds=1) == headers["webhook-id"]
    )
    with pytest.raises(SignatureRefused, match="tolerance"):
        verify(
            [secret], headers, payload, now=moment + dt.timedelta(seconds=2), tolerance_seconds=1
        )
    with pytest.raises(SignatureRefused, match="No matching"):
        verify([secret], headers, payload + b" ", now=moment, tolerance_seconds=1)


def test_reference_vector_through_the_endpoint(api, clock_at):
    """A source whose secret is the spec's: our endpoint accepts the spec's signature."""
    from chalicelib.storage import sources as store

    load_registry(api)
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    store.create_source(
        "vector", "v", [PROVINCE], store.encrypt_secret(secret, "vector"), dt.datetime.now(dt.UTC)
    )
    # Signed in February 2021, about an event of that day.
    payload = encode([event("e1", at="2021-02-25T09:00:00+07:00")])
    moment = dt.datetime.fromtimestamp(1614265330, tz=dt.UTC)
    clock_at(moment)
    headers = sign(secret, payload, msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=moment)
    r = api.request("POST", "/webhooks/vector", token=None, headers=headers, raw=payload)
    assert r.status_code == 202, r.body


def test_accepts_and_counts(api, source):
    sid, secret = source
    r = deliver(api, sid, secret, [event("e1"), event("e2", "document.issued")])
    assert r.status_code == 202, r.body
    assert body(r) == {"accepted": 2, "duplicates": 0}
    r = deliver(api, sid, secret, [event("e1"), event("e3")])
    assert body(r) == {"accepted": 1, "duplicates": 1}
    assert sorted(x["event_id"] for x in _inbox_records()) == ["e1", "e2", "e3"]


@pytest.mark.parametrize(
    ("tolerance", "offset", "status"),
    # 5 s inside or outside: signing and a slow test machine take a second or two.
    [
        (tolerance, side * (tolerance + delta), 202 if delta < 0 else 401)
        for tolerance in (300, 30, 600)
        for side in (-1, 1)
        for delta in (-5, 5)
    ],
)
def test_timestamp_tolerance_is_the_setting(api, source, setting, tolerance, offset, status):
    """WEBHOOK_TOLERANCE_SECONDS bounds the signature's age both ways (default 300 s)."""
    if tolerance != 300:
        setting("WEBHOOK_TOLERANCE_SECONDS", tolerance)
    sid, secret = source
    r = deliver(api, sid, secret, [event("e1")], offset_seconds=offset)
    assert r.status_code == status, r.body
    if status == 401:
        assert f"outside the {tolerance} s tolerance" in body(r)["error"]["message"]
        assert _inbox_records() == []


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_401(api, source, missing):
    sid, secret = source
    data = encode([event("e1")])
    headers = sign(secret, data)
    del headers[missing]
    r = api.request("POST", f"/webhooks/{sid}", token=None, headers=headers, raw=data)
    assert r.status_code == 401
    assert missing in body(r)["error"]["message"]


def test_bad_signatures_are_401_and_store_nothing(api, source):
    sid, secret = source
    data = encode([event("e1")])
    for bad in (
        "v1,AAAA",
        "garbage",
        "v1,not base64!!",
        "v2," + sign(secret, data)["webhook-signature"][3:],
    ):
        headers = sign(secret, data)
        headers["webhook-signature"] = bad
        r = api.request("POST", f"/webhooks/{sid}", token=None, headers=headers, raw=data)
        assert r.status_code == 401, bad
    tampered = encode([event("e1", unit=COMMUNE)])
    r = api.request(
        "POST", f"/webhooks/{sid}", token=None, headers=sign(secret, data), raw=tampered
    )
    assert r.status_code == 401
    assert _inbox_records() == [] and _archive_bodies() == []


def test_unknown_and_disabled_sources(api, source):
    sid, secret = source
    assert deliver(api, "nobody", secret, [event("e1")]).status_code == 401
    assert api.delete(f"/admin/sources/{sid}").status_code == 200
    r = deliver(api, sid, secret, [event("e1")])
    assert r.status_code == 401
    assert body(r)["error"]["message"] == "Unknown or disabled source"


def test_rotation_keeps_old_secret_during_grace(api, source):
    sid, old = source
    r = api.post(f"/admin/sources/{sid}/rotate", {})
    assert r.status_code == 200, r.body
    new = body(r)["secret"]
    assert new != old
    assert deliver(api, sid, old, [event("e1")]).status_code == 202
    assert deliver(api, sid, new, [event("e2")]).status_code == 202
    # Several signatures during rotation: one valid is enough.
    data = encode([event("e3")])
    headers = sign(new, data)
    headers["webhook-signature"] = "v1,AAAA " + headers["webhook-signature"]
    assert (
        api.request("POST", f"/webhooks/{sid}", token=None, headers=headers, raw=data).status_code
        == 202
    )
    # A rotation with no grace retires the previous secrets at once.
    newest = body(api.post(f"/admin/sources/{sid}/rotate", {"grace_hours": 0}))["secret"]
    assert deliver(api, sid, new, [event("e4")]).status_code == 401
    assert deliver(api, sid, newest, [event("e4")]).status_code == 202


def test_secrets_never_returned_again(api, source):
    sid, secret = source
    listed = body(api.get("/admin/sources"))
    assert secret not in json.dumps(listed)
    assert listed["items"][0]["active_secrets"] == 1
    from chalicelib.storage.models import SourceModel

    stored = SourceModel.get(sid)
    assert secret.encode() not in bytes(stored.secrets[0].ciphertext)
    assert (
        api.post(
            "/admin/sources", {"source_id": sid, "name": "again", "units": [PROVINCE]}
        ).status_code
        == 409
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"events": []}, "events"),
        ({"events": [event("a")], "extra": 1}, "extra"),
        ({"events": [dict(event("a"), occurred_at="2025-07-16T09:00:00")]}, "occurred_at"),
        ({"events": [dict(event("a"), occurred_at=1752634800)]}, "occurred_at"),
        # ISO 8601 forms that are not RFC 3339 (week date, basic form, no seconds, space).
        ({"events": [dict(event("a"), occurred_at="2025-W29-2T08:30+07:00")]}, "occurred_at"),
        ({"events": [dict(event("a"), occurred_at="20250715T083000+0700")]}, "occurred_at"),
        ({"events": [dict(event("a"), occurred_at="2025-07-15T08:30+07:00")]}, "occurred_at"),
        ({"events": [dict(event("a"), occurred_at="2025-07-15 08:30:00+07:00")]}, "occurred_at"),
        ({"events": [dict(event("a"), occurred_at="2025-196T08:30:00+07:00")]}, "occurred_at"),
        ({"events": [dict(event("a"), occurred_at="2025-02-30T08:30:00+07:00")]}, "occurred_at"),
        ({"events": [dict(event("a"), due_at="2025-07-20")]}, "due_at"),
        ({"events": [dict(event("a"), due_at="2025-07-20T17:00:00")]}, "due_at"),
        ({"events": [dict(event("a"), completed_at="2025-W29-3T10:00:00+07:00")]}, "completed_at"),
        ({"events": [dict(event("a"), completed_at="20250716T100000Z")]}, "completed_at"),
        ({"events": [dict(event("a"), type="document.burned")]}, "type"),
        ({"events": [dict(event("a"), color="red")]}, "color"),
        ({"events": [dict(event("a"), channel="fax")]}, "channel"),
        ({"events": [event("a", document={"security": "secret"})]}, "document.security"),
        ({"events": [dict(event("a", "official.evaluated"), score=101)]}, "score"),
        ({"events": [dict(event("a", "official.evaluated"), period="2025-13")]}, "period"),
        ({"events": [dict(event("a"), unit_id="bad unit")]}, "unit_id"),
    ],
)
def test_invalid_bodies_are_400_naming_the_field(api, source, payload, field):
    sid, secret = source
    r = deliver(api, sid, secret, raw=json.dumps(payload).encode())
    assert r.status_code == 400, r.body
    details = body(r)["error"]["details"]
    assert any(d["field"] == field for d in details), details
    assert _inbox_records() == []


def test_every_invalid_event_is_listed_and_nothing_stored(api, source):
    sid, secret = source
    events = [event("ok"), dict(event("b"), channel="fax"), event("c"), {"event_id": "d"}]
    r = deliver(api, sid, secret, events)
    assert r.status_code == 400
    indexes = {d["index"] for d in body(r)["error"]["details"]}
    assert indexes == {1, 3}
    assert _inbox_records() == []


def test_too_many_events_and_too_large(api, source):
    sid, secret = source
    r = deliver(api, sid, secret, [event(f"e{i}") for i in range(501)])
    assert r.status_code == 400
    big = encode([event("e1", document={"number": "x" * 100})]) + b" " * (1024 * 1024)
    r = deliver(api, sid, secret, raw=big)
    assert r.status_code == 413


def test_bad_json_is_400(api, source):
    sid, secret = source
    r = deliver(api, sid, secret, raw=b'{"events": [')
    assert r.status_code == 400
    assert body(r)["error"]["code"] == "bad_request"


def test_unknown_unit_is_422_and_nothing_stored(api, source):
    sid, secret = source
    r = deliver(
        api, sid, secret, [event("e1"), event("e2", unit="ghost-1"), event("e3", unit="ghost-2")]
    )
    assert r.status_code == 422
    assert [(d["index"], d["field"], d["unit_id"]) for d in body(r)["error"]["details"]] == [
        (1, "unit_id", "ghost-1"),
        (2, "unit_id", "ghost-2"),
    ]
    assert _inbox_records() == []
    # A counterpart outside the registry is fine (a ministry, another province).
    r = deliver(api, sid, secret, [event("e4", "document.sent", to_unit_id="G01.BNV")])
    assert r.status_code == 202


def test_same_id_different_payload_is_409(api, source):
    sid, secret = source
    assert deliver(api, sid, secret, [event("e1")]).status_code == 202
    r = deliver(api, sid, secret, [event("e1", channel="paper"), event("e2")])
    assert r.status_code == 409
    assert body(r)["error"]["details"] == [{"event_id": "e1"}]
    assert sorted(x["event_id"] for x in _inbox_records()) == ["e1"]
    r = deliver(api, sid, secret, [event("e5"), event("e5", channel="paper")])
    assert r.status_code == 409
    r = deliver(api, sid, secret, [event("e6"), event("e6")])
    assert body(r) == {"accepted": 1, "duplicates": 1}


def test_redelivered_webhook_gets_the_same_answer(api, source):
    sid, secret = source
    events = [event("e1"), event("e2")]
    first = deliver(api, sid, secret, events, msg_id="msg_fixed")
    again = deliver(api, sid, secret, events, msg_id="msg_fixed")
    assert first.status_code == again.status_code == 202
    assert body(first) == body(again) == {"accepted": 2, "duplicates": 0}
    assert len(_inbox_records()) == 2
    r = deliver(api, sid, secret, [event("e9")], msg_id="msg_fixed")
    assert r.status_code == 409


def test_failed_delivery_is_not_remembered(api, source):
    sid, secret = source
    r = deliver(api, sid, secret, [event("e1", unit="ghost")], msg_id="msg_retry")
    assert r.status_code == 422
    r = deliver(api, sid, secret, [event("e1")], msg_id="msg_retry")
    assert r.status_code == 202


def test_500_event_batch(api, source):
    sid, secret = source
    events = [event(f"e{i:03d}", doc=f"d{i}") for i in range(500)]
    r = deliver(api, sid, secret, events)
    assert body(r) == {"accepted": 500, "duplicates": 0}
    assert len(_inbox_records()) == 500
    from chalicelib.storage.models import EventLedgerModel

    assert EventLedgerModel.count(sid) == 500


def test_vietnamese_text_round_trip(api, source):
    sid, secret = source
    e = event("e1", document={"number": "123/UBND-VP", "doc_type": "Công văn hỏa tốc"})
    assert deliver(api, sid, secret, [e]).status_code == 202
    stored = _inbox_records()[0]
    assert stored["document"]["doc_type"] == "Công văn hỏa tốc"
    archived = json.loads(_archive_bodies()[0])
    assert archived["events"][0]["document"]["doc_type"] == "Công văn hỏa tốc"


@pytest.mark.parametrize(
    "marking",
    [
        {"security": "mat"},
        {"security": "toi_mat"},
        {"security": "tuyet_mat"},
        {"state_commendation": True},
    ],
)
def test_secret_documents_are_redacted_everywhere(api, source, marking, caplog):
    sid, secret = source
    events = [
        event(
            "s1",
            "document.registered",
            doc="secret-doc",
            document={"number": "01/MAT", "doc_type": "Quyết định", "pages": 4},
        ),
        event(
            "s2", doc="secret-doc", document={"number": "02/MAT", "doc_type": "Tờ trình", **marking}
        ),
        event("p1", doc="public-doc", document={"number": "99/UBND", "doc_type": "Công văn"}),
    ]
    assert deliver(api, sid, secret, events).status_code == 202
    records = {r["event_id"]: r for r in _inbox_records()}
    assert set(records["s2"]["document"]) == {"id", "security", "state_commendation"}
    # Exemption is the document's: its unmarked event is stored redacted too (keeping its
    # own marking), the other document keeps its fields.
    assert records["s1"]["document"] == {
        "id": "secret-doc",
        "security": "thuong",
        "state_commendation": False,
    }
    assert "pages" not in records["s1"]
    assert records["p1"]["document"]["number"] == "99/UBND"
    archived = _archive_bodies()
    assert len(archived) == 1
    for text in ("01/MAT", "02/MAT", "Tờ trình", "Quyết định"):
        assert text.encode() not in archived[0], text
    marked = next(e for e in json.loads(archived[0])["events"] if e["event_id"] == "s2")
    assert set(marked["document"]) == {"id", "security", "state_commendation"}
    assert b"99/UBND" in archived[0]
    assert "01/MAT" not in caplog.text


def test_archive_is_encrypted_and_partitioned(api, source):
    sid, secret = source
    deliver(api, sid, secret, [event("e1")])
    from chalicelib.settings import get_settings
    from chalicelib.storage.aws import client

    keys = [
        o["Key"]
        for o in client("s3").list_objects_v2(Bucket=get_settings().archive_bucket)["Contents"]
    ]
    assert len(keys) == 1
    parts = keys[0].split("/")
    assert parts[0] == "archive" and parts[1] == sid
    dt.date.fromisoformat(parts[2])
    head = client("s3").head_object(Bucket=get_settings().archive_bucket, Key=keys[0])
    assert head["ServerSideEncryption"] == "aws:kms"


def test_storage_failure_is_503_with_retry_after(api, source):
    from chalicelib.storage import outages

    sid, secret = source
    # The ledger's write is throttled (after botocore's retries), through the storage seam.
    fault = outages.inject("BatchWriteItem", table="event_ledger")
    r = deliver(api, sid, secret, [event("e1")], msg_id="m1")
    assert r.status_code == 503, r.body
    assert r.headers["Retry-After"]
    assert body(r)["error"]["code"] == "unavailable"
    outages.clear()
    assert fault.times is None
    r = deliver(api, sid, secret, [event("e1")], msg_id="m1")
    assert body(r) == {"accepted": 1, "duplicates": 0}
    # The event sits in the inbox twice (the first attempt got that far); the
    # aggregation folds by event identity, so it still counts once.
    assert [x["event_id"] for x in _inbox_records()] == ["e1", "e1"]


def test_wrong_content_type_is_415(api, source):
    sid, secret = source
    data = encode([event("e1")])
    headers = sign(secret, data)
    headers["Content-Type"] = "text/plain"
    r = api.request("POST", f"/webhooks/{sid}", token=None, headers=headers, raw=data)
    assert r.status_code == 415
