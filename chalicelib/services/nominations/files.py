"""A dossier's files: uploads with presigned POSTs, verification of what arrived (size,
type, magic bytes) into a read-only copy, downloads with presigned links, deletion."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import uuid
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import nominations as rules
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.nominations import AuditRecord, NominationFile
from chalicelib.observability import logger
from chalicelib.schemas.nominations import FileCreate
from chalicelib.services.nominations import access
from chalicelib.settings import get_settings
from chalicelib.storage import initiatives as _initiatives  # noqa: F401 (owner registers)
from chalicelib.storage import nominations as nomination_store
from chalicelib.storage import results_reports as _results_reports  # noqa: F401 (owner registers)

SYSTEM_ACTOR = {"sub": "system:upload-verifier", "role": "system", "unit_id": None}
# How long after its presigned POST expired a pending file is given up on.
UPLOAD_GRACE_SECONDS = 120


def _file_view(item: NominationFile, *, download: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "file_id": item.file_id,
        "category": item.category,
        "filename": item.filename,
        "content_type": item.content_type,
        "size": int(item.size if item.size is not None else item.declared_size),
        "status": item.status,
        "reason": item.reason,
        "sha256": item.sha256,
        "created_at": item.created_at,
        "verified_at": item.verified_at,
        "download_url": None,
        "download_expires_at": None,
    }
    if download and item.status == "verified" and item.verified_key:
        seconds = get_settings().download_url_seconds
        out["download_url"], out["download_expires_at"] = nomination_store.presigned_download(
            item.verified_key,
            item.content_type,
            rules.content_disposition(rules.download_name(item.filename, item.content_type)),
            seconds,
        )
    return out


# --- uploads and deletion ----------------------------------------------------------------


def add_file(principal: Principal, nomination_id: str, payload: FileCreate) -> dict[str, Any]:
    """Declare a file and hand out the presigned POST that uploads it."""
    item = access.changeable(principal, nomination_id, "add_file")
    return declare_file(
        principal,
        Dossier("nomination", item.nomination_id, item.campaign_id, item.unit_id, item.status),
        int(item.file_count or 0),
        payload,
    )


@dataclass(frozen=True)
class Dossier:
    """What owns files: a nomination, or a results report (same upload path and checks)."""

    owner: str
    dossier_id: str
    campaign_id: str
    unit_id: str
    status: str


def declare_file(
    principal: Principal, dossier: Dossier, file_count: int, payload: FileCreate
) -> dict[str, Any]:
    """Declare a file of a draft dossier (the caller checked who may) and hand out the
    presigned POST that uploads it."""
    settings = get_settings()
    if payload.size > settings.upload_max_bytes:
        raise InvalidInput(
            "Request validation failed",
            code="validation_failed",
            details=[
                {
                    "field": "size",
                    "message": f"a file may have at most {settings.upload_max_bytes} bytes",
                }
            ],
        )
    if file_count >= rules.MAX_FILES_PER_NOMINATION:
        raise _too_many_files(dossier.dossier_id, dossier.status)
    at = clock.now()
    file_id = uuid.uuid4().hex
    key = rules.upload_key(dossier.campaign_id, dossier.unit_id, dossier.dossier_id, file_id)
    # Signed here (no network): the file records when S3 stops taking the POST, which the
    # verify_uploads sweep expires it after.
    post = nomination_store.presigned_post(
        key, payload.content_type, settings.upload_max_bytes, settings.upload_url_seconds
    )
    actor = access.actor(principal)
    file = NominationFile(
        nomination_id=dossier.dossier_id,
        file_id=file_id,
        category=payload.category,
        filename=payload.filename,
        content_type=payload.content_type,
        declared_size=payload.size,
        status="pending",
        upload_key=key,
        created_by=actor,
        created_at=at,
        upload_expires_at=post["expires_at"],
        owner=dossier.owner,
    )
    record = AuditRecord(
        dossier.dossier_id,
        at,
        actor,
        "file_added",
        dossier.status,
        dossier.status,
        {
            "file_id": file_id,
            "category": payload.category,
            "filename": payload.filename,
            "content_type": payload.content_type,
            "size": payload.size,
        },
    )
    try:
        nomination_store.add_file(file, at, rules.MAX_FILES_PER_NOMINATION, record)
    except nomination_store.Refused:
        status = nomination_store.owner_status(dossier.owner, dossier.dossier_id)
        if status == "draft":
            raise _too_many_files(dossier.dossier_id, status) from None
        if dossier.owner != "nomination":
            raise Conflict(
                f"Files can be added only to a draft; it is {status!r}",
                details=[{"id": dossier.dossier_id, "status": status}],
            ) from None
        raise access.refused_state(dossier.dossier_id, "add_file") from None
    return {
        "file": _file_view(file),
        "upload": {
            "url": post["url"],
            "fields": post["fields"],
            "expires_at": file.upload_expires_at,
            "max_bytes": settings.upload_max_bytes,
        },
    }


def _too_many_files(dossier_id: str, status: str) -> Conflict:
    return Conflict(
        f"A dossier has at most {rules.MAX_FILES_PER_NOMINATION} files; delete one first",
        code="too_many_files",
        details=[{"nomination_id": dossier_id, "status": status}],
    )


def list_files(principal: Principal, nomination_id: str) -> dict[str, Any]:
    access.visible(principal, nomination_id)
    return {"nomination_id": nomination_id, "items": file_views(nomination_id)}


def file_views(dossier_id: str) -> list[dict[str, Any]]:
    """A dossier's files, oldest first; verified ones with a short-lived download link."""
    files = sorted(nomination_store.files_of(dossier_id), key=lambda f: (f.created_at, f.file_id))
    return [_file_view(f, download=True) for f in files]


