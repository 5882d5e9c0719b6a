"""The console's config.json, one definition for the file the stack deploys (infra/stacks/
service.py) and the one the local console server answers (scripts/console_server.py). No
AWS CDK import: the local stack uses it.

Besides where the API is and how to sign in, it carries what the console must not restate:
the identifier pattern, the unit levels and the campaign criteria
(chalicelib/domain/vocabulary.py), a new campaign's award quotas (chalicelib/domain/
campaigns.py) and the province's time zone, read from the environment the API's functions
run with, so the console always shows and counts in the zone the server enforces.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.domain.campaigns import AwardQuotas
from chalicelib.domain.vocabulary import (
    CRITERIA_DEFINITIONS,
    IDENTIFIER_PATTERN,
    PROVINCE_LEVELS,
    RANKED_LEVELS,
    UNIT_LEVELS,
    CriterionDefinition,
)
from chalicelib.settings import province_timezone


def console_config(
    *,
    api_url: str,
    stage: str,
    auth: Mapping[str, Any],
    app_environment: Mapping[str, str],
) -> dict[str, Any]:
    """config.json (keys in README, "config.json"). `app_environment`: the API functions'
    environment variables, whose CAMPAIGN_TIMEZONE dates figures and deadlines."""
    return {
        "api_url": api_url,
        "stage": stage,
        "auth": dict(auth),
        "time_zone": province_timezone(app_environment),
        "identifier_pattern": IDENTIFIER_PATTERN,
        # Lists in UNIT_LEVELS' order: JSON has no sets.
        "province_levels": [level for level in UNIT_LEVELS if level in PROVINCE_LEVELS],
        "ranked_levels": list(RANKED_LEVELS),
        "criteria": [_criterion(c) for c in CRITERIA_DEFINITIONS],
        "default_award_quotas": AwardQuotas().model_dump(),
    }


def _criterion(criterion: CriterionDefinition) -> dict[str, Any]:
    """What the console draws a criterion with: its kind and a rate's parts (the metrics it
    counts), the defaults a new campaign starts from and its name, for a criterion the
    console has no shorter word for. Its levels stay out: the API answers null where a
    criterion does not apply."""
    vi, en = criterion.label
    entry: dict[str, Any] = {"key": criterion.key, "kind": criterion.kind}
    if criterion.is_rate:
        entry["numerator"] = criterion.numerator
        entry["denominator"] = criterion.denominator
    entry["default_target"] = criterion.default_target
    entry["default_weight"] = criterion.default_weight
    if criterion.opt_in:
        # Off unless a campaign weighs it above 0 or names its target: the console shows it
        # where the API's answer carries it.
        entry["opt_in"] = True
    entry["label"] = {"vi": vi, "en": en}
    return entry
