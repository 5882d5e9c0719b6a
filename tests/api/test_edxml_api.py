"""POST /webhooks/{source_id}/edxml end to end: every fixture through the signed, idempotent,
de-duplicating path; trail records; refusals that store nothing; what is archived; the KPIs
of the signed package after aggregation (issue 8, items 1, 3, 4 and 6)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import body
from tests.edxml_messages import MALFORMED_CASES
from tests.webhooks import deliver, event, sign

FIXTURES = Path(__file__).parents[1] / "fixtures" / "edxml"
MALFORMED = FIXTURES / "malformed"
VALID = sorted(p.name for p in FIXTURES.glob("*.xml"))
HEADER = "/edXML/edXMLEnvelope/edXMLHeader"
SOURCE = "lgsp-khanhhoa"

PROVINCE, VP = "000.00.00.H34", "000.00.01.H34"
SNV, KHCN = "000.00.31.H34", "000.00.32.H34"
NHA_TRANG, BAC_NHA_TRANG, VAN_NINH = "000.01.31.H34", "000.02.31.H34", "000.03.31.H34"
PLAN_215 = "edxml-doc-f3fb30eeca207f4a9b95eaaf8c7152f3"  # 000.00.31.H34,2025/07/15,215/KH-SNV

# The organs of the fixtures' story (docs/edxml.md, "Fixtures"), after the 2025 merger.
UNITS = [
    {"unit_id": PROVINCE, "name": "UBND tỉnh Khánh Hòa", "level": "province", "parent_id": None},
    {"unit_id": VP, "name": "Văn phòng UBND tỉnh", "level": "province", "parent_id": PROVINCE},
    {"unit_id": SNV, "name": "Sở Nội vụ", "level": "department", "parent_id": PROVINCE},
    {
        "unit_id": KHCN,
        "name": "Sở Khoa học và Công nghệ",
        "level": "department",
        "parent_id": PROVINCE,
    },
    {
        "unit_id": NHA_TRANG,
        "name": "UBND phường Nha Trang",
        "level": "commune",
        "parent_id": PROVINCE,
    },
    {
        "unit_id": BAC_NHA_TRANG,
        "name": "UBND phường Bắc Nha Trang",
        "level": "commune",
        "parent_id": PROVINCE,
    },
    {"unit_id": VAN_NINH, "name": "UBND xã Vạn Ninh", "level": "commune", "parent_id": PROVINCE},
]
OFFICIALS = [
    {
        "official_id": "snv-vt-01",
        "unit_id": SNV,
        "full_name": "Lê Thị Hoa",
        "position": "Văn thư",
        "active": True,
    },
    {
        "official_id": "nt-cc-01",
        "unit_id": NHA_TRANG,
        "full_name": "Trần Thị Bích Ngọc",
        "position": "Công chức Văn hóa - Xã hội",
        "active": True,
    },
]
CAMPAIGN = {
    "campaign_id": "kh-2025",
    "name": "Ngày không in giấy 2025",
    "start_date": "2025-07-15",
    "end_date": "2025-08-15",
    "timezone": "Asia/Ho_Chi_Minh",
    "nomination_deadline": "2025-08-20",
    "award_quotas": {"collective": 10, "individual": 10},
}


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def expected(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "expected" / f"{name.removesuffix('.xml')}.json").read_text())


@pytest.fixture
def hub(api):
    r = api.post("/admin/units", {"units": UNITS, "officials": OFFICIALS})
    assert r.status_code == 200, r.body
    assert api.post("/admin/campaigns", CAMPAIGN).status_code == 201
    r = api.post(
        "/admin/sources",
        {"source_id": SOURCE, "name": "Trục LGSP tỉnh Khánh Hòa", "units": [PROVINCE]},
    )
    assert r.status_code == 201, r.body
    return SOURCE, body(r)["secret"]


def post_edxml(
    api: Any,
    secret: str,
    raw: bytes,
    *,
    source: str = SOURCE,
    msg_id: str | None = None,
    content_type: str = "application/xml",
    headers: dict[str, str] | None = None,
) -> Any:
    hdrs = sign(secret, raw, msg_id=msg_id)
    hdrs["Content-Type"] = content_type
    hdrs.update(headers or {})
    return api.request("POST", f"/webhooks/{source}/edxml", token=None, headers=hdrs, raw=raw)


# --- what the service stored ---------------------------------------------------------------


def inbox_records() -> list[dict[str, Any]]:
    from chalicelib.storage.models import InboxModel

    out: list[dict[str, Any]] = []
    for item in InboxModel.scan():
        out += json.loads(zlib.decompress(item.events))
    return out


def archive_objects() -> list[tuple[bytes, str]]:
    from chalicelib.storage.events import archive_get, archive_keys

    return [archive_get(key)[:2] for key in archive_keys()]


def trail_records() -> list[dict[str, Any]]:
    from chalicelib.storage.models import DocumentTrailModel

    return [dict(item.record) for item in DocumentTrailModel.scan()]


def stored_anything() -> dict[str, int]:
    from chalicelib.storage.models import EventLedgerModel, IdempotencyModel

    counts = {
        "inbox": len(inbox_records()),
        "ledger": sum(1 for _ in EventLedgerModel.scan()),
        "archive": len(archive_objects()),
        "trail": len(trail_records()),
        "idempotency": sum(1 for _ in IdempotencyModel.scan()),
    }
    return {k: v for k, v in counts.items() if v}


def aggregate(api: Any) -> None:
    r = api.post("/admin/jobs/aggregate_kpi")
    assert r.status_code == 202, r.body
    assert body(r)["result"]["done"] is True


def metrics(api: Any, unit: str, frm: str = "2025-07-15", to: str = "2025-08-15") -> dict:
    r = api.get(f"/units/{unit}/kpi?from={frm}&to={to}")
    assert r.status_code == 200, r.body
    return body(r)["metrics"]


# --- every valid fixture -------------------------------------------------------------------


@pytest.mark.parametrize("name", VALID)
def test_fixture_is_accepted_then_duplicate_and_replayed(api, hub, name: str) -> None:
    _, secret = hub
    raw, want = load(name), expected(name)
    first = post_edxml(api, secret, raw, msg_id="msg_first")
    assert first.status_code == 202, first.body
    assert body(first) == {"accepted": len(want["events"]), "duplicates": 0}
    # The hub re-sends the same package under a new webhook-id: nothing new.
    again = post_edxml(api, secret, raw, msg_id="msg_again")
    assert again.status_code == 202, again.body
    assert body(again) == {"accepted": 0, "duplicates": len(want["events"])}
    # A redelivery of the first webhook gets the first answer.
    replay = post_edxml(api, secret, raw, msg_id="msg_first")
    assert (replay.status_code, body(replay)) == (202, body(first))

    records = inbox_records()
    assert sorted(r["event_id"] for r in records) == sorted(e["event_id"] for e in want["events"])
    assert all(r["source_id"] == SOURCE for r in records)
    stored_trail = trail_records()
    assert sorted(stored_trail, key=lambda r: r["record_id"]) == sorted(
        want["trail"], key=lambda r: r["record_id"]
    )


@pytest.mark.parametrize("code", ["02", "04", "05", "13", "15", "16"])
def test_trail_status_changes_no_kpi_and_is_on_the_document_trail(api, hub, code: str) -> None:
    from chalicelib.storage.events import trail_of

    _, secret = hub
    name = f"qcvn_status_{code}.xml"
    r = post_edxml(api, secret, load(name))
    assert (r.status_code, body(r)) == (202, {"accepted": 0, "duplicates": 0})
    (record,) = expected(name)["trail"]
    assert trail_of(SOURCE, PLAN_215) == [record]
    assert record["code"] == code and record["kind"] == "status"
    assert inbox_records() == []
    # The status itself is archived as received: it is the record of what the hub said.
    (archived,) = archive_objects()
    assert archived == (load(name), "application/xml")


def test_go_vn_status_05_is_trail_only_too(api, hub) -> None:
    from chalicelib.storage.events import trail_of

    _, secret = hub
    r = post_edxml(api, secret, load("godoc_status_05.xml"), content_type="text/xml")
    assert (r.status_code, body(r)) == (202, {"accepted": 0, "duplicates": 0})
    (record,) = expected("godoc_status_05.xml")["trail"]
    assert trail_of(SOURCE, record["document_id"]) == [record]


def test_recall_update_replace_are_recorded_and_never_counted_twice(api, hub) -> None:
    from chalicelib.storage.events import trail_of

    _, secret = hub
    assert body(post_edxml(api, secret, load("qcvn_package_signed.xml")))["accepted"] == 5
    for name in ("qcvn_package_recall.xml", "qcvn_package_update.xml", "qcvn_package_replace.xml"):
        r = post_edxml(api, secret, load(name))
        assert (r.status_code, body(r)) == (202, {"accepted": 0, "duplicates": 0}), name
    # A hub re-sending the original package as well: duplicates only.
    assert body(post_edxml(api, secret, load("qcvn_package_signed.xml"))) == {
        "accepted": 0,
        "duplicates": 5,
    }
    assert len(inbox_records()) == 5
    trail = sorted(trail_of(SOURCE, PLAN_215), key=lambda r: r["code"])
    assert [(t["kind"], t["code"], t["organ_id"]) for t in trail] == [
        ("recall", "1", SNV),
        ("update", "2", SNV),
        ("replace", "3", SNV),
    ]
    assert trail[0]["counterpart_ids"] == [NHA_TRANG, BAC_NHA_TRANG, VAN_NINH]
    aggregate(api)
    m = metrics(api, SNV)
    assert (m["issued_total"], m["issued_signed_digitally"], m["issued_online"]) == (1, 1, 1)
    assert (m["sent_electronic"], m["sent_paper"]) == (3, 0)


@pytest.mark.parametrize("failing", ["archive_put", "trail_put"])
def test_a_storage_failure_is_503_and_the_retry_stores_the_trail(
    api, hub, monkeypatch, failing: str
) -> None:
    """A 503 must not leave a remembered 202 behind: the hub's retry (same webhook-id) has
    to store the archive and the trail record."""
    from chalicelib.storage import events as store

    _, secret = hub
    real = getattr(store, failing)
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("storage is having a moment")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, failing, flaky)
    raw = load("qcvn_status_04.xml")
    first = post_edxml(api, secret, raw, msg_id="msg_status_04")
    assert first.status_code == 503, first.body
    assert body(first)["error"]["code"] == "unavailable"
    retry = post_edxml(api, secret, raw, msg_id="msg_status_04")
    assert (retry.status_code, body(retry)) == (202, {"accepted": 0, "duplicates": 0})
    assert [r["code"] for r in store.trail_of(SOURCE, PLAN_215)] == ["04"]
    assert raw in [archived for archived, _ in archive_objects()]


# --- refusals store nothing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "says"),
    MALFORMED_CASES,
)
def test_malformed_message_is_400_naming_the_element(
    api, hub, name: str, path: str, says: str
) -> None:
    _, secret = hub
    started = time.process_time()  # the work done, whatever else the machine runs
    r = post_edxml(api, secret, (MALFORMED / name).read_bytes())
    elapsed = time.process_time() - started
    assert r.status_code == 400, r.body
    error = body(r)["error"]
    assert error["code"] == "invalid_edxml"
    assert error["message"].startswith(f"{path}: ") and says in error["message"]
    assert error["details"][0]["path"] == path
    assert stored_anything() == {}
    if name in ("billion_laughs.xml", "external_entity.xml"):
        assert elapsed < 1.0, f"{name} took {elapsed:.3f} s"


def test_bad_signature_is_401(api, hub) -> None:
    _, secret = hub
    raw = load("qcvn_package_signed.xml")
    headers = sign(secret, raw)
    headers["Content-Type"] = "application/xml"
    tampered = raw.replace(b"215</edXML:CodeNumber>", b"216</edXML:CodeNumber>")
    r = api.request("POST", f"/webhooks/{SOURCE}/edxml", token=None, headers=headers, raw=tampered)
    assert r.status_code == 401, r.body
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    assert post_edxml(api, other, raw).status_code == 401
    assert stored_anything() == {}


def test_unknown_source_is_401(api, hub) -> None:
    _, secret = hub
    r = post_edxml(api, secret, load("qcvn_package_signed.xml"), source="no-such-hub")
    assert r.status_code == 401, r.body
    assert stored_anything() == {}


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_wrong_content_type_is_415(api, hub, content_type: str) -> None:
    _, secret = hub
    r = post_edxml(api, secret, load("qcvn_package_signed.xml"), content_type=content_type)
    assert r.status_code == 415, r.body
    assert body(r)["error"]["code"] == "unsupported_media_type"
    assert stored_anything() == {}


def test_xml_with_charset_parameter_is_accepted(api, hub) -> None:
    _, secret = hub
    r = post_edxml(
        api, secret, load("qcvn_status_01.xml"), content_type="application/xml; charset=utf-8"
    )
    assert (r.status_code, body(r)) == (202, {"accepted": 1, "duplicates": 0})


def test_over_ten_megabytes_is_413_before_anything_else(api, hub) -> None:
    _, secret = hub
    raw = load("qcvn_package_signed.xml")
    padding = b"<!--" + b"x" * (10 * 1024 * 1024) + b"-->"
    big = raw.replace(b"</edXML>", padding + b"</edXML>")
    assert len(big) > 10 * 1024 * 1024
    r = post_edxml(api, secret, big)
    assert r.status_code == 413, r.body
    assert body(r)["error"]["code"] == "payload_too_large"
    assert stored_anything() == {}


def test_edxml_limit_is_its_own_setting(api, hub, monkeypatch) -> None:
    """EDXML_MAX_BODY_BYTES, not the JSON webhook's 1 MB: a 2 MB package passes by default
    and is refused under a smaller configured limit."""
    from chalicelib.settings import get_settings

    _, secret = hub
    raw = load("qcvn_package_unsigned.xml")
    padded = raw.replace(b"</edXML>", b"<!--" + b"x" * (2 * 1024 * 1024) + b"--></edXML>")
    assert len(padded) > get_settings().webhook_max_body_bytes
    monkeypatch.setenv("EDXML_MAX_BODY_BYTES", str(len(raw) + 100))
    get_settings.cache_clear()
    try:
        r = post_edxml(api, secret, padded)
        assert r.status_code == 413, r.body
        assert stored_anything() == {}
        assert post_edxml(api, secret, raw).status_code == 202
    finally:
        monkeypatch.delenv("EDXML_MAX_BODY_BYTES")
        get_settings.cache_clear()
    r = post_edxml(api, secret, padded, msg_id="msg_padded")
    assert (r.status_code, body(r)) == (202, {"accepted": 0, "duplicates": 2})


def test_unknown_sender_organ_is_422(api, hub) -> None:
    _, secret = hub
    raw = load("qcvn_package_unsigned.xml").replace(
        b"<edXML:From>\n          <edXML:OrganId>000.01.31.H34</edXML:OrganId>",
        b"<edXML:From>\n          <edXML:OrganId>000.09.31.H34</edXML:OrganId>",
    )
    assert b"000.09.31.H34" in raw
    r = post_edxml(api, secret, raw)
    assert r.status_code == 422, r.body
    assert {d["unit_id"] for d in body(r)["error"]["details"]} == {"000.09.31.H34"}
    assert {d["field"] for d in body(r)["error"]["details"]} == {"unit_id"}
    assert stored_anything() == {}


@pytest.mark.parametrize("name", ["qcvn_status_02.xml", "qcvn_package_recall.xml"])
def test_unknown_organ_is_422_for_trail_only_messages_too(api, hub, name: str) -> None:
    """A status or recall that changes no KPI still names its acting organ: an organ outside
    the registry is refused like an event's unit, and nothing (trail, archive) is kept."""
    _, secret = hub
    organ = expected(name)["trail"][0]["organ_id"]
    raw = re.sub(
        rb"(<edXML:From>\s*<edXML:OrganId>)" + re.escape(organ.encode()),
        rb"\g<1>000.99.99.H34",
        load(name),
    )
    r = post_edxml(api, secret, raw)
    assert r.status_code == 422, r.body
    assert body(r)["error"]["details"] == [{"unit_id": "000.99.99.H34"}]
    assert stored_anything() == {}


