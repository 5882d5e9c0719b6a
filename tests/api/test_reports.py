"""Reports end to end on moto: schedules, local months, versions, figures equal the API's,
Vietnamese PDF text, role scoping, empty months, late corrections."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading
import time
import unicodedata
from typing import Any

import pytest
import requests
from openpyxl import load_workbook
from pypdf import PdfReader

from chalicelib import clock
from tests.conftest import body
from tests.factories import (
    CAMPAIGN,
    COMMUNE,
    DEPARTMENT,
    DIVISION,
    OTHER_DEPARTMENT,
    PROVINCE,
    UNITS,
    load_registry,
)
from tests.webhooks import deliver, event

UTC = dt.UTC
CAMPAIGN_ID = CAMPAIGN["campaign_id"]
PROVINCE_UNIT = "000.00.00.H34"
OTHER_COMMUNE = "000.00.72.H34"


# An official of the other department (acting for it needs one: issue 13).
OTHER_OFFICIAL = {
    "official_id": "kh-001",
    "unit_id": OTHER_DEPARTMENT,
    "full_name": "Đặng Văn Khoa",
    "position": "Văn thư",
    "active": True,
}


@pytest.fixture
def source(api):
    load_registry(api)
    assert api.post("/admin/units", {"units": [], "officials": [OTHER_OFFICIAL]}).status_code == 200
    secret = body(
        api.post("/admin/sources", {"source_id": "eo", "name": "QLVB", "units": [PROVINCE]})
    )["secret"]
    return "eo", secret


def aggregate(api) -> dict[str, Any]:
    r = api.post("/admin/jobs/aggregate_kpi")
    assert r.status_code == 202, r.body
    return body(r)["result"]


def create(api, *, token: str = "admin", expect: int = 201, **fields: Any) -> dict[str, Any]:
    r = api.post("/admin/reports", {"campaign_id": CAMPAIGN_ID, **fields}, token=token)
    assert r.status_code == expect, r.body
    return body(r)


def download(api, report_id: str, fmt: str, token: str = "admin") -> dict[str, bytes]:
    r = api.get(f"/reports/{report_id}/download?format={fmt}", token=token)
    assert r.status_code == 200, r.body
    links = body(r)
    assert links["expires_in"] == 900
    return {f["name"]: requests.get(f["url"], timeout=10).content for f in links["files"]}


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def sheet(data: bytes, title: str) -> list[dict[str, Any]]:
    """Rows of the XLSX sheet named after a table title, keyed by header text."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[title[:31]]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    out = []
    for row in rows[1:]:
        if row[0] is None:
            break  # a blank line ends the data; notes follow
        out.append(dict(zip(header, row, strict=False)))
    return out


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text))


def cell_bool(value: Any) -> bool | None:
    return {"Có": True, "Không": False, "—": None}[value]


def cell_rate(value: Any) -> float | None:
    return None if value == "—" else float(value)


def csv_rate(value: str) -> float | None:
    return None if value == "" else float(value)


def csv_bool(value: str) -> bool | None:
    return {"true": True, "false": False, "": None}[value]


def mixed_events() -> list[dict[str, Any]]:
    """Online and paper processing, issuing with and without signatures, exchange both ways
    between a department and a commune, a secret document, printing, evaluations."""
    return [
        event("p1", doc="d1"),
        event("p2", doc="d2", channel="paper"),
        event("p3", doc="d3", at="2025-07-20T10:00:00+07:00"),
        event("pr3", "document.printed", doc="d3", at="2025-07-21T10:00:00+07:00", pages=4),
        event("i4", "document.issued", doc="d4"),
        event("s4", "document.signed", doc="d4"),
        event("i5", "document.issued", doc="d5", channel="paper"),
        event("x6", doc="d6", document={"security": "mat"}),
        event("snd7", "document.sent", doc="d7", to_unit_id=COMMUNE),
        event("rcv8", "document.received", doc="d8", from_unit_id=COMMUNE),
        event("c1", doc="c1", unit=COMMUNE, actor_official_id="cb-004"),
        event("c2", "document.sent", doc="c2", unit=COMMUNE, to_unit_id=DEPARTMENT),
        event("c3", "document.received", doc="c3", unit=COMMUNE, from_unit_id=DEPARTMENT),
        event("c4", "document.issued", doc="c4", unit=COMMUNE),
        event("c5", "document.signed", doc="c4", unit=COMMUNE, signer_official_id="cb-004"),
        event("k1", doc="k1", unit=OTHER_DEPARTMENT, channel="paper", actor_official_id="kh-001"),
        event("e1", "official.evaluated", official_id="cb-001", period="2025-07"),
        event(
            "e4",
            "official.evaluated",
            unit=COMMUNE,
            official_id="cb-004",
            at="2025-08-02T09:00:00+07:00",
            period="2025-08",
            score=88,
        ),
    ]


# --- schedules and local months ---------------------------------------------------------------


