"""The working-day calendar: deadlines of civil-affairs procedures are counted in working days.

The national calendar (weekends, public holidays and the adjusted working weekends) comes from the
``chinesecalendar`` package. A region can override single days (a local holiday, an extra working day); the
overrides are passed in as a mapping ``date → is_workday`` so this module stays free of any app's models
(huimin.assistance keeps them in its ``WorkdayOverride`` table). For a year the package has no data for, only
weekends are treated as rest days — ``covered(day)`` says whether that happened.
"""

import datetime
from collections.abc import Mapping

import chinese_calendar

Overrides = Mapping[datetime.date, bool]


def covered(day: datetime.date) -> bool:
    """Whether the national holiday data covers ``day``'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: datetime.date, overrides: Overrides | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: datetime.date, days: int, overrides: Overrides | None = None) -> datetime.date:
    """The date that is ``days`` working days after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_workday(day, overrides):
            remaining -= 1
    return day


def workdays_between(start: datetime.date, end: datetime.date, overrides: Overrides | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is before ``start``)."""
    if end < start:
        return -workdays_between(end, start, overrides)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_workday(day, overrides):
            count += 1
    return count
