"""Local-only fixes for moto's cost on big tables (never deployed).

TransactWriteItems: moto snapshots a whole table with copy.deepcopy once per
transaction item so it can roll back a failed transaction. With tens of thousands
of items (a demo month) every aggregation transaction copies every table a hundred
times: minutes of CPU and gigabytes of memory. This patch snapshots only the items
the transaction targets and restores exactly those on failure, which is the same
all-or-nothing behaviour.

Query: on a table (not an index) moto sorts every item of the table, then keeps
the partition asked for, so one query costs O(table) instead of O(partition): a
report reading a month of daily rows for a thousand officials spends minutes in
that sort. The patch hands moto's query only the partition's items; results,
order, paging and filters are moto's own.

Read responses: moto serializes every response through a generic, shape-driven
serializer that costs about a millisecond per item read (70% of a query's time).
For GetItem, BatchGetItem, Query and Scan results, which are already plain
DynamoDB-JSON dicts, the patch writes the JSON directly (binary values base64, as
the serializer does); anything else, and errors, take moto's own path.

Writes: DynamoDB applies each write (a conditional put, a transaction) atomically;
moto checks a condition and then writes, in steps another thread can interleave with.
The local stack has concurrent writers (webhooks, the stream consumer, the sweep), so
every write operation runs under one lock, which gives DynamoDB's isolation.

Slow writes (tests only): MOTO_SLOW_INBOX_WRITES="<source_id>=<seconds>" makes the
moto server hold every inbox PutItem of that source that long before writing it, the
"written well after its timestamp, under load" case of issue 15 (an end-to-end test).

S3 POST object (the browser's presigned-POST upload): S3 answers it with the bucket's
CORS headers for an allowed Origin, moto with none, so a browser would see a successful
upload as a network error. The patch adds the bucket's CORS headers, as moto already does
for its other object responses.

Lambda Invoke (tests only): MOTO_LAMBDA_INVOKE_URL="<url>" hands every Invoke to that
URL (POST <url>/functions/<name>/invocations, the invocation type in its header) and
answers what it answers: the Lambda harness (tests/lambda_runtime) runs the function there
under the runtime client, where moto would need Docker and a deployed function.

Real DynamoDB and S3 need none of this.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import threading
import time
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
    _serialize_writes(models.DynamoDBBackend)
    _install_partition_query(Table)
    _install_fast_read_responses()
    _install_post_object_cors()
    if os.environ.get("MOTO_LAMBDA_INVOKE_URL"):
        _install_invoke_forwarding(os.environ["MOTO_LAMBDA_INVOKE_URL"])


def _install_invoke_forwarding(url: str) -> None:
    import urllib.error
    import urllib.request
    from urllib.parse import quote, unquote

    from moto.awslambda.responses import LambdaResponse

    def invoke(self: Any) -> tuple[int, dict[str, str], bytes]:
        function = unquote(self.path.rsplit("/", 2)[-2])
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() in ("x-amz-invocation-type", "x-amz-log-type", "content-type")
        }
        request = urllib.request.Request(
            f"{url}/functions/{quote(function, safe='')}/invocations",
            data=self.raw_body or b"",
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=900) as response:
                status, answer, payload = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            status, answer, payload = exc.code, dict(exc.headers), exc.read()
        kept = {
            k: v
            for k, v in answer.items()
            if k.lower() in ("content-type", "x-amz-function-error", "x-amzn-errortype")
        }
        return status, kept, payload

    LambdaResponse.invoke = invoke  # type: ignore[method-assign]


def _install_post_object_cors() -> None:
    from moto.s3.responses import S3Response

    post = S3Response._bucket_response_post

    def post_with_cors(self: Any, request: Any, bucket_name: str) -> Any:
        status, headers, body = post(self, request, bucket_name)
        self.bucket_name = bucket_name
        return status, {**self._get_cors_headers_other(), **headers}, body

    S3Response._bucket_response_post = post_with_cors  # type: ignore[method-assign]


_write_lock = threading.RLock()
WRITE_OPERATIONS = ("put_item", "update_item", "delete_item", "transact_write_items")


def _serialize_writes(backend_type: Any) -> None:
    for name in WRITE_OPERATIONS:
        original = getattr(backend_type, name)

        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _write_lock:
                return __original(self, *args, **kwargs)

        setattr(backend_type, name, locked)
    slow = os.environ.get("MOTO_SLOW_INBOX_WRITES", "")
    if slow:
        source_id, _, seconds = slow.partition("=")
        put_item = backend_type.put_item

        def slow_put_item(
            self: Any, table_name: str, item_attrs: Any, *args: Any, **kw: Any
        ) -> Any:
            source = (item_attrs or {}).get("source_id", {}).get("S")
            if table_name.endswith("inbox") and source == source_id:
                time.sleep(float(seconds))  # outside the write lock: others carry on
            return put_item(self, table_name, item_attrs, *args, **kw)

        backend_type.put_item = slow_put_item


_partition = threading.local()


def _install_partition_query(table_type: Any) -> None:
    all_items = table_type.all_items
    query = table_type.query

    def partition_items(self: Any) -> list[Any]:
        wanted = getattr(_partition, "key", None)
        if wanted is None or wanted[0] is not self:
            return list(all_items(self))
        found = self.items.get(wanted[1])
        if found is None:
            return []
        return list(found.values()) if self.range_key_attr else [found]

    def partition_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        if hash_key is None or kwargs.get("index_name") or (len(args) > 6 and args[6]):
            return query(self, hash_key, *args, **kwargs)
        _partition.key = (self, hash_key)
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _partition.key = None

    table_type.all_items = partition_items
    table_type.query = partition_query


FAST_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"


def _blob(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _install_fast_read_responses() -> None:
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    serialized = DynamoHandler.serialized

    def fast_serialized(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if (
            isinstance(action_result, DynamoResult)
            and isinstance(result, dict)
            and self._get_action() in FAST_READS
        ):
            try:
                body = json.dumps(result, default=_blob, separators=(",", ":"))
            except (TypeError, ValueError):
                return serialized(self, action_result)
            headers = {"Content-Type": JSON_CONTENT_TYPE, **self.response_headers}
            return 200, headers, body
        return serialized(self, action_result)

    DynamoHandler.serialized = fast_serialized  # type: ignore[method-assign]
