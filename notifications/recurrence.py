"""Recurring duty days in local (Asia/Shanghai) dates: "the 8th of each month", "the first
Friday (afternoon)", "the last day of the month" — and what happens when a fixed day of the
month falls on a weekend (the organisation's rule: move to the Friday before, the Monday after,
or keep it).

    rule = MonthlyDay(8)                      # the 8th; day 31 means the month's last day
    rule = NthWeekday(1, FRIDAY, "afternoon") # the first Friday, afternoon
    occurrence(rule, 2026, 3, weekend_rule="later")  -> datetime.date(2026, 3, 9)
    next_occurrence(rule, today, weekend_rule=…)     -> the first date ≥ today

Domain sources (members' collection and reception days …) use these to compute due dates."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


@dataclass(frozen=True)
class MonthlyDay:
    """A fixed day of the month; days past the month's end mean its last day (31 → 28 Feb)."""

    day: int
    part: str = ""  # "morning" / "afternoon", for display

    def raw(self, year: int, month: int) -> datetime.date:
        last = calendar.monthrange(year, month)[1]
        return datetime.date(year, month, min(max(self.day, 1), last))

    moves_on_weekend = True


@dataclass(frozen=True)
class NthWeekday:
    """The n-th given weekday of the month (n = -1: the last one)."""

    n: int
    weekday: int
    part: str = ""

    def raw(self, year: int, month: int) -> datetime.date:
        days = [d for d in calendar.Calendar().itermonthdates(year, month)
                if d.month == month and d.weekday() == self.weekday]
        return days[self.n - 1] if self.n > 0 else days[self.n]

    moves_on_weekend = False  # it is a chosen weekday already


def adjust_for_weekend(day: datetime.date, weekend_rule: str) -> datetime.date:
    if day.weekday() < SATURDAY or weekend_rule == "keep":
        return day
    if weekend_rule == "earlier":
        return day - datetime.timedelta(days=day.weekday() - FRIDAY)
    if weekend_rule == "later":
        return day + datetime.timedelta(days=7 - day.weekday())
    raise ValueError(weekend_rule)


def occurrence(rule, year: int, month: int, *, weekend_rule: str = "keep") -> datetime.date:
    day = rule.raw(year, month)
    return adjust_for_weekend(day, weekend_rule) if rule.moves_on_weekend else day


def next_occurrence(rule, after: datetime.date, *, weekend_rule: str = "keep") -> datetime.date:
    """The first occurrence on or after `after` (moving to an earlier day may cross into the
    previous month's dates, so the current month is checked first)."""
    year, month = after.year, after.month
    for _ in range(3):
        day = occurrence(rule, year, month, weekend_rule=weekend_rule)
        if day >= after:
            return day
        month += 1
        if month > 12:
            year, month = year + 1, 1
    raise AssertionError("unreachable")


def local_today() -> datetime.date:
    """Today in the portal's time zone (Asia/Shanghai), whatever the server's clock zone."""
    return timezone.localdate()


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
