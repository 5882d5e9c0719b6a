"""Generated clients (issue 20, item 4): a frontend or a vendor generates its client from the
served document (GET /openapi.json) and it works against the local stack.

Python: openapi-python-client (requirements-dev.txt), with clients/openapi-python-client.yaml.
TypeScript: openapi-typescript's types (clients/typescript, installed by `make clients`),
checked by tsc against the real responses the Python client read. Both generations must
print no warning: a warning is something the document should say better.

The client signs in with a dev token from the console's dev sign-in (POST /dev/token),
reads the ranking and one unit's KPIs, creates a nomination and pages through a list.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.factories import CAMPAIGN, DEPARTMENT, DIVISION, OFFICIALS, UNITS

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PYTHON_CONFIG = ROOT / "clients" / "openapi-python-client.yaml"
TYPESCRIPT = ROOT / "clients" / "typescript"
CAMPAIGN_ID = "gen-clients"


@pytest.fixture(scope="module")
def served(stack, tmp_path_factory) -> Path:
    """The document the stack serves, as a client generator downloads it."""
    r = requests.get(f"{stack.api_url}/openapi.json", timeout=30)
    assert r.status_code == 200
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_text(r.text, encoding="utf-8")
    return path


def _sign_in(stack, role: str, unit_id: str | None = None) -> str:
    """The console's dev sign-in: a token for a role (and a unit), signed with the local key."""
    r = requests.post(
        f"{stack.console_url}/dev/token", json={"role": role, "unit_id": unit_id}, timeout=30
    )
    assert r.status_code == 200, r.text
    return str(r.json()["id_token"])


