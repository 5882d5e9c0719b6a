"""A unit officer nominates, uploads PDFs from the browser straight to S3 (bucket CORS and
the presigned POST), sees them verified, submits; a reviewer approves."""

from __future__ import annotations

import pytest

from scripts.demo.nominations import minimal_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

OFFICER_UNIT = "000.00.71.H34"


def _upload(page, category: str, name: str) -> None:
    page.select_option("#upload-form select[name=category]", category)
    page.set_input_files(
        "#upload-form input[type=file]",
        files=[{"name": name, "mimeType": "application/pdf", "buffer": minimal_pdf([name])}],
    )
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector(f"#upload-status .success:has-text('{name}')")
    assert page.eval_on_selector("#upload-progress", "p => p.value") == 100


def test_nominate_upload_verify_submit_and_approve(console, seeded):
    officer = console("unit_officer", OFFICER_UNIT)
    page = officer.open("/nominations?new=1")
    # The nominee picker offers exactly the units the API lets this officer nominate.
    own = seeded.api("GET", "/units", token=seeded.make_token("unit_officer", OFFICER_UNIT))[
        "items"
    ]
    offered = page.locator("select[name=nominee_unit_id] option").evaluate_all(
        "os => os.map(o => o.value).filter(Boolean)"
    )
    assert sorted(offered) == sorted(u["unit_id"] for u in own)
    page.select_option("select[name=nominee_unit_id]", OFFICER_UNIT)
    page.fill(
        "#new-nomination textarea[name=summary]", "Hoàn thành 100% văn bản trên môi trường mạng."
    )
    page.fill("#new-nomination textarea[name=creativity]", "Số hóa hồ sơ một cửa.")
    page.click("#new-nomination button[type=submit]")
    page.wait_for_url("**/#/nominations/**")
    page.wait_for_selector("#upload-form")
    nomination_id = page.url.split("#/nominations/")[1].split("?")[0]
    assert "Hạn nộp: hết ngày" in page.inner_text("#deadline")

    _upload(page, "to_trinh", "to-trinh.pdf")
    _upload(page, "bao_cao_thanh_tich", "bao-cao-thanh-tich.pdf")
    assert page.locator(".file-status[data-status=pending]").count() == 2
    # The local stack has no S3 trigger: run the verification job as the stack does.
    seeded.run_job("verify_uploads")
    # The page looks again by itself while a file is pending (no eval: the CSP forbids it).
    page.locator(".file-status[data-status=verified]").nth(1).wait_for(timeout=15000)
    assert page.locator(".file-status[data-status=pending]").count() == 0
    page.click("#submit-nomination")
    page.wait_for_selector("#nomination-facts .badge:has-text('Đã nộp')")
    assert seeded.api("GET", f"/nominations/{nomination_id}")["status"] == "submitted"

    reviewer = console("reviewer")
    page = reviewer.open("/nominations")
    page.wait_for_selector(f"#review-queue a[href='#/nominations/{nomination_id}']")
    page.click(f"#review-queue a[href='#/nominations/{nomination_id}']")
    page.wait_for_selector("#review-actions")
    page.locator("#quota:has-text('suất Bằng khen (tập thể)')").wait_for()
    page.click("#review-actions button[data-decision=approve]")
    page.wait_for_selector("#nomination-facts .badge:has-text('Đã duyệt')")
    assert seeded.api("GET", f"/nominations/{nomination_id}")["status"] == "approved"
    audit = page.locator("#audit tbody tr")
    audit.first.wait_for()
    trail = seeded.api("GET", f"/nominations/{nomination_id}/audit")["items"]
    assert audit.count() == len(trail) >= 4


def test_submitting_without_the_files_shows_the_refusal(console, seeded):
    token = seeded.make_token("unit_officer", OFFICER_UNIT)
    created = seeded.api(
        "POST",
        f"/campaigns/{seeded.campaign['campaign_id']}/nominations",
        token=token,
        json={"kind": "individual", "nominee_official_id": "cb-004", "summary": "Thành tích"},
    )
    page = console("unit_officer", OFFICER_UNIT).open(f"/nominations/{created['nomination_id']}")
    # Submitting without the required files: the API's refusal in words.
    page.click("#submit-nomination")
    alert = page.locator("main .error[role=alert]")
    alert.wait_for()
    assert "Không thực hiện được" in alert.inner_text()


def _submitted_over_http(seeded, official_id: str) -> str:
    """A nomination submitted through the API alone (files uploaded by presigned POST)."""
    return seeded.submitted_nomination(
        seeded.campaign["campaign_id"],
        {"kind": "individual", "nominee_official_id": official_id},
        "Thành tích",
        categories=("to_trinh", "bao_cao_thanh_tich"),
        token=seeded.make_token("unit_officer", OFFICER_UNIT),
    )


def test_reviewer_returns_a_nomination_with_a_reason(console, seeded):
    nomination_id = _submitted_over_http(seeded, "cb-004")
    page = console("reviewer").open(f"/nominations/{nomination_id}")
    page.click("#review-actions button[data-decision=return]")
    # No reason: the page says so before calling the API.
    page.locator("main p.error[role=alert]:has-text('Hãy nhập lý do.')").wait_for()
    page.fill("textarea[name=reason]", "Bổ sung biên bản họp xét")
    page.click("#review-actions button[data-decision=return]")
    page.wait_for_selector("#nomination-facts .badge:has-text('Nháp')")
    assert "Bổ sung biên bản họp xét" in page.inner_text("#nomination-facts")
    assert seeded.api("GET", f"/nominations/{nomination_id}")["status"] == "draft"