def test_cron_expressions_and_next_runs():
    from app import app
    from chalicelib.jobs.catalog import job_specs, next_run

    expressions = {
        e.name: e.schedule_expression.to_string()
        for e in app.event_sources
        if hasattr(e, "schedule_expression")
    }
    assert expressions["monthly_reports"] == "cron(0 18 L * ? *)"
    assert expressions["campaign_reports"] == "cron(30 18 * * ? *)"
    monthly = job_specs()["monthly_reports"]
    assert monthly.cron_utc == (0, 18, "L")
    zone = dt.timezone(dt.timedelta(hours=7))
    fired = next_run(monthly, dt.datetime(2025, 8, 31, 17, 59, tzinfo=UTC))
    assert fired == dt.datetime(2025, 8, 31, 18, 0, tzinfo=UTC)
    # ... which is 01:00 on the 1st, local time
    assert fired.astimezone(zone) == dt.datetime(2025, 9, 1, 1, 0, tzinfo=zone)
    assert next_run(monthly, fired) == dt.datetime(2025, 9, 30, 18, 0, tzinfo=UTC)
    assert next_run(monthly, dt.datetime(2028, 2, 2, tzinfo=UTC)) == dt.datetime(
        2028, 2, 29, 18, 0, tzinfo=UTC
    )
    assert next_run(monthly, dt.datetime(2025, 12, 31, 18, 0, tzinfo=UTC)) == dt.datetime(
        2026, 1, 31, 18, 0, tzinfo=UTC
    )
    nightly = job_specs()["campaign_reports"]
    assert next_run(nightly, dt.datetime(2025, 8, 15, 18, 0, tzinfo=UTC)) == dt.datetime(
        2025, 8, 15, 18, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("now", "month"),
    [
        # The schedule fires at 18:00 UTC on the last day: local time is already the 1st.
        ("2025-08-31T18:00:00+00:00", ("2025-08-01", "2025-08-31", "2025-08")),
        ("2025-08-31T17:00:00+00:00", ("2025-08-01", "2025-08-31", "2025-08")),
        # One second before local midnight it is still the 31st: the previous month is July.
        ("2025-08-31T16:59:59+00:00", ("2025-07-01", "2025-07-31", "2025-07")),
        ("2025-12-31T18:00:00+00:00", ("2025-12-01", "2025-12-31", "2025-12")),
        ("2026-01-15T03:00:00+00:00", ("2025-12-01", "2025-12-31", "2025-12")),
        ("2028-02-29T18:00:00+00:00", ("2028-02-01", "2028-02-29", "2028-02")),
    ],
)
def test_previous_local_month(now, month):
    from chalicelib.services.reports import previous_local_month

    first, last, label = previous_local_month(dt.datetime.fromisoformat(now))
    assert (first.isoformat(), last.isoformat(), label) == month


def test_period_labels():
    from chalicelib.domain.campaigns import Campaign
    from chalicelib.services.reports import period_label

    c = Campaign.model_validate(CAMPAIGN)
    d = dt.date.fromisoformat
    assert period_label(c, d("2025-07-15"), d("2025-08-15")) == "campaign"
    assert period_label(c, d("2025-07-15"), d("2025-07-31")) == "2025-07"
    assert period_label(c, d("2025-07-01"), d("2025-07-31")) == "2025-07"
    assert period_label(c, d("2025-08-01"), d("2025-08-15")) == "2025-08"
    assert period_label(c, d("2025-08-01"), d("2025-08-31")) == "2025-08"
    assert period_label(c, d("2025-07-16"), d("2025-07-20")) == "2025-07-16_2025-07-20"
    assert period_label(c, d("2025-07-20"), d("2025-08-05")) == "2025-07-20_2025-08-05"


def _run_job(api, clock_at, name: str, now: str) -> dict[str, Any]:
    clock_at(dt.datetime.fromisoformat(now))
    r = api.post(f"/admin/jobs/{name}")
    assert r.status_code == 202, r.body
    return body(r)["result"]