def delete_file(principal: Principal, nomination_id: str, file_id: str) -> None:
    item = access.visible(principal, nomination_id)
    file = nomination_store.get_file(nomination_id, file_id)
    if file is None:
        raise NotFound(f"File {file_id!r} is not part of nomination {nomination_id!r}")
    if rules.next_status(item.status, "delete_file") is None:
        raise access.invalid(item, "delete_file")
    dossier = Dossier("nomination", nomination_id, item.campaign_id, item.unit_id, item.status)
    remove_file(principal, dossier, file)


def remove_file(principal: Principal, dossier: Dossier, file: NominationFile) -> None:
    """Delete a file of a draft dossier (the caller checked who may), its record and its
    objects."""
    at = clock.now()
    record = AuditRecord(
        dossier.dossier_id,
        at,
        access.actor(principal),
        "file_deleted",
        dossier.status,
        dossier.status,
        {
            "file_id": file.file_id,
            "category": file.category,
            "filename": file.filename,
            "file_status": file.status,
        },
    )
    try:
        nomination_store.delete_file(
            dossier.dossier_id,
            file.file_id,
            at,
            record,
            owner=dossier.owner,
            counted=rules.counts_toward_limit(file.status, file.reason),
        )
    except nomination_store.Refused as exc:
        if nomination_store.FILE in exc.failed and nomination_store.NOMINATION not in exc.failed:
            raise NotFound(
                f"File {file.file_id!r} is not part of {dossier.owner} {dossier.dossier_id!r}"
            ) from None
        if dossier.owner != "nomination":
            status = nomination_store.owner_status(dossier.owner, dossier.dossier_id)
            raise Conflict(
                f"Files can be deleted only from a draft; it is {status!r}",
                details=[{"id": dossier.dossier_id, "status": status}],
            ) from None
        raise access.refused_state(dossier.dossier_id, "delete_file") from None
    keys = [file.upload_key] + ([file.verified_key] if file.verified_key else [])
    try:
        nomination_store.delete_objects(*keys)
    except Exception:  # the record is gone: an orphaned object is never served
        logger.exception("could not delete the objects of a deleted file", extra={"keys": keys})


# --- verification ------------------------------------------------------------------------


