"""CORS over real HTTP: preflights and actual requests through `chalice local`, and the
uploads bucket's CORS rule on the moto server (which answers S3 preflights itself)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

pytestmark = pytest.mark.e2e

OTHER = "https://evil.example"


def _preflight(url: str, origin: str, method: str = "GET") -> requests.Response:
    return requests.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        timeout=30,
    )


def test_chalice_local_answers_preflights_and_requests(stack, make_token):
    # The session stack serves the console on a free port and allows exactly that origin.
    console = stack.console_url
    url = stack.api_url
    for path, method in (("/units/x", "GET"), ("/webhooks/x", "POST"), ("/admin/units", "POST")):
        r = _preflight(f"{url}{path}", console, method)
        assert r.status_code == 204, (path, r.text)
        assert r.headers["Access-Control-Allow-Origin"] == console
        assert method in r.headers["Access-Control-Allow-Methods"]
        assert "Authorization" in r.headers["Access-Control-Allow-Headers"]
        refused = _preflight(f"{url}{path}", OTHER, method)
        assert "Access-Control-Allow-Origin" not in refused.headers

    token = {"Authorization": f"Bearer {make_token('viewer')}"}
    ok = requests.get(f"{url}/units", headers={**token, "Origin": console}, timeout=30)
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == console
    assert "X-Request-Id" in ok.headers["Access-Control-Expose-Headers"]
    assert "Origin" in ok.headers["Vary"]
    # The gateway's own 401 (no token) is readable by the console too.
    denied = requests.get(f"{url}/units", headers={"Origin": console}, timeout=30)
    assert denied.status_code == 401
    assert denied.headers["Access-Control-Allow-Origin"] == console
    other = requests.get(f"{url}/health", headers={"Origin": OTHER}, timeout=30)
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers


def _s3(stack: Any) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=stack.moto_url,
        region_name=stack.env["AWS_REGION"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def test_uploads_bucket_allows_the_consoles_presigned_post(stack):
    console = stack.console_url
    s3 = _s3(stack)
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].endswith("uploads"))
    bucket_url = f"{stack.moto_url}/{bucket}"

    r = _preflight(bucket_url, console, "POST")
    assert r.status_code == 200, r.text
    assert r.headers["Access-Control-Allow-Origin"] == console
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    refused = _preflight(bucket_url, OTHER, "POST")
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers

    post = s3.generate_presigned_post(
        Bucket=bucket,
        Key="cors-check/file.pdf",
        Fields={"Content-Type": "application/pdf"},
        Conditions=[{"Content-Type": "application/pdf"}],
        ExpiresIn=60,
    )
    uploaded = requests.post(
        post["url"],
        data=post["fields"],
        files={"file": ("file.pdf", b"%PDF-1.4 cors", "application/pdf")},
        headers={"Origin": console},
        timeout=30,
    )
    assert uploaded.status_code in (200, 201, 204), uploaded.text
    assert uploaded.headers["Access-Control-Allow-Origin"] == console