def test_monthly_job_puts_events_in_their_local_month(api, source, clock_at):
    sid, secret = source
    deliver(
        api,
        sid,
        secret,
        [
            # 23:59:59 on 31 July local time, and midnight on 1 August
            event("late-july", doc="d1", at="2025-07-31T16:59:59Z"),
            event("early-aug", doc="d2", at="2025-07-31T17:00:00Z"),
            event("aug-2", doc="d3", at="2025-07-31T17:00:00Z"),
        ],
    )
    aggregate(api)
    july = _run_job(api, clock_at, "monthly_reports", "2025-07-31T18:00:00+00:00")
    assert july["month"] == "2025-07" and july["done"] is True and not july["failed"]
    # the province report and one per unit
    assert len(july["generated"]) == 1 + len(UNITS)
    august = _run_job(api, clock_at, "monthly_reports", "2025-08-31T18:00:00+00:00")
    assert august["month"] == "2025-08" and august["done"] is True

    listed = body(api.get(f"/reports?campaign_id={CAMPAIGN_ID}&scope={DEPARTMENT}"))["items"]
    by_period = {i["period"]: i for i in listed}
    assert set(by_period) == {"2025-07", "2025-08"}
    # the month, clipped to the campaign (15/7 – 15/8)
    assert (by_period["2025-07"]["from"], by_period["2025-07"]["to"]) == (
        "2025-07-15",
        "2025-07-31",
    )
    assert (by_period["2025-08"]["from"], by_period["2025-08"]["to"]) == (
        "2025-08-01",
        "2025-08-15",
    )
    assert all(i["trigger"] == "monthly_reports" for i in listed)
    for period, processed in (("2025-07", 1), ("2025-08", 2)):
        files = download(api, by_period[period]["report_id"], "csv")
        figures = {r["Mã chỉ số"]: r["Giá trị"] for r in csv_rows(files["csv/unit_figures.csv"])}
        assert figures["processed_total"] == str(processed), period
        province = body(
            api.get(f"/reports?campaign_id={CAMPAIGN_ID}&period={period}&scope=province")
        )
        (item,) = province["items"]
        counts = csv_rows(download(api, item["report_id"], "csv")["csv/summary_counts.csv"])
        total = {r["Mã chỉ số"]: r["Toàn tỉnh"] for r in counts}
        assert total["processed_total"] == str(processed), period


def test_monthly_job_skips_campaigns_that_do_not_overlap(api, source, clock_at):
    result = _run_job(api, clock_at, "monthly_reports", "2025-06-30T18:00:00+00:00")
    assert result["month"] == "2025-06" and result["generated"] == [] and result["done"]


def test_monthly_job_resumes_an_interrupted_run_then_reruns_as_new_versions(api, source, clock_at):
    from chalicelib.services import reports

    clock_at(dt.datetime.fromisoformat("2025-08-31T18:00:00+00:00"))
    first = reports.run_monthly_reports(deadline=time.monotonic() - 1)
    assert first["done"] is False and first["generated"] == []
    assert first["remaining"] == 1 + len(UNITS)
    second = reports.run_monthly_reports(deadline=time.monotonic() + 60)
    assert second["resumed"] is True and second["done"] is True
    assert len(second["generated"]) == 1 + len(UNITS)
    assert all(rid.endswith("~v1") for rid in second["generated"])
    third = reports.run_monthly_reports(deadline=time.monotonic() + 60)
    assert third["resumed"] is False
    assert all(rid.endswith("~v2") for rid in third["generated"])


def test_campaign_job_pauses_then_the_next_call_finishes_a_monthly_run(api, source, clock_at):
    from chalicelib.services import reports

    clock_at(dt.datetime.fromisoformat("2025-08-31T18:00:00+00:00"))
    reports.run_monthly_reports(deadline=time.monotonic() - 1)
    result = reports.run_campaign_reports(deadline=time.monotonic() + 60)
    assert result["monthly"]["month"] == "2025-08"
    assert len(result["monthly"]["generated"]) == 1 + len(UNITS)


# --- versions ---------------------------------------------------------------------------------


def test_rerun_writes_a_new_version_and_overwrites_nothing(api, source):
    sid, secret = source
    deliver(api, sid, secret, [event("p1", doc="d1")])
    aggregate(api)
    v1 = create(api)
    deliver(api, sid, secret, [event("p2", doc="d2", channel="paper")])
    aggregate(api)
    v2 = create(api)
    assert (v1["version"], v2["version"]) == (1, 2)
    assert v1["report_id"] == f"{CAMPAIGN_ID}~campaign~province~v1"
    assert v2["report_id"] == f"{CAMPAIGN_ID}~campaign~province~v2"
    assert v1["figures_sha256"] != v2["figures_sha256"]
    # v1's files are still there, byte for byte what its manifest lists
    files = download(api, v1["report_id"], "manifest")
    import hashlib
    import json

    manifest = json.loads(files["manifest.json"])
    assert manifest["report_id"] == v1["report_id"] and manifest["report"]["version"] == 1
    by_name = {f["name"]: f for f in manifest["files"]}
    for name, data in download(api, v1["report_id"], "pdf").items():
        assert hashlib.sha256(data).hexdigest() == by_name[name]["sha256"]
    for name, data in download(api, v1["report_id"], "csv").items():
        assert hashlib.sha256(data).hexdigest() == by_name[name]["sha256"]

    from chalicelib.settings import get_settings
    from chalicelib.storage.aws import client

    keys = sorted(
        o["Key"]
        for o in client("s3").list_objects_v2(
            Bucket=get_settings().reports_bucket, Prefix=f"reports/{CAMPAIGN_ID}/"
        )["Contents"]
    )
    assert any(k.startswith(f"reports/{CAMPAIGN_ID}/campaign/province/v1/") for k in keys)
    assert any(k.startswith(f"reports/{CAMPAIGN_ID}/campaign/province/v2/") for k in keys)
    assert f"reports/{CAMPAIGN_ID}/campaign/province/v1/report.pdf" in keys
    assert f"reports/{CAMPAIGN_ID}/campaign/province/v2/manifest.json" in keys
    head = client("s3").head_object(
        Bucket=get_settings().reports_bucket,
        Key=f"reports/{CAMPAIGN_ID}/campaign/province/v1/report.pdf",
    )
    assert head["ServerSideEncryption"] == "aws:kms"

    listed = body(api.get(f"/reports?campaign_id={CAMPAIGN_ID}&period=campaign&scope=province"))
    assert [i["version"] for i in listed["items"]] == [2, 1]  # newest first


