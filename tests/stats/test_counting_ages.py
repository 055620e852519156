"""The ages the statistics count 老年人 and 未成年人 by are data (CountingAge, seeded 60 and 18): a person is counted
from the day they reach the elderly age and stops being a minor on the day they reach the adult age, whatever
the rows say, on both sides of each boundary."""

import datetime

import pytest

from huimin.stats import compute
from huimin.stats.models import CountingAge
from tests.conftest import VILLAGE_A1

D = datetime.date
M = D(2026, 3, 1)  # last day 2026-03-31


def _counts() -> tuple[int, int]:
    rows = compute.figures_for(M).values()
    return sum(r["elderly"] for r in rows), sum(r["minors"] for r in rows)


def _enrol(build, births):
    household, people = build.household(VILLAGE_A1, births=births)
    build.enrol(household, people, start=D(2025, 6, 1))


def test_the_seeded_ages_are_60_and_18(db):
    assert dict(CountingAge.objects.values_list("code", "age")) == {"elderly": 60, "adult": 18}


@pytest.mark.parametrize("elderly", [60, 65])
def test_a_person_is_elderly_from_the_day_they_reach_the_age(build, elderly):
    CountingAge.objects.update_or_create(code="elderly", defaults={"age": elderly})
    on_the_day, a_day_short = D(2026 - elderly, 3, 31), D(2026 - elderly, 4, 1)
    _enrol(build, (on_the_day, a_day_short))
    assert _counts()[0] == 1


@pytest.mark.parametrize("adult", [18, 16])
def test_a_person_stops_being_a_minor_on_the_day_they_reach_the_adult_age(build, adult):
    CountingAge.objects.update_or_create(code="adult", defaults={"age": adult})
    on_the_day, a_day_short = D(2026 - adult, 3, 31), D(2026 - adult, 4, 1)
    _enrol(build, (D(1980, 1, 1), on_the_day, a_day_short))
    assert _counts()[1] == 1


def test_a_missing_row_falls_back_to_the_seeded_default(build):
    CountingAge.objects.all().delete()
    _enrol(build, (D(1966, 3, 31), D(2008, 4, 1)))
    assert _counts() == (1, 1)
