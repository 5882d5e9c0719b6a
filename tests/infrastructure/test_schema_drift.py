"""The tables the local stack creates (create_all_tables under moto) are the tables the
synthesized stack deploys: same names, keys, attributes, indexes, TTL and streams."""

from __future__ import annotations

from typing import Any

from tests.infrastructure.cfn import render
from tests.infrastructure.conftest import Synth


def _sorted(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda i: i[key])


def _local_tables() -> dict[str, dict[str, Any]]:
    from chalicelib.settings import get_settings
    from chalicelib.storage.aws import client

    prefix = get_settings().table_prefix
    ddb = client("dynamodb")
    out = {}
    for name in ddb.list_tables()["TableNames"]:
        t = ddb.describe_table(TableName=name)["Table"]
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        out[name.removeprefix(prefix)] = {
            "KeySchema": t["KeySchema"],
            "AttributeDefinitions": _sorted(t["AttributeDefinitions"], "AttributeName"),
            "GlobalSecondaryIndexes": _sorted(
                [
                    {
                        "IndexName": g["IndexName"],
                        "KeySchema": g["KeySchema"],
                        "Projection": g["Projection"],
                    }
                    for g in t.get("GlobalSecondaryIndexes", [])
                ],
                "IndexName",
            ),
            "TTL": ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") == "ENABLED" else None,
            "BillingMode": t.get("BillingModeSummary", {}).get("BillingMode"),
            "Stream": (t.get("StreamSpecification") or {}).get("StreamViewType")
            if (t.get("StreamSpecification") or {}).get("StreamEnabled")
            else None,
        }
    return out


def _deployed_tables(synth: Synth) -> dict[str, dict[str, Any]]:
    out = {}
    for r in synth.resources("AWS::DynamoDB::Table").values():
        p = r["Properties"]
        name = render(p["TableName"])
        assert name.startswith("khong-giay-prod-"), name
        ttl = p.get("TimeToLiveSpecification")
        out[name.removeprefix("khong-giay-prod-")] = {
            "KeySchema": p["KeySchema"],
            "AttributeDefinitions": _sorted(p["AttributeDefinitions"], "AttributeName"),
            "GlobalSecondaryIndexes": _sorted(
                [
                    {
                        "IndexName": g["IndexName"],
                        "KeySchema": g["KeySchema"],
                        "Projection": g["Projection"],
                    }
                    for g in p.get("GlobalSecondaryIndexes", [])
                ],
                "IndexName",
            ),
            "TTL": ttl["AttributeName"] if ttl and ttl.get("Enabled") else None,
            "BillingMode": p["BillingMode"],
            "Stream": (p.get("StreamSpecification") or {}).get("StreamViewType"),
        }
    return out


def test_local_stack_tables_equal_deployed_tables(aws: None, synth: Synth) -> None:
    local = _local_tables()
    deployed = _deployed_tables(synth)
    assert sorted(local) == sorted(deployed)
    for name in local:
        assert local[name] == deployed[name], name
