"""The least-privilege table (infra/catalog.py) and the stage settings are consistent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.storage.models import STREAM_VIEWS
from infra.catalog import (
    BUCKETS,
    FUNCTIONS,
    POLICIES,
    UPLOAD_TRIGGER,
    WEBHOOK_FUNCTION,
    InvokeGrant,
    KeyGrant,
    MailGrant,
    ObjectGrant,
    StreamGrant,
    TableGrant,
    function_specs,
    tables_granted,
)
from infra.config import STAGES_FILE, StageConfig, load_stage


def test_every_table_is_granted_to_some_function() -> None:
    from chalicelib.storage.tables import table_specs

    missing = {s["logical_name"] for s in table_specs()} - tables_granted()
    assert not missing, f"tables no function may use: {missing}: add them to infra/catalog.py"


def test_catalog_entries_are_well_formed() -> None:
    assert len(function_specs()) == len(FUNCTIONS), "duplicate FunctionSpec"
    for spec in FUNCTIONS:
        assert spec.policy in POLICIES, spec
        assert spec.reserved_concurrency >= 1, spec
        assert spec.logical_id.isidentifier() and spec.logical_id[0].isupper(), spec
    for name, grants in POLICIES.items():
        for g in grants:
            if isinstance(g, TableGrant):
                assert g.actions and all(a[0].isupper() and ":" not in a for a in g.actions), (
                    name,
                    g,
                )
            elif isinstance(g, ObjectGrant):
                assert g.bucket in BUCKETS and g.prefix.endswith("/"), (name, g)
                assert set(g.actions) <= {
                    "GetObject",
                    "PutObject",
                    "DeleteObject",
                    "DeleteObjectVersion",  # redaction: no clear version may stay behind
                    "ListBucket",
                    "ListBucketVersions",
                }, (
                    name,
                    g,
                )
            elif isinstance(g, StreamGrant):
                assert g.table in STREAM_VIEWS, (name, g)
            elif isinstance(g, MailGrant):
                assert g.what in ("send", "link_secret", "alarms"), (name, g)
            elif isinstance(g, InvokeGrant):
                assert g.function in function_specs(), (name, g)
            else:
                assert isinstance(g, KeyGrant)
                assert set(g.actions) <= {"Encrypt", "Decrypt", "GenerateDataKey"}, (name, g)
    assert WEBHOOK_FUNCTION in function_specs()
    assert UPLOAD_TRIGGER[0] in function_specs() and UPLOAD_TRIGGER[1] in BUCKETS


def test_webhook_policy_matches_the_issue() -> None:
    grants = POLICIES["webhook"]
    tables = {g.table: set(g.actions) for g in grants if isinstance(g, TableGrant)}
    assert tables == {
        "sources": {"GetItem"},
        "units": {"Scan"},
        "officials": {"BatchGetItem"},  # events naming officials (issue 13)
        "event_ledger": {"BatchGetItem", "BatchWriteItem", "PutItem"},
        "inbox": {"PutItem"},
        "inbox_pending": {"BatchWriteItem"},  # issue 15: each inbox item's pending marker
        "document_trail": {"PutItem", "BatchWriteItem"},
        "campaigns": {"Scan"},
        "idempotency": {"GetItem", "PutItem", "UpdateItem", "DeleteItem"},
        # issue 13: exemption markers read (and written) before anything is stored, and
        # where clear data lies for a later marking's redaction; written in one batch of
        # the markers a strong read did not find (issue 23)
        "exemptions": {"BatchGetItem", "BatchWriteItem"},
        "document_refs": {"BatchWriteItem", "PutItem"},
        # issue 25: a test source's deliveries, stored apart (its ledger, its delivery list)
        "sandbox": {"BatchGetItem", "BatchWriteItem", "PutItem"},
    }
    assert [(g.bucket, g.prefix, g.actions) for g in grants if isinstance(g, ObjectGrant)] == [
        ("archive", "archive/", ("PutObject",))
    ]


def test_stage_file_loads_and_rejects_unknown_settings(tmp_path: Path) -> None:
    config = load_stage("prod")
    assert isinstance(config, StageConfig)
    assert config.stack_name == "khong-giay-prod" and config.table_prefix == "khong-giay-prod-"
    raw = json.loads(STAGES_FILE.read_text())
    raw["prod"]["regoin"] = "typo"
    bad = tmp_path / "stages.json"
    bad.write_text(json.dumps(raw))
    with pytest.raises(ValueError, match="regoin"):
        load_stage("prod", bad)
    with pytest.raises(KeyError):
        load_stage("nope")


def test_only_the_job_functions_write_the_event_and_kpi_tables() -> None:
    """The API function reads figures; POST /admin/jobs/{name} starts RunJob (issue 19)."""
    from infra.catalog import EVENT_AND_KPI_TABLES, JOB_RUNNER, WRITE, InvokeGrant

    writers = {
        name
        for name, grants in POLICIES.items()
        for g in grants
        if isinstance(g, TableGrant)
        and g.table in EVENT_AND_KPI_TABLES
        and set(g.actions) & set(WRITE)
    }
    assert "api" not in writers
    assert writers == {
        "webhook",
        "fold_inbox",
        "aggregate_kpi",
        "reports",
        "pull_hubs",
        "job_runner",
    }
    assert [g for g in POLICIES["api"] if isinstance(g, InvokeGrant)] == [InvokeGrant(JOB_RUNNER)]
