"""Results reports up the chain over the API: draft, edit, files, submit with frozen
figures, deadlines by level, late marking, return by the parent, the tracking view and
the consolidated report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chalicelib import clock
from tests.conftest import body
from tests.factories import COMMUNE, DEPARTMENT, DIVISION, OTHER_DEPARTMENT, PROVINCE, load_registry
from tests.nominations import key_of, pdf, s3_event, upload

CAMPAIGN = "kh-2025"
# Local dates in Khánh Hòa (UTC+7): 10:00 local on the day.
ON_17_AUGUST = dt.datetime(2025, 8, 17, 3, 0, tzinfo=dt.UTC)
LAST_MINUTE_18 = dt.datetime(2025, 8, 18, 16, 59, 59, tzinfo=dt.UTC)  # 23:59:59 local
FIRST_MINUTE_19 = dt.datetime(2025, 8, 18, 17, 0, tzinfo=dt.UTC)  # 00:00 local on 19/8
ON_21_AUGUST = dt.datetime(2025, 8, 21, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def chain(api: Any) -> Any:
    load_registry(api)
    r = api.post(
        "/admin/campaigns",
        {
            "campaign_id": CAMPAIGN,
            "name": "Ngày không in giấy 2025",
            "start_date": "2025-07-15",
            "end_date": "2025-08-15",
            "timezone": "Asia/Ho_Chi_Minh",
            "unit_report_deadline": "2025-08-18",
            "department_report_deadline": "2025-08-20",
            "nomination_deadline": "2025-08-20",
        },
    )
    assert r.status_code in (200, 201), r.body
    return api


def officer(api: Any, unit_id: str) -> str:
    return api.make_token("unit_officer", unit_id, sub=f"officer-{unit_id}")


def start(api: Any, unit_id: str, **sections: str) -> dict[str, Any]:
    payload = {"unit_id": unit_id, "sections": sections or {"done": "Đã số hóa 100% hồ sơ"}}
    r = api.post(f"/campaigns/{CAMPAIGN}/results-reports", payload, token=officer(api, unit_id))
    assert r.status_code == 201, r.body
    return dict(body(r))


def submit(api: Any, report: dict[str, Any], unit_id: str) -> Any:
    return api.post(
        f"/results-reports/{report['results_report_id']}/submit", token=officer(api, unit_id)
    )


def test_draft_edit_submit_freezes_the_figures(chain):
    with clock.frozen(ON_17_AUGUST):
        report = start(chain, DIVISION, done="Hoàn thành", proposals="Tăng kinh phí")
        assert report["status"] == "draft"
        assert report["parent_id"] == DEPARTMENT
        assert report["deadline"] == "2025-08-18"  # a division's: unit_report_deadline
        assert report["days_left"] == 1
        assert report["figures"] is None
        rid = report["results_report_id"]

        token = officer(chain, DIVISION)
        r = chain.get(f"/units/{DIVISION}/results-reports/{CAMPAIGN}", token=token)
        assert r.status_code == 200 and body(r)["results_report_id"] == rid
        r = chain.get(f"/units/{COMMUNE}/results-reports/{CAMPAIGN}", token=officer(chain, COMMUNE))
        assert r.status_code == 404  # not started
        r = chain.get(
            f"/units/{DIVISION}/results-reports/{CAMPAIGN}", token=officer(chain, COMMUNE)
        )
        assert r.status_code == 403
        r = chain.patch(
            f"/results-reports/{rid}", {"sections": {"difficulties": "Thiếu máy scan"}}, token=token
        )
        assert r.status_code == 200, r.body
        assert body(r)["sections"] == {
            "done": "Hoàn thành",
            "initiatives": "",
            "difficulties": "Thiếu máy scan",
            "proposals": "Tăng kinh phí",
        }

        r = submit(chain, report, DIVISION)
        assert r.status_code == 200, r.body
        got = body(r)
    assert got["status"] == "submitted"
    assert got["late"] is False
    figures = got["figures"]
    assert figures["unit_id"] == DIVISION
    assert (figures["from"], figures["to"]) == ("2025-07-15", "2025-08-15")
    assert {"metrics", "compliance", "score", "as_of"} <= set(figures)
    assert [h["action"] for h in got["history"]] == ["created", "edited", "submitted"]

    # Submitted: the officer cannot edit it, nor type figures anywhere.
    r = chain.patch(f"/results-reports/{rid}", {"sections": {"done": "x"}}, token=token)
    assert r.status_code == 409
    r = chain.patch(
        f"/results-reports/{rid}", {"sections": {"done": "x"}, "figures": {}}, token=token
    )
    assert r.status_code == 400


def test_one_report_per_unit_and_only_its_own_officers_write_it(chain):
    start(chain, COMMUNE)
    r = chain.post(
        f"/campaigns/{CAMPAIGN}/results-reports",
        {"unit_id": COMMUNE, "sections": {}},
        token=officer(chain, COMMUNE),
    )
    assert r.status_code == 409 and body(r)["error"]["code"] == "already_exists"
    r = chain.post(
        f"/campaigns/{CAMPAIGN}/results-reports",
        {"unit_id": DIVISION, "sections": {}},
        token=officer(chain, DEPARTMENT),  # the parent does not write its child's report
    )
    assert r.status_code == 403
    r = chain.post(
        f"/campaigns/{CAMPAIGN}/results-reports",
        {"unit_id": PROVINCE, "sections": {}},
    )
    assert r.status_code == 400  # the province does not report up
    r = chain.post("/campaigns/nope/results-reports", {"unit_id": COMMUNE})
    assert r.status_code == 404


def test_deadlines_by_level_and_late_marking(chain):
    # The division's deadline is 18/8, local time: the last second of the day is on time.
    with clock.frozen(LAST_MINUTE_18):
        division = start(chain, DIVISION)
        assert body(submit(chain, division, DIVISION))["late"] is False
    with clock.frozen(FIRST_MINUTE_19):
        other = start(chain, OTHER_DEPARTMENT)
        assert other["deadline"] == "2025-08-20"  # a department's: department_report_deadline
        assert other["days_left"] == 1  # 19/8 local, although it is still 18/8 in UTC
    # A commune submitting after 20/8 is accepted and marked late.
    with clock.frozen(ON_21_AUGUST):
        commune = start(chain, COMMUNE)
        r = submit(chain, commune, COMMUNE)
        assert r.status_code == 200, r.body
        assert body(r)["late"] is True
        assert body(r)["days_left"] == -1


def test_the_parent_returns_with_a_reason_and_the_unit_resubmits(chain):
    with clock.frozen(ON_17_AUGUST):
        report = start(chain, DIVISION)
        rid = report["results_report_id"]
        assert submit(chain, report, DIVISION).status_code == 200
        # Another department's officer is not the parent.
        r = chain.post(
            f"/results-reports/{rid}/return",
            {"reason": "Thiếu số liệu"},
            token=officer(chain, OTHER_DEPARTMENT),
        )
        assert r.status_code == 403
        # The division itself may not return its own report.
        r = chain.post(
            f"/results-reports/{rid}/return", {"reason": "x"}, token=officer(chain, DIVISION)
        )
        assert r.status_code == 403
        r = chain.post(
            f"/results-reports/{rid}/return", {"reason": "  "}, token=officer(chain, DEPARTMENT)
        )
        assert r.status_code == 400  # a reason is required
        r = chain.post(
            f"/results-reports/{rid}/return",
            {"reason": "Bổ sung phần khó khăn"},
            token=officer(chain, DEPARTMENT),
        )
        assert r.status_code == 200, r.body
        got = body(r)
        assert got["status"] == "draft" and got["return_reason"] == "Bổ sung phần khó khăn"
        r = chain.post(
            f"/results-reports/{rid}/return", {"reason": "again"}, token=officer(chain, DEPARTMENT)
        )
        assert r.status_code == 409
        assert submit(chain, report, DIVISION).status_code == 200
        trail = body(chain.get(f"/results-reports/{rid}"))["history"]
    assert [h["action"] for h in trail] == ["created", "submitted", "returned", "submitted"]
    assert trail[2]["reason"] == "Bổ sung phần khó khăn"


def test_a_province_role_returns_a_report_that_reports_to_the_province(chain):
    """A commune reports to the province: its officers cannot return their own report, a
    viewer (read only) cannot either; a reviewer or a province admin can, and the tracking
    view shows the commune back at draft, then late once it resubmits after 20/8."""
    with clock.frozen(ON_17_AUGUST):
        report = start(chain, COMMUNE)
        rid = report["results_report_id"]
        assert submit(chain, report, COMMUNE).status_code == 200
        for token in (officer(chain, COMMUNE), chain.make_token("viewer")):
            r = chain.post(f"/results-reports/{rid}/return", {"reason": "x"}, token=token)
            assert r.status_code == 403, r.body
        r = chain.post(
            f"/results-reports/{rid}/return",
            {"reason": "Bổ sung kiến nghị"},
            token=chain.make_token("reviewer"),
        )
        assert r.status_code == 200, r.body
        view = body(chain.get(f"/campaigns/{CAMPAIGN}/results-reports"))
        assert {i["unit_id"]: i["state"] for i in view["items"]}[COMMUNE] == "draft"
    with clock.frozen(ON_21_AUGUST):
        assert submit(chain, report, COMMUNE).status_code == 200
        view = body(chain.get(f"/campaigns/{CAMPAIGN}/results-reports"))
    item = next(i for i in view["items"] if i["unit_id"] == COMMUNE)
    assert (item["state"], item["days_left"]) == ("late", -1)
    assert view["counts"]["late"] == 1


def test_tracking_view_of_a_parent_and_of_the_province(chain):
    with clock.frozen(ON_17_AUGUST):
        division = start(chain, DIVISION)
        submit(chain, division, DIVISION)
        start(chain, COMMUNE)  # a draft
        r = chain.get(
            f"/campaigns/{CAMPAIGN}/results-reports?parent_id={DEPARTMENT}",
            token=officer(chain, DEPARTMENT),
        )
        assert r.status_code == 200, r.body
        view = body(r)
        assert view["today"] == "2025-08-17"
        assert [(i["unit_id"], i["state"], i["days_left"]) for i in view["items"]] == [
            (DIVISION, "submitted", 1)
        ]
        # A unit officer must name a parent within its unit.
        r = chain.get(f"/campaigns/{CAMPAIGN}/results-reports", token=officer(chain, DEPARTMENT))
        assert r.status_code == 400
        r = chain.get(
            f"/campaigns/{CAMPAIGN}/results-reports?parent_id={PROVINCE}",
            token=officer(chain, DEPARTMENT),
        )
        assert r.status_code == 403
        # The province: every department and commune, with its deadline's days left.
        r = chain.get(f"/campaigns/{CAMPAIGN}/results-reports", token=chain.make_token("viewer"))
        assert r.status_code == 200, r.body
        view = body(r)
    states = {i["unit_id"]: (i["state"], i["days_left"]) for i in view["items"]}
    assert states[COMMUNE] == ("draft", 3)
    assert states[DEPARTMENT] == ("missing", 3)
    assert DIVISION not in states
    assert view["counts"] == {"submitted": 0, "late": 0, "draft": 1, "missing": 3}


def test_files_go_through_the_nominations_upload_path(chain):
    with clock.frozen(ON_17_AUGUST):
        report = start(chain, COMMUNE)
        rid = report["results_report_id"]
        token = officer(chain, COMMUNE)
        data = pdf("Báo cáo kết quả")
        r = chain.post(
            f"/results-reports/{rid}/files",
            {
                "filename": "Báo cáo.pdf",
                "content_type": "application/pdf",
                "size": len(data),
                "category": "other",
            },
            token=token,
        )
        assert r.status_code == 201, r.body
        issued = body(r)
        upload(issued, data)
        assert s3_event(chain, key_of(chain, issued)).payload["outcome"] == "verified"
        files = body(chain.get(f"/results-reports/{rid}/files", token=token))["items"]
        assert [f["status"] for f in files] == ["verified"]
        assert files[0]["download_url"]
        assert body(chain.get(f"/results-reports/{rid}", token=token))["file_count"] == 1
        assert submit(chain, report, COMMUNE).status_code == 200
        r = chain.post(
            f"/results-reports/{rid}/files",
            {
                "filename": "b.pdf",
                "content_type": "application/pdf",
                "size": 10,
                "category": "other",
            },
            token=token,
        )
        assert r.status_code == 409  # a submitted report's files are fixed


def test_consolidated_report_is_stored_like_the_other_reports(chain):
    with clock.frozen(ON_17_AUGUST):
        division = start(chain, DIVISION, done="Số hóa toàn bộ hồ sơ")
        submit(chain, division, DIVISION)
        r = chain.post(
            f"/campaigns/{CAMPAIGN}/results-reports/consolidated",
            {"parent_id": DEPARTMENT},
            token=officer(chain, DEPARTMENT),
        )
        assert r.status_code == 201, r.body
        report = body(r)
    assert report["period"] == "results" and report["scope"] == DEPARTMENT
    assert report["trigger"] == "results_consolidated" and report["status"] == "ready"
    names = {f["name"] for f in report["files"]}
    assert {"report.pdf", "report.xlsx"} <= names
    r = chain.get(f"/reports/{report['report_id']}/download?format=xlsx")
    assert r.status_code == 200, r.body
    r = chain.post(
        f"/campaigns/{CAMPAIGN}/results-reports/consolidated",
        {"parent_id": DEPARTMENT},
        token=officer(chain, OTHER_DEPARTMENT),
    )
    assert r.status_code == 403
