"""The Chalice application (API Gateway + Lambda) and one least-privilege role per function.

`chalice.cdk.Chalice` packages the app (`chalice package`) and includes its SAM template.
With `manage_iam_role: false` Chalice creates no role; every function then gets:
its own role built from infra/catalog.py, its own log group, reserved concurrency, the
service's environment variables, and (async functions) the dead-letter queue.
The stream consumer's event source mapping gets the inbox table's stream and what
Chalice cannot express: partial batch responses, bisect on error, a retry limit and
its on-failure queue.
The webhook routes are repointed to `WebhookHandler`, a second function from the same
deployment package with its own, narrower role.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aws_cdk import Annotations, ArnFormat, Aws, CfnResource, Fn, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3_assets as s3_assets
from chalice.cdk import Chalice
from constructs import Construct

from chalicelib.api.cors import response_headers
from chalicelib.errors import GATEWAY_ERRORS, REQUEST_ID_HEADER, error_body
from chalicelib.jobs import stream as stream_mapping
from infra.catalog import (
    AUDIT_DENIED_ACTIONS,
    AUDIT_TABLE,
    JOB_RUNNER,
    MAIL_FEEDBACK_FUNCTION,
    POLICIES,
    STREAM_TRIGGER,
    UPLOAD_TRIGGER,
    WEBHOOK_FUNCTION,
    WEBHOOK_ROUTES,
    BucketName,
    FunctionSpec,
    InvokeGrant,
    KeyGrant,
    MailGrant,
    ObjectGrant,
    StreamGrant,
    TableGrant,
    function_specs,
)
from infra.config import REPO_ROOT, StageConfig
from infra.stacks.auth import Auth
from infra.stacks.data import Data

# Chalice needs *a* role ARN when it does not manage roles; every function's Role is
# overridden below and synth fails if one is not, so this value never deploys.
UNASSIGNED_ROLE = "arn:aws:iam::000000000000:role/unassigned-see-infra-catalog"
WEBHOOK_PREFIX = "/webhooks/"

# API Gateway's own errors carry the service's error shape (chalicelib/errors.py).
# response type -> status it answers with (None: keep API Gateway's) and GATEWAY_ERRORS key.
GATEWAY_RESPONSES: dict[str, tuple[int | None, int]] = {
    "UNAUTHORIZED": (401, 401),
    "ACCESS_DENIED": (403, 403),
    "MISSING_AUTHENTICATION_TOKEN": (404, 404),  # unknown route: API Gateway says 403
    "REQUEST_TOO_LARGE": (413, 413),
    "THROTTLED": (429, 429),
    "QUOTA_EXCEEDED": (429, 429),
    "DEFAULT_4XX": (None, 400),
    "DEFAULT_5XX": (None, 500),
}
GATEWAY_FALLBACK = {400: ("bad_request", "The request was rejected")}

ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "principal": "$context.authorizer.principalId",
    "errorMessage": "$context.error.message",
    "integrationError": "$context.integration.error",
}


def gateway_cors_parameters(console_origin: str) -> dict[str, str]:
    """CORS headers of API Gateway's own responses. They are static: a gateway response
    cannot choose among allowed origins (mapping method.request.header.Origin would echo
    any origin), so they name the console's origin, the one frontend that must read a
    gateway 401 to send its user back to sign-in (README "Browsers (CORS)")."""
    headers = {**response_headers(console_origin)}
    return {f"gatewayresponse.header.{name}": f"'{value}'" for name, value in headers.items()}


def gateway_response_templates(console_origin: str) -> dict[str, dict[str, Any]]:
    """The `x-amazon-apigateway-gateway-responses` section of the API's swagger."""
    out: dict[str, dict[str, Any]] = {}
    cors = gateway_cors_parameters(console_origin)
    for response_type, (status, error_key) in GATEWAY_RESPONSES.items():
        code, message = GATEWAY_ERRORS.get(error_key) or GATEWAY_FALLBACK[error_key]
        entry: dict[str, Any] = {
            "responseTemplates": {
                "application/json": json.dumps(
                    error_body(code, message, request_id="$context.requestId")
                )
            },
            "responseParameters": {
                "gatewayresponse.header.Content-Type": "'application/json'",
                f"gatewayresponse.header.{REQUEST_ID_HEADER}": "context.requestId",
                **cors,
            },
        }
        if status is not None:
            entry["statusCode"] = str(status)
        out[response_type] = entry
    return out


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    previous = os.getcwd()
    path.mkdir(parents=True, exist_ok=True)
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def package_chalice_app(stack: Stack, config: StageConfig, workdir: Path) -> Chalice:
    """Run `chalice package` through the construct (scope = the stack: the Chalice stage
    name is the stack's construct id, i.e. the stage)."""
    stage_config: dict[str, Any] = {
        "manage_iam_role": False,
        "iam_role_arn": UNASSIGNED_ROLE,
        "autogen_policy": False,
        "environment_variables": {
            "STAGE": config.stage,
            "TABLE_PREFIX": config.table_prefix,
            **config.app_environment,
        },
    }
    if config.api_domain_name:
        stage_config["api_gateway_custom_domain"] = {
            "domain_name": config.api_domain_name,
            "certificate_arn": config.api_certificate_arn,
            "tls_version": "TLS_1_2",
        }
    # The construct writes its packages to ./chalice.out: keep them under the cdk outdir.
    with _cwd(workdir):
        return Chalice(stack, "Api", source_dir=str(REPO_ROOT), stage_config=stage_config)


