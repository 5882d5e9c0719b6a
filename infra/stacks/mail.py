"""Notifications by e-mail: the SES identity the service sends from, its configuration set
whose bounce, complaint and send events go to an SNS topic (encrypted with the service key) that
invokes the SesFeedback function, and the key of the one-click unsubscribe links."""

from __future__ import annotations

from typing import Any

from aws_cdk import ArnFormat, Aws, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import StageConfig


class Mail(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        key: kms.IKey,
        dead_letters: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.domain = config.mail_domain
        self.send_rate = config.mail_send_rate
        self.dead_letters = dead_letters
        self.identity = ses.EmailIdentity(
            self, "SenderIdentity", identity=ses.Identity.domain(self.domain)
        )
        self.configuration_set_name = f"{config.stack_name}-mail"
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=self.configuration_set_name,
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.topic = sns.Topic(
            self,
            "FeedbackTopic",
            display_name="Khong Giay SES bounces, complaints and sends",
            master_key=key,
            enforce_ssl=True,
        )
        # Bounces and complaints suppress the address; Send events confirm a message in
        # the notifications ledger (its key rides on the message's SES tags), so a message
        # SES accepted is never sent again by a retry (chalicelib/domain/notifications.py).
        self.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            destination=ses.EventDestination.sns_topic(self.topic),
            events=[
                ses.EmailSendingEvent.BOUNCE,
                ses.EmailSendingEvent.COMPLAINT,
                ses.EmailSendingEvent.SEND,
            ],
        )
        # SES publishes to the encrypted topic, and SNS redrives to the encrypted DLQ, with
        # the service key.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SesAndSnsToEncryptedMailFeedback",
                principals=[
                    iam.ServicePrincipal("ses.amazonaws.com"),
                    iam.ServicePrincipal("sns.amazonaws.com"),
                ],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        self.link_secret = secretsmanager.Secret(
            self,
            "UnsubscribeLinkKey",
            description="HMAC key of the notifications' one-click unsubscribe links",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=48, exclude_punctuation=True
            ),
            removal_policy=RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY,
        )
        self.identity_arn = stack.format_arn(
            service="ses", resource="identity", resource_name=self.domain
        )
        self.configuration_set_arn = stack.format_arn(
            service="ses", resource="configuration-set", resource_name=self.configuration_set_name
        )
        self.alarms_arn = stack.format_arn(
            service="cloudwatch",
            resource="alarm",
            resource_name=f"{config.stack_name}-*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    @property
    def environment(self) -> dict[str, str]:
        return {
            "MAIL_FROM": f"Khong Giay <no-reply@{self.domain}>",
            "MAIL_CONFIGURATION_SET": self.configuration_set_name,
            "MAIL_LINK_SECRET_ARN": self.link_secret.secret_arn,
            # The account's SES MaxSendRate (stage setting; the sandbox's is 1/s): the job
            # paces at it without needing ses:GetSendQuota (no resource-level permission).
            "MAIL_SEND_RATE": str(self.send_rate),
        }

    def statements(self, what: str) -> list[iam.PolicyStatement]:
        if what == "send":
            return [
                iam.PolicyStatement(
                    sid="SendMailFromTheServiceIdentity",
                    actions=["ses:SendRawEmail"],
                    resources=[self.identity_arn, self.configuration_set_arn],
                    conditions={"StringLike": {"ses:FromAddress": f"*@{self.domain}"}},
                ),
            ]
        if what == "link_secret":
            return [
                iam.PolicyStatement(
                    sid="UnsubscribeLinkKey",
                    actions=["secretsmanager:GetSecretValue"],
                    resources=[self.link_secret.secret_arn],
                )
            ]
        return [
            iam.PolicyStatement(
                sid="StackAlarms",
                actions=["cloudwatch:DescribeAlarms"],
                resources=[self.alarms_arn],
            )
        ]

    def subscribe(self, scope: Construct, function_arn: Any) -> None:
        """The topic invokes the SesFeedback function."""
        sns.CfnSubscription(
            scope,
            "MailFeedbackSubscription",
            protocol="lambda",
            endpoint=function_arn,
            topic_arn=self.topic.topic_arn,
            # Notifications SNS could not deliver go to the async-failure queue.
            redrive_policy={"deadLetterTargetArn": self.dead_letters.queue_arn},
        )
        self.dead_letters.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("sns.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self.dead_letters.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": self.topic.topic_arn}},
            )
        )
        lambda_.CfnPermission(
            scope,
            "MailFeedbackInvokePermission",
            action="lambda:InvokeFunction",
            function_name=function_arn,
            principal="sns.amazonaws.com",
            source_arn=self.topic.topic_arn,
        )
