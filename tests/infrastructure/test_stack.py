"""CDK assertions on the synthesized prod stack: roles, data protection, API, alarms."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from infra.catalog import (
    AUDIT_DENIED_ACTIONS,
    AUDIT_TABLE,
    EVENT_AND_KPI_TABLES,
    JOB_RUNNER,
    POLICIES,
    STREAM_TRIGGER,
    UPLOAD_TRIGGER,
    WEBHOOK_FUNCTION,
    WEBHOOK_ROUTES,
    InvokeGrant,
    KeyGrant,
    MailGrant,
    ObjectGrant,
    StreamGrant,
    TableGrant,
    cfn_name,
    function_specs,
)
from infra.config import load_stage
from tests.infrastructure.cfn import functions, permissions, render, role_of
from tests.infrastructure.conftest import Synth

CONFIG = load_stage("prod")
EVENT_TABLES = {"event_ledger", "inbox", "idempotency"}
DDB_WRITES = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
}


def _expected(spec_name: str) -> dict[str, Any]:
    spec = function_specs()[spec_name]
    grants = POLICIES[spec.policy]
    tables: dict[str, set[str]] = defaultdict(set)
    objects: dict[tuple[str, str], set[str]] = defaultdict(set)
    listing: dict[tuple[str, str], set[str]] = defaultdict(set)
    key: set[str] = set()
    streams: dict[str, set[str]] = defaultdict(set)
    mail: set[tuple[str, str]] = set()
    invoke: dict[str, set[str]] = defaultdict(set)
    for g in grants:
        if isinstance(g, MailGrant):
            mail |= MAIL_STATEMENTS[g.what]
        elif isinstance(g, StreamGrant):
            streams[g.table].update(g.iam_actions)
        elif isinstance(g, TableGrant):
            tables[g.table].update(g.iam_actions)
        elif isinstance(g, ObjectGrant):
            for action in g.iam_actions:
                bucket_level = action in ("s3:ListBucket", "s3:ListBucketVersions")
                target = listing if bucket_level else objects
                target[(g.bucket, g.prefix)].add(action)
        elif isinstance(g, KeyGrant):
            key.update(g.iam_actions)
        elif isinstance(g, InvokeGrant):
            invoke[g.function].update(g.iam_actions)
    if spec.invocation in ("async", "stream"):
        key.update({"kms:Decrypt", "kms:GenerateDataKey"})
    return {
        "spec": spec,
        "tables": tables,
        "objects": objects,
        "listing": listing,
        "key": key,
        "streams": streams,
        "mail": mail,
        "invoke": invoke,
    }


# What each MailGrant allows (infra/stacks/mail.py), as cfn.permissions renders it: sending
# from the service's identity through its configuration set, reading the unsubscribe links'
# key, reading the stack's own alarms.
MAIL_STATEMENTS: dict[str, set[tuple[str, str]]] = {
    "send": {
        (
            "ses:SendRawEmail",
            "arn:aws:ses:ap-southeast-1:ACCOUNT:identity/khonggiay.example.gov.vn",
        ),
        (
            "ses:SendRawEmail",
            "arn:aws:ses:ap-southeast-1:ACCOUNT:configuration-set/khong-giay-prod-mail",
        ),
    },
    "link_secret": {("secretsmanager:GetSecretValue", "<WiringMailUnsubscribeLinkKey0EB54146>")},
    "alarms": {
        (
            "cloudwatch:DescribeAlarms",
            "arn:aws:cloudwatch:ap-southeast-1:ACCOUNT:alarm:khong-giay-prod-*",
        )
    },
}


# --- every function: its own role, exactly the catalog's permissions -----------------------


def test_every_function_is_in_the_catalog_and_has_its_own_role(synth: Synth) -> None:
    fns = functions(synth.template)
    assert {"APIHandler", "JwtAuthorizer", WEBHOOK_FUNCTION} <= set(fns)
    roles = [role_of(synth.template, fn)[0] for fn in fns.values()]
    assert len(roles) == len(set(roles)), "two functions share a role"
    for name in fns:
        assert name in function_specs(), f"{name} has no FunctionSpec"


def test_each_role_allows_exactly_what_the_catalog_grants(synth: Synth) -> None:
    for name, fn in functions(synth.template).items():
        expected = _expected(name)
        spec = expected["spec"]
        _, role = role_of(synth.template, fn)
        assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
            "Service": "lambda.amazonaws.com"
        }
        assert not role["Properties"].get("ManagedPolicyArns"), name
        p = permissions(role)
        assert set(p.other) == expected["mail"], (
            f"{name}: statements outside the catalog: {p.other}"
        )
        assert dict(p.tables) == dict(expected["tables"]), name
        assert dict(p.objects) == dict(expected["objects"]), name
        assert dict(p.listing) == dict(expected["listing"]), name
        assert p.key == expected["key"], name
        # logs: its own log group only
        assert dict(p.logs) == {
            f"/aws/lambda/khong-giay-prod-{name}": {"logs:CreateLogStream", "logs:PutLogEvents"}
        }, name
        # '*' only for X-Ray, and only when traced
        assert p.star == (
            {"xray:PutTraceSegments", "xray:PutTelemetryRecords"} if spec.tracing else set()
        ), name
        assert dict(p.queues) == {
            "async": {"dlq": {"sqs:SendMessage"}},
            "stream": {"stream_failures": {"sqs:SendMessage"}},
        }.get(spec.invocation, {}), name
        assert dict(p.streams) == dict(expected["streams"]), name
        assert dict(p.invoke) == dict(expected["invoke"]), name
        # index permissions: only for tables it may Query/Scan, and only their real indexes
        for index, actions in p.indexes.items():
            table = index.split("/")[0]
            assert actions == expected["tables"][table], (name, index)
            assert expected["tables"][table] & {"dynamodb:Query", "dynamodb:Scan"}


def test_the_api_function_cannot_write_the_event_and_kpi_tables(synth: Synth) -> None:
    """Jobs run in RunJob, not in the API function: its role reads the KPI tables and may
    only start the runner; the runner holds the writes the jobs need."""
    fns = functions(synth.template)
    _, role = role_of(synth.template, fns["APIHandler"])
    p = permissions(role)
    # The tables issue 19 names, whatever becomes of the catalog's list.
    assert {"documents", "daily", "event_ledger", "inbox"} <= EVENT_AND_KPI_TABLES
    for table_name in EVENT_AND_KPI_TABLES:
        assert not (p.tables.get(table_name, set()) & DDB_WRITES), table_name
    assert not p.listing.get(("archive", "archive/")) and ("archive", "archive/") not in p.objects
    assert dict(p.invoke) == {JOB_RUNNER: {"lambda:InvokeFunction"}}
    env = fns["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert render(env["JOB_RUNNER_FUNCTION"]) == f"khong-giay-prod-{JOB_RUNNER}"
    runner = fns[JOB_RUNNER]
    assert function_specs()[JOB_RUNNER].invocation == "async"
    assert "DeadLetterQueue" in runner["Properties"]
    _, runner_role = role_of(synth.template, runner)
    writes = permissions(runner_role).tables
    for table_name in ("daily", "documents", "event_ledger", "inbox", "job_runs"):
        assert writes[table_name] & DDB_WRITES, table_name


def test_every_role_denies_changing_the_audit_trail(synth: Synth) -> None:
    for name, fn in functions(synth.template).items():
        _, role = role_of(synth.template, fn)
        denies = permissions(role).denies
        assert any(
            set(d["Action"]) >= set(AUDIT_DENIED_ACTIONS)
            and render(d["Resource"]).endswith(f":table/khong-giay-prod-{AUDIT_TABLE}")
            for d in denies
        ), f"{name}: no Deny of {AUDIT_DENIED_ACTIONS} on the audit table"


def test_webhook_role_cannot_read_reports(synth: Synth) -> None:
    fn = functions(synth.template)[WEBHOOK_FUNCTION]
    p = permissions(role_of(synth.template, fn)[1])
    assert not any(bucket == "reports" for bucket, _ in p.objects)
    assert "reports" not in p.tables
    assert not any(bucket == "reports" for bucket, _ in p.listing)
    # and the archive only as write-only, under archive/
    assert dict(p.objects) == {("archive", "archive/"): {"s3:PutObject"}}


def test_authorizer_role_has_nothing_but_logs(synth: Synth) -> None:
    fn = functions(synth.template)["JwtAuthorizer"]
    p = permissions(role_of(synth.template, fn)[1])
    assert not (p.tables or p.objects or p.listing or p.key or p.star or p.queues or p.other)
    assert list(p.logs) == ["/aws/lambda/khong-giay-prod-JwtAuthorizer"]


def test_report_policy_cannot_write_events_or_read_the_archive() -> None:
    grants = POLICIES["reports"]
    for g in grants:
        if isinstance(g, TableGrant) and g.table in EVENT_TABLES:
            assert not set(g.iam_actions) & DDB_WRITES, g
        if isinstance(g, ObjectGrant):
            assert g.bucket == "reports", g
    assert not any(isinstance(g, TableGrant) and g.table in EVENT_TABLES for g in grants)


def test_audit_grants_are_append_only_in_the_catalog() -> None:
    for name, grants in POLICIES.items():
        for g in grants:
            if isinstance(g, TableGrant) and g.table == AUDIT_TABLE:
                assert not set(g.iam_actions) & set(AUDIT_DENIED_ACTIONS), name


def test_every_function_has_log_group_retention_concurrency_and_environment(
    synth: Synth,
) -> None:
    groups = {
        r["Properties"]["LogGroupName"]: r for r in synth.resources("AWS::Logs::LogGroup").values()
    }
    for name, fn in functions(synth.template).items():
        props = fn["Properties"]
        spec = function_specs()[name]
        reserved = CONFIG.reserved_concurrency.get(name, spec.reserved_concurrency)
        assert props["ReservedConcurrentExecutions"] == reserved, name
        group_name = f"/aws/lambda/khong-giay-prod-{name}"
        group = groups[group_name]
        assert group["Properties"]["RetentionInDays"] == (
            spec.log_retention_days or CONFIG.log_retention_days
        )
        assert "KmsKeyId" in group["Properties"]
        assert render(props["LoggingConfig"]["LogGroup"]).startswith("<"), name
        env = props["Environment"]["Variables"]
        for var in (
            "STAGE",
            "TABLE_PREFIX",
            "ARCHIVE_BUCKET",
            "UPLOADS_BUCKET",
            "REPORTS_BUCKET",
            "KMS_KEY_ID",
            "AUTH_JWKS_URL",
            "AUTH_ISSUER",
            "AUTH_AUDIENCE",
        ):
            assert var in env, (name, var)
        assert env["STAGE"] == "prod" and env["TABLE_PREFIX"] == "khong-giay-prod-"
        # The sweep leaves the stream's young items to it (issue 23's burst; 0 locally).
        assert env["SWEEP_MIN_AGE_SECONDS"] == "300", name
        assert render(env["AUTH_JWKS_URL"]).endswith("/.well-known/jwks.json")
        if spec.invocation == "async":
            assert render(props["DeadLetterQueue"]["TargetArn"]).startswith("<DataAsyncFailures")


def test_webhook_function_mirrors_the_api_handler_package(synth: Synth) -> None:
    fns = functions(synth.template)
    api, hook = fns["APIHandler"]["Properties"], fns[WEBHOOK_FUNCTION]["Properties"]
    assert hook["Handler"] == api["Handler"] == "app.app"
    assert hook["Runtime"] == api["Runtime"]
    assert hook["Code"]["S3Key"] == api["CodeUri"]["Key"]
    assert hook["MemorySize"] == api["MemorySize"] and hook["Timeout"] == api["Timeout"]
    assert hook["TracingConfig"] == {"Mode": "Active"}


# --- API Gateway ---------------------------------------------------------------------------


def _api(synth: Synth) -> dict[str, Any]:
    return synth.template["Resources"]["RestAPI"]["Properties"]


def test_webhook_routes_are_served_by_the_webhook_function(synth: Synth) -> None:
    paths = _api(synth)["DefinitionBody"]["paths"]
    hook_logical = next(
        k
        for k, v in synth.template["Resources"].items()
        if v["Type"] == "AWS::Lambda::Function"
        and v["Properties"]["FunctionName"].endswith(WEBHOOK_FUNCTION)
    )
    for path, operations in paths.items():
        for method, op in operations.items():
            uri = render(op["x-amazon-apigateway-integration"]["uri"])
            if (path, method) in WEBHOOK_ROUTES:
                assert f"<{hook_logical}.Arn>" in uri, (path, method)
            else:
                assert "<APIHandler.Arn>" in uri, (path, method)
    permissions_ = [
        p["Properties"]
        for p in synth.resources("AWS::Lambda::Permission").values()
        if render(p["Properties"]["FunctionName"]) == f"<{hook_logical}.Arn>"
    ]
    assert len(permissions_) == 1
    assert permissions_[0]["Principal"] == "apigateway.amazonaws.com"
    assert render(permissions_[0]["SourceArn"]).endswith("<RestAPI>/*/POST/webhooks/*")


def test_gateway_responses_use_the_service_error_shape(synth: Synth) -> None:
    from chalicelib.errors import GATEWAY_ERRORS

    responses = _api(synth)["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    expected_status = {
        "UNAUTHORIZED": 401,
        "ACCESS_DENIED": 403,
        "MISSING_AUTHENTICATION_TOKEN": 404,
        "DEFAULT_5XX": 500,
    }
    for response_type, status in expected_status.items():
        entry = responses[response_type]
        body = json.loads(entry["responseTemplates"]["application/json"])
        code, message = GATEWAY_ERRORS[status]
        assert body == {
            "error": {
                "code": code,
                "message": message,
                "details": [],
                "request_id": "$context.requestId",
            }
        }
        assert entry["responseParameters"]["gatewayresponse.header.X-Request-Id"] == (
            "context.requestId"
        )
        if response_type != "DEFAULT_5XX":
            assert entry["statusCode"] == str(status)
    assert "DEFAULT_4XX" in responses
    assert json.loads(responses["DEFAULT_4XX"]["responseTemplates"]["application/json"])["error"]


def test_api_stage_throttling_logging_and_tracing_are_explicit(synth: Synth) -> None:
    api = _api(synth)
    (setting,) = api["MethodSettings"]
    assert setting["ThrottlingRateLimit"] == CONFIG.api_throttle_rate
    assert setting["ThrottlingBurstLimit"] == CONFIG.api_throttle_burst
    assert setting["ResourcePath"] == "/*" and setting["HttpMethod"] == "*"
    assert setting["DataTraceEnabled"] is False
    assert api["TracingEnabled"] is True
    assert render(api["AccessLogSetting"]["DestinationArn"]).startswith("<WiringApiAccessLogs")
    assert json.loads(api["AccessLogSetting"]["Format"])["requestId"] == "$context.requestId"


def test_the_public_feedback_route_has_a_waf_rate_rule_on_the_stage(synth: Synth) -> None:
    resources = synth.template["Resources"]
    (acl_id,) = [k for k, r in resources.items() if r["Type"] == "AWS::WAFv2::WebACL"]
    acl = resources[acl_id]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    (rule,) = acl["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate["Limit"] == CONFIG.feedback_waf_limit and rate["AggregateKeyType"] == "IP"
    assert rate["EvaluationWindowSec"] == 300
    match = rate["ScopeDownStatement"]["ByteMatchStatement"]
    assert (match["SearchString"], match["PositionalConstraint"]) == ("/feedback", "ENDS_WITH")
    assert match["FieldToMatch"] == {"UriPath": {}}
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    assert response["ResponseHeaders"] == [{"Name": "Retry-After", "Value": "300"}]
    body = json.loads(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])
    assert body["error"]["code"] == "rate_limited"
    (assoc,) = [r for r in resources.values() if r["Type"] == "AWS::WAFv2::WebACLAssociation"]
    arn, names = assoc["Properties"]["ResourceArn"]["Fn::Sub"]
    # The stage through SAM's referenceable property: the name and, after the transform,
    # the dependency on the generated stage (no DependsOn: cfn-lint W3005).
    assert arn.endswith("/restapis/${Api}/stages/${RestAPI.Stage}")
    assert names == {"Api": {"Ref": "RestAPI"}}
    assert assoc["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert "DependsOn" not in assoc


# --- schedules -----------------------------------------------------------------------------


def _expected_schedule(spec: Any) -> str | None:
    if spec.every_minutes:
        unit = "minute" if spec.every_minutes == 1 else "minutes"
        return f"rate({spec.every_minutes} {unit})"
    if spec.cron_utc:
        minute, hour, dom = spec.cron_utc
        return f"cron({minute} {hour} {dom} * ? *)"
    return None


# The jobs meant to run only by hand; every other job is a sweep that must run on its
# schedule in AWS (verify_uploads: abandoned uploads expire only if it runs).
BY_HAND_ONLY = {"rebuild_events"}


def test_schedules_match_job_specs_in_utc(synth: Synth) -> None:
    from chalicelib.jobs.catalog import job_specs

    # A job that lost its schedule in the catalog fails here (below it would be skipped
    # as "run by hand only").
    unscheduled = {j.name for j in job_specs().values() if _expected_schedule(j) is None}
    assert unscheduled == BY_HAND_ONLY, unscheduled
    assert "verify_uploads" in job_specs() and "verify_uploads" not in unscheduled

    fns = functions(synth.template)
    scheduled = {
        name: [
            e["Properties"]["Schedule"]
            for e in fn["Properties"].get("Events", {}).values()
            if e["Type"] == "Schedule"
        ]
        for name, fn in fns.items()
    }
    # A lost schedule must fail here, not skip: every job with a schedule is checked below.
    assert any(scheduled.values()), "the app registers no Chalice schedule (jobs/schedules.py)"
    for job in job_specs().values():
        expression = _expected_schedule(job)
        if expression is None:
            continue  # run by hand only
        name = cfn_name(job.name)
        assert name in fns, f"job {job.name} has a schedule but no function {name}"
        assert scheduled[name] == [expression], (job.name, scheduled[name])
        assert function_specs()[name].invocation == "async"


def test_job_functions_with_schedules_have_catalog_entries() -> None:
    from chalicelib.jobs.catalog import job_specs

    for job in job_specs().values():
        if _expected_schedule(job) is not None:
            assert cfn_name(job.name) in function_specs(), job.name


def test_upload_trigger_when_the_function_exists(synth: Synth) -> None:
    function, _, prefix = UPLOAD_TRIGGER
    rules = synth.resources("AWS::Events::Rule")
    # A lost trigger must fail here, not skip.
    assert function in functions(synth.template), f"no {function} function in the app"
    (rule,) = rules.values()
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"]["key"] == [{"prefix": prefix}]
    assert render(pattern["detail"]["bucket"]["name"][0]).startswith("<DataUploadsBucket")


def test_the_inbox_stream_feeds_the_consumer_with_partial_batches_retries_and_a_dlq(
    synth: Synth,
) -> None:
    from chalicelib.jobs import stream as mapping

    function, table = STREAM_TRIGGER
    fn = functions(synth.template)[function]
    (source,) = fn["Properties"]["Events"].values()
    assert source["Type"] == "DynamoDB"
    props = source["Properties"]
    tables = synth.resources("AWS::DynamoDB::Table")
    (inbox_id,) = [
        k for k, t in tables.items() if render(t["Properties"]["TableName"]).endswith(f"-{table}")
    ]
    assert tables[inbox_id]["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    assert props["Stream"] == {"Fn::GetAtt": [inbox_id, "StreamArn"]}
    assert props["StartingPosition"] == "TRIM_HORIZON"
    assert props["BatchSize"] == mapping.BATCH_SIZE
    assert props["MaximumBatchingWindowInSeconds"] == mapping.BATCH_WINDOW_SECONDS > 0
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert props["MaximumRetryAttempts"] == mapping.MAXIMUM_RETRY_ATTEMPTS
    destination = render(props["DestinationConfig"]["OnFailure"]["Destination"])
    assert re.fullmatch(r"<DataStreamFailures\w+\.Arn>", destination), destination
    queue_id = destination.strip("<>").split(".")[0]
    queue = synth.template["Resources"][queue_id]["Properties"]
    assert render(queue["KmsMasterKeyId"]).startswith("<DataKey")
    # only the consumer reads the stream
    for name, other in functions(synth.template).items():
        _, role = role_of(synth.template, other)
        assert bool(permissions(role).streams) == (name == function), name


# --- data protection -----------------------------------------------------------------------


def test_tables_are_on_demand_pitr_kms_protected(template: Any, synth: Synth) -> None:
    from aws_cdk.assertions import Match

    tables = synth.resources("AWS::DynamoDB::Table")
    assert tables
    template.all_resources_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": {
                "SSEEnabled": True,
                "SSEType": "KMS",
                "KMSMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("^DataKey"), "Arn"]},
            },
            "DeletionProtectionEnabled": True,
        },
    )
    from chalicelib.storage.models import NO_POINT_IN_TIME_RECOVERY

    for table in tables.values():
        assert table["DeletionPolicy"] == "Retain"
        assert table["UpdateReplacePolicy"] == "Retain"
        # every table keeps its history but the ballot box (secrecy: see storage/models.py)
        name = table["Properties"]["TableName"].removeprefix("khong-giay-prod-")
        pitr = table["Properties"]["PointInTimeRecoverySpecification"]
        assert pitr == {"PointInTimeRecoveryEnabled": name not in NO_POINT_IN_TIME_RECOVERY}
    assert set(NO_POINT_IN_TIME_RECOVERY) == {"council_ballots"}
    # cdk-nag's PITR finding on the box is suppressed with the reason, not left as a warning
    import csv

    report = synth.outdir / "AwsSolutions--khong-giay-prod-NagReport.csv"
    rows = list(csv.DictReader(report.read_text(encoding="utf-8").splitlines()))
    findings = {r["Resource ID"]: r for r in rows if r["Rule ID"] == "AwsSolutions-DDB3"}
    assert len(findings) == len(tables)
    for resource, row in findings.items():
        if resource.endswith("/Data/TableCouncilBallots"):
            assert (
                row["Compliance"] == "Suppressed" and "secrecy" in row["Exception Reason"].lower()
            )
        else:
            assert row["Compliance"] == "Compliant", row


def test_ttl_where_the_app_expires_items(synth: Synth) -> None:
    from chalicelib.storage.tables import table_specs

    tables = {
        r["Properties"]["TableName"].removeprefix("khong-giay-prod-"): r["Properties"]
        for r in synth.resources("AWS::DynamoDB::Table").values()
    }
    for spec in table_specs():
        ttl = tables[spec["logical_name"]].get("TimeToLiveSpecification")
        if spec["ttl_attribute"]:
            assert ttl == {"AttributeName": spec["ttl_attribute"], "Enabled": True}
        else:
            assert ttl is None


def test_key_rotates(template: Any) -> None:
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    template.resource_count_is("AWS::KMS::Key", 1)


def _buckets(synth: Synth) -> dict[str, dict[str, Any]]:
    out = {}
    for logical, r in synth.resources("AWS::S3::Bucket").items():
        for name in ("Archive", "Uploads", "Reports", "AccessLogs"):
            if logical.startswith(f"Data{name}"):
                out[name.lower()] = {"logical": logical, **r}
    assert set(out) == {"archive", "uploads", "reports", "accesslogs"}
    return out


def test_data_buckets_are_private_kms_versioned_logged(synth: Synth) -> None:
    buckets = _buckets(synth)
    log_bucket = buckets["accesslogs"]["logical"]
    for name in ("archive", "uploads", "reports"):
        props = buckets[name]["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        assert render(rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]).startswith(
            "<DataKey"
        )
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": log_bucket}
        assert props["LoggingConfiguration"]["LogFilePrefix"] == f"{name}/"
        assert buckets[name]["DeletionPolicy"] == "Retain"


def test_lifecycle_rules(synth: Synth) -> None:
    buckets = _buckets(synth)
    uploads = buckets["uploads"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any(
        r.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation") for r in uploads
    )
    archive = buckets["archive"]["Properties"]["LifecycleConfiguration"]["Rules"]
    transitions = [t for r in archive for t in r.get("Transitions", [])]
    assert transitions == [
        {"StorageClass": "GLACIER_IR", "TransitionInDays": CONFIG.archive_transition_days}
    ]
    assert CONFIG.archive_transition_days == 90


def test_every_bucket_policy_requires_tls_1_2(synth: Synth) -> None:
    buckets = _buckets(synth)
    policies = {
        p["Properties"]["Bucket"]["Ref"]: p["Properties"]["PolicyDocument"]["Statement"]
        for p in synth.resources("AWS::S3::BucketPolicy").values()
    }
    for name, bucket in buckets.items():
        st = policies[bucket["logical"]]
        denies = [s for s in st if s["Effect"] == "Deny" and s["Principal"] == {"AWS": "*"}]
        assert any(
            s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and s["Action"] == "s3:*"
            for s in denies
        ), name
        assert any(
            s["Condition"] == {"NumericLessThan": {"s3:TlsVersion": 1.2}} and s["Action"] == "s3:*"
            for s in denies
        ), name


# --- Cognito -------------------------------------------------------------------------------


def test_users_cannot_write_their_role_or_unit(synth: Synth) -> None:
    (pool,) = synth.resources("AWS::Cognito::UserPool").values()
    props = pool["Properties"]
    custom = {a["Name"] for a in props["Schema"] if a.get("AttributeDataType") == "String"}
    assert {"role", "unit_id"} <= custom
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    (client,) = synth.resources("AWS::Cognito::UserPoolClient").values()
    writable = client["Properties"]["WriteAttributes"]
    assert writable and not any(a.startswith("custom:") for a in writable)
    assert {"custom:role", "custom:unit_id"} <= set(client["Properties"]["ReadAttributes"])
    assert client["Properties"]["GenerateSecret"] is False


# --- alarms --------------------------------------------------------------------------------


def test_mail_feedback_reaches_ses_feedback_and_redrives_to_the_dlq(synth: Synth) -> None:
    (config_set,) = synth.resources("AWS::SES::ConfigurationSet").values()
    assert config_set["Properties"]["Name"] == "khong-giay-prod-mail"
    (destination,) = synth.resources("AWS::SES::ConfigurationSetEventDestination").values()
    events = destination["Properties"]["EventDestination"]["MatchingEventTypes"]
    # bounces and complaints suppress; sends confirm the ledger (domain/notifications.py)
    assert set(events) == {"bounce", "complaint", "send"}
    (identity,) = synth.resources("AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == CONFIG.mail_domain
    (lambda_sub,) = [
        s
        for s in synth.resources("AWS::SNS::Subscription").values()
        if s["Properties"]["Protocol"] == "lambda"
    ]
    assert render(lambda_sub["Properties"]["Endpoint"]).startswith("<SesFeedback")
    assert render(lambda_sub["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]).startswith(
        "<DataAsyncFailures"
    )
    topics = synth.resources("AWS::SNS::Topic").values()
    assert all(t["Properties"].get("KmsMasterKeyId") for t in topics)


def test_unsubscribe_links_name_the_api_without_a_custom_domain(synth: Synth) -> None:
    """The functions that send mail put the API's address in every one-click unsubscribe
    link (settings.public_api_url): with no custom domain (this stage), the generated
    endpoint of the stack's REST API and stage, never the local default."""
    assert not CONFIG.api_domain_name
    senders = {
        name
        for name, spec in function_specs().items()
        if any(isinstance(g, MailGrant) and g.what == "send" for g in POLICIES[spec.policy])
    }
    assert senders == {"Notifications", JOB_RUNNER}
    stage = synth.template["Resources"]["RestAPI"]["Properties"]["StageName"]
    expected = f"https://<RestAPI>.execute-api.REGION.amazonaws.com/{stage}/"
    for name, fn in functions(synth.template).items():
        env = fn["Properties"]["Environment"]["Variables"]
        if name in senders:
            assert render(env["PUBLIC_API_URL"]) == expected, name
        else:
            assert "PUBLIC_API_URL" not in env, name  # it writes no link; no stale default
    # SES's Send events confirm the ledger: the feedback function may update it, no more.
    _, role = role_of(synth.template, functions(synth.template)["SesFeedback"])
    assert permissions(role).tables["mail_ledger"] == {"dynamodb:UpdateItem"}


