"""Periods are calendar months written YYYY-MM."""

from __future__ import annotations

import calendar
import re
from datetime import date

# a JSON-schema pattern too: the DAGs' "period" Params use it
PERIOD_REGEX = r"^(\d{4})-(0[1-9]|1[0-2])$"
PERIOD_PATTERN = re.compile(PERIOD_REGEX)


def parse(period: str) -> tuple[int, int]:
    match = PERIOD_PATTERN.match(period)
    if not match:
        raise ValueError(f"period {period!r} is not YYYY-MM")
    return int(match.group(1)), int(match.group(2))


def first_day(period: str) -> date:
    year, month = parse(period)
    return date(year, month, 1)


def last_day(period: str) -> date:
    year, month = parse(period)
    return date(year, month, calendar.monthrange(year, month)[1])


def shift(period: str, months: int) -> str:
    year, month = parse(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> int:
    """How many months `last` is after `first` (the inverse of shift).

    >>> months_between("2026-10", "2027-04"), months_between("2026-10", "2026-10"), months_between("2027-01", "2026-12")
    (6, 0, -1)
    """
    (y0, m0), (y1, m1) = parse(first), parse(last)
    return (y1 - y0) * 12 + (m1 - m0)


def of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def span(first: str, last: str) -> list[str]:
    """Every period from first to last inclusive."""
    periods, current = [], first
    while current <= last:
        periods.append(current)
        current = shift(current, 1)
    return periods
