"""Idempotent creation of every table and bucket (local stack and tests).

In AWS the CDK app creates them from the same definitions (tables.table_specs).
"""

from __future__ import annotations

from typing import Any

from chalicelib.settings import get_settings
from chalicelib.storage import tables
from chalicelib.storage.aws import client


def create_all_tables() -> list[str]:
    created = []
    ddb = client("dynamodb")
    existing = set(ddb.list_tables().get("TableNames", []))
    for spec in tables.table_specs():
        name = spec["table_name"]
        if name in existing:
            continue
        kwargs = {
            "TableName": name,
            "AttributeDefinitions": spec["attribute_definitions"],
            "KeySchema": spec["key_schema"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if spec["global_secondary_indexes"]:
            kwargs["GlobalSecondaryIndexes"] = spec["global_secondary_indexes"]
        if spec["stream_view_type"]:
            kwargs["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": spec["stream_view_type"],
            }
        ddb.create_table(**kwargs)
        if spec["ttl_attribute"]:
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": spec["ttl_attribute"]},
            )
        created.append(name)
    return created


def bucket_names() -> list[str]:
    s = get_settings()
    return [s.archive_bucket, s.uploads_bucket, s.reports_bucket]


def create_all_buckets() -> list[str]:
    s3 = client("s3")
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    created = []
    region = get_settings().region
    for name in bucket_names():
        if name in existing:
            continue
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        if name == get_settings().archive_bucket:
            # Versioned as in AWS, so that redaction (which deletes old versions) is tested
            # against the same behaviour.
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        created.append(name)
    return created


# Browsers talk to two buckets directly, from the CORS_ALLOWED_ORIGINS only: the presigned
# POST of a nomination file (and its download link), and report downloads. infra applies
# the same rules to the buckets in AWS.
BUCKET_CORS_METHODS: dict[str, tuple[str, ...]] = {
    "uploads": ("GET", "POST"),
    "reports": ("GET",),
}
BUCKET_CORS_MAX_AGE_SECONDS = 600


def bucket_cors_rule(methods: tuple[str, ...], origins: tuple[str, ...]) -> dict[str, Any]:
    """One S3 CORSRule (boto3 shape). One rule per bucket: S3 uses the first matching one."""
    return {
        "AllowedMethods": list(methods),
        "AllowedOrigins": list(origins),
        "AllowedHeaders": ["Content-Type"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": BUCKET_CORS_MAX_AGE_SECONDS,
    }


def configure_bucket_cors() -> list[str]:
    s = get_settings()
    names = {"uploads": s.uploads_bucket, "reports": s.reports_bucket}
    s3 = client("s3")
    configured = []
    for logical, methods in BUCKET_CORS_METHODS.items():
        if not s.cors_allowed_origins:
            s3.delete_bucket_cors(Bucket=names[logical])
            continue
        rule = bucket_cors_rule(methods, s.cors_allowed_origins)
        s3.put_bucket_cors(Bucket=names[logical], CORSConfiguration={"CORSRules": [rule]})
        configured.append(names[logical])
    return configured


def create_kms_key() -> list[str]:
    """The key that encrypts webhook secrets and archives (an alias, as in AWS)."""
    kms = client("kms")
    alias = get_settings().kms_key_id
    if not alias.startswith("alias/"):
        return []
    aliases = {a["AliasName"] for a in kms.list_aliases().get("Aliases", [])}
    if alias in aliases:
        return []
    key_id = kms.create_key(Description="Không Giấy local key")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return [alias]


def create_mail_identity() -> list[str]:
    """The sender's domain as an SES identity (moto's SES sends only from one; in AWS the
    stack creates and verifies it)."""
    from email.utils import parseaddr

    from chalicelib.storage.mail import verify_sender_identity

    domain = parseaddr(get_settings().mail_from)[1].rpartition("@")[2]
    if not domain:
        return []
    verify_sender_identity(domain)
    return [domain]


def create_all() -> dict[str, list[str]]:
    return {
        "tables": create_all_tables(),
        "buckets": create_all_buckets(),
        "bucket_cors": configure_bucket_cors(),
        "keys": create_kms_key(),
        "mail": create_mail_identity(),
    }