def test_alarms_cover_functions_api_dlq_and_silent_sources(synth: Synth) -> None:
    alarms = [a["Properties"] for a in synth.resources("AWS::CloudWatch::Alarm").values()]
    (topic,) = [
        t for t in synth.resources("AWS::SNS::Topic") if t.startswith("MonitoringAlarmTopic")
    ]
    for a in alarms:
        assert a["AlarmActions"] == [{"Ref": topic}]

    def has(namespace: str, metric: str, **dims: str) -> bool:
        for a in alarms:
            found = {d["Name"]: d["Value"] for d in a.get("Dimensions", [])}
            if a["Namespace"] == namespace and a["MetricName"] == metric and found == dims:
                return True
        return False

    for name in functions(synth.template):
        for metric in ("Errors", "Throttles"):
            assert has("AWS/Lambda", metric, FunctionName=f"khong-giay-prod-{name}"), (name, metric)
    assert has("AWS/ApiGateway", "5XXError", ApiName="khong-giay-prod", Stage="v1")
    assert any(
        a["Namespace"] == "AWS/SQS" and a["MetricName"] == "ApproximateNumberOfMessagesVisible"
        for a in alarms
    )
    assert has("KhongGiay", "SilentSources", **CONFIG.silent_sources_dimensions)
    # the hub connector: a hub unreachable for an hour (issue 25)
    assert has("KhongGiay", "HubUnreachableMinutes", **CONFIG.silent_sources_dimensions)
    (hub_alarm,) = [a for a in alarms if a["MetricName"] == "HubUnreachableMinutes"]
    assert hub_alarm["Threshold"] == 60 and hub_alarm["Statistic"] == "Maximum"
    queues = [
        render(d["Value"])
        for a in alarms
        if a["MetricName"] == "ApproximateNumberOfMessagesVisible"
        for d in a["Dimensions"]
    ]
    assert any(q.startswith("<DataStreamFailures") for q in queues), queues
    (age,) = [a for a in alarms if a["MetricName"] == "IteratorAge"]
    assert age["Dimensions"] == [{"Name": "FunctionName", "Value": "khong-giay-prod-FoldInbox"}]
    assert age["Statistic"] == "Maximum" and age["Threshold"] == 60_000
    (subscription,) = [
        s
        for s in synth.resources("AWS::SNS::Subscription").values()
        if s["Properties"]["Protocol"] == "email"
    ]
    assert subscription["Properties"]["Endpoint"] == CONFIG.alarm_email


