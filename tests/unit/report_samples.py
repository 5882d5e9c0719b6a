"""Reusable sample report documents (deterministic, Vietnamese names with diacritics).

``sample_document()`` is a realistic province report: 100 ranked units, 1,000 officials, a
31-day daily series with a gap (days without data). ``empty_document()`` is the same report
for a month with no events: every table empty, with a note, and charts without data.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from chalicelib.reports.model import (
    BarChart,
    Column,
    LineChart,
    ReportDocument,
    Section,
    Table,
)

PERIOD_FROM = date(2025, 7, 15)
PERIOD_TO = date(2025, 8, 14)  # 31 days inclusive
AS_OF = datetime(2025, 8, 15, 17, 0, tzinfo=UTC)  # 00:00 on 16/8 local time
GENERATED_AT = datetime(2025, 8, 15, 18, 5, 30, tzinfo=UTC)
CAMPAIGN_NAME = "Ngày không in giấy — Tuần làm việc không văn bản giấy, tỉnh Khánh Hòa 2025"

# Named units the tests look for in every format.
NAMED_UNITS = [
    ("000.00.31.H34", "Văn phòng UBND tỉnh Khánh Hòa", "province"),
    ("000.00.32.H34", "Sở Khoa học và Công nghệ", "department"),
    ("000.00.33.H34", "Sở Nội vụ", "department"),
    ("000.00.34.H34", "Sở Tài chính", "department"),
    ("000.00.35.H34", "Sở Giáo dục và Đào tạo", "department"),
    ("000.00.36.H34", "Sở Nông nghiệp và Môi trường", "department"),
    ("000.00.37.H34", "Sở Xây dựng", "department"),
    ("000.00.38.H34", "Sở Y tế", "department"),
    ("000.01.01.H34", "UBND phường Nha Trang", "commune"),
    ("000.01.02.H34", "UBND phường Cam Ranh", "commune"),
    ("000.01.03.H34", "UBND phường Phan Rang", "commune"),
    ("000.01.04.H34", "xã Cam Lâm", "commune"),
    ("000.01.05.H34", "xã Diên Khánh", "commune"),
    ("000.01.06.H34", "xã Khánh Vĩnh", "commune"),
    ("000.01.07.H34", "đặc khu Trường Sa", "commune"),
    ("000.00.32.01.H34", "Phòng Chuyển đổi số (Sở Khoa học và Công nghệ)", "division"),
]
_COMMUNE_STEMS = [
    "Ninh Hòa",
    "Vạn Ninh",
    "Tân Định",
    "Đại Lãnh",
    "Tu Bông",
    "Vạn Thắng",
    "Suối Dầu",
    "Cam Hiệp",
    "Ba Ngòi",
    "Bắc Ái",
    "Phước Hậu",
    "Ninh Phước",
    "Thuận Nam",
    "Cà Ná",
    "Đông Hải",
    "Bảo An",
    "Hòa Trí",
    "Ninh Sơn",
    "Lâm Sơn",
    "Anh Dũng",
    "Mỹ Sơn",
    "Khánh Sơn",
    "Tây Khánh Sơn",
    "Đông Khánh Sơn",
    "Trung Khánh Vĩnh",
    "Bắc Khánh Vĩnh",
]
_LEVEL_VI = {
    "province": "Tỉnh",
    "department": "Sở, ngành",
    "commune": "Xã, phường",
    "division": "Phòng thuộc sở",
}
_FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
_MIDDLE = ["Thị", "Văn", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quốc", "Thu", "Xuân"]
_GIVEN = [
    "Hương",
    "Lan",
    "Hùng",
    "Dũng",
    "Thảo",
    "Trang",
    "Phương",
    "Tuấn",
    "Hải",
    "Yến",
    "Long",
    "Quỳnh",
    "Nhung",
    "Khánh",
    "Thắng",
    "Hòa",
    "Sơn",
    "Vy",
    "Bảo",
    "Đạt",
]
_POSITIONS = [
    "Chuyên viên",
    "Văn thư",
    "Trưởng phòng",
    "Phó Trưởng phòng",
    "Giám đốc",
    "Phó Chủ tịch UBND",
    "Công chức Văn phòng – Thống kê",
]

RANKING_COLUMNS = [
    Column("rank", "Hạng", "Rank", "int"),
    Column("unit_id", "Mã định danh", "Unit ID", "text"),
    Column("unit_name", "Đơn vị", "Unit", "text"),
    Column("level", "Cấp", "Level", "text"),
    Column("score", "Điểm", "Score", "float"),
    Column("processed_total", "Văn bản xử lý", "Documents processed", "int"),
    Column("online_rate", "Tỷ lệ xử lý trên môi trường mạng", "Online processing rate", "percent"),
    Column("signing_rate", "Tỷ lệ ký số", "Digital signing rate", "percent"),
    Column("e_issuance_rate", "Tỷ lệ phát hành điện tử", "E-issuance rate", "percent"),
    Column("kpi_coverage", "Tỷ lệ đánh giá KPI", "KPI coverage", "percent"),
    Column("two_way_interconnection", "Liên thông hai chiều", "Two-way interconnection", "bool"),
    Column("compliant", "Đạt tiêu chí", "Compliant", "bool"),
]
DAILY_COLUMNS = [
    Column("date", "Ngày", "Date", "date"),
    Column("processed_total", "Văn bản xử lý", "Documents processed", "int"),
    Column("processed_online", "Xử lý trên môi trường mạng", "Processed online", "int"),
    Column("online_rate", "Tỷ lệ trực tuyến", "Online rate", "percent"),
]
OFFICIAL_COLUMNS = [
    Column("official_id", "Mã cán bộ", "Official ID", "text"),
    Column("full_name", "Họ và tên", "Full name", "text"),
    Column("position", "Chức vụ", "Position", "text"),
    Column("unit_name", "Đơn vị", "Unit", "text"),
    Column("processed", "Văn bản xử lý", "Documents processed", "int"),
    Column("online_rate", "Tỷ lệ trực tuyến", "Online rate", "percent"),
    Column("on_time_rate", "Tỷ lệ đúng hạn", "On-time rate", "percent"),
    Column("signatures", "Chữ ký số", "Digital signatures", "int"),
    Column("kpi_score", "Điểm KPI", "KPI score", "float"),
]
SUMMARY_COLUMNS = [
    Column("processed_total", "Văn bản xử lý", "Documents processed", "int"),
    Column("processed_online", "Xử lý trên môi trường mạng", "Processed online", "int"),
    Column("online_rate", "Tỷ lệ trực tuyến", "Online rate", "percent"),
    Column("issued_total", "Văn bản ban hành", "Documents issued", "int"),
    Column("signing_rate", "Tỷ lệ ký số", "Signing rate", "percent"),
    Column("e_issuance_rate", "Tỷ lệ phát hành điện tử", "E-issuance rate", "percent"),
    Column("exempt_total", "Văn bản mật, miễn trừ", "Exempt documents", "int"),
    Column("paper_pages", "Số trang giấy in", "Paper pages", "int"),
]
CRITERIA_COLUMNS = [
    Column("no", "STT", "No.", "int"),
    Column("criterion", "Tiêu chí", "Criterion", "text"),
    Column("target", "Chỉ tiêu", "Target", "percent"),
]
SILENT_COLUMNS = [
    Column("unit_id", "Mã định danh", "Unit ID", "text"),
    Column("unit_name", "Đơn vị", "Unit", "text"),
    Column("last_event_on", "Sự kiện gần nhất", "Last event", "date"),
]


def units(n: int = 100) -> list[tuple[str, str, str]]:
    """``n`` units: the named ones first, then generated communes and departments."""
    out = list(NAMED_UNITS[:n])
    i = 0
    while len(out) < n:
        stem = _COMMUNE_STEMS[i % len(_COMMUNE_STEMS)]
        round_ = i // len(_COMMUNE_STEMS)
        if i % 5 == 4:
            name, level = f"Ban Quản lý dự án {stem}", "department"
        else:
            prefix = "xã" if i % 3 else "UBND phường"
            name, level = f"{prefix} {stem}" + (f" {round_ + 1}" if round_ else ""), "commune"
        out.append((f"000.02.{i:02d}.H34", name, level))
        i += 1
    return out


def _rate(rng: random.Random, none_chance: float = 0.05) -> float | None:
    if rng.random() < none_chance:
        return None
    return round(min(1.0, max(0.0, rng.gauss(0.93, 0.08))), 4)


def ranking_rows(n_units: int = 100, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for unit_id, name, level in units(n_units):
        rates = [_rate(rng) for _ in range(4)]
        two_way = None if level == "division" else rng.random() < 0.8
        parts = [r or 0.0 for r in rates] + ([] if two_way is None else [float(two_way)])
        score = round(100 * sum(parts) / len(parts), 2)
        compliant = all(r is not None and r >= 1.0 for r in rates) and two_way is not False
        rows.append(
            {
                "unit_id": unit_id,
                "unit_name": name,
                "level": _LEVEL_VI[level],
                "score": score,
                "processed_total": 0 if rates[0] is None else rng.randint(5, 2500),
                "online_rate": rates[0],
                "signing_rate": rates[1],
                "e_issuance_rate": rates[2],
                "kpi_coverage": rates[3],
                "two_way_interconnection": two_way,
                "compliant": compliant,
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["unit_id"]))  # type: ignore[operator]
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def daily_rows(days: int = 31, seed: int = 11) -> list[dict[str, object]]:
    """Daily figures; days 6 and 7 (a weekend) have no processed document: rate None."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for d in range(days):
        total = 0 if d in (5, 6) else rng.randint(300, 900)
        online = 0 if total == 0 else int(total * min(1.0, rng.uniform(0.85, 1.0)))
        rows.append(
            {
                "date": PERIOD_FROM + timedelta(days=d),
                "processed_total": total,
                "processed_online": online,
                "online_rate": None if total == 0 else online / total,
            }
        )
    return rows


