"""GS1 dates: YYMMDD with the -49/+50 year window, and day 00 meaning the month's last day."""

from __future__ import annotations

import calendar
from datetime import date

# GS1 General Specifications 7.12: day "00" means "last day of the month" only here.
DAY_ZERO_AIS = frozenset({"11", "12", "13", "15", "16", "17"})


def century_window_year(two_digits: int, today: date) -> int:
    """Full year for a two-digit year: within -49/+50 years of ``today`` (GS1 GenSpecs 7.12)."""
    current = today.year
    difference = two_digits - current % 100
    if difference >= 51:
        return current - current % 100 - 100 + two_digits
    if difference <= -50:
        return current - current % 100 + 100 + two_digits
    return current - current % 100 + two_digits


def parse_yymmdd(value: str, today: date, *, day_zero: bool) -> date | None:
    """The date a YYMMDD value stands for, or None when it is not a valid date. With
    ``day_zero`` (AI 17 and kin), day 00 means the last day of the month.

    >>> parse_yymmdd("261200", date(2026, 1, 1), day_zero=True)
    datetime.date(2026, 12, 31)
    >>> parse_yymmdd("261341", date(2026, 1, 1), day_zero=False) is None
    True
    """
    if len(value) != 6 or not value.isdigit():
        return None
    year = century_window_year(int(value[:2]), today)
    month, day = int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    if day == 0 and day_zero:
        day = last
    if not 1 <= day <= last:
        return None
    return date(year, month, day)