def test_concurrent_generators_claim_distinct_versions(api, source):
    from chalicelib.storage import reports as store

    claimed: list[int] = []
    errors: list[BaseException] = []

    def claim() -> None:
        try:
            item = store.claim_version(
                campaign_id=CAMPAIGN_ID,
                period="2025-07",
                scope="province",
                period_from=dt.date(2025, 7, 15),
                period_to=dt.date(2025, 7, 31),
                lang="vi",
                trigger="test",
                requested_by=None,
                now=clock.now(),
            )
            claimed.append(int(item.version))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(claimed) == [1, 2, 3, 4, 5, 6]


# --- figures equal the API's -------------------------------------------------------------------


def test_xlsx_and_csv_figures_equal_the_api(api, source):
    sid, secret = source
    assert deliver(api, sid, secret, mixed_events()).status_code == 202
    aggregate(api)
    frm, to = "2025-07-15", "2025-08-15"
    province = create(api)
    assert province["status"] == "ready" and province["no_events"] is False
    units = {u: create(api, scope=u) for u in (DEPARTMENT, COMMUNE, DIVISION)}

    # ranking: XLSX sheet and CSV equal GET /campaigns/{id}/ranking
    xlsx = download(api, province["report_id"], "xlsx")["report.xlsx"]
    csvs = download(api, province["report_id"], "csv")
    for level, title in (
        ("department", "Xếp hạng sở, ban, ngành"),
        ("commune", "Xếp hạng xã, phường, đặc khu"),
    ):
        api_ranking = body(
            api.get(f"/campaigns/{CAMPAIGN_ID}/ranking?level={level}&from={frm}&to={to}")
        )
        assert api_ranking["as_of"] == province["as_of"]
        expected = api_ranking["items"]
        rows = sheet(xlsx, title)
        assert [r["Mã định danh"] for r in rows] == [i["unit_id"] for i in expected]
        for row, item in zip(rows, expected, strict=True):
            assert row["Hạng"] == item["rank"]
            assert row["Điểm"] == pytest.approx(item["score"], abs=1e-12)
            assert row["Văn bản xử lý"] == item["processed_total"]
            for label, key in (
                ("Tỷ lệ xử lý trên mạng", "online_rate"),
                ("Tỷ lệ ký số", "signing_rate"),
                ("Tỷ lệ phát hành điện tử", "e_issuance_rate"),
                ("Tỷ lệ đánh giá KPI", "kpi_coverage"),
            ):
                got = cell_rate(row[label])
                assert (got is None) == (item[key] is None), (label, row, item)
                if got is not None:
                    assert got == pytest.approx(item[key], rel=1e-15)
            assert cell_bool(row["Liên thông hai chiều"]) == item["two_way_interconnection"]
            assert cell_bool(row["Đạt tất cả tiêu chí"]) == item["compliant"]
        csv_ranking = csv_rows(csvs[f"csv/ranking_{level}.csv"])
        for row, item in zip(csv_ranking, expected, strict=True):
            assert row["Mã định danh"] == item["unit_id"]
            assert int(row["Hạng"]) == item["rank"]
            assert float(row["Điểm"]) == item["score"]
            assert csv_rate(row["Tỷ lệ xử lý trên mạng"]) == item["online_rate"]
            assert csv_rate(row["Tỷ lệ ký số"]) == item["signing_rate"]
            assert csv_rate(row["Tỷ lệ đánh giá KPI"]) == item["kpi_coverage"]
            assert csv_bool(row["Liên thông hai chiều"]) == item["two_way_interconnection"]

    # province summary = the sum of every unit's API figures
    api_units = {
        u["unit_id"]: body(api.get(f"/units/{u['unit_id']}/kpi?from={frm}&to={to}")) for u in UNITS
    }
    summary = {r["Mã chỉ số"]: r for r in csv_rows(csvs["csv/summary_counts.csv"])}
    for key in (
        "processed_total",
        "processed_online",
        "issued_total",
        "issued_online",
        "issued_signed_digitally",
        "exempt_total",
        "paper_pages",
    ):
        assert int(summary[key]["Toàn tỉnh"]) == sum(
            a["metrics"][key] for a in api_units.values()
        ), key
        assert int(summary[key]["Sở, ban, ngành"]) == sum(
            a["metrics"][key] for a in api_units.values() if a["level"] == "department"
        ), key
    online = sum(a["metrics"]["processed_online"] for a in api_units.values())
    issued_online = sum(a["metrics"]["issued_online"] for a in api_units.values())
    assert int(summary["paper_saved_estimate"]["Toàn tỉnh"]) == 2 * (online + issued_online)

    # interconnection: CSV equals GET /campaigns/{id}/interconnection
    api_inter = body(api.get(f"/campaigns/{CAMPAIGN_ID}/interconnection?from={frm}&to={to}"))
    pairs = csv_rows(csvs["csv/interconnection.csv"])
    assert [
        (p["Mã đơn vị cấp tỉnh"], p["Mã xã, phường"], int(p["Gửi điện tử"]), int(p["Nhận điện tử"]))
        for p in pairs
    ] == [
        (
            p["province_unit_id"],
            p["commune_unit_id"],
            p["sent_electronic"],
            p["received_electronic"],
        )
        for p in api_inter["pairs"]
    ]
    without = [r["Mã định danh"] for r in csv_rows(csvs["csv/without_two_way.csv"])]
    assert without == [u["unit_id"] for u in api_inter["units_without_two_way"]]

    # unit reports: XLSX and CSV figures equal GET /units/{id}/kpi (same range and as_of)
    for unit_id, report in units.items():
        api_kpi = api_units[unit_id]
        assert report["as_of"] == api_kpi["as_of"]
        files = download(api, report["report_id"], "xlsx")
        figures = {
            r["Mã chỉ số"]: r["Giá trị"] for r in sheet(files["report.xlsx"], "Số liệu của đơn vị")
        }
        for key, value in api_kpi["metrics"].items():
            if key in figures:
                assert figures[key] == value, (unit_id, key)
        criteria = {r["Mã chỉ số"]: r for r in sheet(files["report.xlsx"], "Kết quả theo tiêu chí")}
        for key in (
            "online_rate",
            "signing_rate",
            "e_issuance_rate",
            "kpi_coverage",
            "on_time_rate",
        ):
            got = cell_rate(criteria[key]["Tỷ lệ đạt được"])
            assert (got is None) == (api_kpi["metrics"][key] is None), (unit_id, key)
            if got is not None:
                assert got == pytest.approx(api_kpi["metrics"][key], rel=1e-15)
        for key, met in api_kpi["compliance"].items():
            if key != "compliant":
                assert cell_bool(criteria[key]["Đạt"]) == met, (unit_id, key)
        (result,) = sheet(files["report.xlsx"], "Kết quả chung")
        assert result["Điểm"] == pytest.approx(api_kpi["score"], abs=1e-12)
        assert cell_bool(result["Đạt tất cả tiêu chí"]) == api_kpi["compliance"]["compliant"]
        unit_csv = download(api, report["report_id"], "csv")
        csv_figures = {
            r["Mã chỉ số"]: r["Giá trị"] for r in csv_rows(unit_csv["csv/unit_figures.csv"])
        }
        for key, value in api_kpi["metrics"].items():
            if key in csv_figures:
                assert int(csv_figures[key]) == value, (unit_id, key)
        api_daily = body(api.get(f"/units/{unit_id}/kpi/daily?from={frm}&to={to}"))["days"]
        daily = csv_rows(unit_csv["csv/daily.csv"])
        assert [d["Ngày"] for d in daily] == [d["date"] for d in api_daily]
        assert [int(d["Văn bản xử lý"]) for d in daily] == [
            d["metrics"]["processed_total"] for d in api_daily
        ]
        assert [csv_rate(d["Tỷ lệ xử lý trên mạng"]) for d in daily] == [
            d["metrics"]["online_rate"] for d in api_daily
        ]
        api_officials = body(api.get(f"/units/{unit_id}/officials/kpi?from={frm}&to={to}"))
        officials = csv_rows(unit_csv["csv/officials.csv"])
        assert [o["Mã cán bộ"] for o in officials] == [
            o["official_id"] for o in api_officials["items"]
        ]
        for row, item in zip(officials, api_officials["items"], strict=True):
            assert int(row["Văn bản xử lý"]) == item["processed_total"]
            assert int(row["Chữ ký số"]) == item["digital_signatures"]
            assert csv_rate(row["Tỷ lệ xử lý trên mạng"]) == item["online_rate"]


