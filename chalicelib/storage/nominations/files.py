"""The files of a dossier: declared (pending), then verified or rejected, or deleted.

A file and its dossier's file count change in one transaction, so a dossier never
holds more than its maximum of files. A dossier is a nomination, or another record with
files of the same kind (a results report): its table registers here as an owner
(`register_owner`), with the `status`, `file_count` and `updated_at` attributes the
transactions use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib.domain.nominations import EXPIRED_UPLOAD, AuditRecord, NominationFile
from chalicelib.storage.nominations import audit
from chalicelib.storage.nominations.tables import (
    NominationFileModel,
    NominationModel,
    file_item,
    file_of,
)
from chalicelib.storage.nominations.transactions import FILE, NOMINATION, Transaction

NOMINATION_OWNER = "nomination"
_OWNERS: dict[str, Any] = {NOMINATION_OWNER: NominationModel}


def register_owner(owner: str, model: Any) -> None:
    """A table whose items own files (keyed by their id in the file's `nomination_id`)."""
    _OWNERS[owner] = model


def _owner(file_owner: str) -> Any:
    return _OWNERS[file_owner]


def owner_status(owner: str, owner_id: str) -> str | None:
    """The current state of a file's dossier (None when it is gone)."""
    model = _owner(owner)
    try:
        return str(model.get(owner_id, consistent_read=True).status)
    except model.DoesNotExist:
        return None


def get_file(nomination_id: str, file_id: str) -> NominationFile | None:
    try:
        return file_of(NominationFileModel.get(nomination_id, file_id, consistent_read=True))
    except NominationFileModel.DoesNotExist:
        return None


def files_of(nomination_id: str) -> list[NominationFile]:
    return [file_of(i) for i in NominationFileModel.query(nomination_id, consistent_read=True)]


def add_file(file: NominationFile, at: dt.datetime, max_files: int, record: AuditRecord) -> None:
    """Declare a file of a draft that has fewer than `max_files`."""
    owner = _owner(file.owner)
    tx = Transaction()
    tx.update(
        NOMINATION,
        owner(file.nomination_id),
        [owner.file_count.add(1), owner.updated_at.set(at)],
        condition=(owner.status == "draft") & (owner.file_count < max_files),
    )
    tx.put(FILE, file_item(file), condition=NominationFileModel.file_id.does_not_exist())
    audit.append(tx, record)
    tx.commit()


def delete_file(
    nomination_id: str,
    file_id: str,
    at: dt.datetime,
    record: AuditRecord,
    owner: str = NOMINATION_OWNER,
    *,
    counted: bool = True,
) -> None:
    """Delete a draft's file; `counted`: it still counts toward the dossier's limit (an
    expired upload was taken off the count when it expired)."""
    model = _owner(owner)
    tx = Transaction()
    tx.update(
        NOMINATION,
        model(nomination_id),
        [model.file_count.add(-1 if counted else 0), model.updated_at.set(at)],
        condition=model.status == "draft",
    )
    tx.delete(
        FILE,
        NominationFileModel(nomination_id, file_id),
        condition=NominationFileModel.file_id.exists(),
    )
    audit.append(tx, record)
    tx.commit()


def settle_file(
    file: NominationFile,
    *,
    verified: bool,
    at: dt.datetime,
    record: AuditRecord,
    reason: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    verified_key: str | None = None,
) -> None:
    """pending → verified | rejected. A file is verified only while its nomination
    is a draft: a submitted dossier never changes under the reviewers."""
    actions: list[Action] = [
        NominationFileModel.status.set("verified" if verified else "rejected"),
        NominationFileModel.verified_at.set(at),
    ]
    if reason is not None:
        actions.append(NominationFileModel.reason.set(reason))
    if size is not None:
        actions.append(NominationFileModel.size.set(size))
    if sha256 is not None:
        actions.append(NominationFileModel.sha256.set(sha256))
    if verified_key is not None:
        actions.append(NominationFileModel.verified_key.set(verified_key))
    tx = Transaction()
    tx.update(
        FILE,
        NominationFileModel(file.nomination_id, file.file_id),
        actions,
        condition=NominationFileModel.status == "pending",
    )
    owner = _owner(file.owner)
    if verified:
        tx.check(NOMINATION, owner, file.nomination_id, None, owner.status == "draft")
    elif reason == EXPIRED_UPLOAD:
        # An abandoned upload stops counting toward the dossier's file limit.
        tx.update(
            NOMINATION,
            owner(file.nomination_id),
            [owner.file_count.add(-1), owner.updated_at.set(at)],
            condition=owner.file_count > 0,
        )
    audit.append(tx, record)
    tx.commit()


def pending_files() -> Iterator[NominationFile]:
    """Files still waiting for their upload's verification (a scan: the table is small)."""
    for item in NominationFileModel.scan(NominationFileModel.status == "pending"):
        yield file_of(item)
