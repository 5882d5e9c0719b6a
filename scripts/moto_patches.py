"""Local-only fix for moto's TransactWriteItems cost (never deployed).

moto snapshots a whole table with copy.deepcopy once per transaction item so it
can roll back a failed transaction. With tens of thousands of items (a demo
month) every aggregation transaction copies every table a hundred times: minutes
of CPU and gigabytes of memory. This patch snapshots only the items the
transaction targets and restores exactly those on failure, which is the same
all-or-nothing behaviour. Real DynamoDB needs none of this.
"""

from __future__ import annotations

import copy
from typing import Any

_INSTALLED = False


class _CopyWithoutTables:
    """Stands in for the `copy` module inside moto.dynamodb.models: deep copies of
    whole tables become the table itself (the patched method keeps its own
    item-level snapshot); everything else is copied as before."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def install() -> None:
    global _INSTALLED  # noqa: PLW0603
    if _INSTALLED:
        return
    _INSTALLED = True
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    models.copy = _CopyWithoutTables(Table)  # type: ignore[assignment]
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            source = op.get("Key") or op.get("Item") or {}
            if table is None or table.hash_key_attr not in source:
                continue
            hash_key = DynamoType(source[table.hash_key_attr])
            range_key = None
            if table.has_range_key:
                if table.range_key_attr not in source:
                    continue
                range_key = DynamoType(source[table.range_key_attr])
            saved.append(
                (table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key)))
            )
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(saved):
                if range_key is not None:
                    if item is None:
                        table.items[hash_key].pop(range_key, None)
                    else:
                        table.items[hash_key][range_key] = item
                elif item is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = item
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
