"""Read back everything a stack stores: every item of every DynamoDB table and every
version of every S3 object, as text, for tests that look for what must not be kept."""

from __future__ import annotations

import contextlib
import json
import zlib
from typing import Any


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)  # inbox items are compressed JSON
        return raw.decode("utf-8", "replace")
    if isinstance(value, dict):
        return " ".join(f"{k}={_text(v)}" for k, v in value.items())
    if isinstance(value, list | set | tuple):
        return " ".join(_text(v) for v in value)
    return str(value)


def dynamodb_text(ddb: Any) -> dict[str, str]:
    """table name -> the text of all its items (binary attributes decompressed)."""
    out: dict[str, str] = {}
    for page in ddb.get_paginator("list_tables").paginate():
        for table in page["TableNames"]:
            parts = []
            for scan in ddb.get_paginator("scan").paginate(TableName=table):
                for item in scan["Items"]:
                    parts.append(_text({k: _attribute(v) for k, v in item.items()}))
            out[table] = "\n".join(parts)
    return out


def _attribute(value: dict[str, Any]) -> Any:
    ((kind, inner),) = value.items()
    if kind == "M":
        return {k: _attribute(v) for k, v in inner.items()}
    if kind == "L":
        return [_attribute(v) for v in inner]
    return inner


def s3_text(s3: Any) -> dict[str, str]:
    """ "bucket/key@version" -> body and metadata, for every version of every object."""
    out: dict[str, str] = {}
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            for version in page.get("Versions", []):
                obj = s3.get_object(Bucket=name, Key=version["Key"], VersionId=version["VersionId"])
                body = obj["Body"].read()
                meta = json.dumps(obj.get("Metadata", {}), ensure_ascii=False)
                out[f"{name}/{version['Key']}@{version['VersionId']}"] = f"{_text(body)} {meta}"
    return out


def find(texts: dict[str, str], needles: dict[str, str]) -> list[tuple[str, str]]:
    """(where, needle id) for every needle found anywhere."""
    return [
        (where, ident)
        for where, text in texts.items()
        for ident, needle in needles.items()
        if needle in text
    ]
