"""One criteria vocabulary: the KPI core, campaigns, schemas, report columns and the OpenAPI
document all follow domain.vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib.domain import kpi
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.vocabulary import (
    ALL_CRITERIA,
    CRITERIA,
    OPT_IN_CRITERIA,
    RATE_CRITERIA,
    UNIT_LEVELS,
    criteria_for,
)
from chalicelib.schemas.kpi import Compliance, RankingItem
from chalicelib.schemas.nominations import CollectiveCandidate
from chalicelib.services.report_content.columns import (
    COMPLIANCE_COLUMNS,
    RANKING_COLUMNS,
    SUB_UNIT_COLUMNS,
)

REPO = Path(__file__).resolve().parents[2]


def test_core_and_campaigns_use_the_criteria() -> None:
    metrics = dict.fromkeys(RATE_CRITERIA, 1.0) | {"two_way_interconnection": True}
    assert list(kpi.compliance(metrics, level="commune")) == [*CRITERIA, "compliant"]
    assert list(criteria_for("commune")) == list(CRITERIA)
    assert "two_way_interconnection" not in criteria_for("division")
    campaign = Campaign.model_validate(
        {"campaign_id": "c", "name": "c", "start_date": "2025-01-01", "end_date": "2025-12-31"}
    )
    assert list(campaign.rate_targets()) == list(RATE_CRITERIA)
    assert list(campaign.score_weights()) == list(ALL_CRITERIA)
    # An opt-in criterion (creativity) is off unless the campaign turns it on.
    assert OPT_IN_CRITERIA == ("creativity",)
    assert campaign.enabled_criteria() == ()
    assert list(criteria_for("commune", ("creativity",))) == [*CRITERIA, "creativity"]


def test_schemas_and_report_columns_list_every_criterion_in_order() -> None:
    assert list(Compliance.model_fields) == [*CRITERIA, *OPT_IN_CRITERIA, "compliant"]
    assert all(not Compliance.model_fields[k].is_required() for k in OPT_IN_CRITERIA)
    for fields in (RankingItem.model_fields, CollectiveCandidate.model_fields):
        assert [f for f in fields if f in CRITERIA] == list(CRITERIA)
    for columns in (RANKING_COLUMNS, COMPLIANCE_COLUMNS, SUB_UNIT_COLUMNS):
        assert [c.key for c in columns if c.key in CRITERIA] == list(CRITERIA)


def test_openapi_document_says_what_the_ranking_returns() -> None:
    schemas = json.loads((REPO / "docs" / "openapi.json").read_text())["components"]["schemas"]
    assert {"from", "to"} <= set(schemas["Ranking"]["required"])
    assert set(CRITERIA) <= set(schemas["RankingItem"]["properties"])
    assert schemas["UnitOut"]["properties"]["level"]["enum"] == list(UNIT_LEVELS)


def test_every_nomination_status_has_its_words_in_the_reports() -> None:
    # The council's appraisal added eligible / not_eligible: a report of a council campaign
    # mid-way showed the raw state where people read Vietnamese.
    from typing import get_args

    from chalicelib.schemas.nominations import Status
    from chalicelib.services.report_content.columns import NOMINATION_STATUS

    assert set(NOMINATION_STATUS) == set(get_args(Status))