def test_counterpart_outside_the_registry_is_accepted(api, hub) -> None:
    """Like a JSON event's to_unit_id: a ministry may receive a package."""
    _, secret = hub
    raw = load("qcvn_package_unsigned.xml").replace(
        b"<edXML:To>\n          <edXML:OrganId>000.00.31.H34</edXML:OrganId>",
        b"<edXML:To>\n          <edXML:OrganId>000.00.00.G06</edXML:OrganId>",
    )
    assert b"000.00.00.G06" in raw
    r = post_edxml(api, secret, raw)
    assert (r.status_code, body(r)) == (202, {"accepted": 2, "duplicates": 0})


@pytest.mark.parametrize(
    ("name", "organ"),
    [
        ("qcvn_package_signed.xml", SNV),  # events: signed, issued, sent by the department
        ("qcvn_status_06.xml", NHA_TRANG),  # an event reported by a commune
        ("qcvn_package_recall.xml", SNV),  # trail only: the recall's sender
        ("qcvn_status_13.xml", BAC_NHA_TRANG),  # trail only: a status's reporter
    ],
)
def test_an_edxml_source_speaks_only_for_its_units(api, hub, name: str, organ: str) -> None:
    """The scope applies to edXML as to JSON: the acting organ (a package's sender, a
    status's reporter) must be within the source's units; recipients stay free."""
    _, secret = hub
    assert api.patch(f"/admin/sources/{SOURCE}", {"units": [VAN_NINH]}).status_code == 200
    r = post_edxml(api, secret, load(name))
    assert r.status_code == 403, r.body
    assert body(r)["error"]["details"] == [{"unit_id": organ}]
    assert stored_anything() == {}
    assert api.patch(f"/admin/sources/{SOURCE}", {"units": [VAN_NINH, organ]}).status_code == 200
    assert post_edxml(api, secret, load(name)).status_code == 202


