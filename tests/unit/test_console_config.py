"""The console's config.json carries the server's identifier pattern, levels and time zone,
built by one function for the deployed file and the local server alike."""

from __future__ import annotations

import json

from chalicelib.domain.vocabulary import IDENTIFIER_PATTERN, PROVINCE_LEVELS, RANKED_LEVELS
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
    }
    assert set(config["province_levels"]) == PROVINCE_LEVELS
    json.dumps(config)  # what the stack and the local server serialise


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
