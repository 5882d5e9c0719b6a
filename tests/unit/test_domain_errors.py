"""Domain errors reach clients as the one error shape, their status decided in one place."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib import clock
from chalicelib.api.errors import DOMAIN_STATUS, api_error, translating
from chalicelib.domain import errors as domain_errors
from chalicelib.errors import ApiError


@pytest.mark.parametrize(("kind", "status"), sorted(DOMAIN_STATUS.items(), key=lambda kv: kv[1]))
def test_each_kind_has_its_status(kind: type[domain_errors.DomainError], status: int) -> None:
    if kind in (domain_errors.RateLimited,):
        exc: domain_errors.DomainError = kind("slow down", retry_after_seconds=3)  # type: ignore[call-arg]
    else:
        exc = kind("what went wrong", code="some_code")
    error = api_error(exc)
    assert error.status == status
    assert error.body()["error"]["message"] in ("what went wrong", "slow down")


def test_every_domain_kind_is_mapped() -> None:
    kinds = set(domain_errors.DomainError.__subclasses__())
    assert kinds <= set(DOMAIN_STATUS)


def test_unavailable_carries_retry_after() -> None:
    error = api_error(domain_errors.Unavailable("storage is down", retry_after_seconds=7))
    assert (error.status, error.code, error.headers["Retry-After"]) == (503, "unavailable", "7")


def test_translating_raises_the_api_form() -> None:
    @translating
    def view() -> None:
        raise domain_errors.Conflict("already voted", code="already_voted", details=["x"])

    with pytest.raises(ApiError) as caught:
        view()
    assert (caught.value.status, caught.value.code, caught.value.details) == (
        409,
        "already_voted",
        ["x"],
    )


def test_local_today_is_the_provinces_date_not_utcs() -> None:
    # 01:00 in Viet Nam on 1 August is still 31 July in UTC.
    moment = dt.datetime(2025, 7, 31, 18, 0, tzinfo=dt.UTC)
    with clock.frozen(moment):
        assert clock.now() == moment
        assert clock.local_today() == dt.date(2025, 8, 1)
    assert clock.now() != moment


def test_a_domain_error_keeps_its_message_code_and_a_copy_of_its_details() -> None:
    details = [{"field": "name"}]
    error = domain_errors.Conflict("already voted", code="already_voted", details=details)
    assert (str(error), error.message, error.code, error.details) == (
        "already voted",
        "already voted",
        "already_voted",
        [{"field": "name"}],
    )
    assert error.details is not details
    plain = domain_errors.InvalidInput("bad")
    assert (plain.code, plain.details) == ("bad_request", [])
    assert domain_errors.DomainError("x").code == "error"
    assert domain_errors.NotFound("gone", details=None).details == []


def test_no_campaign_says_what_to_do() -> None:
    error = domain_errors.NoCampaign()
    message = "No campaign exists yet; a province admin creates one first"
    assert (str(error), error.message, error.code) == (message, message, "no_campaign")
    assert isinstance(error, domain_errors.NotFound)
    assert domain_errors.NoCampaign("none for 2025").message == "none for 2025"


@pytest.mark.parametrize("kind", [domain_errors.RateLimited, domain_errors.Unavailable])
def test_retry_after_is_a_whole_number_of_seconds_at_least_one(
    kind: type[domain_errors.RateLimited] | type[domain_errors.Unavailable],
) -> None:
    error = kind("later", retry_after_seconds=7, code="busy", details=["x"])
    assert (str(error), error.message, error.code, error.details) == (
        "later",
        "later",
        "busy",
        ["x"],
    )
    assert error.retry_after_seconds == 7
    assert kind("later", retry_after_seconds=2).retry_after_seconds == 2
    assert kind("later", retry_after_seconds=2.9).retry_after_seconds == 2  # type: ignore[arg-type]
    for short in (0, 0.5, -3):
        assert kind("later", retry_after_seconds=short).retry_after_seconds == 1  # type: ignore[arg-type]
    assert kind("later", retry_after_seconds=1).code == kind.default_code


def test_unavailable_asks_for_a_retry_after_five_seconds_by_default() -> None:
    assert domain_errors.Unavailable("storage is down").retry_after_seconds == 5
