"""The deterministic demo province and campaign (scripts/demo/province.py)."""

import csv
import io
import re
import unicodedata
from collections import Counter

from scripts.demo import province
from scripts.demo.province import (
    demo_campaign,
    demo_officials,
    demo_units,
    officials_csv,
    unit_codes,
    units_csv,
)

ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LEVELS = {"province", "department", "division", "commune"}


def test_same_output_every_call():
    assert demo_units() == demo_units()
    assert demo_officials() == demo_officials()
    assert demo_campaign() == demo_campaign()
    assert units_csv() == units_csv()
    assert officials_csv() == officials_csv()


def test_callers_get_their_own_copies():
    units = demo_units()
    units[0]["name"] = "changed"
    assert demo_units()[0]["name"] == "UBND tỉnh Khánh Hòa"


def test_unit_registry_is_valid():
    units = demo_units()
    ids = [u["unit_id"] for u in units]
    assert len(ids) == len(set(ids))
    by_id = {u["unit_id"]: u for u in units}
    for unit in units:
        assert set(unit) == {"unit_id", "name", "level", "parent_id"}
        assert ID_RE.match(unit["unit_id"]), unit
        assert unit["level"] in LEVELS
        assert unit["name"].strip() and unicodedata.is_normalized("NFC", unit["name"])
        if unit["parent_id"] is not None:
            assert unit["parent_id"] in by_id, unit
        # no cycles: walking up always ends at a root
        seen, cursor = set(), unit
        while cursor["parent_id"] is not None:
            assert cursor["unit_id"] not in seen
            seen.add(cursor["unit_id"])
            cursor = by_id[cursor["parent_id"]]
    roots = [u for u in units if u["parent_id"] is None]
    assert [r["unit_id"] for r in roots] == [province.PROVINCE_ID]
    for unit in units:
        parent = by_id.get(unit["parent_id"] or "")
        if unit["level"] == "division":
            assert parent is not None and parent["level"] == "department"
        elif unit["level"] in ("department", "commune"):
            assert parent is not None and parent["unit_id"] == province.PROVINCE_ID
        else:
            assert unit["level"] == "province"


def test_unit_counts_and_names():
    units = demo_units()
    levels = Counter(u["level"] for u in units)
    assert levels["province"] == 2
    assert 18 <= levels["department"] <= 22
    assert 63 <= levels["commune"] <= 67
    children = Counter(u["parent_id"] for u in units if u["level"] == "division")
    for dept in (u for u in units if u["level"] == "department"):
        assert 2 <= children[dept["unit_id"]] <= 4, dept["name"]
    names = {u["name"] for u in units}
    for expected in (
        "UBND tỉnh Khánh Hòa",
        "Văn phòng UBND tỉnh Khánh Hòa",
        "Sở Nội vụ",
        "Sở Khoa học và Công nghệ",
        "Sở Dân tộc và Tôn giáo",
        "Sở Văn hóa, Thể thao và Du lịch",
        "UBND phường Nha Trang",
        "UBND phường Cam Ranh",
        "UBND xã Cam Lâm",
        "UBND đặc khu Trường Sa",
    ):
        assert expected in names
    communes = [u["name"] for u in units if u["level"] == "commune"]
    kinds = Counter(name.split()[1] for name in communes)
    assert kinds["phường"] >= 10 and kinds["xã"] >= 40 and kinds["đặc"] == 1
    assert all(unit_codes().get(u["unit_id"]) for u in units)
    assert unit_codes()["000.00.31.H34"] == "SNV"


def test_officials_are_valid():
    units = {u["unit_id"]: u for u in demo_units()}
    officials = demo_officials()
    ids = [o["official_id"] for o in officials]
    assert len(ids) == len(set(ids))
    assert 300 <= len(officials) <= 900
    per_unit = Counter(o["unit_id"] for o in officials)
    for official in officials:
        assert set(official) == {"official_id", "unit_id", "full_name", "position", "active"}
        assert ID_RE.match(official["official_id"])
        assert official["unit_id"] in units
        assert isinstance(official["active"], bool)
        assert len(official["full_name"].split()) >= 2
        assert unicodedata.is_normalized("NFC", official["full_name"])
    for unit_id, unit in units.items():
        n = per_unit[unit_id]
        if unit["level"] in ("department", "commune"):
            assert 3 <= n <= 8, unit["name"]
        elif unit["level"] == "division":
            assert 1 <= n <= 3, unit["name"]
        else:
            assert n >= 1
        # every unit keeps an active leader
        assert any(o["active"] for o in officials if o["unit_id"] == unit_id)
    inactive = [o for o in officials if not o["active"]]
    assert 1 <= len(inactive) <= 20
    positions = Counter(o["position"] for o in officials)
    for expected in (
        "Giám đốc",
        "Phó Giám đốc",
        "Chánh Văn phòng",
        "Văn thư",
        "Chuyên viên",
        "Chủ tịch UBND",
        "Công chức Văn phòng - Thống kê",
        "Trưởng phòng",
    ):
        assert positions[expected] > 0, expected
    commune_heads = [o for o in officials if o["position"] == "Chủ tịch UBND"]
    assert len(commune_heads) == Counter(u["level"] for u in units.values())["commune"]


def test_campaign_record():
    campaign = demo_campaign()
    assert campaign["campaign_id"] == "khanh-hoa-2025-ngay-khong-giay"
    assert campaign["name"] == (
        "Phong trào thi đua 30 ngày đêm thực hiện “Ngày không in giấy”, "
        "“Tuần làm việc không văn bản giấy”"
    )
    assert (campaign["start_date"], campaign["end_date"]) == ("2025-07-15", "2025-08-15")
    assert campaign["timezone"] == "Asia/Ho_Chi_Minh"
    assert campaign["targets"] == {
        "online_rate": 1.0,
        "signing_rate": 1.0,
        "e_issuance_rate": 1.0,
        "kpi_coverage": 1.0,
        "two_way_interconnection": True,
    }
    assert campaign["weights"] == dict.fromkeys(
        (
            "online_rate",
            "signing_rate",
            "e_issuance_rate",
            "kpi_coverage",
            "two_way_interconnection",
        ),
        1.0,
    )
    assert campaign["unit_report_deadline"] == "2025-08-18"
    assert campaign["department_report_deadline"] == "2025-08-20"
    assert campaign["nomination_deadline"] == "2025-08-20"
    assert campaign["award_quotas"] == {"collective": 10, "individual": 10}
    # the awards are decided by the council (issue 21: "the demo campaign uses it")
    assert campaign["award_procedure"] == "council"
    keys = [c["key"] for c in campaign["criteria"]]
    assert set(keys) == {*campaign["weights"], "creativity"}
    assert all(c["description"] for c in campaign["criteria"])
    assert any(
        "ký số" in c["description"] and "mật" in c["description"] for c in campaign["criteria"]
    )


def _as_csv_row(row, fields):
    return {
        k: ""
        if row[k] is None
        else ("true" if row[k] is True else "false" if row[k] is False else row[k])
        for k in fields
    }


def test_csv_matches_the_json_data():
    for text, rows, fields in (
        (units_csv(), demo_units(), province.UNIT_FIELDS),
        (officials_csv(), demo_officials(), province.OFFICIAL_FIELDS),
    ):
        text.encode("utf-8")
        parsed = list(csv.DictReader(io.StringIO(text)))
        assert text.splitlines()[0] == ",".join(fields)
        assert parsed == [_as_csv_row(r, fields) for r in rows]
    assert "Sở Văn hóa, Thể thao và Du lịch" in units_csv()  # quoted comma survives
