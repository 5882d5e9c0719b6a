"""One DynamoDB transaction per change of a nomination: all or nothing, under conditions
on the current state, retried when it collides with a concurrent one."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.storage.nominations.tables import NominationModel

# Labels of transaction items, reported when their condition fails.
NOMINATION = "nomination"
FILE = "file"
QUOTA = "quota"
NOMINEE = "nominee"
AUDIT = "audit"

_GROUP_ORDER = ("check", "delete", "put", "update")  # the order PynamoDB sends items in
_MAX_ATTEMPTS = 8


class Refused(Exception):
    """Conditions of these labelled items did not hold; nothing was written."""

    def __init__(self, failed: set[str]) -> None:
        super().__init__(", ".join(sorted(failed)))
        self.failed = failed


class Busy(Exception):
    """The transaction kept conflicting with concurrent ones."""


def _connection() -> Connection:
    # The nominations table's cached connection (and botocore client): creating a
    # client per transaction would cost more than the transaction.
    return NominationModel._get_connection().connection


@dataclass
class Transaction:
    ops: list[tuple[str, str, Callable[[TransactWrite], None]]] = field(default_factory=list)

    def check(
        self,
        label: str,
        model: type[Model],
        hash_key: str,
        range_key: str | None,
        condition: Condition,
    ) -> None:
        self.ops.append(
            ("check", label, lambda tx: tx.condition_check(model, hash_key, range_key, condition))
        )

    def put(self, label: str, item: Model, condition: Condition | None = None) -> None:
        self.ops.append(("put", label, lambda tx: tx.save(item, condition=condition)))

    def update(
        self, label: str, item: Model, actions: list[Action], condition: Condition | None = None
    ) -> None:
        self.ops.append(
            (
                "update",
                label,
                lambda tx: tx.update(
                    item, actions=actions, condition=condition, add_version_condition=False
                ),
            )
        )

    def delete(self, label: str, item: Model, condition: Condition | None = None) -> None:
        self.ops.append(
            (
                "delete",
                label,
                lambda tx: tx.delete(item, condition=condition, add_version_condition=False),
            )
        )

    def commit(self) -> None:
        """All or nothing. Raises Refused naming the items whose conditions failed;
        retries (with jitter) when DynamoDB cancels it for a concurrent transaction."""
        ordered = sorted(self.ops, key=lambda op: _GROUP_ORDER.index(op[0]))
        for attempt in range(_MAX_ATTEMPTS):
            try:
                with TransactWrite(
                    connection=_connection(), client_request_token=uuid.uuid4().hex
                ) as tx:
                    for _, _, apply in ordered:
                        apply(tx)
                return
            except TransactWriteError as exc:
                codes = [r.code if r else None for r in (exc.cancellation_reasons or [])]
                failed = {
                    ordered[i][1]
                    for i, code in enumerate(codes)
                    if code == "ConditionalCheckFailed" and i < len(ordered)
                }
                if failed:
                    raise Refused(failed) from None
                conflict = "TransactionConflict" in codes or exc.cause_response_code in (
                    "TransactionConflictException",
                    "TransactionInProgressException",
                )
                if not conflict:
                    raise
                time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter
        raise Busy("the nomination is being changed concurrently; retry")
