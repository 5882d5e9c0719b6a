"""The unit page against GET /units/{id}/kpi, and a refusal shown in words."""

from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import CAMPAIGN_ID
from tests.browser.vi import number, percent

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

RATES = (
    ("online_rate", "processed_online", "processed_total"),
    ("signing_rate", "issued_signed_digitally", "issued_total"),
    ("e_issuance_rate", "issued_online", "issued_total"),
    ("kpi_coverage", "officials_evaluated", "officials_active"),
)


@pytest.mark.parametrize(
    ("role", "unit_id"),
    [("province_admin", "000.00.32.H34"), ("unit_officer", "000.00.71.H34")],
)
def test_unit_page_shows_exactly_the_kpis(console, seeded, role, unit_id):
    kpi = seeded.api(
        "GET", f"/units/{unit_id}/kpi", params={"from": "2025-07-15", "to": "2025-08-15"}
    )
    ranking = seeded.api("GET", f"/campaigns/{CAMPAIGN_ID}/ranking", params={"level": kpi["level"]})
    officials = seeded.api("GET", f"/units/{unit_id}/officials/kpi")
    page = console(role, unit_id if role == "unit_officer" else None).open(f"/units/{unit_id}")
    page.wait_for_selector("#unit-score")
    assert page.inner_text("h1") == kpi["name"]
    assert page.inner_text("#unit-score") == number(kpi["score"], 1)
    assert page.inner_text("#unit-processed") == number(kpi["metrics"]["processed_total"])
    row = next(i for i in ranking["items"] if i["unit_id"] == unit_id)
    assert page.inner_text("#unit-rank") == str(row["rank"])
    figures = page.locator("table.figures tbody tr")
    m, c = kpi["metrics"], kpi["compliance"]
    for i, (key, done, total) in enumerate(RATES):
        cells = [" ".join(t.split()) for t in figures.nth(i).locator("td").all_inner_texts()]
        assert cells[1] == percent(m[key]), key
        assert cells[2] == f"{number(m[done])} / {number(m[total])}", key
        expected = "— Không có dữ liệu" if m[key] is None else ("✔ Đạt" if c[key] else "✘ Chưa đạt")
        assert cells[4] == expected, key
    two_way = " ".join(figures.nth(4).locator("td").nth(4).inner_text().split())
    assert (
        two_way
        == {True: "✔ Đạt", False: "✘ Chưa đạt", None: "— Không áp dụng"}[
            c["two_way_interconnection"]
        ]
    )
    if c["compliant"]:
        assert page.is_visible("text=Đơn vị đạt tất cả tiêu chí của phong trào.")
    else:
        missing = [
            k
            for k in (
                "online_rate",
                "signing_rate",
                "e_issuance_rate",
                "kpi_coverage",
                "two_way_interconnection",
            )
            if c[k] is False
        ]
        assert page.locator("#missing li").count() == len(missing)
    page.wait_for_selector("#daily-chart canvas")
    names = page.locator("table.officials tbody tr td:first-child").all_inner_texts()
    assert names == [o["full_name"] for o in officials["items"]]
    if role == "province_admin":
        # Sub-units are listed with links (the department has none; the province does).
        page = console(role).open("/units/000.00.31.H34")
        page.wait_for_selector("text=Phòng Tổ chức biên chế")


def test_unit_officer_sees_the_refusal_for_another_unit(console, seeded):
    tab = console("unit_officer", "000.00.71.H34")
    page = tab.open("/units/000.00.32.H34")
    alert = page.locator("main [role=alert]")
    alert.wait_for()
    text = alert.inner_text()
    assert "Không thực hiện được" in text
    # The API's own message, and the request id to quote (or the plain note that the
    # response carried none).
    r = requests.get(
        f"{seeded.api_url}/units/000.00.32.H34",
        headers={"Authorization": f"Bearer {seeded.make_token('unit_officer', '000.00.71.H34')}"},
        timeout=30,
    )
    assert r.status_code == 403
    assert r.json()["error"]["message"] in text
    # The request id to quote: the one the API put in the error body (and X-Request-Id).
    shown = alert.locator(".request-id code").inner_text()
    assert "Mã yêu cầu:" in text and len(shown) >= 8
    assert r.json()["error"]["request_id"] == r.headers["X-Request-Id"]
    assert shown != r.headers["X-Request-Id"]  # each call has its own
