"""Every Lambda function of the service and exactly what its role may do.

This file is the least-privilege table. A new function, table or permission is
one line here:

- a Chalice function (`@app.lambda_function(name="x")`, a schedule `name="x"`) appears
  in the packaged template as logical id `X` (CamelCase of the name); synth fails until
  it has a `FunctionSpec` below, so nothing ever runs with a role nobody reviewed;
- a table is granted by its logical name (`chalicelib.storage.models`); a test fails
  while a table from `table_specs()` is granted to no function;
- buckets are "archive", "uploads", "reports" (settings ARCHIVE/UPLOADS/REPORTS_BUCKET),
  granted per key prefix.

Every role also gets: write to its own log group, X-Ray segments (when traced), SQS
SendMessage to the async-failure queue (async functions) or to the stream-failure queue
(stream consumers: their mapping's on-failure destination), and an explicit Deny of
update/delete on the audit table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# --- Grants ----------------------------------------------------------------------------

# DynamoDB action groups (short names; "dynamodb:" is added).
READ = ("GetItem", "BatchGetItem", "Query", "Scan")
WRITE = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "ConditionCheckItem")
RW = READ + WRITE

# The audit trail is append-only: every role is denied these on the audit table.
AUDIT_TABLE = "audit"
AUDIT_DENIED_ACTIONS = (
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
)

BucketName = Literal["archive", "uploads", "reports"]
BUCKETS: tuple[BucketName, ...] = ("archive", "uploads", "reports")


@dataclass(frozen=True)
class TableGrant:
    table: str  # logical name, e.g. "units"
    actions: tuple[str, ...]

    @property
    def iam_actions(self) -> list[str]:
        return [f"dynamodb:{a}" for a in self.actions]


@dataclass(frozen=True)
class ObjectGrant:
    bucket: BucketName
    prefix: str  # key prefix, e.g. "archive/"; objects under it only
    # "GetObject", "PutObject", "DeleteObject", ...; "ListBucket" and "ListBucketVersions"
    # are granted on the bucket, for this prefix only
    actions: tuple[str, ...]

    @property
    def iam_actions(self) -> list[str]:
        return [f"s3:{a}" for a in self.actions]


@dataclass(frozen=True)
class KeyGrant:
    actions: tuple[str, ...]  # on the service's KMS key

    @property
    def iam_actions(self) -> list[str]:
        return [f"kms:{a}" for a in self.actions]


@dataclass(frozen=True)
class StreamGrant:
    """Read a table's DynamoDB stream (what an event source mapping needs)."""

    table: str

    @property
    def iam_actions(self) -> list[str]:
        return [f"dynamodb:{a}" for a in STREAM_READ]


STREAM_READ = ("DescribeStream", "GetRecords", "GetShardIterator", "ListStreams")


@dataclass(frozen=True)
class MailGrant:
    """Resources of the mail stack (infra/stacks/mail.py), by name: "send" (SES SendRawEmail
    from the service's identity through its configuration set), "link_secret" (read the
    unsubscribe links' key), "alarms" (read the states of the stack's alarms)."""

    what: Literal["send", "link_secret", "alarms"]


@dataclass(frozen=True)
class InvokeGrant:
    """Invoke one of the service's functions (by logical id), e.g. the API starting RunJob."""

    function: str

    @property
    def iam_actions(self) -> list[str]:
        return ["lambda:InvokeFunction"]


Grant = TableGrant | ObjectGrant | KeyGrant | StreamGrant | MailGrant | InvokeGrant


def table(name: str, *actions: str) -> TableGrant:
    return TableGrant(name, tuple(actions))


def objects(bucket: BucketName, prefix: str, *actions: str) -> ObjectGrant:
    return ObjectGrant(bucket, prefix, tuple(actions))


def key(*actions: str) -> KeyGrant:
    return KeyGrant(tuple(actions))


def stream(table_name: str) -> StreamGrant:
    return StreamGrant(table_name)


def invoke(function: str) -> InvokeGrant:
    return InvokeGrant(function)


# The function that runs jobs started by hand (POST /admin/jobs/{name}); the API function
# names it in JOB_RUNNER_FUNCTION and may only invoke it.
JOB_RUNNER = "RunJob"
# The event and KPI tables: only the webhook (events in), the stream consumer, the job
# functions and the job runner write them; never the API function.
EVENT_AND_KPI_TABLES = frozenset(
    {
        "event_ledger",
        "inbox",
        "inbox_pending",
        "document_trail",
        "documents",
        "daily",
        "evaluations",
        "freshness",
        "jobs",
        "exemptions",
        "document_refs",
    }
)


