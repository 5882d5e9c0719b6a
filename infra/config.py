"""The settings of one deployment, read from `infra/stages.json`.

`infra/stages.json` is the one place to configure a deployment: one object per
stage (``prod``; add ``staging`` by copying it). Every key is documented on
`StageConfig` below and in the README; a key missing from the file takes the
default shown here. `make deploy STAGE=<name>` and `make synth STAGE=<name>`
pick the object.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

STAGES_FILE = Path(__file__).with_name("stages.json")
REPO_ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "khong-giay"
# A deployed browser origin: HTTPS, lower-case host, optional port, no path (the API
# compares the Origin header exactly).
ORIGIN = re.compile(r"https://[a-z0-9.-]+(:[0-9]{1,5})?")


@dataclass(frozen=True)
class StageConfig:
    stage: str
    # AWS account id to deploy to; "" = the account of the credentials `cdk deploy` runs with.
    account: str = ""
    # AWS region of every resource (Cognito, API, tables, buckets, key).
    region: str = "ap-southeast-1"
    # Optional custom domain of the API (e.g. "api.khonggiay.example.gov.vn") and the ACM
    # certificate ARN for it (in `region`; in us-east-1 for an EDGE endpoint). Both or neither.
    api_domain_name: str = ""
    api_certificate_arn: str = ""
    # Optional Cognito hosted-UI domain prefix ("khong-giay-prod" ->
    # https://khong-giay-prod.auth.<region>.amazoncognito.com); "" = no hosted UI.
    auth_domain_prefix: str = ""
    # OAuth callback URLs of other frontends (hosted UI / authorization-code flow); the
    # console's own address is always added. [] = the console only.
    auth_callback_urls: tuple[str, ...] = ()
    # Browser origins allowed to call the API and upload/download from S3 directly, besides
    # the console's own (always allowed), e.g. ["https://app.example.gov.vn"]. API Gateway's
    # own error responses carry the console's origin only (README "Browsers (CORS)").
    api_cors_origins: tuple[str, ...] = ()
    # Optional custom domain of the console (e.g. "console.khonggiay.example.gov.vn") and its
    # ACM certificate ARN, which CloudFront requires in us-east-1. Both or neither; "" = the
    # distribution's own https://<id>.cloudfront.net address.
    console_domain_name: str = ""
    console_certificate_arn: str = ""
    # The domain notifications are sent from (an SES identity the stack creates: publish its
    # DKIM records, and leave the SES sandbox, before mail reaches people).
    mail_domain: str = "khonggiay.example.gov.vn"
    # The account's SES maximum send rate (messages per second): 1 in the SES sandbox; set
    # it to the quota SES grants when the account leaves the sandbox.
    mail_send_rate: float = 1.0
    # Where alarm notifications are e-mailed (SNS e-mail subscription, confirm once).
    alarm_email: str = ""
    # CloudWatch Logs retention of every function and of API access logs (days; a value
    # CloudWatch accepts, e.g. 30, 90, 365). Per function: FunctionSpec.log_retention_days.
    log_retention_days: int = 365
    # API Gateway stage throttling for every method: steady requests/second and burst.
    api_throttle_rate: int = 50
    api_throttle_burst: int = 100
    # WAF rate rule of the public feedback route (POST .../shortlist/{id}/feedback): requests
    # one client address may send in 5 minutes before WAF answers 429 (AWS WAF's least is 10).
    feedback_waf_limit: int = 100
    # Reserved concurrency per function logical id, overriding infra/catalog.py's defaults,
    # e.g. {"APIHandler": 100}. The account's concurrency quota must exceed the sum + 100.
    reserved_concurrency: dict[str, int] = field(default_factory=dict)
    # Production data protection: deletion protection on tables and the user pool, and
    # RETAIN on tables, buckets, key and user pool when the stack is deleted.
    protect_data: bool = True
    # Cognito MFA: "REQUIRED", "OPTIONAL" or "OFF" (TOTP only, no SMS).
    mfa: str = "REQUIRED"
    # Cognito threat protection (Plus feature plan, billed per user): block compromised
    # credentials and risky sign-ins.
    threat_protection: bool = True
    # Days after which archived raw events move to S3 Glacier Instant Retrieval.
    archive_transition_days: int = 90
    # Days S3 server access logs are kept in the log bucket.
    access_log_expiration_days: int = 365
    # Whether this stack sets the account-wide API Gateway CloudWatch role (needed for access
    # logs; set false if another stack in the account/region already manages it).
    manage_apigw_account_role: bool = True
    # Dimensions of the SilentSources metric the app emits (Powertools adds "service").
    silent_sources_dimensions: dict[str, str] = field(default_factory=dict)
    # Extra Lambda environment variables (any chalicelib/settings.py variable, e.g.
    # {"AGGREGATE_EVERY_MINUTES": "30"}), given to every function.
    app_environment: dict[str, str] = field(default_factory=dict)

    @property
    def stack_name(self) -> str:
        return f"{APP_NAME}-{self.stage}"

    @property
    def table_prefix(self) -> str:
        # Must equal chalicelib.settings' default so the app and infra agree.
        return f"{APP_NAME}-{self.stage}-"


def load_stage(stage: str, path: Path = STAGES_FILE) -> StageConfig:
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,15}", stage):
        raise ValueError(f"stage name {stage!r} must match [a-z][a-z0-9-]{{0,15}}")
    stages: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if stage not in stages:
        raise KeyError(f"no stage {stage!r} in {path}; stages: {', '.join(sorted(stages))}")
    raw = dict(stages[stage])
    known = {f.name for f in fields(StageConfig)} - {"stage"}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"unknown settings in {path} [{stage}]: {', '.join(sorted(unknown))}")
    for key in ("auth_callback_urls", "api_cors_origins"):
        if key in raw:
            raw[key] = tuple(raw[key])
    config = StageConfig(stage=stage, **raw)
    if config.mfa not in {"REQUIRED", "OPTIONAL", "OFF"}:
        raise ValueError(f"mfa must be REQUIRED, OPTIONAL or OFF, not {config.mfa!r}")
    if bool(config.api_domain_name) != bool(config.api_certificate_arn):
        raise ValueError("api_domain_name and api_certificate_arn go together")
    if bool(config.console_domain_name) != bool(config.console_certificate_arn):
        raise ValueError("console_domain_name and console_certificate_arn go together")
    if config.console_certificate_arn and ":us-east-1:" not in config.console_certificate_arn:
        raise ValueError("console_certificate_arn must be in us-east-1 (CloudFront)")
    if not 10 <= config.feedback_waf_limit <= 2_000_000_000:
        raise ValueError("feedback_waf_limit must be from 10 to 2,000,000,000 (AWS WAF's range)")
    invalid = [o for o in config.api_cors_origins if not ORIGIN.fullmatch(o)]
    if invalid:
        raise ValueError(
            f"api_cors_origins: not an https origin (https://host[:port], lower case, no "
            f"path): {', '.join(invalid)}"
        )
    return config