def test_unit_report_says_what_is_missing(api, source):
    sid, secret = source
    deliver(api, sid, secret, mixed_events())
    aggregate(api)
    report = create(api, scope=DEPARTMENT)
    files = download(api, report["report_id"], "csv")
    missing = {r["Mã chỉ số"]: r for r in csv_rows(files["csv/missing.csv"])}
    # 2 of 3 processed documents were on paper or printed; 1 of 2 issued was on paper
    assert missing["online_rate"]["Còn thiếu"] == "2"
    assert missing["e_issuance_rate"]["Còn thiếu"] == "1"
    assert missing["signing_rate"]["Còn thiếu"] == "1"
    assert missing["kpi_coverage"]["Còn thiếu"] == "1"  # cb-002 not evaluated
    assert "two_way_interconnection" not in missing  # d7 sent to, d8 received from the commune
    not_evaluated = [r["Mã cán bộ"] for r in csv_rows(files["csv/not_evaluated.csv"])]
    assert not_evaluated == ["cb-002"]
    text = pdf_text(download(api, report["report_id"], "pdf")["report.pdf"])
    assert "Những gì còn thiếu để đạt tiêu chí" in text
    assert "Trần Văn Đức" in text


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_keeps_vietnamese_unit_names_intact(api, source):
    sid, secret = source
    deliver(api, sid, secret, mixed_events())
    aggregate(api)
    report = create(api)
    data = download(api, report["report_id"], "pdf")["report.pdf"]
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for name in (
        "UBND đặc khu Trường Sa",
        "UBND phường Nha Trang",
        "Sở Khoa học và Công nghệ",
        "Sở Nội vụ",
        "Phòng Tổ chức biên chế",
        "Nguyễn Thị Hằng",
        "Xếp hạng các sở, ban, ngành",
        "Liên thông văn bản điện tử",
        "Ước tính số trang giấy tiết kiệm",
    ):
        assert name in text, name
    # The nominations feature is installed: its section is there (empty here).
    assert "Trạng thái" in text and "Đơn vị đề nghị" in text


