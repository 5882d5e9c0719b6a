"""The uploads bucket: presigned links for a file's upload and download, and the
objects that verification reads, copies and deletes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from chalicelib.settings import get_settings

_MISSING = ("404", "NoSuchKey", "NotFound")


def presigned_post(
    key: str, content_type: str, max_bytes: int, expires_seconds: int
) -> dict[str, Any]:
    """The POST's url and fields, and `expires_at`: when S3 stops taking it."""
    from chalicelib.storage.aws import client, post_expires_at

    post = dict(
        client("s3").generate_presigned_post(
            Bucket=get_settings().uploads_bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_seconds,
        )
    )
    return {**post, "expires_at": post_expires_at(post["fields"])}


def presigned_download(
    key: str, content_type: str, disposition: str, expires_seconds: int
) -> tuple[str, dt.datetime]:
    """The link and when S3 stops honouring it."""
    from chalicelib.storage.aws import link_expires_at, presigned_get_url

    url = presigned_get_url(
        get_settings().uploads_bucket,
        key,
        content_type=content_type,
        disposition=disposition,
        expires_seconds=expires_seconds,
    )
    return url, link_expires_at(url)


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str
    etag: str


def head_upload(key: str) -> StoredObject | None:
    from botocore.exceptions import ClientError

    from chalicelib.storage.aws import client

    try:
        head = client("s3").head_object(Bucket=get_settings().uploads_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _MISSING:
            return None
        raise
    return StoredObject(
        int(head["ContentLength"]), str(head.get("ContentType") or ""), str(head["ETag"])
    )


def read_upload(key: str, sink: Any, max_bytes: int) -> StoredObject | None:
    """Copy one consistent version of the object into `sink` (at most max_bytes + 1
    bytes, so an oversized object is detected without reading it all)."""
    from botocore.exceptions import ClientError

    from chalicelib.storage.aws import client

    try:
        response = client("s3").get_object(Bucket=get_settings().uploads_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _MISSING:
            return None
        raise
    body = response["Body"]
    remaining = max_bytes + 1
    try:
        while remaining > 0:
            chunk = body.read(min(1024 * 1024, remaining))
            if not chunk:
                break
            sink.write(chunk)
            remaining -= len(chunk)
    finally:
        body.close()
    return StoredObject(
        int(response["ContentLength"]),
        str(response.get("ContentType") or ""),
        str(response["ETag"]),
    )


def put_verified(key: str, source: Any, content_type: str) -> None:
    from chalicelib.storage.aws import client

    source.seek(0)
    client("s3").put_object(
        Bucket=get_settings().uploads_bucket, Key=key, Body=source, ContentType=content_type
    )


def delete_objects(*keys: str) -> None:
    from chalicelib.storage.aws import client

    s3 = client("s3")
    for key in keys:
        s3.delete_object(Bucket=get_settings().uploads_bucket, Key=key)
