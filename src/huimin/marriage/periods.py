"""The windows of 协议离婚 (民法典 第1077条), as pure date arithmetic (no database, no clock).

A period counted in days begins on the day after the event (民法典 第201条): the application is received on day 0;
the 冷静期 is days 1–30, during which either party may withdraw (撤回, also on the day of receipt); the parties
may come to register on days 31–60; from day 61 the application is deemed withdrawn (视为撤回). Days are calendar
days: the issue asks for exact counting, so the extension of a period ending on a public holiday (第203条) is not
applied here (docs/marriage.md says so).
"""

import datetime
from dataclasses import dataclass

COOLING_DAYS = 30
REGISTER_DAYS = 30

WITHDRAW = "withdraw"
REGISTER = "register"


@dataclass(frozen=True)
class Windows:
    received: datetime.date
    cooling_start: datetime.date  # day 1
    cooling_end: datetime.date  # day 30, the last day to withdraw
    register_start: datetime.date  # day 31
    register_end: datetime.date  # day 60, the last day to register


def day_number(received: datetime.date, day: datetime.date) -> int:
    """Which day of the period ``day`` is: 0 the day of receipt, 1 the day after, …"""
    return (day - received).days


def windows(received: datetime.date) -> Windows:
    one = datetime.timedelta(days=1)
    cooling_end = received + datetime.timedelta(days=COOLING_DAYS)
    return Windows(
        received=received,
        cooling_start=received + one,
        cooling_end=cooling_end,
        register_start=cooling_end + one,
        register_end=cooling_end + datetime.timedelta(days=REGISTER_DAYS),
    )


def may_withdraw(received: datetime.date, day: datetime.date) -> bool:
    return 0 <= day_number(received, day) <= COOLING_DAYS


def may_register(received: datetime.date, day: datetime.date) -> bool:
    return COOLING_DAYS < day_number(received, day) <= COOLING_DAYS + REGISTER_DAYS


def lapsed(received: datetime.date, day: datetime.date) -> bool:
    """Deemed withdrawn: the registration window has ended without registration."""
    return day_number(received, day) > COOLING_DAYS + REGISTER_DAYS


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Completed years (周岁) on ``day``: one more on the birthday itself; a 29 February birthday falls on
    1 March in a common year."""
    years = day.year - birth.year
    return years - ((day.month, day.day) < (birth.month, birth.day))


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)
