"""Security rule packs on the stack: cdk-nag (AwsSolutions + Serverless) with every
suppression and its reason, and checkov's per-resource skips (infra/checkov-skips.yaml)
written into the template's resource metadata where checkov reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aws_cdk import Aspects, CfnResource, IAspect, Stack
from cdk_nag import AwsSolutionsChecks, NagPackSuppression, NagSuppressions, ServerlessChecks
from constructs import IConstruct
from jsii import implements

from infra.config import StageConfig

CHECKOV_SKIPS_FILE = Path(__file__).with_name("checkov-skips.yaml")


@dataclass(frozen=True)
class Suppression:
    rule: str
    reason: str
    # construct path regex (under the stack) the suppression applies to
    path: str = ".*"
    # for rules with granular findings (IAM5...): which findings ("Resource::..." regexes)
    applies_to: tuple[str, ...] = ()


# cdk-nag suppressions: rule, reason, where. Nothing else is suppressed.
NAG_SUPPRESSIONS: tuple[Suppression, ...] = (
    Suppression(
        "AwsSolutions-IAM5",
        "Lambda creates one log stream per execution environment with a generated name; the "
        "grant is CreateLogStream/PutLogEvents on the streams of the function's own log group.",
        path=r"Wiring/\w+Role/Resource",
        applies_to=(
            r"^Resource::arn:<AWS::Partition>:logs:.*:log-group:/aws/lambda/khong-giay-[a-z0-9-]+-\w+:\*$",
        ),
    ),
    Suppression(
        "AwsSolutions-IAM5",
        "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions "
        "(Resource must be '*'); a test asserts '*' appears in no other statement.",
        path=r"Wiring/\w+Role/Resource",
        applies_to=(r"^Resource::\*$",),
    ),
    Suppression(
        "Serverless-LambdaStarPermissions",
        "The only '*' resource is X-Ray's (no resource-level permissions); see AwsSolutions-IAM5.",
        path=r"Wiring/\w+Role/Resource",
    ),
    Suppression(
        "AwsSolutions-IAM5",
        "Object keys are generated per event, report and upload; access is limited to one "
        "bucket and one key prefix (archive/, reports/ or its council documents' "
        "reports/meetings/, nominations/ for uploads, verified/ for their checked copies) per "
        "statement.",
        path=r"Wiring/\w+Role/Resource",
        applies_to=(
            r"^Resource::<DataArchiveBucket\w+\.Arn>/archive/\*$",
            r"^Resource::<DataReportsBucket\w+\.Arn>/reports/\*$",
            r"^Resource::<DataReportsBucket\w+\.Arn>/reports/meetings/\*$",
            r"^Resource::<DataUploadsBucket\w+\.Arn>/nominations/\*$",
            r"^Resource::<DataUploadsBucket\w+\.Arn>/verified/\*$",
        ),
    ),
    Suppression(
        "AwsSolutions-IAM5",
        "DynamoDB names a stream by a label generated when the stream is created; the grant "
        "is the four stream-read actions on the inbox table's streams only (AWS's own example "
        "policy for a Lambda stream consumer).",
        path=r"Wiring/FoldInboxRole/Resource",
        applies_to=(
            r"^Resource::arn:<AWS::Partition>:dynamodb:.*:table/khong-giay-[a-z0-9-]+-inbox/stream/\*$",
        ),
    ),
    Suppression(
        "AwsSolutions-IAM4",
        "The account-level API Gateway CloudWatch role uses the AWS-documented managed policy "
        "AmazonAPIGatewayPushToCloudWatchLogs; API Gateway writes log groups it names itself.",
        path=r"Wiring/ApiGatewayCloudWatchRole/Resource",
        applies_to=(
            r"^Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs$",
        ),
    ),
    Suppression(
        "AwsSolutions-L1",
        "The project targets Python 3.11 (pyproject requires-python; Chalice packages the "
        "dependencies for the Python it runs on); WebhookHandler mirrors APIHandler's runtime.",
        path=r"Wiring/WebhookHandler",
    ),
    Suppression(
        "Serverless-LambdaLatestVersion",
        "Same reason as AwsSolutions-L1: the runtime is the project's Python 3.11.",
        path=r"Wiring/WebhookHandler",
    ),
    Suppression(
        "Serverless-LambdaDLQ",
        "API Gateway invokes WebhookHandler synchronously and returns its errors to the "
        "sender, which retries (Standard Webhooks); a DLQ only catches async invocations.",
        path=r"Wiring/WebhookHandler",
    ),
    Suppression(
        "AwsSolutions-SQS3",
        "This queue is the dead-letter queue of the asynchronously invoked functions "
        "(Lambda DeadLetterConfig / EventBridge target DLQ), which cdk-nag cannot see.",
        path=r"Data/AsyncFailures/Resource",
    ),
    Suppression(
        "Serverless-SQSRedrivePolicy",
        "This queue is itself the dead-letter queue; nothing consumes it automatically, "
        "its depth raises the DeadLetters alarm and operators inspect it.",
        path=r"Data/AsyncFailures/Resource",
    ),
    # --- the console's deployment (aws_s3_deployment.BucketDeployment, infra/stacks/console.py)
    Suppression(
        "AwsSolutions-IAM5",
        "BucketDeployment's grants (aws-cdk-lib): read the CDK asset bucket's objects and "
        "replace the console bucket's objects (generated key names, so object wildcards), "
        "and create an invalidation (CloudFront invalidation actions have no resource-level "
        "permissions for a distribution created in the same stack by this grant).",
        path=r"Console/DeployRole/DefaultPolicy/Resource",
        applies_to=(
            r"^Action::s3:(GetBucket|GetObject|List|Abort|DeleteObject)\*$",
            r"^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-[a-z0-9-]+/\*$",
            r"^Resource::<ConsoleBucket[0-9A-F]{8}\.Arn>/\*$",
            r"^Resource::\*$",
        ),
    ),
    Suppression(
        "AwsSolutions-L1",
        "BucketDeployment's provider function: aws-cdk-lib picks and updates its runtime "
        "(python3.13 here); it runs only during deployments, never on user requests.",
        path=r"Custom::CDKBucketDeployment[0-9A-F]+\d+MiB/Resource",
    ),
    Suppression(
        "Serverless-LambdaLatestVersion",
        "Same reason as AwsSolutions-L1: the runtime of CDK's deployment provider is "
        "aws-cdk-lib's choice, updated with the library.",
        path=r"Custom::CDKBucketDeployment[0-9A-F]+\d+MiB/Resource",
    ),
    Suppression(
        "Serverless-LambdaDLQ",
        "CloudFormation's custom resource for the console upload: a failed run fails the "
        "deployment, which CloudFormation reports and rolls back; a DLQ would have no use.",
        path=r"Custom::CDKBucketDeployment[0-9A-F]+\d+MiB/Resource",
    ),
    Suppression(
        "AwsSolutions-SQS3",
        "This queue is the on-failure destination of the inbox stream's event source mapping "
        "(its DestinationConfig, in the SAM function's event), which cdk-nag cannot see.",
        path=r"Data/StreamFailures/Resource",
    ),
    Suppression(
        "Serverless-SQSRedrivePolicy",
        "This queue is itself a failure destination: nothing consumes it automatically, its "
        "depth raises the StreamFailures alarm and the sweep folds the batch's items.",
        path=r"Data/StreamFailures/Resource",
    ),
    Suppression(
        "AwsSolutions-IAM5",
        "The notifications job (scheduled, or started by hand in RunJob) lists the stack's "
        "firing alarms for the admins' alert: "
        "cloudwatch:DescribeAlarms on the alarms named after the stack only.",
        path=r"Wiring/(Notifications|RunJob)Role/Resource",
        applies_to=(
            r"^Resource::arn:<AWS::Partition>:cloudwatch:.*:alarm:khong-giay-[a-z0-9-]+-\*$",
        ),
    ),
    Suppression(
        "AwsSolutions-SMG4",
        "The key signs the one-click unsubscribe links of messages already delivered; rotating "
        "it would silently break every link in people's mailboxes. It is read by two roles "
        "only and never leaves the functions.",
        path=r"Wiring/Mail/UnsubscribeLinkKey/Resource",
    ),
    Suppression(
        "AwsSolutions-DDB3",
        "The awards council's ballot box keeps no point-in-time history on purpose: a restore "
        "at two instants a second apart would show which ballot arrived when, and the "
        "meeting's audit trail says who voted when (docs/awards.md, Secrecy). The frozen "
        "tally, in the meetings table, keeps its backups; checkov's CKV_AWS_28 skip says the "
        "same.",
        path=r"Data/TableCouncilBallots",
    ),
    Suppression(
        "Serverless-SNSRedrivePolicy",
        "E-mail subscription of the alarm topic: SNS retries e-mail delivery itself and "
        "the alarm state stays visible in CloudWatch; a DLQ would have no consumer.",
        path=r"Monitoring/AlarmTopic/.+/Resource",
    ),
)


def _nag_applies_to(patterns: tuple[str, ...]) -> list[Any] | None:
    if not patterns:
        return None
    return [{"regex": f"/{p}/"} for p in patterns]


def stage_suppressions(config: StageConfig) -> tuple[Suppression, ...]:
    """Suppressions that follow from a stage's documented settings (infra/stages.json)."""
    out: list[Suppression] = []
    if not config.threat_protection:
        reason = (
            f"Stage '{config.stage}' sets threat_protection=false in infra/stages.json "
            "(Cognito Plus plan is billed per user; acceptable for a non-production stage)."
        )
        out += [
            Suppression("AwsSolutions-COG3", reason, path=r"Auth/UserPool/Resource"),
            Suppression("AwsSolutions-COG8", reason, path=r"Auth/UserPool/Resource"),
        ]
    if not config.console_domain_name:
        out.append(
            Suppression(
                "AwsSolutions-CFR4",
                f"Stage '{config.stage}' has no console_domain_name in infra/stages.json, so "
                "the console uses CloudFront's default *.cloudfront.net certificate, whose "
                "TLS policy CloudFront fixes; set console_domain_name and "
                "console_certificate_arn to enforce TLSv1.2_2021.",
                path=r"Console/Distribution/Resource",
            )
        )
    if config.mfa != "REQUIRED":
        out.append(
            Suppression(
                "AwsSolutions-COG2",
                f"Stage '{config.stage}' sets mfa={config.mfa} in infra/stages.json.",
                path=r"Auth/UserPool/Resource",
            )
        )
    return tuple(out)