def verify_upload(key: str) -> dict[str, Any]:
    """Check an uploaded object against its file record and settle the file.

    Called by the S3 object-created handler (AWS) and by the `verify_uploads`
    job (local stack, and a sweep for missed events). Idempotent."""
    parsed = rules.parse_upload_key(key)
    if parsed is None:
        logger.warning("ignoring an object the service did not issue", extra={"key": key})
        return {"key": key, "outcome": "ignored"}
    file = nomination_store.get_file(parsed.nomination_id, parsed.file_id)
    if file is None or file.upload_key != key:
        # Deleted while uploading, or never issued: nothing may keep it.
        nomination_store.delete_objects(key)
        return {"key": key, "outcome": "orphan_deleted"}
    if file.status != "pending":
        # A second POST with a still-valid policy: the verified copy is what counts.
        nomination_store.delete_objects(key)
        return {"key": key, "outcome": f"already_{file.status}"}
    max_bytes = get_settings().upload_max_bytes
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        stored = nomination_store.read_upload(key, spool, max_bytes)
        if stored is None:
            return {"key": key, "outcome": "missing"}
        reason = _content_problem(file, stored, spool, max_bytes)
        if reason is not None:
            return _reject(file, key, reason, stored.size)
        spool.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: spool.read(1024 * 1024), b""):
            digest.update(chunk)
        # A key of its own per verification, so concurrent runs never share a copy.
        target = rules.verified_key(key, uuid.uuid4().hex)
        nomination_store.put_verified(target, spool, file.content_type)
    try:
        _settle(
            file,
            verified=True,
            size=stored.size,
            sha256=digest.hexdigest(),
            verified_key=target,
        )
    except nomination_store.Refused as exc:
        nomination_store.delete_objects(target)  # this verification's own copy: unreferenced
        if nomination_store.FILE in exc.failed:
            return {"key": key, "outcome": "raced"}  # settled by someone else meanwhile
        return _reject(
            file, key, "the nomination left draft before this upload completed", stored.size
        )
    nomination_store.delete_objects(key)
    return {"key": key, "outcome": "verified", "sha256": digest.hexdigest()}


def _reject(file: NominationFile, key: str, reason: str, size: int) -> dict[str, Any]:
    """Settle the file rejected and delete its upload; "raced" when it was settled first."""
    try:
        _settle(file, verified=False, reason=reason, size=size)
    except nomination_store.Refused:
        return {"key": key, "outcome": "raced"}
    nomination_store.delete_objects(key)
    return {"key": key, "outcome": "rejected", "reason": reason}


def _content_problem(
    file: NominationFile, stored: nomination_store.StoredObject, spool: Any, max_bytes: int
) -> str | None:
    label = rules.FILE_TYPES[file.content_type].label
    if stored.size > max_bytes:
        return f"file too large: {stored.size} bytes, at most {max_bytes}"
    if stored.size != int(file.declared_size):
        return f"size mismatch: declared {int(file.declared_size)} bytes, received {stored.size}"
    if stored.content_type.split(";")[0].strip().lower() != file.content_type:
        return (
            f"content type mismatch: declared {file.content_type}, "
            f"uploaded as {stored.content_type or 'none'}"
        )
    problem = rules.sniff(file.content_type, spool, stored.size)
    return None if problem is None else f"declared {label}, but {problem}"


def _settle(
    file: NominationFile,
    *,
    verified: bool,
    reason: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    verified_key: str | None = None,
) -> None:
    at = clock.now()
    status = nomination_store.owner_status(file.owner, file.nomination_id)
    record = AuditRecord(
        file.nomination_id,
        at,
        SYSTEM_ACTOR,
        "file_verified" if verified else "file_rejected",
        status,
        status,
        {
            "file_id": file.file_id,
            "category": file.category,
            "filename": file.filename,
            "size": size,
            **({"sha256": sha256} if sha256 else {}),
            **({"reason": reason} if reason else {}),
        },
    )
    nomination_store.settle_file(
        file,
        verified=verified,
        at=at,
        record=record,
        reason=reason,
        size=size,
        sha256=sha256,
        verified_key=verified_key,
    )


def verify_pending_uploads(deadline: float) -> dict[str, Any]:
    """The `verify_uploads` job: verify every pending file whose object has arrived,
    and reject those whose upload window closed without one."""
    counts: dict[str, int] = {}
    done = True
    for file in nomination_store.pending_files():
        if clock.monotonic() > deadline:
            done = False
            break
        if nomination_store.head_upload(file.upload_key) is not None:
            outcome = verify_upload(file.upload_key)["outcome"]
        elif clock.now() > file.upload_expires_at + dt.timedelta(seconds=UPLOAD_GRACE_SECONDS):
            try:
                _settle(file, verified=False, reason=rules.EXPIRED_UPLOAD)
                outcome = "expired"
            except nomination_store.Refused:
                outcome = "raced"
        else:
            outcome = "waiting"
        counts[outcome] = counts.get(outcome, 0) + 1
    return {"done": done, **counts}