def test_english_variant(api, source):
    sid, secret = source
    deliver(api, sid, secret, mixed_events())
    aggregate(api)
    report = create(api, lang="en")
    assert report["lang"] == "en"
    text = pdf_text(download(api, report["report_id"], "pdf")["report.pdf"])
    assert "Ranking of departments" in text and "Summary figures" in text
    assert "UBND đặc khu Trường Sa" in text  # names stay as registered
    ranking = csv_rows(download(api, report["report_id"], "csv")["csv/ranking_department.csv"])
    assert {"Rank", "Unit ID", "Score", "Online rate"} <= set(ranking[0])


# --- an empty month -------------------------------------------------------------------------------


def test_a_month_without_events_says_so(api, source, clock_at):
    result = _run_job(api, clock_at, "monthly_reports", "2025-07-31T18:00:00+00:00")
    assert result["done"] and not result["failed"]
    (item,) = body(api.get(f"/reports?campaign_id={CAMPAIGN_ID}&period=2025-07&scope=province"))[
        "items"
    ]
    assert item["status"] == "ready" and item["no_events"] is True
    text = pdf_text(download(api, item["report_id"], "pdf")["report.pdf"])
    assert "Không có sự kiện văn bản nào trong kỳ báo cáo." in text
    counts = csv_rows(download(api, item["report_id"], "csv")["csv/summary_counts.csv"])
    assert {r["Mã chỉ số"]: r["Toàn tỉnh"] for r in counts}["processed_total"] == "0"
    load_workbook(io.BytesIO(download(api, item["report_id"], "xlsx")["report.xlsx"]))
    unit = create(api, scope=COMMUNE, **{"from": "2025-09-01", "to": "2025-09-30"})
    assert unit["no_events"] is True and unit["period"] == "2025-09"
    text = pdf_text(download(api, unit["report_id"], "pdf")["report.pdf"])
    assert "Không có sự kiện văn bản nào trong kỳ báo cáo." in text
    english = create(api, lang="en", **{"from": "2025-09-01", "to": "2025-09-30"})
    text = pdf_text(download(api, english["report_id"], "pdf")["report.pdf"])
    assert "No document events in the reporting period." in text


# --- end of campaign and late corrections ---------------------------------------------------------


def test_campaign_report_after_the_end_then_only_when_figures_change(api, source, clock_at):
    sid, secret = source
    deliver(api, sid, secret, mixed_events())
    aggregate(api)
    # 23:00 on 15 August local time: the campaign has not ended yet
    before = _run_job(api, clock_at, "campaign_reports", "2025-08-15T16:00:00+00:00")
    assert before["generated"] == []
    # the first night after the end (01:30 on 16 August local)
    first = _run_job(api, clock_at, "campaign_reports", "2025-08-15T18:30:00+00:00")
    assert first["done"] and not first["failed"]
    assert {g["reason"] for g in first["generated"]} == {"first"}
    assert len(first["generated"]) == 1 + len(UNITS)
    # nothing changed: no new version
    again = _run_job(api, clock_at, "campaign_reports", "2025-08-16T18:30:00+00:00")
    assert again["generated"] == [] and again["unchanged"] == 1 + len(UNITS)
    # a late paper event for 10 August corrects the department's figures
    deliver(
        api, sid, secret, [event("late", doc="d1", channel="paper", at="2025-08-10T09:00:00+07:00")]
    )
    aggregate(api)
    corrected = _run_job(api, clock_at, "campaign_reports", "2025-08-17T18:30:00+00:00")
    ids = {g["report_id"] for g in corrected["generated"]}
    assert f"{CAMPAIGN_ID}~campaign~province~v2" in ids
    assert f"{CAMPAIGN_ID}~campaign~{DEPARTMENT}~v2" in ids
    assert not any(COMMUNE in i or OTHER_COMMUNE in i for i in ids)  # unchanged units
    assert {g["reason"] for g in corrected["generated"]} == {"figures_changed"}
    # long after the correction window nothing is looked at any more
    late = _run_job(api, clock_at, "campaign_reports", "2026-01-31T18:30:00+00:00")
    assert late["generated"] == [] and late["unchanged"] == 0


