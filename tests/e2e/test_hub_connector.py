"""The hub connector end to end (issue 25): the local stack's fake hub, real HTTP both
ways, a connector process killed mid-way (SIGKILL) and the job resuming it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from chalicelib.domain.edxml import parse_edxml
from scripts.fake_hub import BROKEN_XML, SECRET, SYSTEM_ID, Faults, HubMessage
from tests.factories import CAMPAIGN, OFFICIALS, PROVINCE, UNITS

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edxml"
ROOT = Path(__file__).resolve().parents[2]


def _auth(make_token: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('province_admin', None)}"}


def messages() -> list[HubMessage]:
    """The edXML fixtures as a hub lists them: packages of Sở Nội vụ and phường Nha Trang,
    their statuses, a go.vn package from an organ outside the registry (refused), one that
    does not parse (set aside)."""
    import datetime as dt

    at = dt.datetime(2025, 7, 15, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    names = [
        ("edoc", "qcvn_package_signed.xml"),
        ("edoc", "qcvn_package_unsigned.xml"),
        ("edoc", "qcvn_package_recall.xml"),
        ("edoc", "godoc_package.xml"),
        *[("status", f"qcvn_status_{c}.xml") for c in ("01", "02", "03", "04", "05", "06")],
    ]
    out = [
        HubMessage(
            f"{kind}-{i:03d}",
            kind,
            at + dt.timedelta(minutes=7 * i),
            (FIXTURES / name).read_bytes(),
        )
        for i, (kind, name) in enumerate(names)
    ]
    out.append(HubMessage("edoc-broken", "edoc", at + dt.timedelta(minutes=3), BROKEN_XML))
    return out


def ledger(stack: Any, source_id: str) -> list[str]:
    table = boto3.resource(
        "dynamodb",
        endpoint_url=stack.moto_url,
        region_name=stack.env.get("AWS_DEFAULT_REGION", "ap-southeast-1"),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).Table(stack.env.get("TABLE_PREFIX", "khong-giay-local-") + "event_ledger")
    from boto3.dynamodb.conditions import Key

    items = table.query(KeyConditionExpression=Key("source_id").eq(source_id))["Items"]
    return sorted(str(i["event_id"]) for i in items)


def test_a_connector_killed_mid_way_is_resumed_by_the_job(stack: Any, make_token: Any) -> None:
    url, headers = stack.api_url, _auth(make_token)
    requests.post(
        f"{url}/admin/units",
        json={"units": UNITS, "officials": OFFICIALS},
        headers=headers,
        timeout=60,
    )
    requests.post(f"{url}/admin/campaigns", json=CAMPAIGN, headers=headers, timeout=60)
    hub = stack.hub
    hub.faults = Faults(throttle_every=3, retry_after=1, duplicate_every=2, late_after=0)
    hub_url = stack.serve_hub(messages())
    r = requests.post(
        f"{url}/admin/sources",
        json={
            "source_id": "e2e-hub",
            "name": "Trục LGSP (e2e)",
            "units": [PROVINCE],
            "kind": "hub",
            "hub": {
                "base_url": hub_url,
                "system_id": SYSTEM_ID,
                "secret": SECRET,
                "pull_from": "2025-07-15",
            },
        },
        headers=headers,
        timeout=30,
    )
    assert r.status_code == 201, r.text

    # A connector process, killed (SIGKILL, as the Lambda runtime does) after two fetches.
    code = (
        "import time\n"
        "from chalicelib.services import hub_pull\n"
        "from chalicelib.storage import sources\n"
        "hub_pull.pull_hub(sources.get_source('e2e-hub'), deadline=time.monotonic() + 120, force=True)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=stack.env)
    deadline = time.monotonic() + 60
    while hub.stats.fetches.total() < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the connector finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    fetched_before = hub.stats.fetches.total()
    assert fetched_before < len(messages())

    # The scheduled job goes on where the killed process stopped, until both cursors are at
    # the last package of their listing.
    last: dict[str, str] = {}
    last["edoc"] = max(
        (m for m in messages() if m.message_type == "edoc"), key=lambda m: m.listed_at
    ).package_id
    last["status"] = max(
        (m for m in messages() if m.message_type == "status"), key=lambda m: m.listed_at
    ).package_id
    status: dict[str, Any] = {}
    for _ in range(90):  # a package stored when the process died is retried after 30 s
        r = requests.post(f"{url}/admin/jobs/pull_hubs", headers=headers, timeout=60)
        assert r.status_code == 202, r.text  # the job ran in-process (a run)
        status = requests.get(
            f"{url}/admin/sources/e2e-hub/hub", headers=headers, timeout=30
        ).json()
        cursors = status.get("cursors") or {}
        if all(str(cursors.get(k, "")).endswith("|" + v) for k, v in last.items()):
            break
        time.sleep(1)
    expected: set[str] = set()
    for m in messages():
        if m.xml != BROKEN_XML and b"go.vn" not in m.xml:
            expected |= {e["event_id"] for e in parse_edxml(m.xml).events}
    got = ledger(stack, "e2e-hub")
    missing = {
        m.package_id: sorted({e["event_id"] for e in parse_edxml(m.xml).events} - set(got))
        for m in messages()
        if m.xml != BROKEN_XML
    }
    assert got == sorted(expected), (
        missing,
        status["last_run"],
        status["last_error"],
    )  # each event once
    assert [p["package_id"] for p in status["set_aside"]] == ["edoc-broken"]
    # every package fetched once, but the one in flight when the process died (fetched
    # again by each run until its in-progress record expires, 30 s)
    assert sum(1 for n in hub.stats.fetches.values() if n > 1) <= 1
    assert hub.stats.acknowledged == []
