"""Nomination files: the presigned POST, verification of what was stored, downloads."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from urllib.parse import unquote

import pytest
import requests

from tests.conftest import body
from tests.factories import DEPARTMENT
from tests.nominations import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    attach,
    audit_actions,
    created,
    docx,
    freeze,
    jpeg,
    key_of,
    officer,
    pdf,
    plain_zip,
    png,
    s3_event,
    setup,
    ticket,
    upload,
    xlsx,
)

MAX = 20 * 1024 * 1024
KEY = re.compile(r"^nominations/kh-2025/000\.00\.31\.H34/[0-9a-f]{32}/[0-9a-f]{32}$")


def _s3():
    from chalicelib.storage.aws import client

    return client("s3")


def _bucket():
    from chalicelib.settings import get_settings

    return get_settings().uploads_bucket


def _keys():
    listed = _s3().list_objects_v2(Bucket=_bucket()).get("Contents", [])
    return sorted(o["Key"] for o in listed)


def test_presigned_post_policy(api):
    setup(api)
    token = officer(api, DEPARTMENT)
    nid = created(api, token)["nomination_id"]
    issued_at = dt.datetime.now(dt.UTC)
    issued = ticket(api, nid, token=token, filename="Tờ trình.pdf", size=12345)
    file_id = issued["file"]["file_id"]
    assert issued["file"]["status"] == "pending"
    assert issued["file"]["download_url"] is None
    post = issued["upload"]
    fields = post["fields"]
    key = fields["key"]
    assert key == f"nominations/kh-2025/{DEPARTMENT}/{nid}/{file_id}"
    assert fields["Content-Type"] == PDF
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert post["max_bytes"] == MAX
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, MAX] in conditions
    assert {"Content-Type": PDF} in conditions
    assert {"key": key} in conditions
    assert {"bucket": _bucket()} in conditions
    assert not any(isinstance(c, list) and c[0] == "starts-with" for c in conditions)
    expires = dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert abs((expires - issued_at).total_seconds() - 300) < 10
    returned = dt.datetime.fromisoformat(post["expires_at"].replace("Z", "+00:00"))
    assert abs((returned - expires).total_seconds()) < 2
    # The client's file name is nowhere in what S3 sees.
    assert "Tờ" not in json.dumps(fields, ensure_ascii=False)
    assert "trình" not in base64.b64decode(fields["policy"]).decode()


ACCEPTED_NAMES = [
    "Tờ trình đề nghị tặng Bằng khen năm 2025 — Sở Nội vụ.pdf",
    "ồ" * 251 + ".pdf",  # 255 characters, 510+ bytes of UTF-8
    "..hidden.pdf",
    "report .exe",
    "%2e%2e%2fetc%2fpasswd.pdf",
]


def test_accepted_file_names_never_reach_the_key(api):
    setup(api)
    nid = created(api)["nomination_id"]
    for filename in ACCEPTED_NAMES:
        data = pdf(filename)
        issued = ticket(api, nid, filename=filename, data=data, category="other")
        key = key_of(api, issued)
        assert KEY.match(key), (filename, key)
        assert issued["file"]["filename"] == filename  # kept exactly, for display
        upload(issued, data)
        assert s3_event(api, key).payload["outcome"] == "verified", filename
        listed = next(
            f
            for f in body(api.get(f"/nominations/{nid}/files"))["items"]
            if f["file_id"] == issued["file"]["file_id"]
        )
        assert listed["filename"] == filename
        # The download offers the exact name (RFC 6266 filename*), always as .pdf.
        response = requests.get(listed["download_url"], timeout=30)
        assert response.status_code == 200 and response.content == data
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment; ")
        exact = unquote(disposition.split("filename*=UTF-8''", 1)[1])
        assert exact == (filename if filename.endswith(".pdf") else filename + ".pdf")
    keys = _keys()
    assert len(keys) == len(ACCEPTED_NAMES)
    assert all(k.startswith(f"verified/nominations/kh-2025/{DEPARTMENT}/{nid}/") for k in keys)
    assert not any(name in k or "ồ" in k or ".." in k for name in ACCEPTED_NAMES for k in keys)


BAD_NAMES = [
    ("../../etc/passwd.pdf", "not a path"),
    ("..\\..\\boot.ini.pdf", "not a path"),
    ("thư mục/tờ trình.pdf", "not a path"),
    ("to_trinh\x00.pdf", "control characters"),
    ("tờ trình\r\nX-Amz-Meta: x.pdf", "control characters"),
    ("invoice\u202efdp.exe", "control characters"),
    ("a" * 256 + ".pdf", "at most 255"),
    ("ồ" * 256, "at most 255"),
    ("..", "only of dots"),
    ("", "empty"),
    ("   ", "empty"),
]


def test_bad_file_names_are_400(api):
    setup(api)
    nid = created(api)["nomination_id"]
    for filename, fragment in BAD_NAMES:
        r = api.post(
            f"/nominations/{nid}/files",
            {"filename": filename, "content_type": PDF, "size": 100, "category": "to_trinh"},
        )
        assert r.status_code == 400, (filename, r.body)
        detail = body(r)["error"]["details"][0]
        assert detail["field"] == "filename" and fragment in detail["message"], (filename, detail)
    assert body(api.get(f"/nominations/{nid}/files"))["items"] == []
    assert audit_actions(api, nid) == ["created"]
    assert _keys() == []


def test_file_request_validation(api):
    setup(api)
    nid = created(api)["nomination_id"]
    request = {"filename": "a.pdf", "content_type": PDF, "size": 100, "category": "to_trinh"}
    for payload, field in [
        ({"content_type": "text/html"}, "content_type"),
        ({"content_type": "application/zip"}, "content_type"),
        ({"category": "giay_khen"}, "category"),
        ({"size": 0}, "size"),
        ({"size": MAX + 1}, "size"),
        ({"key": "nominations/x"}, "key"),
    ]:
        r = api.post(f"/nominations/{nid}/files", {**request, **payload})
        assert r.status_code == 400, (payload, r.body)
        assert body(r)["error"]["details"][0]["field"] == field, (payload, r.body)
    assert body(api.get(f"/nominations/{nid}"))["file_count"] == 0


@pytest.mark.parametrize(
    ("content_type", "data", "filename"),
    [
        (PDF, pdf("Báo cáo"), "Báo cáo.pdf"),
        (DOCX, docx(), "Báo cáo.docx"),
        (XLSX, xlsx(), "Bảng điểm.xlsx"),
        (PNG, png(), "Ảnh.png"),
        (JPEG, jpeg(), "Ảnh.jpg"),
    ],
)
def test_each_allowed_type_is_verified_and_downloadable(api, content_type, data, filename):
    setup(api)
    nid = created(api)["nomination_id"]
    got = attach(
        api, nid, data=data, content_type=content_type, filename=filename, category="other"
    )
    assert got["status"] == "verified", got
    assert got["reason"] is None
    assert got["size"] == len(data)
    import hashlib

    assert got["sha256"] == hashlib.sha256(data).hexdigest()
    response = requests.get(got["download_url"], timeout=30)
    assert response.status_code == 200 and response.content == data
    assert response.headers["Content-Type"] == content_type
    expires = dt.datetime.fromisoformat(got["download_expires_at"].replace("Z", "+00:00"))
    assert 0 < (expires - dt.datetime.now(dt.UTC)).total_seconds() <= 120
    assert "X-Amz-Expires=120" in got["download_url"]
    # Only the verified copy remains; the upload key is gone.
    keys = _keys()
    assert len(keys) == 1 and keys[0].startswith("verified/nominations/kh-2025/")


MISMATCHES = [
    (PDF, png(), "not a PDF"),
    (PDF, b"<html><script>alert(1)</script></html>", "not a PDF"),
    (PDF, pdf()[:-20], "no %%EOF"),
    (PNG, jpeg(), "not a PNG"),
    (JPEG, png(), "not a JPEG"),
    (JPEG, pdf(), "not a JPEG"),
    (DOCX, plain_zip(), "no [Content_Types].xml"),
    (DOCX, xlsx(), "no DOCX main part"),
    (XLSX, docx(), "no XLSX main part"),
    (XLSX, plain_zip(), "no [Content_Types].xml"),
    (DOCX, pdf(), "not a ZIP"),
    (DOCX, b"PK\x03\x04" + b"\x00" * 60, "damaged"),
]


def test_bytes_that_do_not_match_the_declared_type_are_rejected(api):
    setup(api)
    nid = created(api)["nomination_id"]
    for declared, data, reason in MISMATCHES:
        got = attach(api, nid, data=data, content_type=declared, filename="hồ sơ", category="other")
        assert got["status"] == "rejected", (declared, reason, got)
        assert reason in got["reason"], (declared, got["reason"])
        assert got["download_url"] is None and got["sha256"] is None
        assert _keys() == []  # rejected bytes are not kept
        trail = body(api.get(f"/nominations/{nid}/audit"))["items"]
        assert trail[-1]["action"] == "file_rejected"
        assert reason in trail[-1]["details"]["reason"]


def test_a_docx_whose_main_part_is_missing_is_rejected(api):
    import io
    import zipfile

    setup(api)
    nid = created(api)["nomination_id"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z, zipfile.ZipFile(io.BytesIO(docx())) as real:
        z.writestr("[Content_Types].xml", real.read("[Content_Types].xml"))
    got = attach(api, nid, data=out.getvalue(), content_type=DOCX, filename="x.docx")
    assert got["status"] == "rejected" and "main part is missing" in got["reason"]


def test_size_and_content_type_are_checked_after_upload(api):
    """S3 enforces the policy in AWS; the verifier checks again what was stored."""
    setup(api)
    nid = created(api)["nomination_id"]
    data = pdf()
    issued = ticket(api, nid, data=data, size=len(data) + 1)
    upload(issued, data)
    assert s3_event(api, key_of(api, issued)).payload["outcome"] == "rejected"
    issued = ticket(api, nid, data=data)
    upload(issued, data, content_type="text/html")
    assert s3_event(api, key_of(api, issued)).payload["outcome"] == "rejected"
    reasons = sorted(f["reason"] for f in body(api.get(f"/nominations/{nid}/files"))["items"])
    assert reasons[0].startswith("content type mismatch: declared application/pdf")
    assert reasons[1] == f"size mismatch: declared {len(data) + 1} bytes, received {len(data)}"


def test_a_second_post_cannot_replace_a_verified_file(api):
    setup(api)
    nid = created(api)["nomination_id"]
    data = pdf("bản gốc")
    issued = ticket(api, nid, data=data)
    upload(issued, data)
    assert s3_event(api, key_of(api, issued)).payload["outcome"] == "verified"
    # The policy is still valid for a few minutes: re-post other bytes to the same key.
    evil = b"%PDF-1.4\n<script>" + b"x" * (len(data) - 29) + b"\n%%EOF\n"
    upload(issued, evil)
    assert s3_event(api, key_of(api, issued)).payload["outcome"] == "already_verified"
    listed = body(api.get(f"/nominations/{nid}/files"))["items"][0]
    assert requests.get(listed["download_url"], timeout=30).content == data
    assert all(k.startswith("verified/") for k in _keys())


def test_the_s3_handler_ignores_foreign_keys_and_deletes_orphans(api):
    setup(api)
    nid = created(api)["nomination_id"]
    s3 = _s3()
    for key in ("nominations/readme.txt", "nominations/kh-2025/../x/y/z"):
        s3.put_object(Bucket=_bucket(), Key=key, Body=b"x")
        assert s3_event(api, key).payload["outcome"] == "ignored"
    orphan = f"nominations/kh-2025/{DEPARTMENT}/{nid}/{'a' * 32}"
    s3.put_object(Bucket=_bucket(), Key=orphan, Body=pdf(), ContentType=PDF)
    assert s3_event(api, orphan).payload["outcome"] == "orphan_deleted"
    assert orphan not in _keys()
    # A file deleted while its upload was in flight: the late object is removed.
    issued = ticket(api, nid)
    assert api.delete(f"/nominations/{nid}/files/{issued['file']['file_id']}").status_code == 204
    upload(issued, pdf())
    assert s3_event(api, key_of(api, issued)).payload["outcome"] == "orphan_deleted"
    assert key_of(api, issued) not in _keys()
    # The same service the function and the verify_uploads job call.
    from chalicelib.services.nominations import files as nominations

    data = pdf()
    issued = ticket(api, nid, data=data)
    upload(issued, data)
    assert nominations.verify_upload(key_of(api, issued))["outcome"] == "verified"
    assert nominations.verify_upload(key_of(api, issued)) == {
        "key": key_of(api, issued),
        "outcome": "already_verified",
    }


def test_an_upload_completing_after_submission_is_rejected(api):
    from tests.nominations import complete_dossier

    setup(api)
    nid = created(api)["nomination_id"]
    complete_dossier(api, nid)
    late = ticket(api, nid, category="bien_ban")
    assert api.post(f"/nominations/{nid}/submit").status_code == 200
    upload(late, pdf())
    result = s3_event(api, key_of(api, late)).payload
    assert result["outcome"] == "rejected", result
    files = {f["file_id"]: f for f in body(api.get(f"/nominations/{nid}/files"))["items"]}
    assert files[late["file"]["file_id"]]["status"] == "rejected"
    assert "left draft" in files[late["file"]["file_id"]]["reason"]
    assert not any(late["file"]["file_id"] in k for k in _keys())


def test_delete_file_while_draft(api):
    setup(api)
    token = officer(api, DEPARTMENT)
    nid = created(api, token)["nomination_id"]
    got = attach(api, nid, token=token)
    assert len(_keys()) == 1
    r = api.delete(f"/nominations/{nid}/files/{got['file_id']}", token=token)
    assert r.status_code == 204 and r.body in (b"", None)
    assert _keys() == []
    assert body(api.get(f"/nominations/{nid}/files"))["items"] == []
    trail = body(api.get(f"/nominations/{nid}/audit"))["items"]
    assert trail[-1]["action"] == "file_deleted"
    assert trail[-1]["details"]["file_id"] == got["file_id"]
    assert api.delete(f"/nominations/{nid}/files/{'b' * 32}", token=token).status_code == 404
    # A viewer may not delete at all: refused by the route's declared roles before any
    # lookup, so the answer reveals nothing about which files exist.
    assert (
        api.delete(f"/nominations/{nid}/files/x", token=api.make_token("viewer")).status_code == 403
    )


def test_verification_job_for_the_local_stack(api):
    """chalice local runs no S3 triggers: the verify_uploads job settles pending files."""
    setup(api)
    nid = created(api)["nomination_id"]
    good = ticket(api, nid)
    upload(good, pdf())
    bad = ticket(api, nid, category="other")
    upload(bad, b"GIF89a not a pdf at all, padded to the declared size ......")
    waiting = ticket(api, nid, category="bien_ban")
    r = api.post("/admin/jobs/verify_uploads")
    assert r.status_code == 202, r.body
    assert body(r)["result"] == {"done": True, "verified": 1, "rejected": 1, "waiting": 1}
    # Once its link has expired (and a grace period), a file with no upload is given up.
    # The link expires by S3's clock: botocore signed it with the host's.
    freeze(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=8))
    assert body(api.post("/admin/jobs/verify_uploads"))["result"] == {"done": True, "expired": 1}
    files = {f["file_id"]: f for f in body(api.get(f"/nominations/{nid}/files"))["items"]}
    assert files[good["file"]["file_id"]]["status"] == "verified"
    assert files[bad["file"]["file_id"]]["status"] == "rejected"
    assert (
        files[waiting["file"]["file_id"]]["reason"] == "no upload arrived before the link expired"
    )
    assert body(api.post("/admin/jobs/verify_uploads"))["result"] == {"done": True}
    r = api.post("/admin/jobs/verify_uploads", token=officer(api, DEPARTMENT))
    assert r.status_code == 403


def test_at_most_twenty_files(api):
    setup(api)
    nid = created(api)["nomination_id"]
    for _ in range(20):
        ticket(api, nid, category="other")
    r = api.post(
        f"/nominations/{nid}/files",
        {"filename": "21.pdf", "content_type": PDF, "size": 10, "category": "other"},
    )
    assert r.status_code == 409
    assert body(r)["error"]["code"] == "too_many_files"
    assert body(r)["error"]["details"][0]["status"] == "draft"
    assert body(api.get(f"/nominations/{nid}"))["file_count"] == 20


def test_abandoned_uploads_expire_and_stop_counting(api):
    """Twenty declared files, none sent: once their links expired (plus the grace), the
    scheduled verify_uploads sweep gives them up and the dossier takes new files; deleting
    an expired file does not count it off a second time."""
    from chalicelib.jobs.catalog import job_specs

    assert job_specs()["verify_uploads"].every_minutes  # scheduled in AWS
    setup(api)
    nid = created(api)["nomination_id"]
    tickets = [ticket(api, nid, category="other") for _ in range(20)]
    assert body(api.post("/admin/jobs/verify_uploads"))["result"] == {"done": True, "waiting": 20}
    assert body(api.get(f"/nominations/{nid}"))["file_count"] == 20
    # Four minutes later the links (five minutes) still run: nothing expires.
    freeze(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4))
    assert body(api.post("/admin/jobs/verify_uploads"))["result"] == {"done": True, "waiting": 20}
    # The links expire by S3's clock: botocore signed them with the host's.
    freeze(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=8))
    assert body(api.post("/admin/jobs/verify_uploads"))["result"] == {"done": True, "expired": 20}
    assert body(api.get(f"/nominations/{nid}"))["file_count"] == 0
    assert ticket(api, nid, category="other")["file"]["status"] == "pending"
    gone = tickets[0]["file"]["file_id"]
    assert api.delete(f"/nominations/{nid}/files/{gone}").status_code == 204
    assert body(api.get(f"/nominations/{nid}"))["file_count"] == 1


def test_verify_upload_takes_eventbridge_object_created_events(api):
    """In AWS the uploads bucket reaches verify_upload through EventBridge."""
    setup(api)
    nid = created(api)["nomination_id"]
    data = pdf()
    issued = ticket(api, nid, data=data)
    upload(issued, data)
    key = key_of(api, issued)

    def eventbridge(bucket, detail_type="Object Created"):
        return {
            "version": "0",
            "id": "17793124-05d4-b198-2fde-7ededc63b103",
            "detail-type": detail_type,
            "source": "aws.s3",
            "account": "123456789012",
            "time": "2025-08-18T03:00:00Z",
            "region": "ap-southeast-1",
            "resources": [f"arn:aws:s3:::{bucket}"],
            "detail": {
                "version": "0",
                "bucket": {"name": bucket},
                "object": {"key": key, "size": len(data), "etag": "x", "sequencer": "1"},
                "request-id": "N4N7GDK58NMKJ12R",
                "requester": "123456789012",
                "reason": "PostObject",
            },
        }

    invoke = api.client.lambda_.invoke
    assert invoke("verify_upload", eventbridge("someone-elses-bucket")).payload == {"results": []}
    assert invoke("verify_upload", eventbridge(_bucket(), "Object Deleted")).payload == {
        "results": []
    }
    other = api.client.events.generate_s3_event("someone-elses-bucket", key, "ObjectCreated:Put")
    assert invoke("verify_upload", other).payload == {"results": []}
    results = invoke("verify_upload", eventbridge(_bucket())).payload["results"]
    assert [r["outcome"] for r in results] == ["verified"]
    # EventBridge delivers at least once: a repeat changes nothing.
    again = invoke("verify_upload", eventbridge(_bucket())).payload["results"]
    assert [r["outcome"] for r in again] == ["already_verified"]
    assert body(api.get(f"/nominations/{nid}/files"))["items"][0]["status"] == "verified"
    assert audit_actions(api, nid).count("file_verified") == 1
