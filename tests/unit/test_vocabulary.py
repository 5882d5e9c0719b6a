"""One criteria vocabulary: the KPI core, campaigns, schemas, report columns and the OpenAPI
document all follow domain.vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.domain import kpi
from chalicelib.domain.campaigns import Campaign
from chalicelib.domain.vocabulary import (
    ALL_CRITERIA,
    CRITERIA,
    CRITERIA_BY_KEY,
    CRITERIA_DEFINITIONS,
    OPT_IN_CRITERIA,
    RATE_CRITERIA,
    UNIT_LEVELS,
    CriterionDefinition,
    alternatives,
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


def test_alternatives_name_the_values_as_a_message_does() -> None:
    assert alternatives(["a"]) == "a"
    assert alternatives(["a", "b"]) == "a or b"
    assert alternatives(["commune", "department", "division"]) == (
        "commune, department or division"
    )


def test_the_criteria_of_a_level_are_those_that_apply_to_it_and_those_turned_on() -> None:
    for level in UNIT_LEVELS:
        expected = tuple(c.key for c in CRITERIA_DEFINITIONS if level in c.levels and not c.opt_in)
        assert criteria_for(level) == expected
        assert criteria_for(level, ("creativity", "other")) == (*expected, "creativity")
    assert criteria_for("division", ("creativity",)) == (
        "online_rate",
        "signing_rate",
        "e_issuance_rate",
        "kpi_coverage",
        "creativity",
    )
    with pytest.raises(ValueError, match=r"^unknown unit level: 'hamlet'$"):
        criteria_for("hamlet")


def test_a_rate_criterion_needs_its_parts_and_its_shortfall_text() -> None:
    rate = CRITERIA_BY_KEY["online_rate"]
    assert rate.applies_to("division") and not CRITERIA_BY_KEY[
        "two_way_interconnection"
    ].applies_to("division")
    fields = {
        "key": "paperless",
        "label": ("", ""),
        "text": ("", ""),
        "rate_column": ("", ""),
        "met_column": ("", ""),
    }
    parts = {"numerator": "a", "denominator": "b", "shortfall": ("{count}", "{count}")}
    for missing in parts:
        with pytest.raises(
            ValueError, match=r"^rate criterion 'paperless' needs its parts and shortfall text$"
        ):
            CriterionDefinition(kind="rate", **fields, **{**parts, missing: None})  # type: ignore[arg-type]
    assert CriterionDefinition(kind="rate", **fields, **parts).is_rate  # type: ignore[arg-type]
    assert not CriterionDefinition(kind="flag", **fields).is_rate  # type: ignore[arg-type]