# --- The table: policy name -> what it may do --------------------------------------------

# Redaction of documents marked exempt after clear events were stored (run by every
# aggregation run, services/exemption.py): rewrite what was stored in clear, delete the
# clear versions of archive objects, settle the marker.
REDACTION: tuple[Grant, ...] = (
    table("exemptions", "Query", "BatchGetItem", "UpdateItem"),
    table("document_refs", "Query", "DeleteItem"),
    table("inbox", "GetItem", "UpdateItem"),
    table("event_ledger", "UpdateItem"),
    table("document_trail", "Query", "PutItem"),
    table("campaigns", "Scan"),  # edXML: document types campaigns configure as exempt
    objects(
        "archive",
        "archive/",
        "GetObject",
        "PutObject",
        "DeleteObjectVersion",
        "ListBucketVersions",
    ),
)

POLICIES: dict[str, tuple[Grant, ...]] = {
    # POST /webhooks/{source_id}[/edxml]: verify the signature, de-duplicate, queue, archive.
    "webhook": (
        table("sources", "GetItem"),
        table("units", "Scan"),
        table("officials", "BatchGetItem"),  # events naming officials outside the registry
        table("event_ledger", "BatchGetItem", "BatchWriteItem", "PutItem"),
        table("inbox", "PutItem"),
        table("inbox_pending", "BatchWriteItem"),  # the pending marker of each inbox item
        table("document_trail", "PutItem", "BatchWriteItem"),  # edXML records that change no KPI
        table("campaigns", "Scan"),  # edXML: document types campaigns configure as exempt
        table("idempotency", "GetItem", "PutItem", "UpdateItem", "DeleteItem"),
        # exempt documents: markers read and written before anything is stored, and where
        # clear data of other documents lies (for a later marking's redaction)
        table("exemptions", "BatchGetItem", "BatchWriteItem"),
        table("document_refs", "BatchWriteItem", "PutItem"),
        objects("archive", "archive/", "PutObject"),
        key("Decrypt", "GenerateDataKey"),
        # a test source's deliveries (the vendor sandbox): its own ledger and delivery list
        table("sandbox", "BatchGetItem", "BatchWriteItem", "PutItem"),
    ),
    # Every other route (one Chalice handler).
    "api": (
        # registry, campaigns, webhook sources (admin)
        table("units", *RW),
        table("officials", *RW),
        table("campaigns", *RW),
        table("sources", *RW),
        # KPI reads only (figures, evaluations, freshness, the aggregation's as_of): every
        # write of the event and KPI tables is the jobs' (POST /admin/jobs/{name} starts
        # RunJob and records the run).
        table("daily", *READ),
        table("evaluations", *READ),
        table("freshness", *READ),
        table("jobs", *READ),
        table("job_runs", "PutItem", "GetItem"),
        # the interconnection cross-check reads every document state (province roles only)
        table("documents", "Scan"),
        invoke(JOB_RUNNER),
        # nominations, their files, approval counters and the append-only audit trail
        table("nominations", *RW),
        table("nomination_files", *RW),
        table("nomination_counters", "GetItem", "PutItem", "UpdateItem", "ConditionCheckItem"),
        table(AUDIT_TABLE, "PutItem", "Query", "GetItem"),
        # results reports up the chain (their files are nomination files owned by them)
        table("results_reports", *RW),
        # notifications: contacts (registry data), preferences, the ledger's day index (the
        # captured mail page); the job itself runs in RunJob (POST /admin/jobs/notifications)
        table("contacts", *RW),
        table("mail_preferences", *RW),
        table("mail_ledger", "Query"),
        MailGrant("link_secret"),  # verifies the one-click unsubscribe links
        # the award road (issue 21): councils
        table("councils", "GetItem", "PutItem", "Query"),
        table("initiatives", *RW),
        table("initiative_scores", "GetItem", "PutItem", "Query"),
        table("holds", "GetItem", "PutItem", "UpdateItem", "Scan"),
        table("postings", "GetItem", "PutItem"),
        table("feedback", "GetItem", "PutItem", "UpdateItem", "Query"),
        # reports: POST /admin/reports generates on demand; index and presigned links
        table("reports", *RW),
        objects("reports", "reports/", "GetObject", "PutObject"),
        table("quotas", "GetItem", "PutItem"),  # REPORTS_PER_HOUR per user
        # hub sources: the connector's state and the packages it set aside, for the admin
        # (POST /admin/jobs/pull_hubs runs the connector in RunJob)
        table("hub_state", "GetItem"),
        table("hub_packages", "BatchGetItem", "Query"),
        table("sandbox", "Query"),  # GET /admin/sources/{id}/deliveries
        # the awards council's meetings; the voter roll and the ballot box (written together
        # in one transaction, read back only by the meeting and round: no scan)
        # (POST /admin/jobs/meeting_documents runs the documents job in-process: Scan)
        table("council_meetings", "GetItem", "PutItem", "ConditionCheckItem", "Scan"),
        table("council_roll", "PutItem", "Query"),
        table("council_ballots", "PutItem", "Query"),
        # nomination files: presigned POSTs write under nominations/ only; downloads are
        # presigned GETs of the verified copies; deleting a draft's file removes both.
        objects("uploads", "nominations/", "PutObject", "GetObject", "DeleteObject"),
        objects("uploads", "verified/", "GetObject", "DeleteObject"),
        # webhook source secrets are KMS-encrypted by the app; SSE-KMS data
        key("Encrypt", "Decrypt", "GenerateDataKey"),
    ),
    # The built-in JWT authorizer: verifies tokens against Cognito's public JWKS.
    "authorizer": (),
    # The inbox stream's consumer: inbox items -> document state -> daily aggregates, then
    # their pending markers go and as_of moves. Reads the stream only (never the inbox).
    "fold_inbox": (
        stream("inbox"),
        table("inbox_pending", "Query", "BatchWriteItem"),
        table("documents", "BatchGetItem", "PutItem"),
        # issue 23: the daily counters are transactional ADDs (UpdateItem), never read here
        table("daily", "UpdateItem"),
        table("evaluations", "BatchGetItem", "PutItem"),
        table("jobs", "UpdateItem"),
        table("freshness", "UpdateItem"),
    ),
    # The aggregation sweep (scheduled): folds the inbox items whose markers remain.
    "aggregate_kpi": (
        table("inbox", "BatchGetItem"),
        table("inbox_pending", "Query", "BatchWriteItem"),
        table("documents", *RW),
        table("daily", *RW),
        table("evaluations", *RW),
        table("jobs", *RW),
        table("freshness", *RW),
        table("units", *READ),
        table("officials", *READ),
        table("sources", *READ),
        *REDACTION,
        key("Encrypt", "Decrypt", "GenerateDataKey"),
    ),
    # Monthly and campaign reports: read aggregates, write report files and their index.
    # No event table, no archive.
    "reports": (
        table("daily", *READ),
        table("evaluations", *READ),
        table("freshness", *READ),
        table("jobs", *RW),  # cursor/lease of the report job itself
        table("units", *READ),
        table("officials", *READ),
        table("campaigns", *READ),
        table("nominations", *READ),
        table("initiatives", *READ),  # creativity: the recognised initiatives per unit
        table("reports", *RW),
        objects("reports", "reports/", "PutObject", "GetObject"),
        key("Encrypt", "Decrypt", "GenerateDataKey"),
    ),
    # The hub connector (job pull_hubs): reads hub sources and their KMS-encrypted
    # secrets, keeps its cursors and package records, stores what it pulls exactly as the
    # edXML webhook does (same tables, same archive prefix). Outbound HTTPS to the hubs.
    "pull_hubs": (
        table("sources", "GetItem", "Scan"),
        table("hub_state", "GetItem", "PutItem"),
        table("hub_packages", "BatchGetItem", "PutItem", "Query"),
        table("jobs", "UpdateItem"),  # the job's lease
        table("units", "Scan"),
        table("officials", "BatchGetItem"),
        table("event_ledger", "BatchGetItem", "BatchWriteItem", "PutItem"),
        table("inbox", "PutItem"),
        table("inbox_pending", "BatchWriteItem"),
        table("document_trail", "PutItem", "BatchWriteItem"),
        table("campaigns", "Scan"),
        table("idempotency", "GetItem", "PutItem", "UpdateItem", "DeleteItem"),
        table("exemptions", "BatchGetItem", "BatchWriteItem"),
        table("document_refs", "BatchWriteItem", "PutItem"),
        objects("archive", "archive/", "PutObject"),
        key("Decrypt", "GenerateDataKey"),
    ),
    # The awards council's documents (job meeting_documents): read decided meetings, render
    # the four documents (PDF, DOCX: python-docx loads only here), store them beside the
    # reports, record their hashes in the meeting's trail. No roll, no ballot box.
    "meeting_documents": (
        table("council_meetings", "Scan", "PutItem"),
        table(AUDIT_TABLE, "PutItem"),
        objects("reports", "reports/meetings/", "PutObject"),
        key("Encrypt", "Decrypt", "GenerateDataKey"),
    ),
    # Nomination file verification (uploads bucket, object created): read the upload,
    # copy the checked bytes to verified/, delete the upload; settle the file record.
    "upload_verification": (
        objects("uploads", "nominations/", "GetObject", "DeleteObject"),
        objects("uploads", "verified/", "PutObject", "DeleteObject"),
        table("nominations", "GetItem", "ConditionCheckItem"),
        # an initiative's evidence takes the same path (the file's owner names its table)
        table("initiatives", "GetItem", "ConditionCheckItem"),
        table("results_reports", "GetItem", "ConditionCheckItem"),  # files they own
        table("nomination_files", "GetItem", "UpdateItem"),
        table(AUDIT_TABLE, "PutItem"),
        key("Encrypt", "Decrypt", "GenerateDataKey"),
    ),
    # The verify_uploads sweep (scheduled): what VerifyUpload does for files S3 did not
    # report, and abandoned uploads expired off their dossier's file count.
    "upload_sweep": (
        # ListBucket: a missing object is a 404 to HeadObject (403 without it).
        objects("uploads", "nominations/", "GetObject", "DeleteObject", "ListBucket"),
        objects("uploads", "verified/", "PutObject", "DeleteObject"),
        table("nominations", "GetItem", "ConditionCheckItem", "UpdateItem"),
        table("initiatives", "GetItem", "ConditionCheckItem", "UpdateItem"),
        table("results_reports", "GetItem", "ConditionCheckItem", "UpdateItem"),
        table("nomination_files", "Scan", "GetItem", "UpdateItem"),
        table(AUDIT_TABLE, "PutItem"),
        key("Encrypt", "Decrypt", "GenerateDataKey"),
    ),
    # The notifications job: what is due (registry, campaigns, KPIs, reports, the audit
    # trail's recent changes, freshness), the recipients' preferences, the ledger; SES.
    "notifications": (
        table("units", *READ),
        table("officials", *READ),
        table("campaigns", *READ),
        table("contacts", *READ),
        table("mail_preferences", *READ),
        table("mail_ledger", "PutItem", "UpdateItem", "GetItem"),
        table("results_reports", *READ),
        table("nominations", *READ),
        table("initiatives", *READ),  # creativity, where a campaign weighs it in the score
        table(AUDIT_TABLE, "Scan", "GetItem"),
        table("daily", *READ),
        table("evaluations", *READ),
        table("freshness", *READ),
        table("sources", "Scan"),  # names and enabled flags (secrets stay KMS-encrypted)
        table("jobs", *READ),
        key("Encrypt", "Decrypt", "GenerateDataKey"),
        MailGrant("send"),
        MailGrant("link_secret"),
        MailGrant("alarms"),
    ),
    # SES bounce and complaint notifications (SNS): suppress the addresses; SES's Send
    # events confirm the message in the ledger (a conditional update, nothing else).
    "ses_feedback": (
        table("mail_preferences", "GetItem", "UpdateItem"),
        table("mail_ledger", "UpdateItem"),
    ),
}

