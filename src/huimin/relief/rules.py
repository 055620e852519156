"""流浪乞讨救助 rules over data rows: which legal period governs a station's region, when an unidentified person
may be placed, lengths of stay, the age window of a registry search and the 接送返回率. Pure functions (no writes)."""

import datetime
from decimal import Decimal
from statistics import median

from huimin.core import regions

AGE_MARGIN = 5  # an apparent age is a guess: the registry search looks this many years either side


def period_for(periods, region_code: str, day: datetime.date):
    """The PlacementPeriod row in force at ``region_code`` on ``day`` (most specific region, then latest)."""
    rows = [p for p in periods if p.effective_from <= day]
    return regions.in_force(rows, region_code, region=lambda p: p.region_id, effective_from=lambda p: p.effective_from,
                            tiebreak=lambda p: (p.pk or 0,))  # fmt: skip


def placement_from(admitted_on: datetime.date, days: int) -> datetime.date:
    """The first day a person admitted on ``admitted_on`` and still unidentified may be placed."""
    return admitted_on + datetime.timedelta(days=days)


def may_place(admitted_on: datetime.date, days: int, day: datetime.date) -> bool:
    return day >= placement_from(admitted_on, days)


def stay_days(admitted_on: datetime.date, ended_on: datetime.date | None, day: datetime.date) -> int:
    """Days in the station: from admission to the end of the stay (or to ``day`` while it lasts); 0 the same day."""
    return max(((ended_on or day) - admitted_on).days, 0)


def birth_window(apparent_age: int | None, day: datetime.date, margin: int = AGE_MARGIN):
    """(earliest, latest) birth date of a person who looks ``apparent_age`` years old on ``day``; None if unknown."""
    if apparent_age is None:
        return None
    earliest = datetime.date(day.year - apparent_age - margin - 1, day.month, 1)
    latest = datetime.date(day.year - apparent_age + margin, 12, 31)
    return earliest, latest


def return_rate(returned: int, to_return: int) -> Decimal | None:
    """接送返回率: of the identified people whose stay ended, the share returned home with the receiver's confirmation
    (target 100%). None when nobody was to be returned."""
    if to_return <= 0:
        return None
    return (Decimal(returned * 100) / to_return).quantize(Decimal("0.1"))


def stay_summary(lengths: list[int]) -> dict:
    if not lengths:
        return {"count": 0, "average": None, "median": None, "longest": None}
    average = (Decimal(sum(lengths)) / len(lengths)).quantize(Decimal("0.1"))
    return {"count": len(lengths), "average": average, "median": median(lengths), "longest": max(lengths)}