class ApiWiring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        chalice: Chalice,
        data: Data,
        auth: Auth,
        cors_origins: Sequence[str],
    ) -> None:
        """`cors_origins`: the browser origins the API allows, the console's first."""
        super().__init__(scope, construct_id)
        self.config = config
        self.cors_origins = list(cors_origins)
        self.chalice = chalice
        self.data = data
        self.stack = Stack.of(self)
        sam = json.loads((Path(chalice._sam_package_dir) / "sam.json").read_text(encoding="utf-8"))
        resources: dict[str, Any] = sam["Resources"]
        specs = function_specs()

        chalice_functions = sorted(
            name for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"
        )
        unknown = [name for name in chalice_functions if name not in specs]
        if unknown:
            raise ValueError(
                f"Lambda function(s) {', '.join(unknown)} have no entry in infra/catalog.py "
                "FUNCTIONS: add one line each (policy, reserved concurrency, invocation)."
            )
        api_handler = resources["APIHandler"]["Properties"]
        self.environment: dict[str, str] = {
            **api_handler.get("Environment", {}).get("Variables", {}),
            "ARCHIVE_BUCKET": data.buckets["archive"].bucket_name,
            "UPLOADS_BUCKET": data.buckets["uploads"].bucket_name,
            "REPORTS_BUCKET": data.buckets["reports"].bucket_name,
            "KMS_KEY_ID": data.key.key_arn,
            "AUTH_JWKS_URL": auth.jwks_url,
            "AUTH_ISSUER": auth.issuer,
            "AUTH_AUDIENCE": auth.client.user_pool_client_id,
            "CORS_ALLOWED_ORIGINS": Fn.join(",", self.cors_origins),
        }
        if JOB_RUNNER in chalice_functions:
            # POST /admin/jobs/{name} starts this function (the API's role may invoke it).
            self.environment["JOB_RUNNER_FUNCTION"] = self._function_name(JOB_RUNNER)

        from infra.stacks.mail import Mail

        self.mail = Mail(self, "Mail", config=config, key=data.key, dead_letters=data.dlq)
        self.environment.update(self.mail.environment)
        self.environment["ALARM_PREFIX"] = f"{config.stack_name}-"
        if config.api_domain_name:
            self.environment["PUBLIC_API_URL"] = f"https://{config.api_domain_name}"

        self.roles: dict[str, iam.Role] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        self.function_names: dict[str, str] = {}
        for name in chalice_functions:
            self._wire_chalice_function(name, specs[name])

        self.webhook = self._webhook_function(specs[WEBHOOK_FUNCTION], api_handler)
        self._configure_rest_api(resources)
        self._unsubscribe_links_address(chalice_functions, specs)
        self._upload_trigger(chalice_functions)
        self._stream_trigger(resources)
        if MAIL_FEEDBACK_FUNCTION in chalice_functions:
            self.mail.subscribe(
                self, self.chalice.get_resource(MAIL_FEEDBACK_FUNCTION).get_att("Arn").to_string()
            )

    # --- functions ----------------------------------------------------------------------

    def _function_name(self, logical: str) -> str:
        return f"{self.config.stack_name}-{logical}"

    def _log_group(self, spec: FunctionSpec) -> logs.LogGroup:
        days = spec.log_retention_days or self.config.log_retention_days
        group = logs.LogGroup(
            self,
            f"{spec.logical_id}Logs",
            log_group_name=f"/aws/lambda/{self._function_name(spec.logical_id)}",
            encryption_key=self.data.key,
            removal_policy=RemovalPolicy.RETAIN
            if self.config.protect_data
            else RemovalPolicy.DESTROY,
        )
        _retention(group, days)
        self.log_groups[spec.logical_id] = group
        return group

    def _reserved(self, spec: FunctionSpec) -> int:
        return self.config.reserved_concurrency.get(spec.logical_id, spec.reserved_concurrency)

    def _wire_chalice_function(self, name: str, spec: FunctionSpec) -> None:
        fn = self.chalice.get_resource(name)
        role = self._role(spec)
        group = self._log_group(spec)
        fn.add_property_override("FunctionName", self._function_name(name))
        fn.add_property_override("Role", role.role_arn)
        fn.add_property_override("ReservedConcurrentExecutions", self._reserved(spec))
        fn.add_property_override("LoggingConfig", {"LogGroup": group.log_group_name})
        fn.add_property_override("Description", spec.description)
        if spec.tracing:
            fn.add_property_override("Tracing", "Active")
        else:
            fn.add_property_deletion_override("Tracing")
        for var, value in self.environment.items():
            fn.add_property_override(f"Environment.Variables.{var}", value)
        if spec.invocation == "async":
            fn.add_property_override(
                "DeadLetterQueue", {"Type": "SQS", "TargetArn": self.data.dlq.queue_arn}
            )
        self.function_names[name] = self._function_name(name)

    def _webhook_function(
        self, spec: FunctionSpec, api_handler: dict[str, Any]
    ) -> lambda_.CfnFunction:
        """Same deployment package and handler as APIHandler, its own role."""
        asset = self.chalice.node.find_child("ChaliceAppCode")
        assert isinstance(asset, s3_assets.Asset)
        role = self._role(spec)
        group = self._log_group(spec)
        fn = lambda_.CfnFunction(
            self,
            spec.logical_id,
            function_name=self._function_name(spec.logical_id),
            description=spec.description,
            code=lambda_.CfnFunction.CodeProperty(
                s3_bucket=asset.s3_bucket_name, s3_key=asset.s3_object_key
            ),
            handler=api_handler["Handler"],
            runtime=api_handler["Runtime"],
            architectures=api_handler.get("Architectures", ["x86_64"]),
            memory_size=api_handler.get("MemorySize", 512),
            timeout=api_handler.get("Timeout", 30),
            role=role.role_arn,
            reserved_concurrent_executions=self._reserved(spec),
            tracing_config=lambda_.CfnFunction.TracingConfigProperty(mode="Active"),
            logging_config=lambda_.CfnFunction.LoggingConfigProperty(
                log_group=group.log_group_name
            ),
            environment=lambda_.CfnFunction.EnvironmentProperty(variables=dict(self.environment)),
        )
        self.function_names[spec.logical_id] = self._function_name(spec.logical_id)
        return fn

    def _unsubscribe_links_address(
        self, chalice_functions: Sequence[str], specs: dict[str, FunctionSpec]
    ) -> None:
        """The functions that send mail write the API's address into every one-click
        unsubscribe link (PUBLIC_API_URL): the custom domain when the stage has one (set for
        every function above), else the API's generated endpoint. Only these functions get
        the endpoint: the API's own function cannot name the API that invokes it (a cycle)."""
        if self.config.api_domain_name:
            return
        for name in chalice_functions:
            grants = POLICIES[specs[name].policy]
            if any(isinstance(g, MailGrant) and g.what == "send" for g in grants):
                self.chalice.get_resource(name).add_property_override(
                    "Environment.Variables.PUBLIC_API_URL", self.endpoint_url
                )

    # --- roles ---------------------------------------------------------------------------

    def _role(self, spec: FunctionSpec) -> iam.Role:
        statements = self.policy_statements(spec)
        role = iam.Role(
            self,
            f"{spec.logical_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{self.config.stack_name} {spec.logical_id}: policy '{spec.policy}'",
            inline_policies={"least-privilege": iam.PolicyDocument(statements=statements)},
        )
        self.roles[spec.logical_id] = role
        return role

    def policy_statements(self, spec: FunctionSpec) -> list[iam.PolicyStatement]:
        stack = self.stack
        name = self._function_name(spec.logical_id)
        log_group_arn = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=f"/aws/lambda/{name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        statements = [
            iam.PolicyStatement(
                sid="OwnLogGroup",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group_arn],
            )
        ]
        if spec.tracing:
            statements.append(
                iam.PolicyStatement(
                    sid="XRay",
                    actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                    resources=["*"],  # X-Ray has no resource-level permissions
                )
            )
        grants = POLICIES[spec.policy]
        if spec.invocation == "async":
            statements.append(
                iam.PolicyStatement(
                    sid="DeadLetterQueue",
                    actions=["sqs:SendMessage"],
                    resources=[self.data.dlq.queue_arn],
                )
            )
            grants = (*grants, KeyGrant(("Decrypt", "GenerateDataKey")))
        if spec.invocation == "stream":
            # The mapping sends a failed batch's description with the function's role.
            statements.append(
                iam.PolicyStatement(
                    sid="StreamFailureQueue",
                    actions=["sqs:SendMessage"],
                    resources=[self.data.stream_failures.queue_arn],
                )
            )
            grants = (*grants, KeyGrant(("Decrypt", "GenerateDataKey")))
        for grant in grants:
            if isinstance(grant, StreamGrant):
                # Stream labels are made when the stream is; the grant names the table.
                statements.append(
                    iam.PolicyStatement(
                        sid=f"Stream{_sid(grant.table)}",
                        actions=grant.iam_actions,
                        resources=[f"{self.data.table_arn(grant.table)}/stream/*"],
                    )
                )

        # Tables: one statement per table, actions merged.
        table_actions: dict[str, set[str]] = {}
        for grant in grants:
            if isinstance(grant, TableGrant):
                table_actions.setdefault(grant.table, set()).update(grant.iam_actions)
        for table_name, actions in sorted(table_actions.items()):
            arn = self.data.table_arn(table_name)
            resources = [arn]
            if actions & {"dynamodb:Query", "dynamodb:Scan"}:
                # each index by name (a table not created yet has none)
                resources += [f"{arn}/index/{i}" for i in self.data.indexes.get(table_name, [])]
            statements.append(
                iam.PolicyStatement(
                    sid=f"Table{_sid(table_name)}",
                    actions=sorted(actions),
                    resources=resources,
                )
            )
        # Objects: per bucket and prefix, actions merged.
        merged: dict[tuple[BucketName, str], set[str]] = {}
        for grant in grants:
            if isinstance(grant, ObjectGrant):
                merged.setdefault((grant.bucket, grant.prefix), set()).update(grant.iam_actions)
        for (bucket_name, prefix), prefix_actions in sorted(merged.items()):
            bucket = self.data.buckets[bucket_name]
            listing = [a for a in ("s3:ListBucket", "s3:ListBucketVersions") if a in prefix_actions]
            object_actions = sorted(a for a in prefix_actions if a not in listing)
            if object_actions:
                statements.append(
                    iam.PolicyStatement(
                        sid=f"Objects{_sid(bucket_name)}{_sid(prefix)}",
                        actions=object_actions,
                        resources=[bucket.arn_for_objects(f"{prefix}*")],
                    )
                )
            if listing:
                statements.append(
                    iam.PolicyStatement(
                        sid=f"List{_sid(bucket_name)}{_sid(prefix)}",
                        actions=listing,
                        resources=[bucket.bucket_arn],
                        conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
                    )
                )
        for what in sorted({g.what for g in grants if isinstance(g, MailGrant)}):
            statements.extend(self.mail.statements(what))
        invoked = sorted({g.function for g in grants if isinstance(g, InvokeGrant)})
        if invoked:
            statements.append(
                iam.PolicyStatement(
                    sid="InvokeFunctions",
                    actions=["lambda:InvokeFunction"],
                    resources=[
                        stack.format_arn(
                            service="lambda",
                            resource="function",
                            resource_name=self._function_name(logical),
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                        for logical in invoked
                    ],
                )
            )
        key_actions = sorted({a for g in grants if isinstance(g, KeyGrant) for a in g.iam_actions})
        if key_actions:
            statements.append(
                iam.PolicyStatement(
                    sid="ServiceKey", actions=key_actions, resources=[self.data.key.key_arn]
                )
            )
        # The audit trail is append-only, whatever else a role is ever granted.
        statements.append(
            iam.PolicyStatement(
                sid="AuditTrailIsAppendOnly",
                effect=iam.Effect.DENY,
                actions=list(AUDIT_DENIED_ACTIONS),
                resources=[self.data.table_arn(AUDIT_TABLE)],
            )
        )
        return statements

    # --- API Gateway --------------------------------------------------------------------

    def _configure_rest_api(self, resources: dict[str, Any]) -> None:
        rest_api = self.chalice.get_resource("RestAPI")
        assert isinstance(rest_api, CfnResource)
        self.rest_api = rest_api
        body = resources["RestAPI"]["Properties"]["DefinitionBody"]
        paths: dict[str, dict[str, Any]] = body.get("paths", {})

        # Webhook routes -> WebhookHandler.
        self.webhook_routes: list[tuple[str, str]] = []
        for path, operations in paths.items():
            if not path.startswith(WEBHOOK_PREFIX) and path != WEBHOOK_PREFIX.rstrip("/"):
                continue
            for method in operations:
                if method == "options":
                    continue
                if (path, method) not in WEBHOOK_ROUTES:
                    raise ValueError(
                        f"{method.upper()} {path} is under {WEBHOOK_PREFIX} but not in "
                        "infra/catalog.py WEBHOOK_ROUTES: decide which function serves it."
                    )
                self.webhook_routes.append((path, method))
        for path, method in self.webhook_routes:
            rest_api.add_property_override(
                f"DefinitionBody.paths.{path}.{method}.x-amazon-apigateway-integration.uri",
                Fn.sub(
                    "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31"
                    "/functions/${Arn}/invocations",
                    {"Arn": self.webhook.attr_arn},
                ),
            )
        if not self.webhook_routes:
            Annotations.of(self).add_info(
                "No webhook routes in the app yet: WebhookHandler is deployed but unrouted."
            )
        lambda_.CfnPermission(
            self,
            "WebhookInvokePermission",
            action="lambda:InvokeFunction",
            function_name=self.webhook.attr_arn,
            principal="apigateway.amazonaws.com",
            source_arn=Fn.sub(
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}"
                ":${Api}/*/POST/webhooks/*",
                {"Api": rest_api.ref},
            ),
        )

        # Gateway responses in the swagger (redeployed with it).
        rest_api.add_property_override(
            "DefinitionBody.x-amazon-apigateway-gateway-responses",
            gateway_response_templates(self.cors_origins[0]),
        )

        # Stage: throttling, metrics, execution errors and access logs, X-Ray.
        self.access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            log_group_name=f"/aws/apigateway/{self.config.stack_name}/access",
            encryption_key=self.data.key,
            removal_policy=RemovalPolicy.RETAIN
            if self.config.protect_data
            else RemovalPolicy.DESTROY,
        )
        _retention(self.access_logs, self.config.log_retention_days)
        self.api_name = self.config.stack_name
        rest_api.add_property_override("Name", self.api_name)
        rest_api.add_property_override("TracingEnabled", True)
        rest_api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": self.config.api_throttle_rate,
                    "ThrottlingBurstLimit": self.config.api_throttle_burst,
                    "MetricsEnabled": True,
                    "LoggingLevel": "ERROR",
                    "DataTraceEnabled": False,
                }
            ],
        )
        rest_api.add_property_override(
            "AccessLogSetting",
            {
                "DestinationArn": self.access_logs.log_group_arn,
                "Format": json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")),
            },
        )
        self.stage_name = str(resources["RestAPI"]["Properties"]["StageName"])
        # WAF: the public feedback route's rate rule on this stage (infra/stacks/public_waf.py).
        from infra.stacks.public_waf import PublicFeedbackWaf

        self.public_waf = PublicFeedbackWaf(
            self,
            "PublicWaf",
            rest_api=rest_api,
            name=self.api_name,
            limit=self.config.feedback_waf_limit,
        )
        if self.config.manage_apigw_account_role:
            # Account-wide setting API Gateway needs to write any CloudWatch log.
            cw_role = iam.Role(
                self,
                "ApiGatewayCloudWatchRole",
                assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
                managed_policies=[
                    iam.ManagedPolicy.from_aws_managed_policy_name(
                        "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                    )
                ],
            )
            account = apigw.CfnAccount(
                self, "ApiGatewayAccount", cloud_watch_role_arn=cw_role.role_arn
            )
            account.apply_removal_policy(RemovalPolicy.RETAIN)
            rest_api.node.add_dependency(account)

    # --- events --------------------------------------------------------------------------

    def _upload_trigger(self, chalice_functions: list[str]) -> None:
        function, bucket_name, prefix = UPLOAD_TRIGGER
        if function not in chalice_functions:
            return
        fn = self.chalice.get_resource(function)
        bucket = self.data.buckets[bucket_name]
        rule = events.CfnRule(
            self,
            "UploadCreatedRule",
            description="Nomination file uploaded: verify it",
            event_pattern={
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {
                    "bucket": {"name": [bucket.bucket_name]},
                    "object": {"key": [{"prefix": prefix}]},
                },
            },
            targets=[
                events.CfnRule.TargetProperty(
                    id="verify",
                    arn=fn.get_att("Arn").to_string(),
                    dead_letter_config=events.CfnRule.DeadLetterConfigProperty(
                        arn=self.data.dlq.queue_arn
                    ),
                )
            ],
        )
        lambda_.CfnPermission(
            self,
            "UploadCreatedInvokePermission",
            action="lambda:InvokeFunction",
            function_name=fn.get_att("Arn").to_string(),
            principal="events.amazonaws.com",
            source_arn=rule.attr_arn,
        )
        self.data.dlq.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self.data.dlq.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": rule.attr_arn}},
            )
        )
        # The DLQ is encrypted with the service key: EventBridge must be able to use it.
        self.data.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="EventBridgeToEncryptedDlq",
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )

    def _stream_trigger(self, resources: dict[str, Any]) -> None:
        """The mapping Chalice packaged for `fold_inbox` (a SAM DynamoDB event): the real
        stream, and the settings `on_dynamodb_record` has no parameter for."""
        function, table_name = STREAM_TRIGGER
        events_of = resources.get(function, {}).get("Properties", {}).get("Events", {})
        names = [n for n, e in events_of.items() if e.get("Type") == "DynamoDB"]
        if len(names) != 1:
            raise ValueError(f"{function}: expected one DynamoDB event source, found {names}")
        fn = self.chalice.get_resource(function)
        prefix = f"Events.{names[0]}.Properties"
        overrides: dict[str, Any] = {
            "Stream": self.data.tables[table_name].attr_stream_arn,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "BisectBatchOnFunctionError": stream_mapping.BISECT_ON_ERROR,
            "MaximumRetryAttempts": stream_mapping.MAXIMUM_RETRY_ATTEMPTS,
            "DestinationConfig": {
                "OnFailure": {"Destination": self.data.stream_failures.queue_arn}
            },
        }
        for key, value in overrides.items():
            fn.add_property_override(f"{prefix}.{key}", value)
        self.stream_function = self._function_name(function)

    @property
    def url(self) -> str:
        """The API's public base URL: the custom domain when there is one."""
        if self.config.api_domain_name:
            return f"https://{self.config.api_domain_name}/"
        return self.endpoint_url

    @property
    def endpoint_url(self) -> str:
        return Fn.sub(
            "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + self.stage_name + "/",
            {"Api": self.rest_api.ref},
        )


def _sid(text: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def _retention(group: logs.LogGroup, days: int) -> None:
    """Retention in days (any value CloudWatch accepts; the L2 enum has names only)."""
    cfn = group.node.default_child
    assert isinstance(cfn, logs.CfnLogGroup)
    cfn.retention_in_days = days
