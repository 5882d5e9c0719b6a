"""The four documents of a decided meeting: generated from the frozen tally by the
`meeting_documents` job (its own Lambda function: the DOCX library never loads in the API
function), stored in the reports bucket beside the reports, their hashes in the meeting's
audit trail, and handed out as presigned links."""

from __future__ import annotations

import hashlib
from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import meetings as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.meetings import Meeting
from chalicelib.domain.nominations import AuditRecord
from chalicelib.observability import logger, metrics
from chalicelib.services.council import access
from chalicelib.storage import council_meetings as meeting_store
from chalicelib.storage import reports as report_store

LINK_SECONDS = 300
JOB_ACTOR = {"sub": "job:meeting_documents", "role": "system", "unit_id": None}


def prefix(meeting: Meeting) -> str:
    return f"reports/meetings/{meeting.campaign_id}/{meeting.meeting_id}/"


def generate(meeting: Meeting) -> list[dict[str, Any]]:
    """Render and store the documents of a decided meeting; its trail records each hash."""
    from chalicelib.reports.documents import render_meeting_documents

    if meeting.status != rules.DECIDED or meeting.tally is None:
        raise ValueError(f"meeting {meeting.meeting_id} is not decided")
    entries = []
    for f in render_meeting_documents(meeting.tally):
        key = prefix(meeting) + f["name"]
        report_store.put_file(key, f["body"], f["content_type"], meeting.meeting_id)
        entries.append(
            {
                "kind": f["kind"],
                "format": f["format"],
                "name": f["name"],
                "key": key,
                "content_type": f["content_type"],
                "size": len(f["body"]),
                "sha256": hashlib.sha256(f["body"]).hexdigest(),
            }
        )
    record = AuditRecord(
        meeting_store.audit_key(meeting.meeting_id),
        clock.now(),
        JOB_ACTOR,
        "documents_generated",
        None,
        None,
        {
            "tally_sha256": meeting.tally_sha256,
            "files": [{k: e[k] for k in ("name", "sha256", "size")} for e in entries],
        },
    )
    meeting_store.save_meeting(
        meeting.changed(documents_status="ready", documents=tuple(entries)), [record]
    )
    metrics.add_metric(name="MeetingDocumentsGenerated", unit="Count", value=len(entries))
    return entries


def run_meeting_documents(deadline: float) -> dict[str, Any]:
    """The job: documents for every decided meeting still waiting for them."""
    done, failed = [], []
    for meeting in meeting_store.meetings_awaiting_documents():
        if clock.monotonic() > deadline:
            break
        try:
            generate(meeting)
            done.append(meeting.meeting_id)
        except meeting_store.Stale:
            continue  # another run did it
        except Exception:
            logger.exception("meeting documents failed", extra={"meeting_id": meeting.meeting_id})
            failed.append(meeting.meeting_id)
    return {"generated": done, "failed": failed}


def list_documents(principal: Principal, meeting_id: str) -> dict[str, Any]:
    meeting = access.load(meeting_id)
    access.check_reader(principal, meeting)
    if meeting.status != rules.DECIDED:
        raise Conflict(
            "The documents come from the decision: the meeting is not decided yet",
            code="not_decided",
        )
    items = []
    expires_at = None
    for d in meeting.documents:
        url, expires_at = report_store.presigned_get(
            d["key"],
            filename=d["name"],
            content_type=d["content_type"],
            expires_seconds=LINK_SECONDS,
        )
        fields = ("kind", "format", "name", "content_type", "size", "sha256")
        items.append({**{k: d[k] for k in fields}, "url": url})
    return {
        "meeting_id": meeting_id,
        "status": meeting.documents_status,
        "tally_sha256": meeting.tally_sha256,
        "expires_at": expires_at,
        "items": items,
    }