def test_same_webhook_id_with_another_body_is_409(api, hub) -> None:
    _, secret = hub
    assert post_edxml(api, secret, load("qcvn_status_01.xml"), msg_id="msg_x").status_code == 202
    r = post_edxml(api, secret, load("qcvn_status_03.xml"), msg_id="msg_x")
    assert r.status_code == 409, r.body


def test_json_and_edxml_webhooks_share_the_source_and_its_ledger(api, hub) -> None:
    """The same source may post both: each route takes only its own content type."""
    _, secret = hub
    r = deliver(api, SOURCE, secret, [event("json-1", unit=SNV, actor_official_id="snv-vt-01")])
    assert (r.status_code, body(r)) == (202, {"accepted": 1, "duplicates": 0})
    r = post_edxml(api, secret, load("qcvn_status_01.xml"))
    assert (r.status_code, body(r)) == (202, {"accepted": 1, "duplicates": 0})
    xml_to_json_route = deliver(api, SOURCE, secret, raw=load("qcvn_status_01.xml"))
    assert xml_to_json_route.status_code == 400  # not JSON
    assert len(inbox_records()) == 2


# --- what is archived -----------------------------------------------------------------------


def _attachments(raw: bytes) -> list[tuple[str, str, str]]:
    """(name, base64 content, SHA-256 of the file) of each AttachmentEncoded attachment."""
    text = raw.decode()
    out = []
    for block in re.findall(r"<Attachment>(.*?)</Attachment>", text, re.S):
        name = re.search(r"<AttachmentName>(.*?)</AttachmentName>", block).group(1)
        content = re.search(
            r"<ContentTransferEncoded>(.*?)</ContentTransferEncoded>", block, re.S
        ).group(1)
        digest = hashlib.sha256(base64.b64decode("".join(content.split()))).hexdigest()
        out.append((name, content, digest))
    return out