# Jobs started by hand run in RunJob (chalicelib/jobs/runner.py): every job's grants, the
# archive rebuild's (re-ingests the archive into empty event tables, storing events as the
# webhook does), the verify_uploads sweep's, and the run records.
REBUILD: tuple[Grant, ...] = (
    table("sources", "GetItem", "Scan"),
    table("units", *READ),
    table("officials", *READ),
    table("campaigns", *READ),
    table("event_ledger", *RW),
    table("inbox", "GetItem", "BatchGetItem", "PutItem", "BatchWriteItem"),
    table("inbox_pending", "Query", "BatchWriteItem"),
    table("document_trail", "PutItem", "BatchWriteItem"),
    table("exemptions", "BatchGetItem", "BatchWriteItem"),
    table("document_refs", "BatchWriteItem", "PutItem"),
    objects("archive", "archive/", "GetObject", "ListBucket"),
)
POLICIES["job_runner"] = (
    *POLICIES["aggregate_kpi"],
    *POLICIES["reports"],
    *POLICIES["upload_verification"],
    *POLICIES["upload_sweep"],
    *POLICIES["pull_hubs"],
    *POLICIES["meeting_documents"],
    *POLICIES["notifications"],
    *REBUILD,
    # verify_uploads: pending files (verified, or expired when abandoned) and their owners
    table("nomination_files", *RW),
    table("results_reports", "GetItem", "ConditionCheckItem"),
    table("job_runs", "GetItem", "UpdateItem"),
)

