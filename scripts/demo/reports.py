"""The demo's last step: generate the campaign report and copy its files to ./out/.

    from scripts.demo.reports import generate_campaign_report
    paths = generate_campaign_report(stack.api_url, stack.admin_token(), campaign_id, OUT)

Calls ``POST /admin/reports`` for the province over the whole campaign period, then fetches
every file (PDF, XLSX, one CSV per table, the manifest) through the presigned links of
``GET /reports/{id}/download`` (they point at the moto server) and writes them to ``out_dir``
under the names a browser would save them as, e.g. ``kh-2025_campaign_province_v1.pdf``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

FORMATS = ("pdf", "xlsx", "csv", "manifest")
# Generating the province report renders every format; leave it time on a slow laptop.
GENERATE_TIMEOUT_SECONDS = 300


def local_name(stem: str, name: str) -> str:
    """The file name the API's Content-Disposition gives (flat: CSVs are prefixed)."""
    if name.startswith("csv/"):
        return f"{stem}_{name[4:]}"
    if name == "manifest.json":
        return f"{stem}_manifest.json"
    return f"{stem}.{name.rsplit('.', 1)[-1]}"


def generate_campaign_report(
    base_url: str, admin_token: str, campaign_id: str, out_dir: Path | str
) -> list[Path]:
    """Generate the province report of the campaign period and download its files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {admin_token}"
    base = base_url.rstrip("/")

    def call(method: str, path: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", 60)
        response = session.request(method, base + path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response.json()

    campaign = call("GET", f"/campaigns/{campaign_id}")
    report = call(
        "POST",
        "/admin/reports",
        json={
            "campaign_id": campaign_id,
            "from": campaign["start_date"],
            "to": campaign["end_date"],
            "scope": "province",
        },
        timeout=GENERATE_TIMEOUT_SECONDS,
    )
    stem = f"{report['campaign_id']}_{report['period']}_{report['scope']}_v{report['version']}"
    paths: list[Path] = []
    for fmt in FORMATS:
        links = call("GET", f"/reports/{report['report_id']}/download", params={"format": fmt})
        for link in links["files"]:
            # A presigned link carries its own signature: no Authorization header.
            response = requests.get(link["url"], timeout=60)
            response.raise_for_status()
            path = out / local_name(stem, link["name"])
            path.write_bytes(response.content)
            paths.append(path)
    return paths
