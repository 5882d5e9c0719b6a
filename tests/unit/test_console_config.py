"""The console's config.json carries the server's identifier pattern, levels, criteria and
time zone, built by one function for the deployed file and the local server alike."""

from __future__ import annotations

import json

from chalicelib.domain.campaigns import AwardQuotas
from chalicelib.domain.vocabulary import (
    ALL_CRITERIA,
    CRITERIA_BY_KEY,
    DEFAULT_TARGETS,
    DEFAULT_WEIGHTS,
    IDENTIFIER_PATTERN,
    PROVINCE_LEVELS,
    RANKED_LEVELS,
)
from infra.console_config import console_config
from scripts.chalice_local import CHALICE_CONFIG, app_environment

AUTH = {"type": "dev", "sign_in_url": "/dev/sign-in"}


def test_config_carries_the_vocabulary_and_the_functions_zone() -> None:
    config = console_config(
        api_url="http://127.0.0.1:8000",
        stage="local",
        auth=AUTH,
        app_environment={"CAMPAIGN_TIMEZONE": "Asia/Bangkok"},
    )
    assert config == {
        "api_url": "http://127.0.0.1:8000",
        "stage": "local",
        "auth": AUTH,
        "time_zone": "Asia/Bangkok",
        "identifier_pattern": IDENTIFIER_PATTERN,
        "province_levels": ["province", "department"],
        "ranked_levels": list(RANKED_LEVELS),
        "criteria": config["criteria"],  # below
        "default_award_quotas": {"collective": 10, "individual": 10},
    }
    assert config["default_award_quotas"] == AwardQuotas().model_dump()
    assert set(config["province_levels"]) == PROVINCE_LEVELS
    json.dumps(config)  # what the stack and the local server serialise


def test_criteria_are_the_vocabulary_s_in_its_order() -> None:
    criteria = console_config(api_url="", stage="local", auth=AUTH, app_environment={})["criteria"]
    assert [c["key"] for c in criteria] == list(ALL_CRITERIA)
    # One entry of each kind, as the console reads them (README, "config.json").
    assert criteria[0] == {
        "key": "online_rate",
        "kind": "rate",
        "numerator": "processed_online",
        "denominator": "processed_total",
        "default_target": 1.0,
        "default_weight": 1.0,
        "label": {"vi": "Xử lý văn bản trên môi trường mạng", "en": "Documents processed online"},
    }
    assert criteria[-1] == {
        "key": "creativity",
        "kind": "count",
        "default_target": 1,
        "default_weight": 0.0,
        "opt_in": True,
        "label": {
            "vi": "Tính sáng tạo (sáng kiến được công nhận)",
            "en": "Creativity (recognised initiatives)",
        },
    }
    assert criteria[-2] == {
        "key": "two_way_interconnection",
        "kind": "flag",
        "default_target": True,
        "default_weight": 1.0,
        "label": {"vi": "Liên thông văn bản hai chiều", "en": "Two-way interconnection"},
    }
    for entry in criteria:
        definition = CRITERIA_BY_KEY[entry["key"]]
        assert entry["kind"] == definition.kind
        assert entry.get("opt_in", False) is definition.opt_in
        if definition.is_rate:
            parts = (entry["numerator"], entry["denominator"])
            assert parts == (definition.numerator, definition.denominator)
            assert entry["default_target"] == DEFAULT_TARGETS[entry["key"]]
        else:
            assert "numerator" not in entry and "denominator" not in entry
            assert entry["default_target"] is definition.default_target
        assert entry["default_weight"] == DEFAULT_WEIGHTS[entry["key"]]
        assert (entry["label"]["vi"], entry["label"]["en"]) == definition.label


def test_zone_defaults_as_the_service_defaults_it() -> None:
    config = console_config(api_url="", stage="local", auth=AUTH, app_environment={})
    assert config["time_zone"] == "Asia/Ho_Chi_Minh"


def test_local_app_environment_is_chalice_config_over_the_process() -> None:
    chalice = json.loads(CHALICE_CONFIG.read_text(encoding="utf-8"))
    env = app_environment("local", {"CAMPAIGN_TIMEZONE": "Europe/Paris", "OTHER": "kept"})
    assert env["OTHER"] == "kept"
    # Chalice sets its file's variables over the environment it starts in.
    assert env["CAMPAIGN_TIMEZONE"] == chalice["environment_variables"]["CAMPAIGN_TIMEZONE"]
    assert env["STAGE"] == chalice["stages"]["local"]["environment_variables"]["STAGE"]
