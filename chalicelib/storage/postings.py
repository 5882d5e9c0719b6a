"""The public posting of a campaign's shortlist (one per campaign, frozen when opened) and
the public's feedback on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.posting import Feedback, Posting
from chalicelib.storage.models import (
    _meta,
    campaign_page,
    condition_failed,
    register_models,
)


class Refused(Exception):
    """A write's condition did not hold (already posted, already resolved)."""


class PostingModel(Model):
    Meta = _meta("postings")
    campaign_id = UnicodeAttribute(hash_key=True)
    opens_on = UnicodeAttribute()
    working_days = NumberAttribute()
    opens_at = UTCDateTimeAttribute()
    closes_at = UTCDateTimeAttribute()
    last_day = UnicodeAttribute()
    shortlist = JSONAttribute()
    opened_by = JSONAttribute()
    opened_at = UTCDateTimeAttribute()


class FeedbackByCampaignIndex(GlobalSecondaryIndex["FeedbackModel"]):
    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class FeedbackModel(Model):
    Meta = _meta("feedback")
    feedback_id = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute()
    nomination_id = UnicodeAttribute()
    created_key = UnicodeAttribute()
    text = UnicodeAttribute()  # as sent: text, never markup
    name = UnicodeAttribute(default="")
    contact = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()  # open | resolved
    resolution = JSONAttribute(null=True)
    by_campaign = FeedbackByCampaignIndex()


register_models(PostingModel, FeedbackModel)


def _posting(item: PostingModel) -> Posting:
    return Posting(
        campaign_id=item.campaign_id,
        opens_on=dt.date.fromisoformat(item.opens_on),
        working_days=int(item.working_days),
        opens_at=item.opens_at,
        closes_at=item.closes_at,
        last_day=dt.date.fromisoformat(item.last_day),
        shortlist=list(item.shortlist or []),
        opened_by=item.opened_by,
        opened_at=item.opened_at,
    )


def create_posting(posting: Posting) -> None:
    """The campaign's one posting; Refused when it was opened already."""
    item = PostingModel(
        posting.campaign_id,
        opens_on=posting.opens_on.isoformat(),
        working_days=posting.working_days,
        opens_at=posting.opens_at,
        closes_at=posting.closes_at,
        last_day=posting.last_day.isoformat(),
        shortlist=posting.shortlist,
        opened_by=posting.opened_by,
        opened_at=posting.opened_at,
    )
    try:
        item.save(condition=PostingModel.campaign_id.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            raise Refused("already posted") from None
        raise


def get_posting(campaign_id: str) -> Posting | None:
    try:
        return _posting(PostingModel.get(campaign_id, consistent_read=True))
    except PostingModel.DoesNotExist:
        return None


def _feedback(item: FeedbackModel) -> Feedback:
    return Feedback(
        feedback_id=item.feedback_id,
        campaign_id=item.campaign_id,
        nomination_id=item.nomination_id,
        created_key=item.created_key,
        text=item.text,
        name=item.name or "",
        contact=item.contact or "",
        created_at=item.created_at,
        status=item.status,
        resolution=item.resolution,
    )


def add_feedback(feedback: Feedback) -> None:
    FeedbackModel(
        feedback.feedback_id,
        campaign_id=feedback.campaign_id,
        nomination_id=feedback.nomination_id,
        created_key=feedback.created_key,
        text=feedback.text,
        name=feedback.name,
        contact=feedback.contact,
        created_at=feedback.created_at,
        status=feedback.status,
    ).save(condition=FeedbackModel.feedback_id.does_not_exist())


def get_feedback(feedback_id: str) -> Feedback | None:
    try:
        return _feedback(FeedbackModel.get(feedback_id, consistent_read=True))
    except FeedbackModel.DoesNotExist:
        return None


def resolve_feedback(feedback_id: str, resolution: dict[str, Any]) -> None:
    """open → resolved, once; Refused when it is resolved already."""
    try:
        FeedbackModel(feedback_id).update(
            actions=[
                FeedbackModel.status.set("resolved"),
                FeedbackModel.resolution.set(resolution),
            ],
            condition=FeedbackModel.status == "open",
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise Refused("already resolved") from None
        raise


def campaign_feedback(campaign_id: str) -> Iterator[Feedback]:
    """Every feedback of a campaign, oldest first."""
    for item in FeedbackModel.by_campaign.query(campaign_id):
        yield _feedback(item)


def feedback_page(
    campaign_id: str,
    *,
    limit: int,
    after: dict[str, str] | None,
    status: str | None,
    nomination_id: str | None,
) -> tuple[list[Feedback], dict[str, str] | None]:
    page, last = campaign_page(
        FeedbackModel.by_campaign,
        campaign_id,
        equals=((FeedbackModel.status, status), (FeedbackModel.nomination_id, nomination_id)),
        limit=limit,
        after=after,
        id_field="feedback_id",
    )
    return [_feedback(item) for item in page], last
