"""Nominations, their files, the append-only audit trail and the approval counters.

Every change of a nomination or a file commits in one DynamoDB transaction together
with its audit record, under conditions on the current state; there is no
read-then-write anywhere. Functions take and return the domain's records
(chalicelib/domain/nominations.py); a refused condition is `Refused`, naming the
items (`NOMINATION`, `FILE`, `QUOTA`, `NOMINEE`) whose conditions failed.

This package's interface is what it exports here (`nomination_store`); inside it:
- `tables`: the four PynamoDB models and their mapping to the domain's records;
- `transactions`: one transaction per change, its labels and its retries;
- `dossiers`: read, create, edit and list nominations;
- `files`: declare, settle and delete a dossier's files;
- `reviews`: submission, review and the approval counters;
- `audit`: the append-only trail (no function updates or deletes a record);
- `uploads`: presigned links and the objects of the uploads bucket.
"""

from chalicelib.storage.nominations.audit import audit_page, audit_records, audit_records_since
from chalicelib.storage.nominations.dossiers import (
    campaign_nominations,
    create_nomination,
    edit_nomination,
    get_nomination,
    nominations_page,
)
from chalicelib.storage.nominations.files import (
    add_file,
    delete_file,
    files_of,
    get_file,
    owner_status,
    pending_files,
    settle_file,
)
from chalicelib.storage.nominations.reviews import (
    approved_count,
    approved_nominee,
    decide_nomination,
    move_nomination,
    nominated_in,
    submit_nomination,
)
from chalicelib.storage.nominations.transactions import (
    FILE,
    NOMINATION,
    NOMINEE,
    QUOTA,
    Busy,
    Refused,
)
from chalicelib.storage.nominations.uploads import (
    StoredObject,
    delete_objects,
    head_upload,
    presigned_download,
    presigned_post,
    put_verified,
    read_upload,
)

__all__ = [
    "FILE",
    "NOMINATION",
    "NOMINEE",
    "QUOTA",
    "Busy",
    "Refused",
    "StoredObject",
    "add_file",
    "approved_count",
    "approved_nominee",
    "audit_page",
    "audit_records",
    "audit_records_since",
    "campaign_nominations",
    "create_nomination",
    "decide_nomination",
    "delete_file",
    "delete_objects",
    "edit_nomination",
    "files_of",
    "get_file",
    "get_nomination",
    "head_upload",
    "move_nomination",
    "nominated_in",
    "nominations_page",
    "owner_status",
    "pending_files",
    "presigned_download",
    "presigned_post",
    "put_verified",
    "read_upload",
    "settle_file",
    "submit_nomination",
]
