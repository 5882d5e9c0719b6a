"""Administration in the browser: a document system's secret shown once, rotated and the
system disabled; the registry imported from a CSV file; a campaign saved; a job run."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CSV = (
    "unit_id,name,level,parent_id\n"
    "000.00.73.H34,UBND xã Cam Lâm (nhập từ CSV),commune,000.00.00.H34\n"
)


def test_sources_registry_campaign_and_jobs(console, seeded):
    tab = console("province_admin")
    page = tab.open("/admin")

    page.fill("#register-source input[name=source_id]", "browser-admin-src")
    page.fill("#register-source input[name=name]", "Hệ thống thử của trang quản trị")
    page.fill("#register-source input[name=units]", "000.00.31.H34, 000.00.71.H34")
    page.click("#register-source button[type=submit]")
    secret = page.locator("#new-secret")
    secret.wait_for()
    first = secret.inner_text()
    assert first.startswith("whsec_")
    row = page.locator("table.sources tbody tr", has_text="browser-admin-src")
    row.get_by_role("button", name="Đổi khóa bí mật browser-admin-src").click()
    page.locator("#source-result:has-text('Khóa cũ còn hiệu lực đến')").wait_for()
    assert (
        page.inner_text("#new-secret").startswith("whsec_")
        and page.inner_text("#new-secret") != first
    )
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Ngừng kết nối browser-admin-src").click()
    page.locator("#source-result:has-text('Đã ngừng kết nối browser-admin-src')").wait_for()
    sources = {s["source_id"]: s for s in seeded.api("GET", "/admin/sources")["items"]}
    assert sources["browser-admin-src"]["enabled"] is False
    assert sources["browser-admin-src"]["units"] == ["000.00.31.H34", "000.00.71.H34"]

    page.set_input_files(
        "#import-registry input[type=file]",
        files=[{"name": "units.csv", "mimeType": "text/csv", "buffer": CSV.encode()}],
    )
    page.click("#import-registry button[type=submit]")
    page.locator("#import-status:has-text('Đã nhập 1 đơn vị và 0 cán bộ.')").wait_for()
    unit = seeded.api("GET", "/units/000.00.73.H34")
    assert unit["name"] == "UBND xã Cam Lâm (nhập từ CSV)"

    page.select_option("#admin-campaigns select[name=campaign]", seeded.campaign["campaign_id"])
    page.fill("#campaign-form input[name=quota_individual]", "4")
    page.click("#campaign-form button[type=submit]")
    page.locator("#campaign-status:has-text('Đã lưu phong trào')").wait_for()
    saved = seeded.api("GET", f"/campaigns/{seeded.campaign['campaign_id']}")
    assert saved["award_quotas"]["individual"] == 4
    assert saved["nomination_deadline"] == seeded.campaign["nomination_deadline"]
    seeded.api("POST", "/admin/campaigns", json=seeded.campaign)  # as the other tests expect

    page.select_option("#run-job select[name=job]", "verify_uploads")
    page.click("#run-job button[type=submit]")
    page.locator("#job-status:has-text('Tác vụ verify_uploads đã chạy')").wait_for()
