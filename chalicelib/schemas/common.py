"""Models shared by several routes (errors, lists)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from chalicelib.domain.campaigns import Campaign


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[Any]
    # API Gateway's requestContext.requestId, also the X-Request-Id response header.
    request_id: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


class CampaignList(BaseModel):
    items: list[Campaign]
    default_campaign_id: str | None = Field(
        description="The campaign shown when none is chosen: the one active on the "
        "province's local date (else the last ended, else the next); null: none exists"
    )


class JobRunOut(BaseModel):
    """A run of a job started by hand (chalicelib/jobs/runner.py)."""

    job: str
    run_id: str = Field(pattern="^[0-9a-f]{32}$")
    state: Literal["queued", "running", "succeeded", "failed"]
    requested_at: dt.datetime
    requested_by: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result: dict[str, Any] | None = Field(description="The job's figures once it succeeded")
    error: str | None = Field(description="Why it failed")


class HealthResponse(BaseModel):
    status: Literal["ok"]
    stage: str
