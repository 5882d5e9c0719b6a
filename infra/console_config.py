"""The console's config.json, one definition for the file the stack deploys (infra/stacks/
service.py) and the one the local console server answers (scripts/console_server.py). No
AWS CDK import: the local stack uses it.

Besides where the API is and how to sign in, it carries what the console must not restate:
the identifier pattern and the unit levels (chalicelib/domain/vocabulary.py) and the
province's time zone, read from the environment the API's functions run with, so the
console always shows and counts in the zone the server enforces.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.domain.vocabulary import (
    IDENTIFIER_PATTERN,
    PROVINCE_LEVELS,
    RANKED_LEVELS,
    UNIT_LEVELS,
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
    }