def official_rows(n: int = 1000, n_units: int = 100, seed: int = 13) -> list[dict[str, object]]:
    rng = random.Random(seed)
    unit_list = units(n_units)
    rows: list[dict[str, object]] = []
    for i in range(n):
        name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
        processed = rng.randint(0, 400)
        rows.append(
            {
                "official_id": f"CB{i:05d}",
                "full_name": name,
                "position": rng.choice(_POSITIONS),
                "unit_name": unit_list[i % len(unit_list)][1],
                "processed": processed,
                "online_rate": None if processed == 0 else round(rng.uniform(0.7, 1.0), 4),
                "on_time_rate": _rate(rng, 0.2),
                "signatures": rng.randint(0, 200),
                "kpi_score": None if rng.random() < 0.1 else round(rng.uniform(60, 100), 1),
            }
        )
    return rows


def _criteria_rows() -> list[dict[str, object]]:
    texts = [
        "100% văn bản, hồ sơ công việc được xử lý trên môi trường mạng",
        "100% văn bản xử lý trên môi trường mạng được ký số và phát hành điện tử "
        "(trừ văn bản Mật, Tối mật, Tuyệt mật và hồ sơ khen thưởng cấp Nhà nước)",
        "Liên thông văn bản điện tử hai chiều từ tỉnh đến xã",
        "100% cán bộ, công chức, viên chức được đánh giá bằng KPI",
        "Có sáng kiến, cách làm sáng tạo",
    ]
    targets: list[float | None] = [1.0, 1.0, 1.0, 1.0, None]
    return [
        {"no": i, "criterion": t, "target": g}
        for i, (t, g) in enumerate(zip(texts, targets, strict=True), start=1)
    ]