# --- role scoping ----------------------------------------------------------------------------------


def test_role_scoping_of_generate_list_and_download(api, source):
    reports = {
        "province": create(api),
        DEPARTMENT: create(api, scope=DEPARTMENT),
        DIVISION: create(api, scope=DIVISION),
        COMMUNE: create(api, scope=COMMUNE),
    }
    officer = api.make_token("unit_officer", DEPARTMENT, sub="officer-1")
    commune_officer = api.make_token("unit_officer", COMMUNE, sub="officer-2")
    viewer = api.make_token("viewer", sub="viewer-1")
    reviewer = api.make_token("reviewer", sub="reviewer-1")

    # list: a unit officer sees its own unit's and its sub-units' reports only
    mine = body(api.get(f"/reports?campaign_id={CAMPAIGN_ID}", token=officer))["items"]
    assert {i["scope"] for i in mine} == {DEPARTMENT, DIVISION}
    theirs = body(api.get(f"/reports?campaign_id={CAMPAIGN_ID}", token=commune_officer))["items"]
    assert {i["scope"] for i in theirs} == {COMMUNE}
    for token in (viewer, reviewer, "admin"):
        everything = body(api.get(f"/reports?campaign_id={CAMPAIGN_ID}", token=token))["items"]
        assert {i["scope"] for i in everything} == set(reports)
    assert (
        api.get(f"/reports?campaign_id={CAMPAIGN_ID}&scope=province", token=officer).status_code
        == 403
    )
    assert (
        api.get(f"/reports?campaign_id={CAMPAIGN_ID}&scope={COMMUNE}", token=officer).status_code
        == 403
    )
    assert (
        api.get(f"/reports?campaign_id={CAMPAIGN_ID}&scope=nope", token=officer).status_code == 404
    )
    assert api.get("/reports?campaign_id=nope").status_code == 404
    assert api.get(f"/reports?campaign_id={CAMPAIGN_ID}&period=July").status_code == 400
    assert api.get("/reports", token=None).status_code == 401

    # download and read one
    def status(report_id: str, token: str, fmt: str = "pdf") -> int:
        return api.get(f"/reports/{report_id}/download?format={fmt}", token=token).status_code

    assert status(reports["province"]["report_id"], officer) == 403
    assert status(reports[COMMUNE]["report_id"], officer) == 403
    assert status(reports[DEPARTMENT]["report_id"], officer) == 200
    assert status(reports[DIVISION]["report_id"], officer) == 200
    assert status(reports[DEPARTMENT]["report_id"], commune_officer) == 403
    assert status(f"{CAMPAIGN_ID}~campaign~province~v9", officer) == 404
    assert status(f"{CAMPAIGN_ID}~campaign~province~v9", "admin") == 404
    for token in (viewer, reviewer):
        assert status(reports["province"]["report_id"], token) == 200
        assert status(reports[COMMUNE]["report_id"], token, "xlsx") == 200
    assert status(reports["province"]["report_id"], "admin", "docx") == 400
    assert api.get(f"/reports/{reports['province']['report_id']}/download").status_code == 400
    assert api.get(f"/reports/{reports['province']['report_id']}", token=officer).status_code == 403
    assert api.get(f"/reports/{reports[DEPARTMENT]['report_id']}", token=officer).status_code == 200

    # generate: province admins any scope; a unit officer its own subtree; others never
    create(api, token=officer, expect=403)
    create(api, token=officer, expect=403, scope=COMMUNE)
    # Unchanged figures: the latest ready version, not a new one (issue 13).
    assert create(api, token=officer, scope=DIVISION, expect=200) == reports[DIVISION]
    sid, secret = source
    division_event = event("div1", unit=DIVISION, doc="dv1", actor_official_id="cb-003")
    assert deliver(api, sid, secret, [division_event]).status_code == 202
    aggregate(api)
    own = create(api, token=officer, scope=DIVISION)
    assert own["requested_by"] == "officer-1" and own["version"] == 2
    create(api, token=viewer, expect=403)
    create(api, token=reviewer, expect=403, scope=COMMUNE)
    create(api, expect=404, scope="000.99.99.H34")
    r = api.post("/admin/reports", {"campaign_id": "nope"})
    assert r.status_code == 404
    r = api.post(
        "/admin/reports", {"campaign_id": CAMPAIGN_ID, "from": "2025-08-01", "to": "2025-07-01"}
    )
    assert r.status_code == 400
    r = api.post("/admin/reports", {"campaign_id": CAMPAIGN_ID, "lang": "fr"})
    assert r.status_code == 400


