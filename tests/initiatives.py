"""Helpers for initiative tests: a council, a registered initiative with a verified PDF,
members' tokens and scores."""

from __future__ import annotations

from typing import Any

from tests.conftest import body
from tests.factories import DEPARTMENT
from tests.nominations import PDF, key_of, pdf, s3_event, upload

CAMPAIGN = "kh-2025"
# hd-1 is an author (cb-003); hd-3 is an officer of an author's unit (cb-002 of DEPARTMENT,
# a collective author); the others may score. hd-2 is the secretary.
MEMBERS: list[dict[str, Any]] = [
    {"sub": "hd-0", "full_name": "Phạm Quốc Bảo", "council_role": "chair", "official_id": "cb-004"},
    {
        "sub": "hd-1",
        "full_name": "Lê Minh Châu",
        "council_role": "vice_chair",
        "official_id": "cb-003",
    },
    {"sub": "hd-2", "full_name": "Thư ký Hội đồng", "council_role": "secretary"},
    {"sub": "hd-3", "full_name": "Trần Văn Đức", "council_role": "member", "official_id": "cb-002"},
    {"sub": "hd-4", "full_name": "Chuyên gia Độc lập", "council_role": "member"},
]


def set_council(api: Any, members: list[dict[str, Any]] | None = None, **rule: Any) -> None:
    payload: dict[str, Any] = {"members": members or MEMBERS}
    if rule:
        payload["rule"] = rule
    r = api.request("PUT", f"/campaigns/{CAMPAIGN}/councils/initiatives", payload)
    assert r.status_code == 200, r.body


def member(api: Any, sub: str) -> str:
    return api.make_token("council_member", sub=sub)


def officer(api: Any, unit_id: str = DEPARTMENT) -> str:
    return api.make_token("unit_officer", unit_id, sub=f"officer-{unit_id}")


def payload(**fields: Any) -> dict[str, Any]:
    return {
        "title": "Số hóa sổ công văn đến",
        "description": "Chuyển toàn bộ sổ công văn đến sang hệ thống điện tử.",
        "benefit": "Giảm 2.000 trang giấy mỗi tháng; thời gian tra cứu từ 10 phút còn 1 phút.",
        "applied_from": "2025-03-01",
        "authors": [{"official_id": "cb-003"}, {"unit_id": DEPARTMENT}],
        **fields,
    }


def register(api: Any, token: str | None = None, **fields: Any) -> dict[str, Any]:
    r = api.post(
        f"/campaigns/{CAMPAIGN}/initiatives", payload(**fields), token=token or officer(api)
    )
    assert r.status_code == 201, r.body
    return dict(body(r))


def attach_pdf(api: Any, initiative_id: str, token: str | None = None) -> dict[str, Any]:
    data = pdf("Minh chứng sáng kiến")
    r = api.post(
        f"/initiatives/{initiative_id}/files",
        {"filename": "Minh chứng.pdf", "content_type": PDF, "size": len(data), "category": "other"},
        token=token or officer(api),
    )
    assert r.status_code == 201, r.body
    issued = body(r)
    upload(issued, data)
    result = s3_event(api, key_of(api, issued))
    assert result.payload["outcome"] == "verified", result.payload
    return dict(issued)


def submitted(api: Any, **fields: Any) -> dict[str, Any]:
    item = register(api, **fields)
    attach_pdf(api, item["initiative_id"])
    r = api.post(f"/initiatives/{item['initiative_id']}/submit", token=officer(api))
    assert r.status_code == 200, r.body
    return dict(body(r))


def give(
    api: Any, initiative_id: str, sub: str, novelty: int, applicability: int, effectiveness: int
) -> Any:
    return api.post(
        f"/initiatives/{initiative_id}/scores",
        {
            "points": {
                "novelty": novelty,
                "applicability": applicability,
                "effectiveness": effectiveness,
            },
            "comment": "Nhận xét",
        },
        token=member(api, sub),
    )
