"""Award nominations: dossiers, their files, submission, review and the audit trail.

Who may do what:
- unit officers create, edit, upload to and submit the nominations of their unit
  and its sub-units (a new nomination belongs to the officer's unit; the nominee
  is within it); province admins do all of this for any unit;
- reviewers and province admins review;
- every role reads (a unit officer only their unit's and sub-units' nominations).
Unknown ids are 404, ids outside the caller's unit are 403, on every route.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import time
import uuid
from typing import Any

from chalicelib.auth import PROVINCE_ADMIN, REVIEWER, UNIT_OFFICER, Principal
from chalicelib.domain import nominations as rules
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.registry import is_within
from chalicelib.errors import (
    ApiError,
    bad_request,
    conflict,
    forbidden,
    not_found,
    unavailable,
    validation_failed,
)
from chalicelib.observability import logger
from chalicelib.schemas.nominations import FileCreate, NominationCreate, NominationPatch
from chalicelib.services import registry as registry_service
from chalicelib.settings import get_settings
from chalicelib.storage import nominations as store
from chalicelib.storage import registry as registry_store
from chalicelib.storage.nominations import NominationFileModel, NominationModel

WRITER_ROLES = (PROVINCE_ADMIN, UNIT_OFFICER)
REVIEWER_ROLES = (PROVINCE_ADMIN, REVIEWER)
SYSTEM_ACTOR = {"sub": "system:upload-verifier", "role": "system", "unit_id": None}
# How long after its presigned POST expired a pending file is given up on.
UPLOAD_GRACE_SECONDS = 120
_VERBS = {
    "edit": "edit",
    "add_file": "add files to",
    "delete_file": "delete files of",
    "submit": "submit",
    "approve": "approve",
    "reject": "reject",
    "return": "return",
}
_REVIEW_ACTIONS = {"approve": "approved", "reject": "rejected", "return": "returned"}


def now() -> dt.datetime:
    """The clock of every nomination decision (deadlines, audit times). Tests replace it."""
    return dt.datetime.now(dt.UTC)


def _wall_clock() -> dt.datetime:
    # Presigned URLs expire by S3's clock, whatever now() says.
    return dt.datetime.now(dt.UTC)


# --- access -----------------------------------------------------------------------------------


def _actor(principal: Principal) -> dict[str, Any]:
    return {"sub": principal.sub, "role": principal.role, "unit_id": principal.unit_id}


def _within_caller(principal: Principal, unit_id: str) -> bool:
    if principal.province_wide:
        return True
    if not principal.unit_id:
        return False
    units = registry_store.registry_snapshot().units
    if unit_id not in units or principal.unit_id not in units:
        units = registry_store.registry_snapshot(max_age_seconds=0).units  # a unit added just now
    return is_within(unit_id, principal.unit_id, units)


def _visible(principal: Principal, nomination_id: str) -> NominationModel:
    item = store.get_nomination(nomination_id)
    if item is None:
        raise not_found(f"Nomination {nomination_id!r} does not exist")
    if not _within_caller(principal, item.unit_id):
        raise forbidden(f"Nomination {nomination_id!r} belongs to a unit outside your unit")
    return item


def _require(principal: Principal, roles: tuple[str, ...], what: str) -> None:
    if principal.role not in roles:
        raise forbidden(f"Role {principal.role!r} may not {what}; needs one of: {', '.join(roles)}")


def _changeable(principal: Principal, nomination_id: str, action: str) -> NominationModel:
    item = _visible(principal, nomination_id)
    _require(principal, WRITER_ROLES, f"{_VERBS[action]} a nomination")
    if rules.next_status(item.status, action) is None:
        raise _invalid(item, action)
    return item


def _invalid(item: NominationModel, action: str) -> ApiError:
    allowed = rules.allowed_from(action)
    return conflict(
        f"Cannot {_VERBS[action]} nomination {item.nomination_id!r}: it is {item.status!r}; "
        f"allowed only when {' or '.join(repr(s) for s in allowed)}",
        [
            {
                "nomination_id": item.nomination_id,
                "status": item.status,
                "action": action,
                "allowed_from": allowed,
            }
        ],
    )


def _refused_state(nomination_id: str, action: str) -> ApiError:
    """A transaction found the nomination in another state than we read: report it fresh."""
    item = store.get_nomination(nomination_id)
    if item is None:
        return not_found(f"Nomination {nomination_id!r} does not exist")
    return _invalid(item, action)


# --- views ---------------------------------------------------------------------------------


def view(
    item: NominationModel, *, rank: bool = True, campaigns: dict[str, Campaign] | None = None
) -> dict[str, Any]:
    nominee = dict(item.nominee or {})
    out: dict[str, Any] = {
        "nomination_id": item.nomination_id,
        "campaign_id": item.campaign_id,
        "unit_id": item.unit_id,
        "kind": item.kind,
        "nominee": {
            "unit_id": item.nominee_unit_id,
            "official_id": item.nominee_official_id,
            "name": nominee.get("name", ""),
            "level": nominee.get("level"),
            "position": nominee.get("position"),
        },
        "summary": item.summary,
        "creativity": item.creativity or "",
        "status": item.status,
        "return_reason": item.return_reason,
        "review": item.review,
        "evidence": item.evidence,
        "nominee_rank": None,
        "file_count": int(item.file_count or 0),
        "created_by": item.created_by,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "submitted_at": item.submitted_at,
    }
    if rank:
        from chalicelib.services import candidates

        cache = campaigns if campaigns is not None else {}
        campaign = cache.get(item.campaign_id)
        if campaign is None:
            campaign = cache[item.campaign_id] = registry_service.get_campaign(item.campaign_id)
        out["nominee_rank"] = candidates.nominee_rank(
            campaign, item.kind, item.nominee_official_id or item.nominee_unit_id
        )
    return out


def _file_view(item: NominationFileModel, *, download: bool = False) -> dict[str, Any]:
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
        out["download_url"] = store.presigned_download(
            item.verified_key,
            item.content_type,
            rules.content_disposition(rules.download_name(item.filename, item.content_type)),
            seconds,
        )
        out["download_expires_at"] = _wall_clock() + dt.timedelta(seconds=seconds)
    return out


def _audit_view(item: Any) -> dict[str, Any]:
    return {
        "nomination_id": item.nomination_id,
        "at": item.at,
        "actor": item.actor,
        "action": item.action,
        "from_status": item.from_status,
        "to_status": item.to_status,
        "details": item.details or {},
    }


# --- nominations ---------------------------------------------------------------------------------


def create_nomination(
    principal: Principal, campaign_id: str, payload: NominationCreate
) -> dict[str, Any]:
    _require(principal, WRITER_ROLES, "create nominations")
    registry_service.get_campaign(campaign_id)
    nominee: dict[str, Any]
    if payload.kind == "collective":
        unit = registry_service.check_unit_access(principal, str(payload.nominee_unit_id))
        if unit.level not in rules.NOMINABLE_LEVELS:
            raise validation_failed(
                [
                    {
                        "field": "nominee_unit_id",
                        "message": f"a {unit.level} unit cannot be nominated; "
                        f"nominees are {', '.join(rules.NOMINABLE_LEVELS)} units",
                    }
                ]
            )
        nominee_unit_id, nominee_official_id = unit.unit_id, None
        nominee = {"name": unit.name, "level": unit.level}
    else:
        official = registry_service.check_official_access(
            principal, str(payload.nominee_official_id)
        )
        if not official.active:
            raise validation_failed(
                [
                    {
                        "field": "nominee_official_id",
                        "message": f"official {official.official_id!r} is not active",
                    }
                ]
            )
        nominee_unit_id, nominee_official_id = official.unit_id, official.official_id
        nominee = {"name": official.full_name, "position": official.position}

    if principal.role == UNIT_OFFICER:
        if payload.unit_id not in (None, principal.unit_id):
            raise forbidden("A unit officer's nominations belong to their own unit")
        unit_id = str(principal.unit_id)
    else:
        unit_id = payload.unit_id or principal.unit_id or nominee_unit_id
        registry_service.check_unit_access(principal, unit_id)
    units = registry_store.registry_snapshot().units
    if not is_within(nominee_unit_id, unit_id, units):
        raise validation_failed(
            [
                {
                    "field": "unit_id",
                    "message": f"the nominee must be unit {unit_id!r} or one of its sub-units",
                }
            ]
        )
    try:
        rules.upload_key(campaign_id, unit_id, "0" * 32, "0" * 32)
    except ValueError as exc:
        raise bad_request(str(exc)) from None

    at = now()
    nomination_id = uuid.uuid4().hex
    actor = _actor(principal)
    item = NominationModel(
        nomination_id,
        campaign_id=campaign_id,
        created_key=f"{at:%Y-%m-%dT%H:%M:%S.%fZ}#{nomination_id}",
        unit_id=unit_id,
        kind=payload.kind,
        nominee_unit_id=nominee_unit_id,
        nominee_official_id=nominee_official_id,
        nominee=nominee,
        summary=payload.summary,
        creativity=payload.creativity,
        status="draft",
        file_count=0,
        created_by=actor,
        created_at=at,
        updated_at=at,
    )
    audit = store.audit_record(
        nomination_id,
        at,
        actor,
        "created",
        None,
        "draft",
        {
            "campaign_id": campaign_id,
            "unit_id": unit_id,
            "kind": payload.kind,
            "nominee_unit_id": nominee_unit_id,
            "nominee_official_id": nominee_official_id,
            "summary": payload.summary,
            "creativity": payload.creativity,
        },
    )
    store.create_nomination(item, audit)
    return view(item)


def get_nomination(principal: Principal, nomination_id: str) -> dict[str, Any]:
    return view(_visible(principal, nomination_id))


def update_nomination(
    principal: Principal, nomination_id: str, payload: NominationPatch
) -> dict[str, Any]:
    item = _changeable(principal, nomination_id, "edit")
    changes = {
        name: value
        for name, value in (("summary", payload.summary), ("creativity", payload.creativity))
        if value is not None and value != getattr(item, name)
    }
    if changes:
        at = now()
        audit = store.audit_record(
            nomination_id,
            at,
            _actor(principal),
            "edited",
            item.status,
            item.status,
            {"changes": {k: {"from": getattr(item, k), "to": v} for k, v in changes.items()}},
        )
        try:
            store.edit_nomination(nomination_id, changes, at, audit)
        except store.Refused:
            raise _refused_state(nomination_id, "edit") from None
        item = store.get_nomination(nomination_id) or item
    return view(item)


def list_nominations(
    principal: Principal,
    campaign_id: str,
    *,
    status: str | None,
    kind: str | None,
    unit_id: str | None,
    limit: int,
    token: dict[str, str] | None,
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    if status is not None and status not in rules.STATUSES:
        raise bad_request(f"Query parameter 'status' must be one of {', '.join(rules.STATUSES)}")
    if kind is not None and kind not in rules.KINDS:
        raise bad_request(f"Query parameter 'kind' must be one of {', '.join(rules.KINDS)}")
    campaign = registry_service.get_campaign(campaign_id)
    if unit_id is not None:
        registry_service.check_unit_access(principal, unit_id)
    items, last = store.nominations_page(
        campaign_id,
        limit=limit,
        after=token,
        status=status,
        kind=kind,
        unit_id=unit_id,
        visible_units=registry_service.visible_unit_ids(principal),
    )
    campaigns = {campaign_id: campaign}
    return [view(i, campaigns=campaigns) for i in items], last


# --- files --------------------------------------------------------------------------------------


def add_file(principal: Principal, nomination_id: str, payload: FileCreate) -> dict[str, Any]:
    item = _changeable(principal, nomination_id, "add_file")
    settings = get_settings()
    if payload.size > settings.upload_max_bytes:
        raise validation_failed(
            [
                {
                    "field": "size",
                    "message": f"a file may have at most {settings.upload_max_bytes} bytes",
                }
            ]
        )
    if int(item.file_count or 0) >= rules.MAX_FILES_PER_NOMINATION:
        raise _too_many_files(item)
    at = now()
    file_id = uuid.uuid4().hex
    key = rules.upload_key(item.campaign_id, item.unit_id, item.nomination_id, file_id)
    actor = _actor(principal)
    record = NominationFileModel(
        nomination_id,
        file_id,
        category=payload.category,
        filename=payload.filename,
        content_type=payload.content_type,
        declared_size=payload.size,
        status="pending",
        upload_key=key,
        created_by=actor,
        created_at=at,
        upload_expires_at=_wall_clock() + dt.timedelta(seconds=settings.upload_url_seconds),
    )
    audit = store.audit_record(
        nomination_id,
        at,
        actor,
        "file_added",
        item.status,
        item.status,
        {
            "file_id": file_id,
            "category": payload.category,
            "filename": payload.filename,
            "content_type": payload.content_type,
            "size": payload.size,
        },
    )
    try:
        store.add_file(record, at, rules.MAX_FILES_PER_NOMINATION, audit)
    except store.Refused:
        fresh = store.get_nomination(nomination_id)
        if fresh is not None and fresh.status == "draft":
            raise _too_many_files(fresh) from None
        raise _refused_state(nomination_id, "add_file") from None
    post = store.presigned_post(
        key, payload.content_type, settings.upload_max_bytes, settings.upload_url_seconds
    )
    return {
        "file": _file_view(record),
        "upload": {
            "url": post["url"],
            "fields": post["fields"],
            "expires_at": record.upload_expires_at,
            "max_bytes": settings.upload_max_bytes,
        },
    }


def _too_many_files(item: NominationModel) -> ApiError:
    return ApiError(
        409,
        "too_many_files",
        f"A nomination has at most {rules.MAX_FILES_PER_NOMINATION} files; delete one first",
        [{"nomination_id": item.nomination_id, "status": item.status}],
    )


def list_files(principal: Principal, nomination_id: str) -> dict[str, Any]:
    _visible(principal, nomination_id)
    files = sorted(store.files_of(nomination_id), key=lambda f: (f.created_at, f.file_id))
    return {
        "nomination_id": nomination_id,
        "items": [_file_view(f, download=True) for f in files],
    }


def delete_file(principal: Principal, nomination_id: str, file_id: str) -> None:
    item = _visible(principal, nomination_id)
    record = store.get_file(nomination_id, file_id)
    if record is None:
        raise not_found(f"File {file_id!r} is not part of nomination {nomination_id!r}")
    _require(principal, WRITER_ROLES, "delete files of a nomination")
    if rules.next_status(item.status, "delete_file") is None:
        raise _invalid(item, "delete_file")
    at = now()
    audit = store.audit_record(
        nomination_id,
        at,
        _actor(principal),
        "file_deleted",
        item.status,
        item.status,
        {
            "file_id": file_id,
            "category": record.category,
            "filename": record.filename,
            "file_status": record.status,
        },
    )
    try:
        store.delete_file(nomination_id, file_id, at, audit)
    except store.Refused as exc:
        if store.FILE in exc.failed and store.NOMINATION not in exc.failed:
            raise not_found(
                f"File {file_id!r} is not part of nomination {nomination_id!r}"
            ) from None
        raise _refused_state(nomination_id, "delete_file") from None
    keys = [record.upload_key] + ([record.verified_key] if record.verified_key else [])
    try:
        store.delete_objects(*keys)
    except Exception:  # the record is gone: an orphaned object is never served
        logger.exception("could not delete the objects of a deleted file", extra={"keys": keys})


# --- verification ----------------------------------------------------------------------------------


def verify_upload(key: str) -> dict[str, Any]:
    """Check an uploaded object against its file record and settle the file.

    Called by the S3 object-created handler (AWS) and by the `verify_uploads`
    job (local stack, and a sweep for missed events). Idempotent."""
    parsed = rules.parse_upload_key(key)
    if parsed is None:
        logger.warning("ignoring an object the service did not issue", extra={"key": key})
        return {"key": key, "outcome": "ignored"}
    record = store.get_file(parsed.nomination_id, parsed.file_id)
    if record is None or record.upload_key != key:
        # Deleted while uploading, or never issued: nothing may keep it.
        store.delete_objects(key)
        return {"key": key, "outcome": "orphan_deleted"}
    if record.status != "pending":
        # A second POST with a still-valid policy: the verified copy is what counts.
        store.delete_objects(key)
        return {"key": key, "outcome": f"already_{record.status}"}
    max_bytes = get_settings().upload_max_bytes
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        stored = store.read_upload(key, spool, max_bytes)
        if stored is None:
            return {"key": key, "outcome": "missing"}
        reason = _content_problem(record, stored, spool, max_bytes)
        if reason is not None:
            try:
                _settle(record, verified=False, reason=reason, size=stored.size)
            except store.Refused:
                return {"key": key, "outcome": "raced"}
            store.delete_objects(key)
            return {"key": key, "outcome": "rejected", "reason": reason}
        spool.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: spool.read(1024 * 1024), b""):
            digest.update(chunk)
        # A key of its own per verification, so concurrent runs never share a copy.
        target = rules.verified_key(key, uuid.uuid4().hex)
        store.put_verified(target, spool, record.content_type)
    try:
        _settle(
            record,
            verified=True,
            size=stored.size,
            sha256=digest.hexdigest(),
            verified_key=target,
        )
    except store.Refused as exc:
        store.delete_objects(target)  # this verification's own copy: nothing refers to it
        if store.FILE in exc.failed:
            return {"key": key, "outcome": "raced"}  # settled by someone else meanwhile
        reason = "the nomination left draft before this upload completed"
        try:
            _settle(record, verified=False, reason=reason, size=stored.size)
        except store.Refused:
            return {"key": key, "outcome": "raced"}
        store.delete_objects(key)
        return {"key": key, "outcome": "rejected", "reason": reason}
    store.delete_objects(key)
    return {"key": key, "outcome": "verified", "sha256": digest.hexdigest()}


def _content_problem(
    record: NominationFileModel, stored: store.StoredObject, spool: Any, max_bytes: int
) -> str | None:
    label = rules.FILE_TYPES[record.content_type].label
    if stored.size > max_bytes:
        return f"file too large: {stored.size} bytes, at most {max_bytes}"
    if stored.size != int(record.declared_size):
        return f"size mismatch: declared {int(record.declared_size)} bytes, received {stored.size}"
    if stored.content_type.split(";")[0].strip().lower() != record.content_type:
        return (
            f"content type mismatch: declared {record.content_type}, "
            f"uploaded as {stored.content_type or 'none'}"
        )
    problem = rules.sniff(record.content_type, spool, stored.size)
    return None if problem is None else f"declared {label}, but {problem}"


def _settle(
    record: NominationFileModel,
    *,
    verified: bool,
    reason: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    verified_key: str | None = None,
) -> None:
    at = now()
    nomination = store.get_nomination(record.nomination_id)
    status = nomination.status if nomination is not None else None
    audit = store.audit_record(
        record.nomination_id,
        at,
        SYSTEM_ACTOR,
        "file_verified" if verified else "file_rejected",
        status,
        status,
        {
            "file_id": record.file_id,
            "category": record.category,
            "filename": record.filename,
            "size": size,
            **({"sha256": sha256} if sha256 else {}),
            **({"reason": reason} if reason else {}),
        },
    )
    store.settle_file(
        record,
        verified=verified,
        at=at,
        audit=audit,
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
    for record in store.pending_files():
        if time.monotonic() > deadline:
            done = False
            break
        if store.head_upload(record.upload_key) is not None:
            outcome = verify_upload(record.upload_key)["outcome"]
        elif _wall_clock() > record.upload_expires_at + dt.timedelta(seconds=UPLOAD_GRACE_SECONDS):
            try:
                _settle(record, verified=False, reason="no upload arrived before the link expired")
                outcome = "expired"
            except store.Refused:
                outcome = "raced"
        else:
            outcome = "waiting"
        counts[outcome] = counts.get(outcome, 0) + 1
    return {"done": done, **counts}


# --- workflow ------------------------------------------------------------------------------------


def submit(principal: Principal, nomination_id: str) -> dict[str, Any]:
    from chalicelib.services import candidates

    item = _changeable(principal, nomination_id, "submit")
    campaign = registry_service.get_campaign(item.campaign_id)
    at = now()
    deadline = campaign.nomination_deadline
    if deadline is not None and campaign.deadline_passed(deadline, at):
        closed_at = dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(), campaign.zone)
        raise ApiError(
            409,
            "deadline_passed",
            f"Nominations for {campaign.campaign_id!r} closed at the end of {deadline} "
            f"({campaign.timezone}); nomination {nomination_id!r} stays {item.status!r}",
            [
                {
                    "nomination_id": nomination_id,
                    "status": item.status,
                    "nomination_deadline": deadline.isoformat(),
                    "timezone": campaign.timezone,
                    "closed_at": closed_at.isoformat(),
                }
            ],
        )
    verified: dict[str, str] = {}
    for record in sorted(store.files_of(nomination_id), key=lambda f: (f.created_at, f.file_id)):
        if record.status == "verified":
            verified.setdefault(record.category, record.file_id)
    missing = rules.missing_categories(verified)
    if missing:
        raise ApiError(
            409,
            "dossier_incomplete",
            f"Nomination {nomination_id!r} needs at least one verified file of each of: "
            f"{', '.join(missing)}; it stays {item.status!r}",
            [{"nomination_id": nomination_id, "status": item.status, "missing": missing}],
        )
    required = [verified[c] for c in rules.REQUIRED_CATEGORIES]
    evidence = candidates.evidence(
        campaign, item.kind, item.nominee_unit_id, item.nominee_official_id
    )
    audit = store.audit_record(
        nomination_id,
        at,
        _actor(principal),
        "submitted",
        item.status,
        "submitted",
        {"files": required, "evidence_as_of": evidence.get("as_of")},
    )
    try:
        store.submit_nomination(nomination_id, evidence, at, required, audit)
    except store.Refused as exc:
        if store.NOMINATION in exc.failed:
            raise _refused_state(nomination_id, "submit") from None
        raise ApiError(
            409,
            "dossier_incomplete",
            "A required file was deleted meanwhile; check the files and submit again",
            [{"nomination_id": nomination_id, "status": item.status}],
        ) from None
    return view(store.get_nomination(nomination_id) or item)


def review(
    principal: Principal, nomination_id: str, decision: str, reason: str | None
) -> dict[str, Any]:
    item = _visible(principal, nomination_id)
    _require(principal, REVIEWER_ROLES, "review nominations")
    target = rules.next_status(item.status, decision)
    if target is None:
        raise _invalid(item, decision)
    _check_separation_of_duties(principal, item, decision)
    campaign = registry_service.get_campaign(item.campaign_id)
    quota = int(getattr(campaign.award_quotas, item.kind))
    if decision == "approve" and quota <= 0:
        raise _quota_reached(item, quota)
    at = now()
    actor = _actor(principal)
    decided = {"decision": decision, "reason": reason, "by": actor, "at": _iso(at)}
    audit = store.audit_record(
        nomination_id,
        at,
        actor,
        _REVIEW_ACTIONS[decision],
        item.status,
        target,
        {
            "decision": decision,
            "reason": reason,
            **({"quota": quota} if target == "approved" else {}),
        },
    )
    try:
        store.decide_nomination(
            item, target, decided, at, audit, quota=quota if decision == "approve" else None
        )
    except store.Refused as exc:
        if store.NOMINATION in exc.failed:
            raise _refused_state(nomination_id, decision) from None
        if store.QUOTA in exc.failed:
            raise _quota_reached(item, quota) from None
        other = store.approved_nominee(
            item.campaign_id, item.kind, item.nominee_official_id or item.nominee_unit_id
        )
        raise ApiError(
            409,
            "nominee_already_approved",
            f"The nominee of {nomination_id!r} is already approved in nomination {other!r}; "
            f"this one stays {item.status!r}",
            [{"nomination_id": nomination_id, "status": item.status, "approved_in": other}],
        ) from None
    except store.Busy:
        raise unavailable("The nomination is being reviewed concurrently; retry") from None
    return view(store.get_nomination(nomination_id) or item)


def _check_separation_of_duties(principal: Principal, item: NominationModel, decision: str) -> None:
    """No one approves, rejects or returns a nomination they created or submitted (read
    from the audit trail: every submission counts, also those before a return)."""
    trail = (
        rules.TrailEntry(record.action, str((record.actor or {}).get("sub") or ""), _iso(record.at))
        for record in store.audit_records(item.nomination_id)
    )
    authored = rules.authored_by(principal.sub, trail)
    if authored is None:
        return
    raise ApiError(
        403,
        "separation_of_duties",
        f"{principal.sub!r} may not {decision} nomination {item.nomination_id!r}: the audit "
        f"trail records them as its {authored.action!r} actor at {authored.at}; it is reviewed "
        "by someone who neither created nor submitted it",
        [
            {
                "nomination_id": item.nomination_id,
                "status": item.status,
                "action": decision,
                "actor": _actor(principal),
                "conflicting_action": authored.action,
                "conflicting_at": authored.at,
            }
        ],
    )


def _quota_reached(item: NominationModel, quota: int) -> ApiError:
    approved = store.approved_count(item.campaign_id, item.kind)
    return ApiError(
        409,
        "quota_reached",
        f"The campaign's quota of {quota} approved {item.kind} nominations is reached "
        f"({approved} approved); nomination {item.nomination_id!r} stays {item.status!r}",
        [
            {
                "nomination_id": item.nomination_id,
                "status": item.status,
                "kind": item.kind,
                "quota": quota,
                "approved": approved,
            }
        ],
    )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def audit_trail(
    principal: Principal, nomination_id: str, limit: int, token: dict[str, str] | None
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    _visible(principal, nomination_id)
    items, last = store.audit_page(nomination_id, limit, token["seq"] if token else None)
    return [_audit_view(i) for i in items], ({"seq": last} if last else None)
