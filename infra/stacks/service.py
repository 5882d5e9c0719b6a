"""The whole service as one stack: storage, auth, the Chalice API and jobs, alarms."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Environment, Stack, Tags
from constructs import Construct

from infra.config import APP_NAME, StageConfig
from infra.stacks.api import ApiWiring, package_chalice_app
from infra.stacks.auth import Auth
from infra.stacks.data import Data
from infra.stacks.monitoring import Monitoring


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
        self.auth = Auth(self, "Auth", config=config)
        self.chalice = package_chalice_app(self, config, workdir)
        self.api = ApiWiring(
            self, "Wiring", config=config, chalice=self.chalice, data=self.data, auth=self.auth
        )
        self.monitoring = Monitoring(
            self, "Monitoring", config=config, api=self.api, data=self.data
        )

        Tags.of(self).add("app", APP_NAME)
        Tags.of(self).add("stage", config.stage)

        CfnOutput(self, "ApiUrl", value=self.api.endpoint_url)
        CfnOutput(self, "UserPoolId", value=self.auth.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.auth.client.user_pool_client_id)
        CfnOutput(self, "JwksUrl", value=self.auth.jwks_url)
        CfnOutput(self, "KmsKeyArn", value=self.data.key.key_arn)
        for name, bucket in self.data.buckets.items():
            CfnOutput(self, f"{name.capitalize()}BucketName", value=bucket.bucket_name)
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)