@pytest.mark.parametrize("name", ["qcvn_package_signed.xml", "qcvn_package_unsigned.xml"])
def test_archive_keeps_attachment_digests_never_their_content(api, hub, name: str) -> None:
    _, secret = hub
    raw = load(name)
    attachments = _attachments(raw)
    assert attachments
    assert post_edxml(api, secret, raw).status_code == 202
    (archived, content_type) = archive_objects()[0]
    assert content_type == "application/xml"
    for attachment_name, content, digest in attachments:
        assert attachment_name.encode() in archived  # the name stays
        assert digest.encode() in archived  # the file's SHA-256 replaces it
        for line in content.split():
            assert line.encode() not in archived  # not one line of the file
    assert b"ContentTransferEncoded" not in archived
    assert b'algorithm="SHA-256"' in archived
    # The signed header and the rest of the package are kept as received.
    head = raw[: raw.index(b"<AttachmentEncoded>")]
    assert archived.startswith(head)


def test_secret_package_keeps_no_number_subject_or_names(api, hub) -> None:
    _, secret = hub
    raw = load("qcvn_package_secret.xml")
    r = post_edxml(api, secret, raw)
    assert (r.status_code, body(r)) == (202, {"accepted": 3, "duplicates": 0})
    secrets = [
        "12/TTr-SNV",
        "TTr-SNV",
        "phương án sắp xếp",
        "Tờ trình",
        "12_TTr-SNV_phuong_an_MAT.pdf",
        "Nguyễn Văn An",
        ",2025/07/18,",  # the DocumentId embeds the number
    ]
    (archived, _content_type) = archive_objects()[0]
    records = inbox_records()
    stored = archived.decode() + json.dumps(records, ensure_ascii=False)
    for text in secrets:
        assert text not in stored, text
    for content_line in _attachments(raw)[0][1].split():
        assert content_line not in stored
    assert {r["type"] for r in records} == {
        "document.signed",
        "document.issued",
        "document.sent",
    }
    for record in records:
        assert record["document"] == {
            "id": expected("qcvn_package_secret.xml")["events"][0]["document"]["id"],
            "security": "mat",
            "state_commendation": False,
        }
    aggregate(api)
    m = metrics(api, SNV)
    assert (m["exempt_total"], m["issued_total"], m["sent_electronic"]) == (1, 0, 0)


