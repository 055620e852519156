"""The pure rules of 流浪乞讨救助: the legal period in force, the first day of placement (each side of it), lengths of
stay, the age window of a registry search and the 接送返回率."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from huimin.relief import rules

D = datetime.date
COUNTY, CITY = "411702000000", "411700000000"


def row(pk, region, days, effective):
    return SimpleNamespace(pk=pk, region_id=region, days=days, effective_from=effective)


def test_the_period_is_the_most_specific_region_then_the_latest():
    rows = [row(1, None, 180, D(2020, 1, 1)), row(2, CITY, 120, D(2024, 1, 1)), row(3, COUNTY, 90, D(2026, 6, 1))]
    assert rules.period_for(rows, COUNTY, D(2026, 5, 31)).days == 120  # the county's row not yet in force
    assert rules.period_for(rows, COUNTY, D(2026, 6, 1)).days == 90
    assert rules.period_for(rows, "411721000000", D(2026, 6, 1)).days == 120  # another county of the city
    assert rules.period_for(rows, "420100000000", D(2026, 6, 1)).days == 180
    assert rules.period_for([], COUNTY, D(2026, 6, 1)) is None


def test_placement_is_allowed_from_the_day_the_period_has_passed_not_the_day_before():
    admitted = D(2026, 9, 1)
    assert rules.placement_from(admitted, 90) == D(2026, 11, 30)
    assert not rules.may_place(admitted, 90, D(2026, 11, 29))
    assert rules.may_place(admitted, 90, D(2026, 11, 30))
    assert rules.may_place(admitted, 90, D(2026, 12, 1))


def test_stay_days_count_from_admission_to_the_end_or_today():
    assert rules.stay_days(D(2026, 12, 1), None, D(2026, 12, 1)) == 0
    assert rules.stay_days(D(2026, 12, 1), None, D(2026, 12, 3)) == 2
    assert rules.stay_days(D(2026, 11, 1), D(2026, 11, 11), D(2026, 12, 3)) == 10


def test_the_age_window_is_five_years_either_side_of_the_apparent_age():
    earliest, latest = rules.birth_window(60, D(2026, 12, 3))
    assert earliest == D(1960, 12, 1) and latest == D(1971, 12, 31)
    assert rules.birth_window(None, D(2026, 12, 3)) is None


def test_the_return_rate_and_the_summary_of_stays():
    assert rules.return_rate(3, 3) == Decimal("100.0")
    assert rules.return_rate(2, 3) == Decimal("66.7")
    assert rules.return_rate(0, 0) is None
    assert rules.stay_summary([2, 4, 9]) == {"count": 3, "average": Decimal("5.0"), "median": 4, "longest": 9}
    assert rules.stay_summary([])["average"] is None
