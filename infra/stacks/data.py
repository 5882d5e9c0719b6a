"""Storage: the KMS key, every DynamoDB table (from the app's own schemas, streams
included), the buckets, the dead-letter queue of asynchronously invoked functions and
the on-failure queue of the stream consumer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from aws_cdk import ArnFormat, Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as ddb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.storage.setup import BUCKET_CORS_METHODS, bucket_cors_rule
from infra.catalog import AUDIT_DENIED_ACTIONS, AUDIT_TABLE, BUCKETS, BucketName
from infra.config import StageConfig

# Every bucket of the stack: no public access at all, TLS >= 1.2 only, versioned.
PRIVATE_BUCKET: dict[str, Any] = {
    "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
    "enforce_ssl": True,
    "minimum_tls_version": 1.2,
    "versioned": True,
}


def log_lifecycle(rule_id: str, days: int) -> list[s3.LifecycleRule]:
    """A log bucket's lifecycle: logs expire after `days`, old versions after 30."""
    return [
        s3.LifecycleRule(
            id=rule_id,
            expiration=Duration.days(days),
            noncurrent_version_expiration=Duration.days(30),
            abort_incomplete_multipart_upload_after=Duration.days(1),
        )
    ]


def _key_schema(items: list[dict[str, str]]) -> list[ddb.CfnTable.KeySchemaProperty]:
    return [
        ddb.CfnTable.KeySchemaProperty(attribute_name=k["AttributeName"], key_type=k["KeyType"])
        for k in items
    ]


def _projection(projection: dict[str, Any]) -> ddb.CfnTable.ProjectionProperty:
    return ddb.CfnTable.ProjectionProperty(
        projection_type=projection["ProjectionType"],
        non_key_attributes=projection.get("NonKeyAttributes"),
    )


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