def _document(
    *,
    ranking: list[dict[str, object]],
    daily: list[dict[str, object]],
    officials: list[dict[str, object]],
    summary: list[dict[str, object]],
    silent: list[dict[str, object]],
    empty: bool,
) -> ReportDocument:
    note_vi = "Không có sự kiện văn bản nào trong kỳ báo cáo." if empty else None
    note_en = "No document events in the reporting period." if empty else None
    ranking_note_vi = note_vi or (
        "Điểm = 100 × trung bình các tỷ lệ; tỷ lệ không có dữ liệu tính là 0. "
        "Phòng thuộc sở không xét liên thông."
    )
    ranking_note_en = note_en or (
        "Score = 100 × mean of the rates; a rate without data counts as 0. "
        "Divisions are not assessed on interconnection."
    )
    series_rates = [r["online_rate"] for r in daily]
    dept_rates = [None if v is None else max(0.0, v - 0.03) for v in series_rates]  # type: ignore[operator]
    return ReportDocument(
        report_id="rpt-2025-demo-campaign-province-v1" if not empty else "rpt-2025-09-empty-v1",
        campaign_id="khanh-hoa-2025-ngay-khong-giay",
        campaign_name=CAMPAIGN_NAME,
        scope="province",
        scope_name="Tỉnh Khánh Hòa",
        period_from=PERIOD_FROM,
        period_to=PERIOD_TO,
        as_of=AS_OF,
        generated_at=GENERATED_AT,
        sections=[
            Section(
                key="criteria",
                title_vi="Tiêu chí và chỉ tiêu",
                title_en="Criteria and targets",
                paragraphs_vi=[
                    "Phong trào thi đua “Ngày không in giấy” do UBND tỉnh Khánh Hòa phát động, "
                    "áp dụng cho các sở, ban, ngành và UBND các xã, phường, đặc khu.",
                ],
                paragraphs_en=[
                    "The “Paperless day” emulation campaign launched by the Khánh Hòa "
                    "People's Committee, for departments and communes.",
                ],
                tables=[
                    Table("criteria", "Tiêu chí", "Criteria", CRITERIA_COLUMNS, _criteria_rows())
                ],
            ),
            Section(
                key="summary",
                title_vi="Số liệu tổng hợp",
                title_en="Summary figures",
                tables=[
                    Table(
                        "summary",
                        "Số liệu tổng hợp toàn tỉnh",
                        "Province summary",
                        SUMMARY_COLUMNS,
                        summary,
                        note_vi,
                        note_en,
                    )
                ],
            ),
            Section(
                key="ranking",
                title_vi="Xếp hạng đơn vị",
                title_en="Unit ranking",
                charts=[
                    BarChart(
                        "Điểm xếp hạng các đơn vị",
                        "Unit ranking scores",
                        categories=[f"{r['rank']}. {r['unit_name']}" for r in ranking],
                        values=[r["score"] for r in ranking],  # type: ignore[misc]
                    )
                ],
                tables=[
                    Table(
                        "ranking",
                        "Bảng xếp hạng đơn vị",
                        "Unit ranking",
                        RANKING_COLUMNS,
                        ranking,
                        ranking_note_vi,
                        ranking_note_en,
                    )
                ],
            ),
            Section(
                key="trend",
                title_vi="Diễn biến theo ngày",
                title_en="Daily trend",
                charts=[
                    LineChart(
                        "Tỷ lệ xử lý văn bản trên môi trường mạng theo ngày",
                        "Daily online processing rate",
                        x_labels=[PERIOD_FROM + timedelta(days=d) for d in range(len(daily))]
                        if not empty
                        else [],
                        series={"Toàn tỉnh": series_rates, "Các sở, ngành": dept_rates}  # type: ignore[dict-item]
                        if not empty
                        else {},
                        series_en={"Toàn tỉnh": "Whole province", "Các sở, ngành": "Departments"},
                    )
                ],
                tables=[
                    Table(
                        "daily",
                        "Số liệu theo ngày",
                        "Daily figures",
                        DAILY_COLUMNS,
                        daily,
                        note_vi,
                        note_en,
                    )
                ],
            ),
            Section(
                key="officials",
                title_vi="KPI cá nhân",
                title_en="Individual KPIs",
                tables=[
                    Table(
                        "officials",
                        "KPI cán bộ, công chức, viên chức",
                        "Officials' KPIs",
                        OFFICIAL_COLUMNS,
                        officials,
                        note_vi,
                        note_en,
                    )
                ],
            ),
            Section(
                key="silent",
                title_vi="Đơn vị chưa có dữ liệu",
                title_en="Units without data",
                tables=[
                    Table(
                        "silent_units",
                        "Đơn vị không phát sinh sự kiện",
                        "Silent units",
                        SILENT_COLUMNS,
                        silent,
                    )
                ],
            ),
        ],
    )


