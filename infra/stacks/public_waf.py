"""The WAF web ACL of the API stage: a rate rule on the public feedback route.

`POST /public/campaigns/{id}/shortlist/{nomination_id}/feedback` takes text from anyone
without a token. The app bounds it per client and per nominee (services/public_limits.py)
and the stage throttles every method; this rule stops a flood at the edge of the stage,
before a Lambda runs: more than `feedback_waf_limit` requests from one address in 5 minutes
to a path ending in `/feedback` are answered 429 by WAF, with the app's error shape. Every
other request passes (the default action is allow).

The association names the stage through SAM's referenceable property `RestAPI.Stage`
(the Chalice API is an AWS::Serverless::Api, whose stage SAM generates): a Ref to it is the
stage's name and, after the transform, a dependency on the stage, so CloudFormation never
associates the ACL before the stage exists, and no DependsOn is needed (a DependsOn on
RestAPI, which the ARN already references, is what cfn-lint's W3005 reported).
"""

from __future__ import annotations

import json

from aws_cdk import CfnResource, Fn, Stack
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

# One address, 5 minutes (AWS WAF's evaluation windows: 60, 120, 300 or 600 s).
WINDOW_SECONDS = 300
FEEDBACK_SUFFIX = "/feedback"
RATE_RULE = "PublicFeedbackRate"
_BODY = json.dumps(
    {
        "error": {
            "code": "rate_limited",
            "message": "Quá nhiều phản ánh từ địa chỉ này; vui lòng thử lại sau ít phút. "
            "(Too many feedback requests from this address; try again in a few minutes.)",
            "details": {},
        }
    },
    ensure_ascii=False,
)


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


class PublicFeedbackWaf(Construct):
    """A regional web ACL on the API stage with the feedback route's rate rule."""

    def __init__(
        self, scope: Construct, construct_id: str, *, rest_api: CfnResource, name: str, limit: int
    ) -> None:
        super().__init__(scope, construct_id)
        # The included template keeps Chalice's logical ids: "RestAPI" (a literal here, as
        # the SAM reference in the Sub below must be one).
        api_id = Stack.of(self).resolve(rest_api.logical_id)
        rule = wafv2.CfnWebACL.RuleProperty(
            name=RATE_RULE,
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(
                block=wafv2.CfnWebACL.BlockActionProperty(
                    custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                        response_code=429,
                        custom_response_body_key="rate_limited",
                        response_headers=[
                            wafv2.CfnWebACL.CustomHTTPHeaderProperty(
                                name="Retry-After", value=str(WINDOW_SECONDS)
                            )
                        ],
                    )
                )
            ),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP",
                    limit=limit,
                    evaluation_window_sec=WINDOW_SECONDS,
                    scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                            positional_constraint="ENDS_WITH",
                            search_string=FEEDBACK_SUFFIX,
                            text_transformations=[
                                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                            ],
                        )
                    ),
                )
            ),
            visibility_config=_visibility(f"{name}-{RATE_RULE}"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"{name}-public",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[rule],
            custom_response_bodies={
                "rate_limited": wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content=_BODY, content_type="APPLICATION_JSON"
                )
            },
            visibility_config=_visibility(f"{name}-public"),
            description="Rate rule of the public feedback route",
        )
        self.association = wafv2.CfnWebACLAssociation(
            self,
            "StageAssociation",
            resource_arn=Fn.sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/"
                "${" + api_id + ".Stage}",
                {"Api": rest_api.ref},
            ),
            web_acl_arn=self.web_acl.attr_arn,
        )