def test_download_links_are_presigned_for_fifteen_minutes(api, source):
    report = create(api)
    links = body(api.get(f"/reports/{report['report_id']}/download?format=pdf"))
    assert links["format"] == "pdf" and links["url"] == links["files"][0]["url"]
    assert (
        "X-Amz-Expires=900" in links["url"] and "X-Amz-Algorithm=AWS4-HMAC-SHA256" in links["url"]
    )
    assert "filename%3D%22kh-2025_campaign_province_v1.pdf%22" in links["url"]
    csv_links = body(api.get(f"/reports/{report['report_id']}/download?format=csv"))
    assert csv_links["url"] is None
    assert {f["name"] for f in csv_links["files"]} >= {
        "csv/ranking_department.csv",
        "csv/ranking_commune.csv",
        "csv/summary_counts.csv",
    }


# --- nominations, once that feature exists ------------------------------------------------------


def test_nominations_section_lists_them_when_the_feature_is_installed(api, source, monkeypatch):
    from chalicelib.domain.campaigns import Campaign
    from chalicelib.domain.nominations import NominationSummary
    from chalicelib.services.report_content import ReportContext, build_province
    from chalicelib.storage import nominations as nominations_store

    def item(kind, status, nominee, unit, nominee_unit):
        return NominationSummary(
            nomination_id=nominee,
            kind=kind,
            status=status,
            unit_id=unit,
            nominee_unit_id=nominee_unit,
            nominee_official_id=None,
            nominee_name=nominee,
            created_key=f"2025-08-18T00:00:00#{nominee}",
            submitted_at=dt.datetime(2025, 8, 18, 3, 0, tzinfo=UTC),
        )

    items = [
        item("collective", "approved", "UBND phường Nha Trang", PROVINCE_UNIT, COMMUNE),
        item("individual", "submitted", "Nguyễn Thị Hằng", DEPARTMENT, DEPARTMENT),
        item("individual", "draft", "Trần Văn Đức", DEPARTMENT, DEPARTMENT),
    ]
    monkeypatch.setattr(nominations_store, "campaign_nominations", lambda campaign_id: items)

    campaign = Campaign.model_validate(CAMPAIGN)
    content = build_province(
        ReportContext.load(campaign, campaign.start_date, campaign.end_date), "campaign"
    )
    (section,) = [s for s in content.sections if s.key == "nominations"]
    (table,) = section.tables
    assert [(r["nominee"], r["status"]) for r in table.rows] == [
        ("UBND phường Nha Trang", "Đã duyệt"),
        ("Nguyễn Thị Hằng", "Đã gửi"),
    ]
    assert "Đã duyệt 1/10 tập thể" in section.paragraphs_vi[0]
    assert "nominations" not in content.figures()  # status changes are not figure changes


# --- least privilege -------------------------------------------------------------------------------


def _record_aws_calls(monkeypatch) -> set[tuple[str, str, str]]:
    """(service, operation, table logical name or S3 key) of every call from now on."""
    import botocore.session

    from chalicelib.settings import get_settings
    from chalicelib.storage.aws import reset_clients
    from chalicelib.storage.models import reset_connections

    prefix = get_settings().table_prefix
    calls: set[tuple[str, str, str]] = set()
    original = botocore.session.Session.create_client

    def record(service: str, params: dict[str, Any], model: Any, **_: Any) -> None:
        if service == "s3":
            assert params.get("Bucket") == get_settings().reports_bucket, params
            calls.add(("s3", model.name, str(params.get("Key", ""))))
            return
        tables = (
            [params["TableName"]] if "TableName" in params else list(params.get("RequestItems", {}))
        )
        for table in tables:
            calls.add(("dynamodb", model.name, table[len(prefix) :]))

    def create_client(session: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        client = original(session, service_name, *args, **kwargs)
        if service_name in ("dynamodb", "s3"):
            client.meta.events.register(
                f"provide-client-params.{service_name}.*",
                lambda params, model, **kw: record(service_name, params, model),
            )
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    reset_clients()
    reset_connections()
    return calls


def test_report_jobs_stay_within_the_reports_iam_policy(api, source, monkeypatch, clock_at):
    from chalicelib.services import reports
    from infra.catalog import POLICIES, ObjectGrant, TableGrant

    sid, secret = source
    deliver(api, sid, secret, mixed_events())
    aggregate(api)
    calls = _record_aws_calls(monkeypatch)
    clock_at(dt.datetime(2025, 8, 31, 18, 0, tzinfo=UTC))
    assert reports.run_monthly_reports(deadline=time.monotonic() + 120)["done"]
    assert reports.run_campaign_reports(deadline=time.monotonic() + 120)["generated"]
    grants = POLICIES["reports"]
    tables = {g.table: set(g.actions) for g in grants if isinstance(g, TableGrant)}
    (objects,) = [g for g in grants if isinstance(g, ObjectGrant)]
    assert calls
    for service, operation, target in sorted(calls):
        if service == "dynamodb":
            assert operation in tables.get(target, set()), (operation, target)
        else:
            assert target.startswith(objects.prefix) and operation in objects.actions, (
                operation,
                target,
            )
    # the sources table holds webhook secrets: the report functions never read it
    assert not any(target == "sources" for _s, _o, target in calls)
