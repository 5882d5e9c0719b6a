"""The whole service as one stack: storage, auth, the Chalice API and jobs, alarms."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aws_cdk import Annotations, CfnOutput, Environment, Stack, Tags
from constructs import Construct

from infra.config import APP_NAME, StageConfig
from infra.console_config import console_config
from infra.stacks.api import ApiWiring, package_chalice_app
from infra.stacks.auth import Auth, hosted_ui_url
from infra.stacks.console import Console
from infra.stacks.data import Data
from infra.stacks.monitoring import Monitoring

# What the console asks the hosted UI for (the app client allows exactly these).
CONSOLE_SCOPES = ("openid", "email", "profile")


class ServiceStack(Stack):
    def __init__(
        self,
        scope: Construct,
        *,
        config: StageConfig,
        table_specs: list[dict[str, Any]],
        workdir: Path,
    ) -> None:
        # The construct id is the stage: chalice.cdk uses it as the Chalice stage name.
        super().__init__(
            scope,
            config.stage,
            stack_name=config.stack_name,
            description=f"Khong Giay ({config.stage}): paperless-campaign KPIs",
            env=Environment(
                account=config.account or os.environ.get("CDK_DEFAULT_ACCOUNT") or None,
                region=config.region,
            ),
            termination_protection=config.protect_data,
        )
        self.config = config
        self.data = Data(self, "Data", config=config, table_specs=table_specs)
        self.console = Console(
            self,
            "Console",
            config=config,
            access_logs=self.data.log_bucket,
            key=self.data.key,
            connect=console_connect_sources(config),
        )
        cors_origins = [self.console.origin, *config.api_cors_origins]
        self.data.allow_browsers(cors_origins)
        self.auth = Auth(self, "Auth", config=config, console_url=self.console.url)
        self.chalice = package_chalice_app(self, config, workdir)
        self.api = ApiWiring(
            self,
            "Wiring",
            config=config,
            chalice=self.chalice,
            data=self.data,
            auth=self.auth,
            cors_origins=cors_origins,
        )
        if not self.auth.hosted_ui_url:
            Annotations.of(self.console).add_warning_v2(
                "khong-giay:no-hosted-ui",
                "auth_domain_prefix is empty in infra/stages.json: the console cannot sign in.",
            )
        self.console.deploy(settings=self.console_settings())
        self.monitoring = Monitoring(
            self, "Monitoring", config=config, api=self.api, data=self.data
        )

        Tags.of(self).add("app", APP_NAME)
        Tags.of(self).add("stage", config.stage)

        CfnOutput(self, "ApiUrl", value=self.api.endpoint_url)
        CfnOutput(self, "ConsoleUrl", value=self.console.url)
        CfnOutput(self, "UserPoolId", value=self.auth.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.auth.client.user_pool_client_id)
        CfnOutput(self, "JwksUrl", value=self.auth.jwks_url)
        CfnOutput(self, "KmsKeyArn", value=self.data.key.key_arn)
        for name, bucket in self.data.buckets.items():
            CfnOutput(self, f"{name.capitalize()}BucketName", value=bucket.bucket_name)
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)

    def console_settings(self) -> dict[str, Any]:
        """config.json of the console (web/js/main.js reads it; the local console server
        builds it with the same function, `auth.type` "dev"). Its time zone is the one the
        functions are given (.chalice/config.json, `app_environment`)."""
        return console_config(
            api_url=self.api.url,
            stage=self.config.stage,
            auth={
                "type": "cognito",
                "region": self.config.region,
                "user_pool_id": self.auth.user_pool.user_pool_id,
                "client_id": self.auth.client.user_pool_client_id,
                "domain": self.auth.hosted_ui_url,
                "redirect_uri": self.console.url,
                "logout_uri": self.console.url,
                "scopes": list(CONSOLE_SCOPES),
            },
            app_environment=self.api.environment,
        )


def console_connect_sources(config: StageConfig) -> list[str]:
    """Where the console's pages may connect besides themselves (CSP connect-src): the API,
    the hosted UI (token exchange) and S3 (presigned POST/GET). The API's and the buckets'
    hosts are generated at deploy and refer to the console's address (CORS), so they are
    named by pattern, restricted to the stage's region where S3's URLs allow it."""
    api = (
        f"https://{config.api_domain_name}"
        if config.api_domain_name
        else f"https://*.execute-api.{config.region}.amazonaws.com"
    )
    s3 = [f"https://*.s3.{config.region}.amazonaws.com", "https://*.s3.amazonaws.com"]
    return [api, *filter(None, [hosted_ui_url(config)]), *s3]