def test_the_hub_connector_has_its_function_schedule_and_only_its_grants(synth: Synth) -> None:
    """Issue 25: pull_hubs runs as its own function every minute, decrypts the hubs'
    secrets with the service key (never Encrypt), and only it and the job runner write hub
    state."""
    from infra.catalog import POLICIES, KeyGrant, TableGrant

    fns = functions(synth.template)
    assert "PullHubs" in fns
    schedules = [
        e["Properties"]["Schedule"]
        for e in fns["PullHubs"]["Properties"].get("Events", {}).values()
        if e["Type"] == "Schedule"
    ]
    assert schedules == ["rate(1 minute)"]
    grants = POLICIES[function_specs()["PullHubs"].policy]
    keys = [g for g in grants if isinstance(g, KeyGrant)]
    assert keys and all("Encrypt" not in g.actions for g in keys)
    assert any("Decrypt" in g.actions for g in keys)
    writers = {
        name
        for name, policy in POLICIES.items()
        for g in policy
        if isinstance(g, TableGrant)
        and g.table in ("hub_state", "hub_packages")
        and "PutItem" in g.actions
    }
    # POST /admin/jobs/pull_hubs runs the connector in RunJob (issue 19), not in the API.
    assert writers == {"pull_hubs", "job_runner"}
