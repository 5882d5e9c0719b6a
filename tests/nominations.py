"""Helpers for nomination tests: files of each type, uploads through the presigned
POST (against moto), verification through the S3 handler, a frozen clock."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import requests

from scripts.demo.nominations import minimal_pdf
from tests.conftest import body
from tests.factories import load_registry

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"
# 2025-08-18 10:00 in Khánh Hòa: before kh-2025's nomination deadline (2025-08-20).
BEFORE_DEADLINE = dt.datetime(2025, 8, 18, 3, 0, tzinfo=dt.UTC)


def pdf(text: str = "Tờ trình") -> bytes:
    return minimal_pdf([text])


def _package(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _content_types(overrides: dict[str, str]) -> bytes:
    items = "".join(
        f'<Override PartName="{part}" ContentType="{ctype}"/>' for part, ctype in overrides.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{items}</Types>"
    ).encode()


def docx() -> bytes:
    return _package(
        {
            "[Content_Types].xml": _content_types(
                {
                    "/word/document.xml": "application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document.main+xml"
                }
            ),
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": "<w:document>Báo cáo thành tích</w:document>".encode(),
        }
    )


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Đơn vị", "Điểm"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plain_zip() -> bytes:
    return _package({"readme.txt": b"just a zip"})


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40 + b"\xff\xd9"


def freeze(moment: dt.datetime) -> None:
    """The service's clock stands at `moment` (the suite restores the system clock)."""
    from tests.conftest import set_service_clock

    set_service_clock(moment)


def setup(api: Any, moment: dt.datetime = BEFORE_DEADLINE) -> None:
    load_registry(api)
    freeze(moment)


def officer(api: Any, unit_id: str, sub: str | None = None) -> str:
    return api.make_token("unit_officer", unit_id, sub=sub or f"officer-{unit_id}")


def reviewer(api: Any) -> str:
    return api.make_token("reviewer", sub="reviewer-1")


def create(api: Any, token: str = "admin", campaign: str = "kh-2025", **fields: Any) -> Any:
    payload = {"kind": "collective", "summary": "Thành tích nổi bật", **fields}
    if payload["kind"] == "collective":
        payload.setdefault("nominee_unit_id", "000.00.31.H34")
    return api.post(f"/campaigns/{campaign}/nominations", payload, token=token)


def created(api: Any, token: str = "admin", **fields: Any) -> dict[str, Any]:
    r = create(api, token, **fields)
    assert r.status_code == 201, r.body
    return dict(body(r))


def ticket(
    api: Any,
    nomination_id: str,
    *,
    token: str = "admin",
    data: bytes | None = None,
    category: str = "to_trinh",
    content_type: str = PDF,
    filename: str = "Tờ trình.pdf",
    size: int | None = None,
) -> dict[str, Any]:
    payload = {
        "filename": filename,
        "content_type": content_type,
        "size": size if size is not None else len(data if data is not None else pdf()),
        "category": category,
    }
    r = api.post(f"/nominations/{nomination_id}/files", payload, token=token)
    assert r.status_code == 201, r.body
    return dict(body(r))


def upload(issued: dict[str, Any], data: bytes, content_type: str | None = None) -> None:
    """POST the bytes to the presigned URL (moto answers in-process)."""
    fields = dict(issued["upload"]["fields"])
    if content_type is not None:
        fields["Content-Type"] = content_type  # what a misbehaving client could send
    response = requests.post(
        issued["upload"]["url"],
        data=fields,
        files={"file": ("ignored-by-s3.bin", data, fields["Content-Type"])},
        timeout=30,
    )
    assert response.status_code in (200, 201, 204), response.text


def key_of(api: Any, issued: dict[str, Any]) -> str:
    return str(issued["upload"]["fields"]["key"])


class Verified:
    def __init__(self, response: Any) -> None:
        results = response.payload["results"]
        assert len(results) == 1, response.payload
        self.payload = results[0]


def s3_event(api: Any, key: str) -> Verified:
    """Run the verify_upload function on an S3 object-created notification, as Lambda would."""
    from chalicelib.settings import get_settings

    event = api.client.events.generate_s3_event(
        get_settings().uploads_bucket, key, "ObjectCreated:Post"
    )
    return Verified(api.client.lambda_.invoke("verify_upload", event))


def attach(
    api: Any,
    nomination_id: str,
    *,
    token: str = "admin",
    data: bytes | None = None,
    category: str = "to_trinh",
    content_type: str = PDF,
    filename: str = "Tờ trình.pdf",
) -> dict[str, Any]:
    """Register, upload and verify one file; returns the file as listed."""
    data = data if data is not None else pdf()
    issued = ticket(
        api,
        nomination_id,
        token=token,
        data=data,
        category=category,
        content_type=content_type,
        filename=filename,
    )
    upload(issued, data)
    result = s3_event(api, key_of(api, issued))
    assert result.payload["outcome"] in ("verified", "rejected"), result.payload
    files = body(api.get(f"/nominations/{nomination_id}/files"))["items"]
    return next(f for f in files if f["file_id"] == issued["file"]["file_id"])


def complete_dossier(api: Any, nomination_id: str, token: str = "admin") -> None:
    for category, name in (("to_trinh", "Tờ trình.pdf"), ("bao_cao_thanh_tich", "Báo cáo.pdf")):
        got = attach(api, nomination_id, token=token, category=category, filename=name)
        assert got["status"] == "verified", got


def submitted(api: Any, token: str = "admin", **fields: Any) -> dict[str, Any]:
    nomination = created(api, token, **fields)
    complete_dossier(api, nomination["nomination_id"], token)
    r = api.post(f"/nominations/{nomination['nomination_id']}/submit", token=token)
    assert r.status_code == 200, r.body
    return dict(body(r))


def audit_actions(api: Any, nomination_id: str) -> list[str]:
    r = api.get(f"/nominations/{nomination_id}/audit")
    assert r.status_code == 200, r.body
    return [a["action"] for a in body(r)["items"]]