# --- Functions ----------------------------------------------------------------------------

Invocation = Literal["api", "authorizer", "async", "stream"]


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str  # CloudFormation logical id (Chalice: CamelCase of the function name)
    policy: str  # key of POLICIES
    reserved_concurrency: int  # stage setting `reserved_concurrency` overrides
    # "async": EventBridge/S3 invoke it; failures go to the DLQ. "stream": an event source
    # mapping polls a table's stream; batches that exhaust their retries go to the
    # stream-failure queue.
    invocation: Invocation
    tracing: bool = True  # X-Ray active tracing
    log_retention_days: int | None = None  # None: the stage's log_retention_days
    description: str = ""


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("APIHandler", "api", 50, "api", description="Every API route but webhooks"),
    FunctionSpec(
        "WebhookHandler",
        "webhook",
        50,
        "api",
        description="Webhook routes (same package and handler as APIHandler, own role)",
    ),
    FunctionSpec(
        "JwtAuthorizer",
        "authorizer",
        20,
        "authorizer",
        tracing=False,
        description="API Gateway TOKEN authorizer",
    ),
    FunctionSpec(
        "FoldInbox",
        "fold_inbox",
        10,
        "stream",
        description="Folds inbox items into the KPI aggregates (inbox table stream)",
    ),
    FunctionSpec(
        "AggregateKpi", "aggregate_kpi", 1, "async", description="Job aggregate_kpi (sweep)"
    ),
    FunctionSpec(
        "PullHubs", "pull_hubs", 1, "async", description="Job pull_hubs (the hub connector)"
    ),
    FunctionSpec("MonthlyReports", "reports", 1, "async", description="Job monthly_reports"),
    FunctionSpec(
        JOB_RUNNER,
        "job_runner",
        2,
        "async",
        description="Jobs started by hand (POST /admin/jobs/{name}), off the API function",
    ),
    FunctionSpec("CampaignReports", "reports", 1, "async", description="Job campaign_reports"),
    FunctionSpec(
        "VerifyUploads",
        "upload_sweep",
        1,
        "async",
        description="Job verify_uploads (sweep: missed uploads, expired links)",
    ),
    FunctionSpec(
        "MeetingDocuments",
        "meeting_documents",
        1,
        "async",
        description="Job meeting_documents (the council's four documents, PDF and DOCX)",
    ),
    FunctionSpec(
        "Notifications",
        "notifications",
        1,
        "async",
        description="Job notifications (digests, reminders, status changes, alerts by e-mail)",
    ),
    FunctionSpec(
        "SesFeedback",
        "ses_feedback",
        2,
        "async",
        description="SES bounces and complaints (SNS): suppress the addresses",
    ),
    FunctionSpec(
        "VerifyUpload",
        "upload_verification",
        5,
        "async",
        description="Verifies nomination files created in the uploads bucket",
    ),
)

