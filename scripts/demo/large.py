"""The `large` demo size (issue 23): a province shaped like Hồ Chí Minh City after the
July 2025 merger, the sizing anchor of DOMAIN.md ("Sizes to plan for").

- 168 communes and wards (113 phường, 54 xã, 1 đặc khu), named as the demo's are;
- 40 departments (sở, ban, ngành) with 4-7 divisions each; UBND and its office;
- about 20,000 officials (e-office users): 25-60 per commune, 150-300 per department,
  8-25 per division, the same naming and positions as the demo;
- the simulator's rates scaled (`VOLUME`) so a month is about 2.5 million events
  (3-4 million documents a year at 5-8 events each), with the demo's mix of behaviour:
  units that lag (paper habits, weak signing, no interconnection), units that print,
  silent units and days.

Everything is deterministic by seed: the same seed gives the same registry and events.
"""

from __future__ import annotations

import random
from typing import Any

from scripts.demo import province

CODE = "H79"  # the province's statistical code (79: Thành phố Hồ Chí Minh)
PROVINCE_ID = f"000.00.00.{CODE}"
PROVINCE_OFFICE_ID = f"000.00.01.{CODE}"
# Simulator rates x VOLUME: ~2.5 million events in a 31-day month for this registry
# (measured: bench/scale.py prints the month's count from a day's slice).
VOLUME = 65.0
COMMUNES = 168
DEPARTMENTS = 40

_WARD_NAMES = (
    "Sài Gòn",
    "Tân Định",
    "Bến Thành",
    "Cầu Ông Lãnh",
    "Bàn Cờ",
    "Xuân Hòa",
    "Nhiêu Lộc",
    "Xóm Chiếu",
    "Khánh Hội",
    "Vĩnh Hội",
    "Chợ Quán",
    "An Đông",
    "Chợ Lớn",
    "Bình Tây",
    "Bình Tiên",
    "Bình Phú",
    "Phú Lâm",
    "Tân Thuận",
    "Phú Thuận",
    "Tân Mỹ",
    "Tân Hưng",
    "Chánh Hưng",
    "Phú Định",
    "Bình Đông",
    "Diên Hồng",
    "Vườn Lài",
    "Hòa Hưng",
    "Minh Phụng",
    "Bình Thới",
    "Hòa Bình",
    "Phú Thọ",
    "Đông Hưng Thuận",
    "Trung Mỹ Tây",
    "Tân Thới Hiệp",
    "Thới An",
    "An Phú Đông",
    "An Lạc",
    "Tân Tạo",
    "Bình Tân",
    "Bình Trị Đông",
    "Bình Hưng Hòa",
    "Gia Định",
    "Bình Thạnh",
    "Bình Lợi Trung",
    "Thạnh Mỹ Tây",
    "Bình Quới",
    "Hạnh Thông",
    "An Nhơn",
    "Gò Vấp",
    "An Hội Đông",
    "Thông Tây Hội",
    "An Hội Tây",
    "Đức Nhuận",
    "Cầu Kiệu",
    "Phú Nhuận",
    "Tân Sơn Hòa",
    "Tân Sơn Nhất",
    "Tân Hòa",
    "Bảy Hiền",
    "Tân Bình",
    "Tân Sơn",
    "Tây Thạnh",
    "Tân Sơn Nhì",
    "Phú Thọ Hòa",
    "Tân Phú",
    "Phú Trung",
    "Hiệp Bình",
    "Thủ Đức",
    "Tam Bình",
    "Linh Xuân",
    "Tăng Nhơn Phú",
    "Long Bình",
    "Long Phước",
    "Long Trường",
    "Cát Lái",
    "Bình Trưng",
    "Phước Long",
    "An Khánh",
    "Thủ Dầu Một",
    "Phú Lợi",
    "Chánh Hiệp",
    "Bình Dương",
    "Hòa Lợi",
    "Phú An",
    "Tây Nam",
    "Long Nguyên",
    "Bến Cát",
    "Chánh Phú Hòa",
    "Vĩnh Tân",
    "Bình Cơ",
    "Tân Uyên",
    "Tân Hiệp",
    "Tân Khánh",
    "Thuận An",
    "Thuận Giao",
    "Bình Hòa",
    "Lái Thiêu",
    "An Phú",
    "Dĩ An",
    "Tân Đông Hiệp",
    "Đông Hòa",
    "Vũng Tàu",
    "Tam Thắng",
    "Rạch Dừa",
    "Phước Thắng",
    "Bà Rịa",
    "Long Hương",
    "Tam Long",
    "Phú Mỹ",
    "Thạnh Mỹ Lợi",
    "Tân Thành",
    "Tân Phước",
    "Tân Hải",
)
_COMMUNE_NAMES = (
    "Vĩnh Lộc",
    "Tân Vĩnh Lộc",
    "Bình Lợi",
    "Tân Nhựt",
    "Bình Chánh",
    "Hưng Long",
    "Bình Hưng",
    "Bình Khánh",
    "An Thới Đông",
    "Cần Giờ",
    "Củ Chi",
    "Tân An Hội",
    "Thái Mỹ",
    "An Nhơn Tây",
    "Nhuận Đức",
    "Phú Hòa Đông",
    "Bình Mỹ",
    "Đông Thạnh",
    "Hóc Môn",
    "Xuân Thới Sơn",
    "Bà Điểm",
    "Nhà Bè",
    "Hiệp Phước",
    "Thạnh An",
    "Dầu Tiếng",
    "Minh Thạnh",
    "Long Hòa",
    "Thanh An",
    "Trừ Văn Thố",
    "Bàu Bàng",
    "Phú Giáo",
    "Phước Thành",
    "Phước Hòa",
    "An Long",
    "Thường Tân",
    "Bắc Tân Uyên",
    "Châu Pha",
    "Long Hải",
    "Long Điền",
    "Phước Hải",
    "Đất Đỏ",
    "Nghĩa Thành",
    "Ngãi Giao",
    "Kim Long",
    "Châu Đức",
    "Bình Giã",
    "Xuân Sơn",
    "Hồ Tràm",
    "Xuyên Mộc",
    "Hòa Hội",
    "Bàu Lâm",
    "Bình Châu",
    "Hòa Hiệp",
    "Long Sơn",
)
_SPECIAL_ZONE = "Côn Đảo"