# --- KPIs -----------------------------------------------------------------------------------


def test_kpis_of_the_story_follow_the_mapping_table(api, hub) -> None:
    """docs/edxml.md: a signed package is a digital signature, an electronic issue and one
    electronic sent pair per recipient, by the sender, on the promulgation date (sends on the
    first TraceHeader's date); status 01 is an electronic receipt by the reporting unit from
    the ResponseFor organ, 06 an electronic processing; trail statuses change nothing."""
    _, secret = hub
    for name in VALID:
        if name.startswith("qcvn_"):
            assert post_edxml(api, secret, load(name)).status_code == 202, name
    aggregate(api)

    snv = metrics(api, SNV)
    assert (snv["issued_total"], snv["issued_signed_digitally"], snv["issued_online"]) == (1, 1, 1)
    assert (snv["signing_rate"], snv["e_issuance_rate"]) == (1.0, 1.0)
    assert (snv["sent_electronic"], snv["sent_paper"]) == (3, 0)
    assert (snv["received_electronic"], snv["processed_total"]) == (0, 0)
    assert snv["exempt_total"] == 1  # the secret Tờ trình
    assert snv["two_way_interconnection"] is False  # nothing received from a commune
    day = metrics(api, SNV, "2025-07-15", "2025-07-15")
    assert (day["issued_total"], day["sent_electronic"]) == (1, 3)
    assert metrics(api, SNV, "2025-07-16", "2025-08-15")["issued_total"] == 0

    nha_trang = metrics(api, NHA_TRANG)
    # The unsigned Công văn 87/UBND-VP: issued electronically, not signed digitally.
    assert (nha_trang["issued_total"], nha_trang["issued_signed_digitally"]) == (1, 0)
    assert (nha_trang["issued_online"], nha_trang["signing_rate"]) == (1, 0.0)
    assert (nha_trang["sent_electronic"], nha_trang["received_electronic"]) == (1, 1)
    assert (nha_trang["processed_total"], nha_trang["processed_online"]) == (1, 1)
    assert nha_trang["two_way_interconnection"] is True  # to and from Sở Nội vụ
    assert metrics(api, NHA_TRANG, "2025-07-18", "2025-07-18")["processed_total"] == 1

    for commune in (BAC_NHA_TRANG, VAN_NINH):  # statuses 02, 13, 15, 16 only
        m = metrics(api, commune)
        assert (m["received_electronic"], m["processed_total"], m["issued_total"]) == (0, 0, 0)
        assert m["two_way_interconnection"] is False