class Data(Construct):
    """Key, tables, buckets, DLQ. `tables`/`buckets` are keyed by logical name."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        table_specs: list[dict[str, Any]],
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        removal = RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY

        # --- KMS ------------------------------------------------------------------------
        self.key = kms.Key(
            self,
            "Key",
            alias=f"alias/{config.stack_name}",
            description="Khong Giay: tables, buckets, logs, queue, topic, webhook secrets",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        # CloudWatch Logs encrypts this stack's log groups with the key.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogs",
                principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
        # CloudWatch alarms publish to the KMS-encrypted alarm topic.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsToEncryptedTopic",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )

        # --- DynamoDB: one table per table_specs() entry ----------------------------------
        self.table_prefix = config.table_prefix
        self.tables: dict[str, ddb.CfnTable] = {}
        self.indexes: dict[str, list[str]] = {}
        for spec in table_specs:
            logical = spec["logical_name"]
            gsis = [
                ddb.CfnTable.GlobalSecondaryIndexProperty(
                    index_name=g["IndexName"],
                    key_schema=_key_schema(g["KeySchema"]),
                    projection=_projection(g["Projection"]),
                )
                for g in spec["global_secondary_indexes"]
            ]
            table = ddb.CfnTable(
                self,
                f"Table{_pascal(logical)}",
                table_name=f"{config.table_prefix}{logical}",
                billing_mode="PAY_PER_REQUEST",
                attribute_definitions=[
                    ddb.CfnTable.AttributeDefinitionProperty(
                        attribute_name=a["AttributeName"], attribute_type=a["AttributeType"]
                    )
                    for a in spec["attribute_definitions"]
                ],
                key_schema=_key_schema(spec["key_schema"]),
                global_secondary_indexes=gsis or None,
                point_in_time_recovery_specification=ddb.CfnTable.PointInTimeRecoverySpecificationProperty(
                    point_in_time_recovery_enabled=spec.get("point_in_time_recovery", True)
                ),
                sse_specification=ddb.CfnTable.SSESpecificationProperty(
                    sse_enabled=True, sse_type="KMS", kms_master_key_id=self.key.key_arn
                ),
                time_to_live_specification=(
                    ddb.CfnTable.TimeToLiveSpecificationProperty(
                        attribute_name=spec["ttl_attribute"], enabled=True
                    )
                    if spec.get("ttl_attribute")
                    else None
                ),
                stream_specification=(
                    ddb.CfnTable.StreamSpecificationProperty(
                        stream_view_type=spec["stream_view_type"]
                    )
                    if spec.get("stream_view_type")
                    else None
                ),
                deletion_protection_enabled=config.protect_data,
            )
            table.apply_removal_policy(removal)
            self.tables[logical] = table
            self.indexes[logical] = [g["IndexName"] for g in spec["global_secondary_indexes"]]
        audit = self.tables.get(AUDIT_TABLE)
        if audit is not None:
            # Append-only for every principal, people included (the roles deny it too).
            audit.resource_policy = ddb.CfnTable.ResourcePolicyProperty(
                policy_document={
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AuditTrailIsAppendOnly",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": list(AUDIT_DENIED_ACTIONS),
                            "Resource": self.table_arn(AUDIT_TABLE),
                        }
                    ],
                }
            )

        # --- S3 ---------------------------------------------------------------------------
        # Server access logs of the three data buckets. S3 log delivery writes only to
        # SSE-S3 buckets, so this one bucket is not SSE-KMS (it holds no service data).
        self.log_bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=log_lifecycle("expire-access-logs", config.access_log_expiration_days),
            removal_policy=removal,
            **PRIVATE_BUCKET,
        )

        lifecycle: dict[BucketName, list[s3.LifecycleRule]] = {
            "archive": [
                s3.LifecycleRule(
                    id="archive-to-glacier-ir",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                            transition_after=Duration.days(config.archive_transition_days),
                        )
                    ],
                    noncurrent_version_expiration=Duration.days(90),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            "uploads": [
                s3.LifecycleRule(
                    id="abort-incomplete-multipart-uploads",
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                    noncurrent_version_expiration=Duration.days(90),
                )
            ],
            "reports": [
                s3.LifecycleRule(
                    id="reports-housekeeping",
                    noncurrent_version_expiration=Duration.days(90),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
        }
        self.buckets: dict[BucketName, s3.Bucket] = {}
        for name in BUCKETS:
            self.buckets[name] = s3.Bucket(
                self,
                f"{_pascal(name)}Bucket",
                encryption=s3.BucketEncryption.KMS,
                encryption_key=self.key,
                bucket_key_enabled=True,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                server_access_logs_bucket=self.log_bucket,
                server_access_logs_prefix=f"{name}/",
                lifecycle_rules=lifecycle[name],
                removal_policy=removal,
                **PRIVATE_BUCKET,
            )
        # Object-created events of uploads reach the verification function via EventBridge
        # (set on the L1: the L2 flag adds a notification custom resource).
        uploads = self.buckets["uploads"].node.default_child
        assert isinstance(uploads, s3.CfnBucket)
        uploads.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(
                event_bridge_enabled=True
            )
        )

        # --- Dead-letter queue of async invocations (schedules, upload events) -------------
        self.dlq = self._failure_queue("AsyncFailures")
        # --- On-failure destination of the stream consumer's event source mapping -------
        # A batch that exhausts its retries lands here as a description (shard, sequence
        # numbers); its inbox items keep their pending markers, so the sweep folds them.
        self.stream_failures = self._failure_queue("StreamFailures")

    def _failure_queue(self, construct_id: str) -> sqs.Queue:
        """A queue of failed invocations: KMS-encrypted, TLS only, kept 14 days."""
        return sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.key,
            data_key_reuse=Duration.hours(1),
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )

    def allow_browsers(self, cors_origins: Sequence[str]) -> None:
        """The buckets browsers use directly (presigned POST/GET) allow these origins, with
        the rule the local stack applies (chalicelib/storage/setup.py)."""
        for name, methods in BUCKET_CORS_METHODS.items():
            rule = bucket_cors_rule(methods, tuple(cors_origins))
            self.buckets[cast(BucketName, name)].add_cors_rule(
                allowed_methods=[s3.HttpMethods(m) for m in rule["AllowedMethods"]],
                allowed_origins=list(rule["AllowedOrigins"]),
                allowed_headers=list(rule["AllowedHeaders"]),
                exposed_headers=list(rule["ExposeHeaders"]),
                max_age=int(rule["MaxAgeSeconds"]),
            )

    def table_arn(self, logical: str) -> str:
        """ARN of a table by logical name, whether or not it exists yet (future tables)."""
        return Stack.of(self).format_arn(
            service="dynamodb", resource="table", resource_name=f"{self.table_prefix}{logical}"
        )
