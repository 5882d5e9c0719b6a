"""Rebuilding the event tables from the S3 archive (the `rebuild_events` job, `make rebuild`).

Each archived request body is parsed again (JSON or edXML) and stored through the
webhook's path, into empty event tables: the ledger, the inbox and its pending markers
(the aggregation then folds them). What was admitted when it arrived is re-stored
whatever the scope or the clock say now (services/admission.py); only its units must
still be in the registry.
"""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.services import admission, ingestion
from chalicelib.services.edxml_messages import parse_edxml_body
from chalicelib.storage import events as event_store
from chalicelib.storage import jobs as job_store

JOB = "rebuild_events"


def rebuild_from_archive(deadline: float) -> dict[str, Any]:
    """Re-ingest archived request bodies into the (empty) event tables, resuming
    from a cursor so a long rebuild spans several runs."""
    cursor = job_store.cursor(JOB)
    objects = accepted = duplicates = 0
    done = True
    for key in event_store.archive_keys(cursor):
        if clock.monotonic() > deadline:
            done = False
            break
        body, content_type, source_id = event_store.archive_get(key)
        events, _ = parse_archived(body, content_type)
        admission.check_units(events)
        result = ingestion.store_events(
            source_id,
            events,
            raw_body=body,
            content_type=content_type,
            delivery_id=f"rebuild:{key}",
            archive=False,
            archived_at=key,
        )
        objects += 1
        accepted += result["accepted"]
        duplicates += result["duplicates"]
        job_store.save_cursor(JOB, key)
    if done:
        job_store.save_cursor(JOB, None)
    return {"objects": objects, "accepted": accepted, "duplicates": duplicates, "done": done}


def parse_archived(body: bytes, content_type: str) -> tuple[list[Any], bytes | None]:
    if "xml" in content_type:
        return parse_edxml_body(body)
    return ingestion.parse_json_body(body)
