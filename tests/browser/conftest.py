"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against the real
local stack: the session `stack` of tests/conftest.py, with its console web server.

A small province is seeded once: the test registry, a campaign whose nomination deadline
is still open, a month of simulated events, aggregated. Every page is checked for CSP
violations and script errors: a console that only works with the policy off fails here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from scripts.chromium import CHROMIUM, launch
from tests.factories import OFFICIALS, UNITS

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "out" / "screenshots"
CAMPAIGN_ID = "browser-2025"


# A council campaign's dossier (its default checklist, Law on Emulation and Commendation
# 2022, Art. 84): tờ trình, báo cáo thành tích, biên bản họp xét.
DOSSIER = ("to_trinh", "bao_cao_thanh_tich", "bien_ban")


@dataclass
class Seeded:
    api_url: str
    console_url: str
    campaign: dict[str, Any]
    admin: str  # a province_admin token
    make_token: Callable[..., str]

    def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        response = requests.request(
            method,
            self.api_url + path,
            headers={"Authorization": f"Bearer {token or self.admin}"},
            timeout=60,
            **kwargs,
        )
        assert response.status_code < 400, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def run_job(self, name: str) -> dict[str, Any]:
        while True:
            result = self.api("POST", f"/admin/jobs/{name}")["result"]
            if result.get("done", True):
                return dict(result)

    def submitted_nomination(
        self,
        campaign_id: str,
        nominee: dict[str, str],
        summary: str,
        categories: tuple[str, ...] = DOSSIER,
        token: str | None = None,
    ) -> str:
        """A nomination created, its dossier's PDFs uploaded by presigned POST and verified,
        and submitted, all through the API (`nominee`: `{"kind", "nominee_unit_id"}` or
        `{"kind", "nominee_official_id"}`)."""
        from scripts.demo.nominations import minimal_pdf

        created = self.api(
            "POST",
            f"/campaigns/{campaign_id}/nominations",
            token=token,
            json={**nominee, "summary": summary},
        )
        nid = str(created["nomination_id"])
        for category in categories:
            data = minimal_pdf([category])
            ticket = self.api(
                "POST",
                f"/nominations/{nid}/files",
                token=token,
                json={
                    "filename": f"{category}.pdf",
                    "content_type": "application/pdf",
                    "size": len(data),
                    "category": category,
                },
            )
            r = requests.post(
                ticket["upload"]["url"],
                data=ticket["upload"]["fields"],
                files={"file": ("f.pdf", data, "application/pdf")},
                timeout=30,
            )
            assert r.status_code in (200, 201, 204), r.text
        self.run_job("verify_uploads")
        self.api("POST", f"/nominations/{nid}/submit", token=token)
        return nid


@pytest.fixture(scope="session")
def seeded(stack, make_token) -> Seeded:
    from scripts.demo import simulator

    today = dt.date.today()
    campaign = {
        "campaign_id": CAMPAIGN_ID,
        "name": "Ngày không in giấy 2025 (thử trên trình duyệt)",
        "start_date": "2025-07-15",
        "end_date": "2025-08-15",
        "timezone": "Asia/Ho_Chi_Minh",
        # Open for the whole test run, wherever it runs.
        "nomination_deadline": (today + dt.timedelta(days=30)).isoformat(),
        "award_quotas": {"collective": 3, "individual": 3},
    }
    seeded = Seeded(
        stack.api_url, stack.console_url, campaign, make_token("province_admin"), make_token
    )
    seeded.api("POST", "/admin/units", json={"units": UNITS, "officials": OFFICIALS})
    seeded.api("POST", "/admin/campaigns", json=campaign)
    source = requests.post(
        f"{stack.api_url}/admin/sources",
        json={
            "source_id": "browser-eoffice",
            "name": "Hệ thống văn bản (thử)",
            "units": ["000.00.00.H34"],  # the province: every unit
        },
        headers={"Authorization": f"Bearer {seeded.admin}"},
        timeout=30,
    )
    if source.status_code == 201:  # a rerun in the same session keeps its events
        events = simulator.generate_month(UNITS, OFFICIALS, start=dt.date(2025, 7, 15), days=31)
        simulator.send(
            simulator.delivery_plan(events, seed=7, batch_size=200),
            base_url=stack.api_url,
            source_id="browser-eoffice",
            secret=source.json()["secret"],
        )
    seeded.run_job("aggregate_kpi")
    return seeded


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is missing: `make test` installs it (apt-get install chromium "
            "chromium-driver); browser tests never skip"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class Console:
    """One signed-in tab, with every CSP violation and script error collected."""

    def __init__(self, browser: Any, seeded: Seeded, width: int = 1280, bypass_csp: bool = False):
        self.seeded = seeded
        self.context = browser.new_context(
            viewport={"width": width, "height": 900},
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
            bypass_csp=bypass_csp,
        )
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(m.text)
                if m.type == "error"
                and ("Content Security Policy" in m.text or "Refused" in m.text)
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def sign_in(self, role: str, unit_id: str | None = None) -> Console:
        page = self.page
        page.goto(f"{self.seeded.console_url}/dev/sign-in")
        page.check(f"input[name=role][value={role}]")
        if unit_id:
            page.wait_for_selector(f"#unit option[value='{unit_id}']", state="attached")
            page.select_option("#unit", unit_id)
        page.click("#submit")
        page.wait_for_selector("#nav a")
        return self

    def sign_in_quickly(self, role: str, unit_id: str | None = None) -> Console:
        """What the dev sign-in page does (POST /dev/token, the token into sessionStorage),
        without loading the page: test_scoreboard signs in through the page itself."""
        response = requests.post(
            f"{self.seeded.console_url}/dev/token",
            json={"role": role, "unit_id": unit_id},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        self.page.goto(f"{self.seeded.console_url}/config.json")
        self.page.evaluate(
            "t => sessionStorage.setItem('kg.token', t)", response.json()["id_token"]
        )
        return self

    def open(self, hash_path: str) -> Any:
        separator = "&" if "?" in hash_path else "?"
        self.page.goto(f"{self.seeded.console_url}/#{hash_path}{separator}campaign={CAMPAIGN_ID}")
        self.settle()
        return self.page

    def settle(self) -> None:
        """The page is drawn and nothing is loading any more."""
        self.page.wait_for_selector("main .page")
        self.page.wait_for_selector("main .loading", state="detached")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        assert not self.problems, self.problems
        self.context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def console(request, browser, seeded) -> Iterator[Callable[..., Console]]:
    opened: list[Console] = []

    def factory(
        role: str, unit_id: str | None = None, *, via_page: bool = False, **kwargs: Any
    ) -> Console:
        tab = Console(browser, seeded, **kwargs)
        if via_page:
            tab.sign_in(role, unit_id)
        else:
            tab.sign_in_quickly(role, unit_id)
        opened.append(tab)
        return tab

    yield factory
    for i, tab in enumerate(opened):
        if request.node.stash.get(FAILED, False):
            # What the page showed when the test failed, to look at.
            tab.screenshot(f"failed-{request.node.name}-{i}")
            print(f"{tab.page.url}\n{tab.page.inner_text('main')[:2000]}\n{tab.problems}")
        tab.close()
