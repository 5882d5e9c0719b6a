"""Models shared by several routes (errors, lists)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

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


class JobRunResponse(BaseModel):
    job: str
    result: dict[str, Any]


class HealthResponse(BaseModel):
    status: Literal["ok"]
    stage: str
