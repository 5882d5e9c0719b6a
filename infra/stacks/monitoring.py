"""Alarms, all notifying one SNS topic with an e-mail subscription (stage `alarm_email`).

- each function: Errors >= 1 and Throttles >= 1 in 5 minutes;
- the API: 5XXError >= 1 in 5 minutes;
- the dead-letter queue, and the stream consumer's on-failure queue: any visible message;
- the stream consumer's iterator age: events waiting longer than ITERATOR_AGE_MS;
- SilentSources (namespace KhongGiay, emitted by the app): >= 1 source silent;
- HubUnreachableMinutes (emitted by the pull_hubs job): a hub unreachable for an hour.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from constructs import Construct

from infra.config import StageConfig
from infra.stacks.api import ApiWiring
from infra.stacks.data import Data

PERIOD = Duration.minutes(5)
# The scoreboard promises events within a minute: a stream consumer lagging longer alarms.
ITERATOR_AGE_MS = 60_000
METRIC_NAMESPACE = "KhongGiay"
SILENT_SOURCES_METRIC = "SilentSources"
HUB_UNREACHABLE_METRIC = "HubUnreachableMinutes"
HUB_UNREACHABLE_MINUTES = 60


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        api: ApiWiring,
        data: Data,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name=f"{config.stack_name} alarms",
            master_key=data.key,
            enforce_ssl=True,
        )
        if config.alarm_email:
            self.topic.add_subscription(subs.EmailSubscription(config.alarm_email))
        action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cw.Alarm] = []

        def alarm(
            construct_id: str,
            metric: cw.IMetric,
            description: str,
            comparison: cw.ComparisonOperator = cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            threshold: float = 1,
        ) -> None:
            a = cw.Alarm(
                self,
                construct_id,
                alarm_name=f"{config.stack_name}-{construct_id}",
                alarm_description=description,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=comparison,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            )
            a.add_alarm_action(action)
            self.alarms.append(a)

        for logical, function_name in sorted(api.function_names.items()):
            for metric_name in ("Errors", "Throttles"):
                alarm(
                    f"{logical}{metric_name}",
                    cw.Metric(
                        namespace="AWS/Lambda",
                        metric_name=metric_name,
                        dimensions_map={"FunctionName": function_name},
                        statistic="Sum",
                        period=PERIOD,
                    ),
                    f"{function_name}: {metric_name.lower()} in the last 5 minutes",
                )
        alarm(
            "Api5xx",
            cw.Metric(
                namespace="AWS/ApiGateway",
                metric_name="5XXError",
                dimensions_map={"ApiName": api.api_name, "Stage": api.stage_name},
                statistic="Sum",
                period=PERIOD,
            ),
            "The API answered 5xx",
        )
        alarm(
            "DeadLetters",
            data.dlq.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ),
            "An asynchronous invocation (schedule, upload event) failed after its retries",
        )
        alarm(
            "StreamFailures",
            data.stream_failures.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ),
            "A batch of the inbox stream failed all its retries: the aggregate_kpi sweep "
            "folds its items; find out why",
        )
        alarm(
            "StreamIteratorAge",
            cw.Metric(
                namespace="AWS/Lambda",
                metric_name="IteratorAge",
                dimensions_map={"FunctionName": api.stream_function},
                statistic="Maximum",
                period=Duration.minutes(1),
            ),
            f"The inbox stream consumer is more than {ITERATOR_AGE_MS // 1000} s behind",
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            threshold=ITERATOR_AGE_MS,
        )
        alarm(
            "SilentSources",
            cw.Metric(
                namespace=METRIC_NAMESPACE,
                metric_name=SILENT_SOURCES_METRIC,
                dimensions_map=dict(config.silent_sources_dimensions) or None,
                statistic="Maximum",
                period=Duration.hours(1),
            ),
            "A webhook source has sent nothing for longer than SILENT_AFTER_HOURS",
        )
        alarm(
            "HubUnreachable",
            cw.Metric(
                namespace=METRIC_NAMESPACE,
                metric_name=HUB_UNREACHABLE_METRIC,
                # the same service dimension as SilentSources: the app's Powertools service
                dimensions_map=dict(config.silent_sources_dimensions) or None,
                statistic="Maximum",
                period=PERIOD,
            ),
            f"A hub source has been unreachable (timeouts, 5xx, 429, refused credentials) "
            f"for {HUB_UNREACHABLE_MINUTES} minutes or more: see GET /admin/sources/"
            "{source_id}/hub",
            threshold=HUB_UNREACHABLE_MINUTES,
        )
