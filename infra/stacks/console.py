"""The web console in AWS: `web/` in a private S3 bucket behind CloudFront.

- The bucket blocks every public access; CloudFront reads it through origin access control
  (the bucket policy allows the distribution's service principal, nothing else).
- Viewers use HTTPS only (HTTP is redirected; HSTS tells browsers never to try HTTP again).
- A response headers policy sends a strict Content-Security-Policy (no inline script or
  style, no eval, no framing) and the other security headers on every file.
- `BucketDeployment` uploads `web/` at deploy time and writes `config.json` next to it
  (API URL, Cognito settings), then invalidates the distribution.

Two steps because of the references between resources: the distribution exists first (its
address is the API's CORS origin and the hosted UI's callback), and the deployment comes
last (it needs the API URL and the Cognito client).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Annotations, CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from infra.config import REPO_ROOT, StageConfig
from infra.csp import content_security_policy
from infra.stacks.data import PRIVATE_BUCKET, log_lifecycle

WEB_DIR = REPO_ROOT / "web"
CONFIG_FILE = "config.json"
# Never uploaded from web/: config.json is written at deploy time; the rest is local only.
EXCLUDE = (CONFIG_FILE, "**/.*", "**/*.map", "**/node_modules/**", "**/__pycache__/**")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class Console(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        access_logs: s3.IBucket,
        key: kms.IKey,
        connect: Sequence[str],
    ) -> None:
        """`connect`: what the CSP's connect-src allows besides the console itself. It
        cannot name the API's or the buckets' generated hosts (both refer to the
        distribution's address: a dependency cycle), so the caller passes host patterns."""
        super().__init__(scope, construct_id)
        self.config = config
        self.key = key
        removal = RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY

        self.bucket = s3.Bucket(
            self,
            "Bucket",
            # SSE-S3: published static files, no secret (config.json holds ids and URLs).
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="console/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="old-console-versions",
                    noncurrent_version_expiration=Duration.days(30),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            removal_policy=removal,
            **PRIVATE_BUCKET,
        )
        # CloudFront standard logs are delivered with ACLs: their bucket cannot enforce
        # bucket-owner ownership like the others.
        self.cdn_logs = s3.Bucket(
            self,
            "CdnLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="console-cdn-logs/",
            lifecycle_rules=log_lifecycle("expire-cdn-logs", config.access_log_expiration_days),
            removal_policy=removal,
            **PRIVATE_BUCKET,
        )

        self.csp = content_security_policy(connect)
        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            response_headers_policy_name=f"{config.stack_name}-console",
            comment="Khong Giay console: strict CSP and security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=self.csp, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730),
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                # "0": the legacy XSS auditor is off (it caused leaks); the CSP protects.
                xss_protection=cloudfront.ResponseHeadersXSSProtection(
                    protection=False, override=True
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy", value=PERMISSIONS_POLICY, override=True
                    ),
                    cloudfront.ResponseCustomHeader(
                        header="Cross-Origin-Opener-Policy", value="same-origin", override=True
                    ),
                    cloudfront.ResponseCustomHeader(
                        header="Cross-Origin-Resource-Policy", value="same-origin", override=True
                    ),
                ]
            ),
        )

        custom_domain: dict[str, Any] = {}
        if config.console_domain_name:
            custom_domain = {
                "domain_names": [config.console_domain_name],
                "certificate": acm.Certificate.from_certificate_arn(
                    self, "Certificate", config.console_certificate_arn
                ),
            }
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{config.stack_name} console",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                compress=True,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # edges in Asia
            enable_logging=True,
            log_bucket=self.cdn_logs,
            log_file_prefix="cloudfront/",
            **custom_domain,
        )

    @property
    def origin(self) -> str:
        """The console's browser origin (what the API's CORS and Cognito allow)."""
        host = self.config.console_domain_name or self.distribution.distribution_domain_name
        return f"https://{host}"

    @property
    def url(self) -> str:
        return f"{self.origin}/"

    def deploy(self, *, settings: dict[str, Any]) -> s3_deployment.BucketDeployment:
        """Upload web/ and write config.json (`settings`, deploy-time values allowed)."""
        sources = [s3_deployment.Source.json_data(CONFIG_FILE, settings)]
        if (WEB_DIR / "index.html").is_file():
            sources.insert(0, s3_deployment.Source.asset(str(WEB_DIR), exclude=list(EXCLUDE)))
        else:
            Annotations.of(self).add_warning_v2(
                "khong-giay:console-missing",
                "web/index.html is missing: the console bucket gets only config.json.",
            )
        log_group = logs.LogGroup(
            self,
            "DeployLogs",
            log_group_name=f"/aws/lambda/{self.config.stack_name}-ConsoleDeploy",
            encryption_key=self.key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        cfn_group = log_group.node.default_child
        assert isinstance(cfn_group, logs.CfnLogGroup)
        cfn_group.retention_in_days = self.config.log_retention_days
        # Our role instead of CDK's default (which adds the AWSLambdaBasicExecutionRole
        # managed policy): logs to its own group only; CDK adds the S3/CloudFront grants.
        role = iam.Role(
            self,
            "DeployRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{self.config.stack_name} console deployment (BucketDeployment)",
            inline_policies={
                "own-logs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[log_group.log_group_arn],
                        )
                    ]
                )
            },
        )
        deployment = s3_deployment.BucketDeployment(
            self,
            "Deploy",
            sources=sources,
            destination_bucket=self.bucket,
            # Later sources win: config.json from `settings`, never a stale copy.
            prune=True,
            # No build step, so no hashed file names: browsers revalidate (ETag) each load.
            cache_control=[s3_deployment.CacheControl.from_string("no-cache")],
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=256,
            log_group=log_group,
            role=role,
        )
        self._quiet_provider_lint()
        return deployment

    def _quiet_provider_lint(self) -> None:
        """CDK gives the (stack-level, singleton) provider function both a GetAtt of its
        role and a DependsOn on it; cfn-lint warns about the redundant DependsOn (W3005),
        which CDK's own validation ignores for the same reason."""
        stack = Stack.of(self)
        for child in stack.node.children:
            if child.node.id.startswith("Custom::CDKBucketDeployment"):
                resource = child.node.try_find_child("Resource")
                if isinstance(resource, CfnResource):
                    resource.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