# --- rebuild from the archive ---------------------------------------------------------------


def _empty_event_tables() -> None:
    from chalicelib.storage.models import EventLedgerModel, IdempotencyModel, InboxModel

    for model in (EventLedgerModel, InboxModel, IdempotencyModel):
        for item in model.scan():
            item.delete()


def test_rebuild_from_the_archive_re_ingests_every_edxml_message(api, hub) -> None:
    """The archive is the source of truth: what edXML requests stored there (packages
    without attachment content, redacted secret packages, statuses, trail-only messages,
    a secret recall's summary) re-ingests into empty tables as the same events."""
    _, secret = hub
    secret_recall = load("qcvn_package_recall.xml").replace(
        b"<edXML:PageAmount>4</edXML:PageAmount>",
        "<edXML:PageAmount>4</edXML:PageAmount><edXML:SecurityLevel>Mật</edXML:SecurityLevel>".encode(),
    )
    assert secret_recall != load("qcvn_package_recall.xml")
    for raw in [load(name) for name in VALID] + [secret_recall]:
        assert post_edxml(api, secret, raw).status_code == 202
    # The secret recall marks its document exempt: the aggregation run redacts what its
    # package stored in clear (inbox and archive alike), so the rebuild gives it back redacted.
    aggregate(api)
    before = sorted((r["event_id"], json.dumps(r, sort_keys=True)) for r in inbox_records())
    assert len(before) == sum(len(expected(name)["events"]) for name in VALID)

    _empty_event_tables()
    assert inbox_records() == []
    r = api.post("/admin/jobs/rebuild_events")
    assert r.status_code == 202, r.body
    result = body(r)["result"]
    assert result["done"] is True
    assert result["objects"] == len(archive_objects())
    assert result["accepted"] == len(before)
    after = sorted((r["event_id"], json.dumps(r, sort_keys=True)) for r in inbox_records())
    assert after == before


