"""月探访率 in the daily job: the schedule of the older people is computed once per month at the highest region the
run stores a board of, and every board below reads its own sum from it — the same figure as that region's board
computed alone (``visits.coverage`` of the region itself), at the boundaries: a visit on the month's last day, a
tier visited less than monthly, a tier set by the township, a person who reaches the register age on the month's
last day, a person registered at a township itself, a person in another county."""

import datetime
from decimal import Decimal

import pytest

from huimin.core import daily, regions
from huimin.core.models import Region
from huimin.elderly import services, visits
from huimin.elderly.models import Category, CategoryMark, RiskTier, TierOverride, Visit, Visitor
from huimin.stats import indicators
from huimin.stats.models import IndicatorRun
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.elderly.conftest import make_person

pytestmark = pytest.mark.django_db
OCTOBER, NOVEMBER = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
DAY = datetime.date(2026, 11, 20)  # the pinned clock (tests/stats/conftest.py): the run stores October and November
CITY = "411700000000"
BORN = datetime.date(1950, 1, 1)


def _person(region, born=BORN, category=None):
    person = make_person(region, born)
    if category:
        CategoryMark.objects.create(person=person, category=Category.objects.get(code=category), status="confirmed",
                                    source="township", source_date=datetime.date(2026, 1, 1))  # fmt: skip
    return person


@pytest.fixture
def older_people(users):
    visitor = Visitor.objects.create(name="协理员甲", kind="assistant", township_id=TOWN_A)

    def visit(person, *days):
        for day in days:
            Visit.objects.create(person=person, region_id=person.region_id, visitor=visitor, visited_on=day,
                                 living="good", health="good", recorded_by=users["clerk_a"])  # fmt: skip

    d = datetime.date
    visit(_person(VILLAGE_A1, category="living_alone"), d(2026, 10, 31))  # October's last day: October only
    visit(_person(VILLAGE_A1, category="living_alone"), d(2026, 11, 1))
    visit(_person(VILLAGE_A1), d(2026, 10, 15), d(2026, 11, 15))  # every 90 days: never due in the monthly rate
    _person(VILLAGE_A1, category="severe_disability")  # weekly, never visited
    overridden = _person(VILLAGE_A2)
    TierOverride.objects.create(person=overridden, tier=RiskTier.objects.get(code="high"), reason="近期摔倒",
                                decided_by=users["clerk_a"], decided_on=d(2026, 9, 1))  # fmt: skip
    visit(overridden, d(2026, 11, 19))
    visit(_person(VILLAGE_A2, born=d(1966, 10, 31), category="living_alone"), d(2026, 10, 31), d(2026, 11, 5))
    visit(_person(VILLAGE_B1, category="living_alone"), d(2026, 10, 1))
    visit(_person(VILLAGE_B1, category="living_alone"), d(2026, 9, 30))  # September's last day: neither month
    visit(_person(TOWN_B, category="living_alone"), d(2026, 11, 10))  # registered at the township itself
    visit(_person(OTHER_COUNTY, category="living_alone"), d(2026, 10, 5))  # the city's, not the county's


def _alone(code: str, month: datetime.date) -> str | None:
    """Today's per-region computation of the figure, as the board of the region alone stored it."""
    rows = visits.coverage(Region.objects.get(code=code).prefix, month, services.register_age(), level=regions.TOWNSHIP)
    due = sum(r.due for r in rows)
    return str(indicators._q(Decimal(sum(r.visited for r in rows)) / due * indicators.HUNDRED)) if due else None


def test_the_daily_run_schedules_once_a_month_and_each_board_reads_its_own_sum(users, older_people, monkeypatch):
    codes = [CITY, COUNTY, TOWN_A, TOWN_B, VILLAGE_A1]
    expected = {(code, month): _alone(code, month) for code in codes for month in (OCTOBER, NOVEMBER)}
    assert expected[(TOWN_A, OCTOBER)] == "40.00"  # of 5 due, the two visited on 31 October
    assert expected[(TOWN_A, NOVEMBER)] == "60.00"
    assert expected[(TOWN_B, OCTOBER)] == "33.33" and expected[(TOWN_B, NOVEMBER)] == "33.33"
    assert expected[(COUNTY, OCTOBER)] == "37.50" and expected[(CITY, OCTOBER)] == "44.44"
    for (code, month), value in expected.items():  # a board computed alone (a page, 重新计算, the worker)
        assert indicators.compute_run(Region.objects.get(code=code), month).values["elderly_visit_rate"] == value
    IndicatorRun.objects.all().delete()

    prefixes = []
    real = visits.schedule

    def schedule(prefix, *args, **kwargs):
        prefixes.append(prefix)
        return real(prefix, *args, **kwargs)

    monkeypatch.setattr(visits, "schedule", schedule)
    ((_, summary, ok),) = daily.run_all(DAY, only=["stats.indicators"])
    assert ok, summary
    assert sorted(prefixes) == ["41", "41"]  # once for October and once for November, at the province
    stored = {(r.region_id, r.month): r.values["elderly_visit_rate"] for r in IndicatorRun.objects.all()}
    assert {key: stored[key] for key in expected} == expected


def test_a_region_whose_board_the_run_stores_in_a_month_alone_is_its_own_top(users, older_people):
    """A month only a township's board is stored for (the month its dashboard opens on) is computed for the
    township, not for the province above it."""
    town_b = Region.objects.get(code=TOWN_B)
    county = Region.objects.get(code=COUNTY)
    tops = indicators._tops([(county, NOVEMBER), (town_b, NOVEMBER), (town_b, OCTOBER)])
    assert tops == {NOVEMBER: {COUNTY: county.prefix}, OCTOBER: {TOWN_B: town_b.prefix}}
    with indicators._sharing(tops):
        assert indicators._run_top(town_b, OCTOBER) == town_b.prefix
        assert indicators._run_top(town_b, NOVEMBER) == county.prefix
        assert str(indicators.elderly_visit_rate(None, town_b, OCTOBER)) == _alone(TOWN_B, OCTOBER)
    assert indicators._run_top(town_b, NOVEMBER) == town_b.prefix  # outside the run: the region itself
