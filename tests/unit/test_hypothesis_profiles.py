"""The property tests' settings (tests/conftest.py): a CI profile that draws the same
examples every run and does not fail a test because eight workers on two cores generated
data slowly, and the API-against-the-oracle test at 50 examples or more."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def test_the_ci_profile_is_derandomized_and_suited_to_a_parallel_run():
    ci = settings.get_profile("ci")
    assert ci.derandomize is True
    assert ci.database is None
    assert ci.deadline is None
    assert HealthCheck.too_slow in ci.suppress_health_check


def test_the_api_against_the_oracle_draws_at_least_50_examples():
    from tests.api.test_properties import test_api_figures_equal_a_recomputation_from_all_events

    drawn = test_api_figures_equal_a_recomputation_from_all_events._hypothesis_internal_use_settings
    assert drawn.max_examples >= 50
    assert HealthCheck.too_slow in drawn.suppress_health_check
