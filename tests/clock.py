"""Pinning the clock: a test whose data carries fixed dates runs at a fixed moment in Beijing time."""

import datetime
import zoneinfo

import time_machine

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0):
    """``with at(2026, 11, 20): …`` or ``@at(2026, 11, 20)``: that moment in Beijing, the clock ticking on."""
    return time_machine.travel(datetime.datetime(year, month, day, hour, minute, tzinfo=BEIJING), tick=True)
