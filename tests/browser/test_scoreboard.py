"""Sign-in for every role, the scoreboard against GET /campaigns/{id}/ranking, and an
expired session sent back to sign-in."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CAMPAIGN_ID
from tests.browser.vi import number, percent

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# Every page a role is offered (web/js/main.js ROUTES and their roles).
_EVERYONE = {
    "Bảng xếp hạng",
    "Khen thưởng",
    "Báo cáo",
    "Sáng kiến",
    "Báo cáo kết quả",
    "Địa chỉ thư",
}
_PROVINCE_WIDE = _EVERYONE | {"Liên thông", "Độ cập nhật", "Công khai", "Hội đồng TĐKT"}
NAV = {
    "province_admin": _PROVINCE_WIDE | {"Quản trị", "Tạm dừng xét", "Thư đã ghi lại"},
    "reviewer": _PROVINCE_WIDE,
    "viewer": _PROVINCE_WIDE,
    "unit_officer": _EVERYONE | {"Đơn vị của tôi"},
}


@pytest.mark.parametrize("role", sorted(NAV))
def test_each_role_signs_in_and_sees_its_pages(console, role):
    unit = "000.00.71.H34" if role == "unit_officer" else None
    tab = console(role, unit, via_page=True)
    page = tab.open("/scoreboard")
    assert set(page.locator("#nav a").all_inner_texts()) == NAV[role]
    who = page.inner_text("#who")
    assert {
        "province_admin": "Quản trị tỉnh",
        "reviewer": "Thẩm định",
        "viewer": "Xem",
        "unit_officer": "Cán bộ đơn vị · 000.00.71.H34",
    }[role] in who
    assert page.locator("table.ranking tbody tr").count() > 0
    if role == "unit_officer":
        # A page the role may not open says so in words.
        page = tab.open("/admin")
        assert "Vai trò của bạn không xem được trang này" in page.inner_text("main")


@pytest.mark.parametrize("level", ["commune", "department", "division"])
def test_scoreboard_shows_exactly_the_ranking(console, seeded, level):
    ranking = seeded.api("GET", f"/campaigns/{CAMPAIGN_ID}/ranking", params={"level": level})
    page = console("viewer").open(f"/scoreboard?level={level}")
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == len(ranking["items"]) > 0
    compliant = sum(1 for item in ranking["items"] if item["compliant"])
    assert page.inner_text("#compliant-count") == f"{compliant} / {len(ranking['items'])}"
    assert page.inner_text("#as-of") != "chưa có số liệu"
    for i, item in enumerate(ranking["items"]):
        cells = rows.nth(i).locator("td").all_inner_texts()
        texts = [" ".join(c.split()) for c in cells]
        # The standing criteria's columns, then any opt-in one (creativity), then the totals.
        rank, name, score, online, signing, issuance, kpi, two_way = texts[:8]
        processed, verdict = texts[-2:]
        assert rank == str(item["rank"])
        assert name == item["name"]
        assert score == number(item["score"], 1)
        for text, key in (
            (online, "online_rate"),
            (signing, "signing_rate"),
            (issuance, "e_issuance_rate"),
            (kpi, "kpi_coverage"),
        ):
            rate = item[key]
            if rate is None:
                assert text.startswith("—"), (key, text)
            else:
                # The mark is the API's (`met`), which the console shows as it is.
                assert item["met"][key] is (rate >= 1.0)
                symbol, word = ("✔", "Đạt") if item["met"][key] else ("✘", "Chưa đạt")
                assert text == f"{symbol} {word} {percent(rate)}", (key, text)
        expected_two_way = {True: "✔ Có", False: "✘ Không", None: "— Không áp dụng"}
        assert two_way == expected_two_way[item["two_way_interconnection"]]
        assert processed == number(item["processed_total"])
        assert verdict == ("✔ Đạt" if item["compliant"] else "✘ Chưa đạt")
    # Each row leads to its unit.
    first = ranking["items"][0]
    page.get_by_role("link", name=first["name"], exact=True).click()
    page.wait_for_selector("#unit-score")
    assert page.inner_text("h1") == first["name"]


def test_month_and_custom_range(console, seeded):
    ranking = seeded.api(
        "GET",
        f"/campaigns/{CAMPAIGN_ID}/ranking",
        params={"level": "commune", "from": "2025-07-20", "to": "2025-07-31"},
    )
    page = console("reviewer").open("/scoreboard")
    page.select_option("select[name=period]", "custom")
    page.fill("input[name=from]", "2025-07-20")
    page.fill("input[name=to]", "2025-07-31")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**period=custom**")
    page.wait_for_selector("#scoreboard[aria-busy=false] table.ranking")
    assert "20/07/2025 – 31/07/2025" in page.inner_text("#scoreboard")
    scores = page.locator("table.ranking tbody tr td:nth-child(3)").all_inner_texts()
    assert scores == [number(i["score"], 1) for i in ranking["items"]]
    page.select_option("select[name=period]", "month")
    page.fill("input[name=month]", "2025-08")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**period=month**")
    page.wait_for_selector("#scoreboard[aria-busy=false]")
    assert "01/08/2025 – 31/08/2025" in page.inner_text("#scoreboard")


def test_english_switch(console):
    page = console("viewer").open("/scoreboard")
    page.click("#lang-switch")
    page.wait_for_selector("text=Campaign scoreboard")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Rank" in page.inner_text("table.ranking thead")
    page.click("#lang-switch")
    page.wait_for_selector("text=Bảng xếp hạng thi đua")


def test_an_expired_session_goes_back_to_sign_in(console, seeded):
    tab = console("viewer", via_page=True)
    page = tab.page

    def load_with(token: str, hash_path: str) -> None:
        page.goto("about:blank")
        page.goto(f"{seeded.console_url}/dev/sign-in")
        page.evaluate("t => sessionStorage.setItem('kg.token', t)", token)
        page.goto(f"{seeded.console_url}/#{hash_path}")

    # A token that runs out while the page is open: the next step leads to sign-in.
    load_with(seeded.make_token("viewer", ttl_seconds=2), "/scoreboard")
    page.wait_for_selector("table.ranking")
    page.wait_for_timeout(2500)
    page.get_by_role("link", name="Độ cập nhật").click()
    page.wait_for_url("**/dev/sign-in**")
    assert page.is_visible("#expired")
    # A token the API refuses (401) does the same.
    load_with(seeded.make_token("viewer", audience="someone-else"), "/freshness")
    page.wait_for_url("**/dev/sign-in**")
    assert page.is_visible("#expired")
    # Signing in again returns to the page the user was on.
    tab.sign_in("viewer")
    page.wait_for_url("**/#/freshness**")
    page.wait_for_selector("main .page-freshness")
