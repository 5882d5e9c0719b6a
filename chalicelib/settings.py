"""Every setting the service reads, parsed once from the environment.

The README's settings table mirrors `Settings`; keep the two in step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _str(name: str, default: str = "") -> str:
    return os.environ.get(name, default) or default


_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")


def _origins(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated list of browser origins (scheme://host[:port], no path), compared
    exactly with the Origin header; a typo must fail loudly, not silently block browsers."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    origins = tuple(o.strip().rstrip("/").lower() for o in raw.split(",") if o.strip())
    invalid = [o for o in origins if not _ORIGIN.fullmatch(o)]
    if invalid:
        raise ValueError(f"{name}: not an origin (scheme://host[:port]): {', '.join(invalid)}")
    return origins


def province_timezone(environ: Mapping[str, str]) -> str:
    """CAMPAIGN_TIMEZONE as the service reads it from `environ`. Also read by what builds
    the console's config.json from the functions' environment, so the two always agree."""
    return environ.get("CAMPAIGN_TIMEZONE") or "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    endpoint_url: str
    table_prefix: str
    archive_bucket: str
    uploads_bucket: str
    reports_bucket: str
    kms_key_id: str
    auth_jwks_url: str
    auth_jwks_file: str
    auth_issuer: str
    auth_audience: str
    timezone: str
    webhook_tolerance_seconds: int
    event_max_age_days: int
    secret_rotation_grace_hours: int
    webhook_max_events: int
    webhook_max_body_bytes: int
    edxml_max_body_bytes: int
    aggregate_every_minutes: int
    aggregate_lease_seconds: int
    sweep_min_age_seconds: int
    redaction_settle_seconds: int
    silent_after_hours: int
    upload_max_bytes: int
    upload_url_seconds: int
    download_url_seconds: int
    registry_cache_seconds: int
    reports_per_hour: int
    cors_allowed_origins: tuple[str, ...]
    mail_from: str
    mail_configuration_set: str
    mail_capture_dir: str
    mail_send_rate: float
    mail_link_secret: str
    mail_link_secret_arn: str
    public_api_url: str
    console_url: str
    alarm_prefix: str
    hub_allow_http: bool
    hub_overlap_hours: int
    hub_timeout_seconds: int
    hub_max_packages_per_run: int
    # The function that runs jobs started by hand (infra's RunJob); empty: run in-process.
    job_runner_function: str

    def table_name(self, logical: str) -> str:
        return f"{self.table_prefix}{logical}"

    @property
    def zone(self) -> ZoneInfo:
        """The province's time zone (CAMPAIGN_TIMEZONE): the local dates of every figure and
        every deadline. One zone, because daily rows are shared by every campaign."""
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    stage = _str("STAGE", "local")
    prefix = _str("TABLE_PREFIX", f"khong-giay-{stage}-")
    console_port = _int("CONSOLE_PORT", 8080)
    return Settings(
        stage=stage,
        region=_str("AWS_REGION", _str("AWS_DEFAULT_REGION", "ap-southeast-1")),
        endpoint_url=_str("AWS_ENDPOINT_URL"),
        table_prefix=prefix,
        archive_bucket=_str("ARCHIVE_BUCKET", f"{prefix}event-archive"),
        uploads_bucket=_str("UPLOADS_BUCKET", f"{prefix}uploads"),
        reports_bucket=_str("REPORTS_BUCKET", f"{prefix}reports"),
        kms_key_id=_str("KMS_KEY_ID", f"alias/{prefix}key"),
        auth_jwks_url=_str("AUTH_JWKS_URL"),
        auth_jwks_file=_str("AUTH_JWKS_FILE"),
        auth_issuer=_str("AUTH_ISSUER", "https://auth.khong-giay.local"),
        auth_audience=_str("AUTH_AUDIENCE", "khong-giay-api"),
        timezone=province_timezone(os.environ),
        webhook_tolerance_seconds=_int("WEBHOOK_TOLERANCE_SECONDS", 300),
        event_max_age_days=_int("EVENT_MAX_AGE_DAYS", 400),
        secret_rotation_grace_hours=_int("SECRET_ROTATION_GRACE_HOURS", 24),
        webhook_max_events=_int("WEBHOOK_MAX_EVENTS", 500),
        webhook_max_body_bytes=_int("WEBHOOK_MAX_BODY_BYTES", 1024 * 1024),
        edxml_max_body_bytes=_int("EDXML_MAX_BODY_BYTES", 10 * 1024 * 1024),
        aggregate_every_minutes=_int("AGGREGATE_EVERY_MINUTES", 60),
        aggregate_lease_seconds=_int("AGGREGATE_LEASE_SECONDS", 15 * 60),
        # The sweep leaves inbox items younger than this to the stream (issue 23: the two
        # folding the same items at once is what made a burst's conflicts); 0: everything.
        sweep_min_age_seconds=_int("SWEEP_MIN_AGE_SECONDS", 0),
        redaction_settle_seconds=_int("REDACTION_SETTLE_SECONDS", 60),
        silent_after_hours=_int("SILENT_AFTER_HOURS", 24),
        upload_max_bytes=_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
        upload_url_seconds=_int("UPLOAD_URL_SECONDS", 300),
        download_url_seconds=_int("DOWNLOAD_URL_SECONDS", 120),
        registry_cache_seconds=_int("REGISTRY_CACHE_SECONDS", 60),
        reports_per_hour=_int("REPORTS_PER_HOUR", 10),
        # Default: the local console (`make serve`); in AWS infra always sets it.
        cors_allowed_origins=_origins(
            "CORS_ALLOWED_ORIGINS",
            (f"http://127.0.0.1:{console_port}", f"http://localhost:{console_port}"),
        ),
        # Hub credentials travel in headers: plain http only on the local stack and in tests.
        hub_allow_http=_int("HUB_ALLOW_HTTP", 1 if stage in ("local", "test") else 0) == 1,
        hub_overlap_hours=_int("HUB_OVERLAP_HOURS", 48),
        hub_timeout_seconds=_int("HUB_TIMEOUT_SECONDS", 10),
        hub_max_packages_per_run=_int("HUB_MAX_PACKAGES_PER_RUN", 500),
        job_runner_function=_str("JOB_RUNNER_FUNCTION"),
        # Notifications (issue 24). The sender must be an SES identity (infra creates it).
        mail_from=_str("MAIL_FROM", "Khong Giay <no-reply@khong-giay.local>"),
        mail_configuration_set=_str("MAIL_CONFIGURATION_SET"),
        # Local stack: every message is also written here (out/mail/) and its bodies kept
        # in the ledger for the console's captured-mail page. Empty in AWS.
        mail_capture_dir=_str("MAIL_CAPTURE_DIR"),
        # Messages per second; 0: SES's own MaxSendRate (get_send_quota). The local stack
        # sets it, since moto's quota (1/s) is not a real account's.
        mail_send_rate=float(_str("MAIL_SEND_RATE", "0")),
        # HMAC key of the one-click unsubscribe links (infra passes the stage's secret).
        mail_link_secret=_str("MAIL_LINK_SECRET", "local-dev-unsubscribe-key"),
        # In AWS the key is a Secrets Manager secret (infra), read once per container.
        mail_link_secret_arn=_str("MAIL_LINK_SECRET_ARN"),
        public_api_url=_str("PUBLIC_API_URL", "http://127.0.0.1:8000").rstrip("/"),
        console_url=_str("CONSOLE_URL", f"http://127.0.0.1:{console_port}").rstrip("/"),
        # The stack's alarm names start with this (infra sets it): the admins' alert lists
        # those firing. Empty: no alarm is read (local stack).
        alarm_prefix=_str("ALARM_PREFIX"),
    )
