"""Lazily created boto3 clients: the first request pays for a client, imports do not."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from chalicelib.settings import get_settings

_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(service: str) -> Any:
    with _lock:
        if service not in _clients:
            import boto3
            from botocore.config import Config

            from chalicelib.storage import outages

            settings = get_settings()
            _clients[service] = outages.attach(
                boto3.client(
                    service,
                    region_name=settings.region,
                    endpoint_url=settings.endpoint_url or None,
                    config=Config(
                        retries={"mode": "standard", "max_attempts": 5},
                        # SigV4 presigned POSTs/URLs need the regional endpoint.
                        s3={"addressing_style": "path"} if settings.endpoint_url else None,
                        # Presigned POSTs and URLs default to SigV2, which S3 refuses for
                        # buckets created since 2020.
                        signature_version="s3v4" if service == "s3" else None,
                    ),
                )
            )
        return _clients[service]


def reset_clients() -> None:
    with _lock:
        _clients.clear()


def presigned_get_url(
    bucket: str, key: str, *, content_type: str, disposition: str, expires_seconds: int
) -> str:
    """A link that downloads one object for `expires_seconds`, served with these headers."""
    return str(
        client("s3").generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=expires_seconds,
        )
    )


def sse_params() -> dict[str, str]:
    """Server-side encryption of every object the service writes: the service's KMS key
    (KMS_KEY_ID always names one; locally the alias setup.create_kms_key makes)."""
    return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": get_settings().kms_key_id}


def link_expires_at(url: str) -> dt.datetime:
    """When S3 stops honouring a presigned GET link: its X-Amz-Date plus X-Amz-Expires.
    botocore signs with the host's clock, so the link, not the service's clock, says."""
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(url).query)
    signed = dt.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    return signed + dt.timedelta(seconds=int(query["X-Amz-Expires"][0]))


def post_expires_at(fields: dict[str, str]) -> dt.datetime:
    """When S3 stops honouring a presigned POST: its policy's expiration (see
    `link_expires_at`)."""
    import base64
    import json

    policy = json.loads(base64.b64decode(fields["policy"]))
    return dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