def test_summary_of_a_new_secret_package_is_not_taken_for_no_events() -> None:
    """Its events live in the redacted JSON archive; a summary must not silently give none."""
    from chalicelib.api.errors import status_of
    from chalicelib.domain.edxml import parse_edxml
    from chalicelib.domain.errors import InvalidInput
    from chalicelib.services.edxml_messages import parse_edxml_body

    summary = parse_edxml(load("qcvn_package_secret.xml")).archive_xml
    assert summary.lstrip().startswith(b"<?xml") and b"<EdxmlArchive" in summary
    with pytest.raises(InvalidInput) as err:
        parse_edxml_body(summary)
    assert status_of(err.value) == 400 and "/EdxmlArchive" in err.value.message


# --- a document marked exempt after its clear messages (issue 13) ----------------------------


def test_status_messages_of_a_document_marked_later_keep_no_text(api, hub) -> None:
    """A hub sends the package and statuses in clear; a JSON event then marks the document
    secret. The next aggregation run leaves no number, code or description of it anywhere,
    and statuses arriving afterwards are stored that way at once."""
    from chalicelib.storage.aws import client
    from tests.storage_scan import dynamodb_text, find, s3_text
    from tests.webhooks import deliver, event

    _, secret = hub
    for name in ("qcvn_package_signed.xml", "qcvn_status_05.xml", "qcvn_status_06.xml"):
        assert post_edxml(api, secret, load(name)).status_code == 202, name
    texts = {
        "number": "215/KH-SNV",
        "description 05": "Đang xử lý",
        "description 06": "đã ban hành kế hoạch",
    }

    def found() -> set[str]:
        stored = {**dynamodb_text(client("dynamodb")), **s3_text(client("s3"))}
        return {what for _, what in find(stored, texts)}

    assert found() == set(texts)  # stored in clear: nothing marked it yet
    document_id = expected("qcvn_package_signed.xml")["events"][0]["document"]["id"]
    marking = event(
        "mark-1", "document.registered", unit=SNV, doc=document_id, document={"security": "mat"}
    )
    assert deliver(api, SOURCE, secret, [marking]).status_code == 202
    aggregate(api)
    assert found() == set()
    assert metrics(api, SNV)["exempt_total"] == 1
    assert metrics(api, SNV)["issued_total"] == 0

    # Later statuses of the document: a summary in the archive, no trail description.
    for name in ("qcvn_status_04.xml", "qcvn_status_02.xml", "qcvn_status_06.xml"):
        assert post_edxml(api, secret, load(name)).status_code == 202, name
    texts.update(
        {"description 04": "Giao Phòng Văn hóa", "description 02": "không đúng đơn vị xử lý"}
    )
    assert found() == set()
    statuses = [b for b, _ in archive_objects() if b'kind="status"' in b]
    # 05 (rewritten by the run), 04 and 02 (stored so): summaries; the two 06 are events.
    assert len(statuses) == 3 and all(b"<Status code=" in b for b in statuses)
    assert all(r["description"] is None for r in trail_records())
    # The archive still rebuilds the same events.
    before = sorted(json.dumps(r, sort_keys=True) for r in inbox_records())
    _empty_event_tables()
    assert body(api.post("/admin/jobs/rebuild_events"))["result"]["done"] is True
    assert sorted(json.dumps(r, sort_keys=True) for r in inbox_records()) == before
