"""Creativity in both reports (issue 21): a section listing the recognised initiatives, with
the figures of the KPI answer's `creativity`, in every format (CSV, XLSX, PDF)."""

from __future__ import annotations

import datetime as dt

from chalicelib import clock
from tests.api.test_reports import create, csv_rows, download, pdf_text, sheet
from tests.factories import COMMUNE, DEPARTMENT, load_registry
from tests.initiatives import CAMPAIGN, give, set_council, submitted

BEFORE = dt.datetime(2025, 8, 1, 3, 0, tzinfo=dt.UTC)


def _recognise(api) -> str:
    """One recognised and one not recognised initiative of DEPARTMENT."""
    set_council(api, denominator="scored")
    with clock.frozen(BEFORE):
        good = submitted(api, title="Số hóa sổ công văn đến")["initiative_id"]
        weak = submitted(api, title="Sáng kiến chưa đạt")["initiative_id"]
        for sub in ("hd-0", "hd-2", "hd-4"):
            assert give(api, good, sub, 20, 20, 30).status_code == 200
            assert give(api, weak, sub, 5, 5, 5).status_code == 200
        r = api.post(f"/campaigns/{CAMPAIGN}/initiatives/assessment/close")
        assert r.status_code == 200, r.body
    return good


def test_unit_and_province_reports_list_the_recognised_initiatives(api):
    load_registry(api)
    _recognise(api)

    unit = create(api, scope=DEPARTMENT)
    rows = csv_rows(download(api, unit["report_id"], "csv")["csv/recognised_initiatives.csv"])
    assert [r["Tên sáng kiến"] for r in rows] == ["Số hóa sổ công văn đến"]
    assert rows[0]["Điểm bình quân (/100)"] == "70.0"
    assert "Đơn vị" not in rows[0]  # the unit's own report: no unit column
    xlsx = download(api, unit["report_id"], "xlsx")
    (book,) = xlsx.values()
    assert [r["Tên sáng kiến"] for r in sheet(book, "Sáng kiến được công nhận")] == [
        "Số hóa sổ công văn đến"
    ]
    text = pdf_text(download(api, unit["report_id"], "pdf")["report.pdf"])
    assert "Tính sáng tạo: sáng kiến được công nhận" in text
    assert "Đơn vị có 2 sáng kiến đã gửi Hội đồng sáng kiến, 1 sáng kiến được công nhận" in text
    assert "Số hóa sổ công văn đến" in text and "Sáng kiến chưa đạt" not in text
    assert "không tính tiêu chí sáng tạo vào điểm" in text

    province = create(api)
    rows = csv_rows(download(api, province["report_id"], "csv")["csv/recognised_initiatives.csv"])
    assert [(r["Tên sáng kiến"], r["Đơn vị"]) for r in rows] == [
        ("Số hóa sổ công văn đến", "Sở Nội vụ")
    ]
    text = pdf_text(download(api, province["report_id"], "pdf")["report.pdf"])
    assert "Toàn tỉnh có 2 sáng kiến đã gửi" in text

    english = create(api, scope=DEPARTMENT, lang="en")
    text = pdf_text(download(api, english["report_id"], "pdf")["report.pdf"])
    assert "Creativity: recognised initiatives" in text

    # A unit without any: the section says so.
    other = create(api, scope=COMMUNE)
    text = pdf_text(download(api, other["report_id"], "pdf")["report.pdf"])
    assert "Chưa có sáng kiến nào được công nhận." in text