# The function infra creates itself (from Chalice's deployment package, handler app.app)
# and the routes API Gateway sends to it instead of APIHandler.
WEBHOOK_FUNCTION = "WebhookHandler"
WEBHOOK_ROUTES: tuple[tuple[str, str], ...] = (
    ("/webhooks/{source_id}", "post"),
    ("/webhooks/{source_id}/edxml", "post"),
)

# S3 object-created events of the uploads bucket (via EventBridge) invoke this function
# (a plain `@app.lambda_function(name="verify_upload")`: `chalice package` cannot package
# `@app.on_s3_event`). It receives EventBridge "Object Created" events.
UPLOAD_TRIGGER: tuple[str, BucketName, str] = ("VerifyUpload", "uploads", "nominations/")


def cfn_name(chalice_name: str) -> str:
    """Chalice's logical id for a function name (chalice.utils.to_cfn_resource_name)."""
    from chalice.utils import to_cfn_resource_name

    return str(to_cfn_resource_name(chalice_name))


# SES bounce and complaint notifications (SNS, infra/stacks/mail.py) invoke this function.
MAIL_FEEDBACK_FUNCTION = "SesFeedback"

# The stream consumer and the table whose stream feeds it (chalicelib/jobs/stream.py).
STREAM_TRIGGER: tuple[str, str] = ("FoldInbox", "inbox")


def function_specs() -> dict[str, FunctionSpec]:
    return {f.logical_id: f for f in FUNCTIONS}


def tables_granted() -> set[str]:
    return {g.table for grants in POLICIES.values() for g in grants if isinstance(g, TableGrant)}