def sample_document(n_units: int = 100, n_officials: int = 1000, days: int = 31) -> ReportDocument:
    ranking = ranking_rows(n_units)
    daily = daily_rows(days)
    total = sum(int(r["processed_total"]) for r in daily)  # type: ignore[call-overload]
    online = sum(int(r["processed_online"]) for r in daily)  # type: ignore[call-overload]
    summary: list[dict[str, object]] = [
        {
            "processed_total": total,
            "processed_online": online,
            "online_rate": online / total,
            "issued_total": 4123,
            "signing_rate": 0.9876,
            "e_issuance_rate": 0.9512,
            "exempt_total": 37,
            "paper_pages": 1520,
        }
    ]
    silent: list[dict[str, object]] = [
        {"unit_id": u, "unit_name": n, "last_event_on": None} for u, n, _ in units(n_units)[-3:]
    ]
    silent[0]["last_event_on"] = date(2025, 7, 20)
    return _document(
        ranking=ranking,
        daily=daily,
        officials=official_rows(n_officials, n_units),
        summary=summary,
        silent=silent,
        empty=False,
    )


def empty_document() -> ReportDocument:
    """A month without events: no rows anywhere (a summary of no data), charts without data."""
    doc = _document(ranking=[], daily=[], officials=[], summary=[], silent=[], empty=True)
    doc.period_from, doc.period_to = date(2025, 9, 1), date(2025, 9, 30)
    doc.as_of = datetime(2025, 9, 30, 17, 0, tzinfo=UTC)
    doc.generated_at = datetime(2025, 9, 30, 18, 0, 5, tzinfo=UTC)
    doc.validate()
    return doc
