"""A campaign's councils: one item per (campaign, kind), the members and the rule."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.domain.councils import Council
from chalicelib.storage.models import _meta, register_models


class CouncilModel(Model):
    Meta = _meta("councils")
    campaign_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(range_key=True)  # initiatives | awards
    members = JSONAttribute()  # [{"sub", "full_name", "position", "council_role", "official_id"}]
    rule = JSONAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()


register_models(CouncilModel)


def _council(item: CouncilModel) -> Council:
    return Council.model_validate(
        {
            "campaign_id": item.campaign_id,
            "kind": item.kind,
            "members": item.members or [],
            "rule": item.rule or {},
            "updated_at": item.updated_at,
            "updated_by": item.updated_by,
        }
    )


def put_council(council: Council) -> None:
    CouncilModel(
        council.campaign_id,
        council.kind,
        members=[m.model_dump(mode="json") for m in council.members],
        rule=council.rule,
        updated_at=council.updated_at,
        updated_by=council.updated_by,
    ).save()


def get_council(campaign_id: str, kind: str) -> Council | None:
    try:
        return _council(CouncilModel.get(campaign_id, kind, consistent_read=True))
    except CouncilModel.DoesNotExist:
        return None


def councils_of(campaign_id: str) -> list[Council]:
    return [_council(i) for i in CouncilModel.query(campaign_id)]
