"""Every page at 1280 and 390 px: a screenshot (out/screenshots/, git-ignored), nothing
wider than a phone's screen, and no serious or critical axe-core violation."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
PAGES = [
    ("scoreboard", "viewer", None, "/scoreboard"),
    ("unit", "unit_officer", "000.00.71.H34", "/units/000.00.71.H34"),
    ("interconnection", "reviewer", None, "/interconnection"),
    ("freshness", "viewer", None, "/freshness"),
    ("nominations", "province_admin", None, "/nominations?new=1"),
    ("nomination", "unit_officer", "000.00.71.H34", "/nominations/{nomination}"),
    ("reports", "province_admin", None, "/reports"),
    ("admin", "province_admin", None, "/admin"),
    ("results", "unit_officer", "000.01.31.H34", "/results"),
    ("results-province", "province_admin", None, "/results"),
    ("contacts", "unit_officer", "000.00.71.H34", "/contacts"),
    ("mail", "province_admin", None, "/mail"),
]


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def nomination(seeded) -> str:
    token = seeded.make_token("unit_officer", "000.00.71.H34")
    created = seeded.api(
        "POST",
        f"/campaigns/{seeded.campaign['campaign_id']}/nominations",
        token=token,
        json={
            "kind": "collective",
            "nominee_unit_id": "000.00.71.H34",
            "summary": "Xử lý 100% văn bản trên môi trường mạng",
            "creativity": "Ký số trên di động",
        },
    )
    return str(created["nomination_id"])


@pytest.mark.parametrize(("name", "role", "unit", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page_at_desktop_and_phone_width(console, nomination, name, role, unit, path):
    # axe is injected as a script: this tab alone lets it past the CSP (every other test
    # runs under the policy and fails on any violation).
    tab = console(role, unit, bypass_csp=True)
    page = tab.open(path.format(nomination=nomination))
    page.wait_for_selector("main .page [aria-busy=true]", state="detached")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        text = page.inner_text("main")
        assert "Không thực hiện được" not in text, text[:500]
        assert len(text) > 80  # never a blank page
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} is {overflow}px wider than {width}px"
        tab.screenshot(f"{name}-{width}")
        violations = _axe(page)
        assert not violations, violations


def test_dev_sign_in_page(browser, seeded):
    from tests.browser.conftest import SCREENSHOTS

    context = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{seeded.console_url}/dev/sign-in")
    page.wait_for_selector("#unit optgroup", state="attached")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dev-sign-in-390.png"), full_page=True)
    assert not _axe(page)
    context.close()
