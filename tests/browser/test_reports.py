"""A province admin generates a report in the browser and downloads it."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_generate_and_download_a_report(console, seeded):
    page = console("province_admin").open("/reports")
    page.select_option("#generate-report select[name=scope]", "province")
    page.click("#generate-report button[type=submit]")
    page.wait_for_selector("#generate-status .success", timeout=60000)
    row = page.locator("#report-list tbody tr").first
    row.locator(".badge:has-text('Sẵn sàng')").wait_for()
    with page.expect_download() as download:
        row.locator("button.download").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    # CSV: one link per table.
    row.locator("select[name=format]").select_option("csv")
    row.locator("button.download").click()
    links = row.locator(".links a")
    links.first.wait_for()
    assert links.count() > 1
    assert all(name.split(" (")[0].endswith(".csv") for name in links.all_inner_texts())