@pytest.fixture(scope="module")
def client_module(served, tmp_path_factory) -> Any:
    """openapi-python-client's package for the served document, imported."""
    out = tmp_path_factory.mktemp("client") / "khong_giay_client"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(served),
            "--output-path",
            str(out),
            "--meta",
            "none",
            "--config",
            str(PYTHON_CONFIG),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    said = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        if line.strip() and not line.startswith("Generating ")
    ]
    assert said == [], "openapi-python-client warned:\n" + "\n".join(said)
    sys.path.insert(0, str(out.parent))
    try:
        yield importlib.import_module("khong_giay_client")
    finally:
        sys.path.remove(str(out.parent))
        for name in [m for m in sys.modules if m.startswith("khong_giay_client")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def read_with_the_client(stack, client_module) -> dict[str, Any]:
    """What the generated client read and wrote, as the API sent it (JSON)."""
    from khong_giay_client import AuthenticatedClient
    from khong_giay_client.api.kpi import get_campaigns_campaign_id_ranking, get_units_unit_id_kpi
    from khong_giay_client.api.nominations import post_campaigns_campaign_id_nominations
    from khong_giay_client.api.registry import get_units
    from khong_giay_client.models import (
        GetCampaignsCampaignIdRankingLevel,
        NominationCreate,
        NominationCreateKind,
        NominationOut,
        Ranking,
        UnitKpi,
        UnitPage,
    )

    admin = _sign_in(stack, "province_admin")
    headers = {"Authorization": f"Bearer {admin}"}
    today = dt.date.today()
    campaign = {
        **CAMPAIGN,
        "campaign_id": CAMPAIGN_ID,
        "start_date": (today - dt.timedelta(days=20)).isoformat(),
        "end_date": (today + dt.timedelta(days=20)).isoformat(),
        "nomination_deadline": (today + dt.timedelta(days=25)).isoformat(),
    }
    for path, body in (
        ("/admin/units", {"units": UNITS, "officials": OFFICIALS}),
        ("/admin/campaigns", campaign),
    ):
        r = requests.post(f"{stack.api_url}{path}", json=body, headers=headers, timeout=30)
        assert r.status_code in (200, 201), r.text

    officer = AuthenticatedClient(
        base_url=stack.api_url, token=_sign_in(stack, "unit_officer", DEPARTMENT), timeout=30
    )
    client = AuthenticatedClient(base_url=stack.api_url, token=admin, timeout=30)
    seen: dict[str, Any] = {}
    with client as client, officer as officer:
        ranking = get_campaigns_campaign_id_ranking.sync_detailed(
            CAMPAIGN_ID, client=officer, level=GetCampaignsCampaignIdRankingLevel.DEPARTMENT
        )
        assert isinstance(ranking.parsed, Ranking), ranking.content
        assert DEPARTMENT in {item.unit_id for item in ranking.parsed.items}
        seen["ranking"] = json.loads(ranking.content)

        kpi = get_units_unit_id_kpi.sync_detailed(DEPARTMENT, client=officer)
        assert isinstance(kpi.parsed, UnitKpi), kpi.content
        assert kpi.parsed.unit_id == DEPARTMENT and kpi.parsed.from_ <= kpi.parsed.to
        seen["unit_kpi"] = json.loads(kpi.content)

        created = post_campaigns_campaign_id_nominations.sync_detailed(
            CAMPAIGN_ID,
            client=officer,
            body=NominationCreate(
                kind=NominationCreateKind.COLLECTIVE,
                nominee_unit_id=DIVISION,
                summary="Phòng xử lý văn bản điện tử 100% (generated client)",
            ),
        )
        assert created.status_code == 201, created.content
        assert isinstance(created.parsed, NominationOut)
        assert created.parsed.status == "draft" and created.parsed.nominee.unit_id == DIVISION
        seen["nomination"] = json.loads(created.content)

        pages: list[Any] = []
        token: Any = None
        while True:
            page = get_units.sync_detailed(
                client=client, limit=2, **({"next_token": token} if token else {})
            )
            assert isinstance(page.parsed, UnitPage), page.content
            pages.append(json.loads(page.content))
            token = page.parsed.next_token
            if not token:
                break
        units = [u["unit_id"] for p in pages for u in p["items"]]
        assert len(pages) >= 3 and len(units) == len(set(units))
        assert {u["unit_id"] for u in UNITS} <= set(units)
        seen["units_page"] = pages[0]
    return seen


def test_the_python_client_signs_in_reads_creates_and_pages(read_with_the_client):
    assert set(read_with_the_client) == {"ranking", "unit_kpi", "nomination", "units_page"}


# The types the responses are read as (openapi-typescript's `paths`).
TS_TYPES = {
    "ranking": 'paths["/campaigns/{campaign_id}/ranking"]["get"]',
    "unit_kpi": 'paths["/units/{unit_id}/kpi"]["get"]',
    "nomination": 'paths["/campaigns/{campaign_id}/nominations"]["post"]',
    "units_page": 'paths["/units"]["get"]',
}
TS_STATUS = {"nomination": 201}


def test_the_typescript_types_describe_what_the_api_answers(served, read_with_the_client, tmp_path):
    """openapi-typescript's types of the served document, without a warning, type-check
    (tsc --strict) the very responses the Python client received."""
    bin_dir = TYPESCRIPT / "node_modules" / ".bin"
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: the TypeScript types need it")
    assert (bin_dir / "openapi-typescript").exists(), (
        "run `make clients` (npm ci in clients/typescript)"
    )
    run = subprocess.run(
        [str(bin_dir / "openapi-typescript"), str(served), "-o", str(tmp_path / "api.d.ts")],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    said = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        if line.strip() and not line.startswith(("✨", "🚀"))
    ]
    assert said == [], "openapi-typescript warned:\n" + "\n".join(said)
    lines = ['import type { paths } from "./api";']
    for name, operation in TS_TYPES.items():
        status = TS_STATUS.get(name, 200)
        kind = f'{operation}["responses"][{status}]["content"]["application/json"]'
        lines.append(f"export const {name}: {kind} = {json.dumps(read_with_the_client[name])};")
    (tmp_path / "check.ts").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tsc = subprocess.run(
        [
            str(bin_dir / "tsc"),
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "es2022",
            str(tmp_path / "check.ts"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
