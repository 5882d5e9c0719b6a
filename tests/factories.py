"""A small registry used across API tests: a province, two departments (one with
a division), two communes, and officials."""

from __future__ import annotations

import datetime as dt
from typing import Any

UNITS: list[dict[str, Any]] = [
    {
        "unit_id": "000.00.00.H34",
        "name": "UBND tỉnh Khánh Hòa",
        "level": "province",
        "parent_id": None,
    },
    {
        "unit_id": "000.00.31.H34",
        "name": "Sở Nội vụ",
        "level": "department",
        "parent_id": "000.00.00.H34",
    },
    {
        "unit_id": "000.01.31.H34",
        "name": "Phòng Tổ chức biên chế",
        "level": "division",
        "parent_id": "000.00.31.H34",
    },
    {
        "unit_id": "000.00.32.H34",
        "name": "Sở Khoa học và Công nghệ",
        "level": "department",
        "parent_id": "000.00.00.H34",
    },
    {
        "unit_id": "000.00.71.H34",
        "name": "UBND phường Nha Trang",
        "level": "commune",
        "parent_id": "000.00.00.H34",
    },
    {
        "unit_id": "000.00.72.H34",
        "name": "UBND đặc khu Trường Sa",
        "level": "commune",
        "parent_id": "000.00.00.H34",
    },
]
OFFICIALS: list[dict[str, Any]] = [
    {
        "official_id": "cb-001",
        "unit_id": "000.00.31.H34",
        "full_name": "Nguyễn Thị Hằng",
        "position": "Giám đốc",
        "active": True,
    },
    {
        "official_id": "cb-002",
        "unit_id": "000.00.31.H34",
        "full_name": "Trần Văn Đức",
        "position": "Văn thư",
        "active": True,
    },
    {
        "official_id": "cb-003",
        "unit_id": "000.01.31.H34",
        "full_name": "Lê Minh Châu",
        "position": "Chuyên viên",
        "active": True,
    },
    {
        "official_id": "cb-004",
        "unit_id": "000.00.71.H34",
        "full_name": "Phạm Quốc Bảo",
        "position": "Chủ tịch UBND",
        "active": True,
    },
    {
        "official_id": "cb-005",
        "unit_id": "000.00.71.H34",
        "full_name": "Võ Thị Ánh",
        "position": "Công chức Văn phòng - Thống kê",
        "active": False,
    },
]
PROVINCE = "000.00.00.H34"  # its scope covers the whole province
DEPARTMENT = "000.00.31.H34"
DIVISION = "000.01.31.H34"
OTHER_DEPARTMENT = "000.00.32.H34"
COMMUNE = "000.00.71.H34"
CAMPAIGN: dict[str, Any] = {
    "campaign_id": "kh-2025",
    "name": "Ngày không in giấy 2025",
    "start_date": "2025-07-15",
    "end_date": "2025-08-15",
    "timezone": "Asia/Ho_Chi_Minh",
    "nomination_deadline": "2025-08-20",
    "award_quotas": {"collective": 10, "individual": 10},
}


# The API tests' "now" (tests/conftest.py sets it before each): the morning after the 2025
# campaign, whose events are then a few weeks old and whose nominations are still open.
CAMPAIGN_CLOCK = dt.datetime(2025, 8, 19, 2, 0, tzinfo=dt.UTC)  # 09:00 in Viet Nam


def load_registry(api: Any) -> None:
    r = api.post("/admin/units", {"units": UNITS, "officials": OFFICIALS})
    assert r.status_code == 200, r.body
    r = api.post("/admin/campaigns", CAMPAIGN)
    assert r.status_code == 201, r.body
