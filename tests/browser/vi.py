"""The console's number formats (Intl vi-VN), computed independently in Python so the
browser tests compare what a person reads with what the API answered."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def number(value: float | int, digits: int = 0) -> str:
    # ECMA-402 rounds the exact value of the double half away from zero.
    exact = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(rate: float | None, digits: int = 1) -> str:
    return "—" if rate is None else f"{number(rate * 100, digits)}%"
