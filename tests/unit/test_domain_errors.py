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