_DEPARTMENT_NAMES = (
    ("Sở Nội vụ", "SNV"),
    ("Sở Tài chính", "STC"),
    ("Sở Tư pháp", "STP"),
    ("Sở Khoa học và Công nghệ", "SKHCN"),
    ("Sở Xây dựng", "SXD"),
    ("Sở Công Thương", "SCT"),
    ("Sở Nông nghiệp và Môi trường", "SNNMT"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("Sở Y tế", "SYT"),
    ("Sở Văn hóa và Thể thao", "SVHTT"),
    ("Sở Du lịch", "SDL"),
    ("Sở Dân tộc và Tôn giáo", "SDTTG"),
    ("Sở Ngoại vụ", "SNgV"),
    ("Sở Quy hoạch - Kiến trúc", "SQHKT"),
    ("Sở An toàn thực phẩm", "SATTP"),
    ("Thanh tra Thành phố", "TTTP"),
    ("Ban Quản lý các Khu chế xuất và công nghiệp", "HEPZA"),
    ("Ban Quản lý Khu công nghệ cao", "SHTP"),
    ("Ban Quản lý dự án đầu tư xây dựng các công trình giao thông", "BQLGT"),
    ("Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp", "BQLDD"),
    ("Ban Quản lý đường sắt đô thị", "MAUR"),
    ("Ban Quản lý Khu Nam", "BQLKN"),
    ("Ban Quản lý Khu đô thị Thủ Thiêm", "BQLTT"),
    ("Công an Thành phố", "CATP"),
    ("Bộ Chỉ huy Quân sự Thành phố", "BCHQS"),
    ("Đài Truyền hình Thành phố", "HTV"),
    ("Đài Tiếng nói Nhân dân Thành phố", "VOH"),
    ("Báo Sài Gòn Giải Phóng", "SGGP"),
    ("Viện Nghiên cứu phát triển", "HIDS"),
    ("Trường Cán bộ Thành phố", "TCB"),
    ("Trung tâm Phục vụ hành chính công", "TTPVHCC"),
    ("Trung tâm Chuyển đổi số", "TTCĐS"),
    ("Quỹ Đầu tư phát triển", "HFIC"),
    ("Ban Quản lý Khu Công nghệ sinh học", "BQLCNSH"),
    ("Sở Lao động việc làm", "SLĐVL"),
    ("Ban Quản lý cảng biển", "BQLCB"),
    ("Ban Quản lý các khu công nghiệp Bình Dương", "BQLBD"),
    ("Ban Quản lý các khu công nghiệp Bà Rịa - Vũng Tàu", "BQLBRVT"),
    ("Ban Quản lý Khu kinh tế Côn Đảo", "BQLCĐ"),
    ("Văn phòng Đoàn ĐBQH và HĐND", "VPĐĐBQH"),
)
_DIVISIONS = (
    ("Văn phòng", "VP"), ("Phòng Tổ chức cán bộ", "TCCB"), ("Phòng Kế hoạch - Tài chính", "KHTC"),
    ("Phòng Pháp chế", "PC"), ("Phòng Chuyển đổi số", "CĐS"), ("Phòng Quản lý chuyên ngành", "QLCN"),
    ("Phòng Thanh tra - Kiểm tra", "TTKT"),
)  # fmt: skip


def _unit(unit_id: str, name: str, level: str, parent_id: str | None) -> dict[str, Any]:
    return {"unit_id": unit_id, "name": name, "level": level, "parent_id": parent_id}


def units(seed: int = 2025) -> list[dict[str, Any]]:
    """The registry of the large province: 2 province units, 40 departments with 4-7
    divisions each, 168 communes, wards and the special zone. Same list for a seed."""
    rng = random.Random(f"khong-giay/large-units/{seed}")
    out = [
        _unit(PROVINCE_ID, "UBND Thành phố Hồ Chí Minh", "province", None),
        _unit(PROVINCE_OFFICE_ID, "Văn phòng UBND Thành phố Hồ Chí Minh", "province", PROVINCE_ID),
    ]
    for number, (name, _code) in enumerate(_DEPARTMENT_NAMES, start=10):
        dept_id = f"000.00.{number:02d}.{CODE}"
        out.append(_unit(dept_id, name, "department", PROVINCE_ID))
        for k, (division, _c) in enumerate(_DIVISIONS[: rng.randint(4, 7)], start=1):
            out.append(
                _unit(
                    f"000.{k:02d}.{number:02d}.{CODE}", f"{division} - {name}", "division", dept_id
                )
            )
    names = [("phường", n) for n in _WARD_NAMES[:113]]
    names += [("xã", n) for n in _COMMUNE_NAMES[:54]]
    names.append(("đặc khu", _SPECIAL_ZONE))
    for index, (kind, name) in enumerate(names):
        area, k = 60 + index // 20, 1 + index % 20
        out.append(
            _unit(f"000.{k:02d}.{area:02d}.{CODE}", f"UBND {kind} {name}", "commune", PROVINCE_ID)
        )
    return out


def officials(registry: list[dict[str, Any]], seed: int = 2025) -> list[dict[str, Any]]:
    """About 20,000 officials (e-office users) for `units()`: leaders, a văn thư, and
    chuyên viên; about 1 in 60 non-leaders has left the unit (inactive)."""
    rng = random.Random(f"khong-giay/large-officials/{seed}")
    make_name = province._name_factory(rng)
    out: list[dict[str, Any]] = []
    for unit in registry:
        level = unit["level"]
        if level == "commune":
            head = ["Chủ tịch UBND", "Phó Chủ tịch UBND", "Phó Chủ tịch UBND", "Văn thư"]
            size = rng.randint(25, 60)
            staff = list(province._COMMUNE_STAFF)
        elif level == "department":
            head = ["Giám đốc", "Phó Giám đốc", "Phó Giám đốc", "Văn thư"]
            size = rng.randint(150, 300)
            staff = ["Chuyên viên"]
        elif level == "division":
            head = ["Trưởng phòng", "Phó Trưởng phòng"]
            size = rng.randint(8, 25)
            staff = ["Chuyên viên"]
        else:
            head = ["Chủ tịch UBND Thành phố", "Phó Chủ tịch UBND Thành phố", "Chánh Văn phòng"]
            size = rng.randint(30, 60)
            staff = ["Chuyên viên"]
        positions = head + [staff[i % len(staff)] for i in range(max(0, size - len(head)))]
        for n, position in enumerate(positions, start=1):
            out.append(
                {
                    "official_id": f"{unit['unit_id']}.cb{n:03d}",
                    "unit_id": unit["unit_id"],
                    "full_name": make_name(),
                    "position": position,
                    "active": n <= 2 or rng.random() >= 1 / 60,
                }
            )
    return out


def codes(registry: list[dict[str, Any]]) -> dict[str, str]:
    """Short names in document numbers: the department's code, its division's, UBND."""
    by_name = dict(_DEPARTMENT_NAMES)
    division_codes = dict(_DIVISIONS)
    out: dict[str, str] = {PROVINCE_ID: "UBND", PROVINCE_OFFICE_ID: "VPUBND"}
    for unit in registry:
        if unit["level"] == "department":
            out[unit["unit_id"]] = by_name[unit["name"]]
        elif unit["level"] == "division":
            out[unit["unit_id"]] = next(
                code
                for name, code in division_codes.items()
                if unit["name"].startswith(name + " - ")
            )
        elif unit["level"] == "commune":
            out[unit["unit_id"]] = "UBND"
    return out


def events(
    registry: list[dict[str, Any]],
    staff: list[dict[str, Any]],
    *,
    start: Any,
    days: int,
    seed: int = 2025,
    volume: float = VOLUME,
) -> list[dict[str, Any]]:
    """`days` simulated days of the large province (the demo simulator at `volume`)."""
    from scripts.demo import simulator

    return simulator.generate_month(
        registry, staff, start=start, days=days, seed=seed, volume=volume, codes=codes(registry)
    )