def apply_nag(stack: Stack, config: StageConfig) -> None:
    Aspects.of(stack).add(AwsSolutionsChecks(verbose=True))
    Aspects.of(stack).add(ServerlessChecks(verbose=True))
    suppressions = NAG_SUPPRESSIONS + stage_suppressions(config)
    stack_path = stack.node.path
    for construct in stack.node.find_all():
        if not isinstance(construct, CfnResource):
            continue
        relative = construct.node.path[len(stack_path) + 1 :]
        rules = [
            NagPackSuppression(id=s.rule, reason=s.reason, applies_to=_nag_applies_to(s.applies_to))
            for s in suppressions
            if re.fullmatch(s.path, relative)
        ]
        if rules:
            NagSuppressions.add_resource_suppressions(construct, rules)


def load_checkov_skips(path: Path = CHECKOV_SKIPS_FILE) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    skips: list[dict[str, Any]] = data.get("skips", [])
    for skip in skips:
        if not skip.get("reason") or not skip.get("id") or not skip.get("resources"):
            raise ValueError(f"{path}: every skip needs id, resources and reason: {skip}")
    return skips


@implements(IAspect)
class _CheckovMetadata:
    """Writes `Metadata.checkov.skip` on resources whose logical id matches a skip."""

    def __init__(self, stack: Stack, skips: list[dict[str, Any]]) -> None:
        self.stack = stack
        self.skips = skips

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, CfnResource):
            return
        logical_id = self.stack.resolve(node.logical_id)
        entries = [
            {"id": s["id"], "comment": s["reason"].strip()}
            for s in self.skips
            if any(re.fullmatch(p, logical_id) for p in s["resources"])
        ]
        if entries:
            node.add_metadata("checkov", {"skip": entries})


def apply_compliance(stack: Stack, config: StageConfig) -> None:
    apply_nag(stack, config)
    Aspects.of(stack).add(_CheckovMetadata(stack, load_checkov_skips()))
