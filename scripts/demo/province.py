"""The deterministic demo province: Khánh Hòa after the 1 July 2025 merger, and its campaign.

Everything here is plain data built the same way on every run (the only randomness is a
:class:`random.Random` with a fixed string seed), so ``make demo`` always loads the same
registry and the simulator always produces the same events for it.

Unit ids imitate electronic organ identifiers (mã định danh điện tử, ``000.00.31.H34``):

- ``000.00.00.H34`` UBND tỉnh, ``000.00.01.H34`` Văn phòng UBND tỉnh (level ``province``);
- ``000.00.31.H34`` .. ``000.00.50.H34``: sở, ban, ngành (level ``department``);
- ``000.0k.DD.H34``: the k-th phòng of department ``DD`` (level ``division``);
- ``000.0k.AA.H34`` with AA in 51..66: the k-th commune, ward or special zone of the former
  district area ``AA`` (level ``commune``; the former district code is kept only to make
  ids unique and stable, the communes report directly to the province).

The names are real post-merger names; the officials are invented (common Vietnamese family,
middle and given names, with Raglai and Cham family names in the mountain and Ninh Thuận
communes).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from typing import Any

PROVINCE_CODE = "H34"
PROVINCE_ID = f"000.00.00.{PROVINCE_CODE}"
PROVINCE_OFFICE_ID = f"000.00.01.{PROVINCE_CODE}"

UNIT_FIELDS = ("unit_id", "name", "level", "parent_id")
OFFICIAL_FIELDS = ("official_id", "unit_id", "full_name", "position", "active")
LEVELS = ("province", "department", "division", "commune")

CAMPAIGN_ID = "khanh-hoa-2025-ngay-khong-giay"
CRITERIA_KEYS = (
    "online_rate",
    "signing_rate",
    "e_issuance_rate",
    "two_way_interconnection",
    "kpi_coverage",
)


@dataclass(frozen=True)
class _Department:
    number: int  # the DD segment of 000.00.DD.H34
    name: str
    code: str  # short name used in document numbers ("SNV" in "45/SNV-TCCB")
    head: str
    deputy: str
    divisions: tuple[tuple[str, str], ...]  # (name, code)


_VP = ("Văn phòng", "VP")

_DEPARTMENTS: tuple[_Department, ...] = (
    _Department(
        31,
        "Sở Nội vụ",
        "SNV",
        "Giám đốc",
        "Phó Giám đốc",
        (
            _VP,
            ("Phòng Tổ chức cán bộ", "TCCB"),
            ("Phòng Cải cách hành chính", "CCHC"),
            ("Phòng Thi đua - Khen thưởng", "TĐKT"),
        ),
    ),
    _Department(
        32,
        "Sở Tài chính",
        "STC",
        "Giám đốc",
        "Phó Giám đốc",
        (
            _VP,
            ("Phòng Quản lý ngân sách", "QLNS"),
            ("Phòng Tài chính đầu tư", "TCĐT"),
            ("Phòng Quản lý giá và công sản", "QLGCS"),
        ),
    ),
    _Department(
        33,
        "Sở Tư pháp",
        "STP",
        "Giám đốc",
        "Phó Giám đốc",
        (
            _VP,
            ("Phòng Xây dựng và kiểm tra văn bản", "XDKTVB"),
            ("Phòng Hành chính tư pháp", "HCTP"),
        ),
    ),
    _Department(
        34,
        "Sở Khoa học và Công nghệ",
        "SKHCN",
        "Giám đốc",
        "Phó Giám đốc",
        (
            _VP,
            ("Phòng Chuyển đổi số", "CĐS"),
            ("Phòng Bưu chính, Viễn thông", "BCVT"),
            ("Phòng Quản lý khoa học", "QLKH"),
        ),
    ),
    _Department(
        35,
        "Sở Xây dựng",
        "SXD",
        "Giám đốc",
        "Phó Giám đốc",
        (_VP, ("Phòng Quản lý xây dựng", "QLXD"), ("Phòng Quản lý giao thông", "QLGT")),
    ),
    _Department(
        36,
        "Sở Y tế",
        "SYT",
        "Giám đốc",
        "Phó Giám đốc",
        (_VP, ("Phòng Nghiệp vụ Y", "NVY"), ("Phòng Nghiệp vụ Dược", "NVD")),
    ),
    _Department(
        37,
        "Sở Giáo dục và Đào tạo",
        "SGDĐT",
        "Giám đốc",
        "Phó Giám đốc",
        (_VP, ("Phòng Giáo dục phổ thông", "GDPT"), ("Phòng Tổ chức cán bộ", "TCCB")),
    ),
    _Department(
        38,
        "Sở Dân tộc và Tôn giáo",
        "SDTTG",
        "Giám đốc",
        "Phó Giám đốc",
        (
            _VP,
            ("Phòng Pháp chế", "PC"),
            ("Phòng Công tác dân tộc", "CTDT"),
            ("Phòng Tôn giáo", "TG"),
        ),
    ),
    _Department(
        39,
        "Sở Nông nghiệp và Môi trường",
        "SNNMT",
        "Giám đốc",
        "Phó Giám đốc",
        (
            _VP,
            ("Phòng Quản lý đất đai", "QLĐĐ"),
            ("Phòng Trồng trọt và Bảo vệ thực vật", "TTBVTV"),
            ("Phòng Thủy sản và Kiểm ngư", "TSKN"),
        ),
    ),
    _Department(
        40,
        "Sở Công Thương",
        "SCT",
        "Giám đốc",
        "Phó Giám đốc",
        (_VP, ("Phòng Quản lý công nghiệp", "QLCN"), ("Phòng Quản lý thương mại", "QLTM")),
    ),
    _Department(
        41,
        "Sở Văn hóa, Thể thao và Du lịch",
        "SVHTTDL",
        "Giám đốc",
        "Phó Giám đốc",
        (
            _VP,
            ("Phòng Quản lý văn hóa", "QLVH"),
            ("Phòng Quản lý du lịch", "QLDL"),
            ("Phòng Quản lý thể dục thể thao", "QLTDTT"),
        ),
    ),
    _Department(
        42,
        "Sở Ngoại vụ",
        "SNgV",
        "Giám đốc",
        "Phó Giám đốc",
        (_VP, ("Phòng Lãnh sự", "LS"), ("Phòng Hợp tác quốc tế", "HTQT")),
    ),
    _Department(
        43,
        "Thanh tra tỉnh",
        "TTr",
        "Chánh Thanh tra",
        "Phó Chánh Thanh tra",
        (_VP, ("Phòng Nghiệp vụ 1", "NV1"), ("Phòng Nghiệp vụ 2", "NV2")),
    ),
    _Department(
        44,
        "Ban Quản lý Khu kinh tế Vân Phong",
        "BQLKKT",
        "Trưởng ban",
        "Phó Trưởng ban",
        (_VP, ("Phòng Quản lý đầu tư", "QLĐT"), ("Phòng Quản lý quy hoạch và xây dựng", "QHXD")),
    ),
    _Department(
        45,
        "Ban Quản lý vịnh Nha Trang",
        "BQLVNT",
        "Trưởng ban",
        "Phó Trưởng ban",
        (_VP, ("Phòng Quản lý tài nguyên", "QLTN")),
    ),
    _Department(
        46,
        "Trung tâm Phục vụ hành chính công tỉnh",
        "TTPVHCC",
        "Giám đốc",
        "Phó Giám đốc",
        (("Phòng Hành chính - Tổng hợp", "HCTH"), ("Phòng Tiếp nhận và trả kết quả", "TNTKQ")),
    ),
    _Department(
        47,
        "Báo và Phát thanh, Truyền hình Khánh Hòa",
        "BPTTH",
        "Tổng Biên tập",
        "Phó Tổng Biên tập",
        (("Phòng Hành chính - Trị sự", "HCTS"), ("Phòng Thời sự", "TS"), ("Phòng Kỹ thuật", "KT")),
    ),
    _Department(
        48,
        "Trường Chính trị tỉnh",
        "TCT",
        "Hiệu trưởng",
        "Phó Hiệu trưởng",
        (("Phòng Tổ chức - Hành chính", "TCHC"), ("Phòng Quản lý đào tạo", "QLĐT")),
    ),
    _Department(
        49,
        "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh",
        "BQLDA",
        "Giám đốc",
        "Phó Giám đốc",
        (("Phòng Hành chính - Tổng hợp", "HCTH"), ("Phòng Kỹ thuật", "KT")),
    ),
    _Department(
        50,
        "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh",
        "BQLDAGT",
        "Giám đốc",
        "Phó Giám đốc",
        (
            ("Phòng Hành chính - Tổng hợp", "HCTH"),
            ("Phòng Điều hành dự án", "ĐHDA"),
            ("Phòng Kỹ thuật", "KT"),
        ),
    ),
)

# (area code, former district, [(kind, name)]) -- 16 phường, 48 xã, 1 đặc khu.
_COMMUNE_AREAS: tuple[tuple[int, str, tuple[tuple[str, str], ...]], ...] = (
    (
        51,
        "Nha Trang",
        (
            ("phường", "Nha Trang"),
            ("phường", "Bắc Nha Trang"),
            ("phường", "Tây Nha Trang"),
            ("phường", "Nam Nha Trang"),
        ),
    ),
    (
        52,
        "Cam Ranh",
        (
            ("phường", "Bắc Cam Ranh"),
            ("phường", "Cam Ranh"),
            ("phường", "Cam Linh"),
            ("phường", "Ba Ngòi"),
            ("xã", "Nam Cam Ranh"),
        ),
    ),
    (
        53,
        "Ninh Hòa",
        (
            ("phường", "Ninh Hòa"),
            ("phường", "Đông Ninh Hòa"),
            ("phường", "Hòa Thắng"),
            ("xã", "Bắc Ninh Hòa"),
            ("xã", "Tân Định"),
            ("xã", "Nam Ninh Hòa"),
            ("xã", "Tây Ninh Hòa"),
            ("xã", "Hòa Trí"),
        ),
    ),
    (
        54,
        "Vạn Ninh",
        (
            ("xã", "Đại Lãnh"),
            ("xã", "Tu Bông"),
            ("xã", "Vạn Thắng"),
            ("xã", "Vạn Ninh"),
            ("xã", "Vạn Hưng"),
        ),
    ),
    (
        55,
        "Diên Khánh",
        (
            ("xã", "Diên Khánh"),
            ("xã", "Diên Lạc"),
            ("xã", "Diên Điền"),
            ("xã", "Diên Lâm"),
            ("xã", "Diên Thọ"),
            ("xã", "Suối Hiệp"),
        ),
    ),
    (56, "Cam Lâm", (("xã", "Cam Lâm"), ("xã", "Suối Dầu"), ("xã", "Cam Hiệp"), ("xã", "Cam An"))),
    (
        57,
        "Khánh Vĩnh",
        (
            ("xã", "Bắc Khánh Vĩnh"),
            ("xã", "Trung Khánh Vĩnh"),
            ("xã", "Tây Khánh Vĩnh"),
            ("xã", "Nam Khánh Vĩnh"),
            ("xã", "Khánh Vĩnh"),
        ),
    ),
    (58, "Khánh Sơn", (("xã", "Khánh Sơn"), ("xã", "Tây Khánh Sơn"), ("xã", "Đông Khánh Sơn"))),
    (59, "Trường Sa", (("đặc khu", "Trường Sa"),)),
    (
        60,
        "Phan Rang",
        (
            ("phường", "Phan Rang"),
            ("phường", "Đông Hải"),
            ("phường", "Ninh Chử"),
            ("phường", "Bảo An"),
            ("phường", "Đô Vinh"),
        ),
    ),
    (61, "Ninh Phước", (("xã", "Ninh Phước"), ("xã", "Phước Hữu"), ("xã", "Phước Hậu"))),
    (
        62,
        "Thuận Nam",
        (("xã", "Thuận Nam"), ("xã", "Cà Ná"), ("xã", "Phước Hà"), ("xã", "Phước Dinh")),
    ),
    (63, "Ninh Hải", (("xã", "Ninh Hải"), ("xã", "Xuân Hải"), ("xã", "Vĩnh Hải"))),
    (64, "Thuận Bắc", (("xã", "Thuận Bắc"), ("xã", "Công Hải"))),
    (65, "Ninh Sơn", (("xã", "Ninh Sơn"), ("xã", "Lâm Sơn"), ("xã", "Anh Dũng"), ("xã", "Mỹ Sơn"))),
    (66, "Bác Ái", (("xã", "Bác Ái Đông"), ("xã", "Bác Ái"), ("xã", "Bác Ái Tây"))),
)
_RAGLAI_AREAS = frozenset({57, 58, 66})
_CHAM_AREAS = frozenset({61, 62, 63, 64})

_FAMILY = (
    "Nguyễn",
    "Nguyễn",
    "Nguyễn",
    "Nguyễn",
    "Trần",
    "Trần",
    "Lê",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Phan",
    "Võ",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đào",
    "Đoàn",
    "Trương",
    "Lương",
    "Cao",
    "Mai",
    "Tạ",
    "Châu",
    "Tôn",
    "Lâm",
    "Hà",
)
_FAMILY_RAGLAI = ("Pi Năng", "Mấu", "Katơr", "Bo Bo", "Cao", "Chamaléa", "Mang")
_FAMILY_CHAM = ("Đàng", "Thuận", "Quảng", "Trượng", "Lưu", "Thông", "Châu")
_MIDDLE_MALE = (
    "Văn",
    "Văn",
    "Đức",
    "Minh",
    "Quốc",
    "Hữu",
    "Thanh",
    "Công",
    "Ngọc",
    "Xuân",
    "Tấn",
    "Đình",
)
_MIDDLE_FEMALE = (
    "Thị",
    "Thị",
    "Thị Thu",
    "Ngọc",
    "Thị Kim",
    "Thị Thanh",
    "Mỹ",
    "Thị Bích",
    "Thị Mỹ",
    "Hồng",
)
_GIVEN_MALE = (
    "Anh",
    "Bảo",
    "Cường",
    "Dũng",
    "Duy",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khoa",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Phúc",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Tiến",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Lộc",
    "Khánh",
    "Nhân",
    "Tâm",
    "Toàn",
)
_GIVEN_FEMALE = (
    "Anh",
    "Dung",
    "Giang",
    "Hà",
    "Hằng",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Loan",
    "Mai",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phương",
    "Quyên",
    "Thảo",
    "Trang",
    "Trinh",
    "Tuyết",
    "Uyên",
    "Vân",
    "Yến",
    "Thủy",
    "Nga",
    "Diệu",
    "Hiền",
)

_COMMUNE_STAFF = (
    "Công chức Văn phòng - Thống kê",
    "Công chức Tài chính - Kế toán",
    "Công chức Tư pháp - Hộ tịch",
    "Công chức Địa chính - Xây dựng",
    "Công chức Văn hóa - Xã hội",
)


def _unit(unit_id: str, name: str, level: str, parent_id: str | None) -> dict[str, Any]:
    return {"unit_id": unit_id, "name": name, "level": level, "parent_id": parent_id}


def _build_units() -> list[dict[str, Any]]:
    units = [
        _unit(PROVINCE_ID, "UBND tỉnh Khánh Hòa", "province", None),
        _unit(PROVINCE_OFFICE_ID, "Văn phòng UBND tỉnh Khánh Hòa", "province", PROVINCE_ID),
    ]
    for dept in _DEPARTMENTS:
        dept_id = f"000.00.{dept.number:02d}.{PROVINCE_CODE}"
        units.append(_unit(dept_id, dept.name, "department", PROVINCE_ID))
        for k, (div_name, _code) in enumerate(dept.divisions, start=1):
            units.append(
                _unit(
                    f"000.{k:02d}.{dept.number:02d}.{PROVINCE_CODE}",
                    f"{div_name} - {dept.name}",
                    "division",
                    dept_id,
                )
            )
    for area, _district, communes in _COMMUNE_AREAS:
        for k, (kind, name) in enumerate(communes, start=1):
            units.append(
                _unit(
                    f"000.{k:02d}.{area:02d}.{PROVINCE_CODE}",
                    f"UBND {kind} {name}",
                    "commune",
                    PROVINCE_ID,
                )
            )
    return units


def demo_units() -> list[dict[str, Any]]:
    """The organisation registry: 2 province units, 20 departments with their divisions,
    65 communes, wards and the special zone. Same list, same order, on every call."""
    return _build_units()


def unit_codes() -> dict[str, str]:
    """Short names used in document numbers (số ký hiệu), by unit id: ``SNV`` for Sở Nội vụ,
    ``TCCB`` for its Phòng Tổ chức cán bộ, ``UBND`` for UBND tỉnh and every commune."""
    codes = {PROVINCE_ID: "UBND", PROVINCE_OFFICE_ID: "VPUBND"}
    for dept in _DEPARTMENTS:
        codes[f"000.00.{dept.number:02d}.{PROVINCE_CODE}"] = dept.code
        for k, (_name, code) in enumerate(dept.divisions, start=1):
            codes[f"000.{k:02d}.{dept.number:02d}.{PROVINCE_CODE}"] = code
    for area, _district, communes in _COMMUNE_AREAS:
        for k in range(1, len(communes) + 1):
            codes[f"000.{k:02d}.{area:02d}.{PROVINCE_CODE}"] = "UBND"
    return codes


def _name_factory(rng: random.Random) -> Any:
    used: set[str] = set()

    def make(family_pool: tuple[str, ...] = _FAMILY) -> str:
        for _attempt in range(20):
            female = rng.random() < 0.45
            family = rng.choice(family_pool)
            middle = rng.choice(_MIDDLE_FEMALE if female else _MIDDLE_MALE)
            given = rng.choice(_GIVEN_FEMALE if female else _GIVEN_MALE)
            name = f"{family} {middle} {given}"
            if name not in used:
                break
        used.add(name)
        return name

    return make


def _build_officials() -> list[dict[str, Any]]:
    rng = random.Random("khong-giay/demo-officials/v1")
    make_name = _name_factory(rng)
    officials: list[dict[str, Any]] = []

    def add(unit_id: str, positions: list[str], family_pool: tuple[str, ...] = _FAMILY) -> None:
        for n, position in enumerate(positions, start=1):
            # Leaders (the first two) stay active; about 1 in 60 others has left the unit.
            active = n <= 2 or rng.random() >= 1 / 60
            officials.append(
                {
                    "official_id": f"{unit_id}.cb{n:02d}",
                    "unit_id": unit_id,
                    "full_name": make_name(family_pool),
                    "position": position,
                    "active": active,
                }
            )

    add(
        PROVINCE_ID,
        [
            "Chủ tịch UBND tỉnh",
            "Phó Chủ tịch UBND tỉnh",
            "Phó Chủ tịch UBND tỉnh",
            "Phó Chủ tịch UBND tỉnh",
        ],
    )
    add(
        PROVINCE_OFFICE_ID,
        [
            "Chánh Văn phòng",
            "Phó Chánh Văn phòng",
            "Phó Chánh Văn phòng",
            "Văn thư",
            "Chuyên viên",
            "Chuyên viên",
            "Chuyên viên",
            "Chuyên viên",
        ],
    )
    for dept in _DEPARTMENTS:
        dept_id = f"000.00.{dept.number:02d}.{PROVINCE_CODE}"
        size = rng.randint(3, 8)
        positions = [dept.head, dept.deputy]
        if size >= 6:
            positions.append(dept.deputy)
        positions.append("Văn thư")
        if dept.divisions[0][1] == "VP" and len(positions) < size:
            positions.append("Chánh Văn phòng")
        positions += ["Chuyên viên"] * (size - len(positions))
        add(dept_id, positions)
        for k, (_name, code) in enumerate(dept.divisions, start=1):
            div_id = f"000.{k:02d}.{dept.number:02d}.{PROVINCE_CODE}"
            head, deputy = (
                ("Chánh Văn phòng", "Phó Chánh Văn phòng")
                if code == "VP"
                else ("Trưởng phòng", "Phó Trưởng phòng")
            )
            add(div_id, [head, deputy, "Chuyên viên"][: rng.randint(1, 3)])
    for area, _district, communes in _COMMUNE_AREAS:
        for k in range(1, len(communes) + 1):
            unit_id = f"000.{k:02d}.{area:02d}.{PROVINCE_CODE}"
            size = rng.randint(3, 8)
            staff = list(_COMMUNE_STAFF[1:])
            rng.shuffle(staff)
            positions = ["Chủ tịch UBND", "Phó Chủ tịch UBND", "Công chức Văn phòng - Thống kê"]
            if size >= 5:
                positions.append("Văn thư")
            positions += staff[: max(0, size - len(positions))]
            pool: tuple[str, ...] = _FAMILY
            if area in _RAGLAI_AREAS and rng.random() < 0.6:
                pool = _FAMILY_RAGLAI
            elif area in _CHAM_AREAS and rng.random() < 0.4:
                pool = _FAMILY_CHAM
            add(unit_id, positions, pool)
    return officials


def demo_officials() -> list[dict[str, Any]]:
    """A few hundred officials: 3-8 per department and commune, 1-3 per division, 4 and 8
    for UBND tỉnh and its office; leaders are always active, a few others are not."""
    return _build_officials()


def demo_campaign() -> dict[str, Any]:
    """The Khánh Hòa 2025 campaign record (Kế hoạch số 429/KH-UBND ngày 14/7/2025)."""
    return {
        "campaign_id": CAMPAIGN_ID,
        "name": "Phong trào thi đua 30 ngày đêm thực hiện “Ngày không in giấy”, "
        "“Tuần làm việc không văn bản giấy”",
        "start_date": "2025-07-15",
        "end_date": "2025-08-15",
        "timezone": "Asia/Ho_Chi_Minh",
        "targets": {
            "online_rate": 1.0,
            "signing_rate": 1.0,
            "e_issuance_rate": 1.0,
            "kpi_coverage": 1.0,
            "two_way_interconnection": True,
        },
        "weights": dict.fromkeys(CRITERIA_KEYS, 1.0),
        "unit_report_deadline": "2025-08-18",
        "department_report_deadline": "2025-08-20",
        "nomination_deadline": "2025-08-20",
        "award_quotas": {"collective": 10, "individual": 10},
        # "dân chủ, chính xác, công khai, minh bạch" (the plan, III): initiatives scored by a
        # council, dossiers appraised, the shortlist posted, the awards council votes.
        "award_procedure": "council",
        "criteria": [
            {
                "key": "online_rate",
                "measured": True,
                "description": "100% văn bản và hồ sơ công việc được xử lý trên môi trường mạng",
            },
            {
                "key": "signing_rate",
                "measured": True,
                "description": "100% văn bản xử lý trên môi trường mạng đều được ký số (trừ văn "
                "bản mật, tối mật, tuyệt mật và hồ sơ đề nghị khen thưởng cấp nhà "
                "nước)",
            },
            {
                "key": "e_issuance_rate",
                "measured": True,
                "description": "100% văn bản được ban hành hoàn toàn trên môi trường mạng (trừ văn "
                "bản mật, tối mật, tuyệt mật và hồ sơ đề nghị khen thưởng cấp nhà "
                "nước)",
            },
            {
                "key": "two_way_interconnection",
                "measured": True,
                "description": "Liên thông hệ thống văn bản điện tử hai chiều từ tỉnh đến cấp xã",
            },
            {
                "key": "kpi_coverage",
                "measured": True,
                "description": "100% cán bộ, công chức, viên chức được đánh giá, đo lường bằng KPI",
            },
            {
                "key": "creativity",
                "measured": False,
                "description": "Tính sáng tạo của cơ quan, cá nhân trong triển khai thực hiện “Ngày "
                "không in giấy”, “Tuần làm việc không văn bản giấy” (xét theo hồ "
                "sơ đề nghị khen thưởng)",
            },
        ],
    }


def _csv(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: (
                    ""
                    if row[key] is None
                    else ("true" if row[key] else "false")
                    if isinstance(row[key], bool)
                    else row[key]
                )
                for key in fields
            }
        )
    return out.getvalue()


def units_csv() -> str:
    """:func:`demo_units` as CSV (UTF-8 text, header ``unit_id,name,level,parent_id``; an
    empty ``parent_id`` means no parent)."""
    return _csv(demo_units(), UNIT_FIELDS)


def officials_csv() -> str:
    """:func:`demo_officials` as CSV (header ``official_id,unit_id,full_name,position,active``;
    ``active`` is ``true`` or ``false``)."""
    return _csv(demo_officials(), OFFICIAL_FIELDS)
