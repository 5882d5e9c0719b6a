"""The files of a dossier: declared (pending), then verified or rejected, or deleted.

A file and its dossier's file count change in one transaction, so a dossier never
holds more than its maximum of files. A dossier is a nomination's or an initiative's (the
file's `owner`): both tables have the `status` and `file_count` these conditions read, and
storage/initiatives.py registers its table with `register_owner`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pynamodb.expressions.update import Action
from pynamodb.models import Model

from chalicelib.domain.nominations import AuditRecord, NominationFile
from chalicelib.storage.nominations import audit
from chalicelib.storage.nominations.tables import (
    NominationFileModel,
    NominationModel,
    file_item,
    file_of,
)
from chalicelib.storage.nominations.transactions import FILE, NOMINATION, Transaction

# owner -> the table of its dossiers (hash key: the dossier's id)
_OWNERS: dict[str, type[Model]] = {"nomination": NominationModel}


def register_owner(owner: str, model: type[Model]) -> None:
    """A table whose items own files: it has `status` and `file_count` attributes."""
    _OWNERS[owner] = model


def _owner_model(owner: str) -> Any:
    return _OWNERS[owner]


def get_file(nomination_id: str, file_id: str) -> NominationFile | None:
    try:
        return file_of(NominationFileModel.get(nomination_id, file_id, consistent_read=True))
    except NominationFileModel.DoesNotExist:
        return None


def files_of(nomination_id: str) -> list[NominationFile]:
    return [file_of(i) for i in NominationFileModel.query(nomination_id, consistent_read=True)]


def add_file(file: NominationFile, at: dt.datetime, max_files: int, record: AuditRecord) -> None:
    """Declare a file of a draft that has fewer than `max_files`."""
    parent = _owner_model(file.owner)
    tx = Transaction()
    tx.update(
        NOMINATION,
        parent(file.nomination_id),
        [parent.file_count.add(1), parent.updated_at.set(at)],
        condition=(parent.status == "draft") & (parent.file_count < max_files),
    )
    tx.put(FILE, file_item(file), condition=NominationFileModel.file_id.does_not_exist())
    audit.append(tx, record)
    tx.commit()


def delete_file(
    nomination_id: str,
    file_id: str,
    at: dt.datetime,
    record: AuditRecord,
    owner: str = "nomination",
) -> None:
    parent = _owner_model(owner)
    tx = Transaction()
    tx.update(
        NOMINATION,
        parent(nomination_id),
        [parent.file_count.add(-1), parent.updated_at.set(at)],
        condition=parent.status == "draft",
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
    """pending → verified | rejected. A file is verified only while its dossier is a
    draft: a submitted dossier never changes under the reviewers."""
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
    if verified:
        parent = _owner_model(file.owner)
        tx.check(NOMINATION, parent, file.nomination_id, None, parent.status == "draft")
    audit.append(tx, record)
    tx.commit()


def owner_status(owner: str, owner_id: str) -> str | None:
    """The state of a file's dossier (None when it is gone)."""
    parent = _owner_model(owner)
    try:
        return str(parent.get(owner_id, consistent_read=True).status)
    except parent.DoesNotExist:
        return None


def pending_files() -> Iterator[NominationFile]:
    """Files still waiting for their upload's verification (a scan: the table is small)."""
    for item in NominationFileModel.scan(NominationFileModel.status == "pending"):
        yield file_of(item)
