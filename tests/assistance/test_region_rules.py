"""Policy figures and calendar changes follow the one rule of core.regions: the most specific region wins, then (for
figures) a programme's own row, then the latest date."""

import datetime
from decimal import Decimal

from huimin.assistance import rules
from huimin.assistance.models import Programme, RegionPolicy, WorkdayOverride
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A1, VILLAGE_B1

D = datetime.date
NEW_YEAR = D(2026, 1, 1)


def _policy(value, region=None, programme=None, since=NEW_YEAR):
    RegionPolicy.objects.create(key="advance_max", value=value, region_id=region, programme=programme,
                                effective_from=since)  # fmt: skip


def test_a_policy_figure_is_the_most_specific_region_s_then_the_programme_s_then_the_latest(regions):
    dibao = Programme.objects.get(code="dibao")
    _policy(100)
    _policy(200, COUNTY)
    _policy(250, COUNTY, since=D(2026, 3, 1))
    _policy(900, since=D(2026, 5, 1))  # later, but for everywhere: the county's row still wins
    assert rules.policy_value("advance_max", VILLAGE_A1, D(2026, 6, 1)) == Decimal("250.00")
    assert rules.policy_value("advance_max", VILLAGE_A1, D(2026, 2, 1)) == Decimal("200.00")
    _policy(300, COUNTY, programme=dibao)
    assert rules.policy_value("advance_max", VILLAGE_A1, D(2026, 6, 1), dibao) == Decimal("300.00")
    _policy(400, TOWN_A)
    assert rules.policy_value("advance_max", VILLAGE_A1, D(2026, 6, 1), dibao) == Decimal("400.00")
    assert rules.policy_value("advance_max", VILLAGE_B1, D(2026, 6, 1), dibao) == Decimal("300.00")


def test_a_calendar_day_is_the_most_specific_region_s(regions):
    saturday = D(2026, 6, 6)
    WorkdayOverride.objects.create(region=None, day=saturday, is_workday=True)
    WorkdayOverride.objects.create(region_id=TOWN_A, day=saturday, is_workday=False)
    assert rules.workday_overrides(VILLAGE_A1) == {saturday: False}
    assert rules.workday_overrides(VILLAGE_B1) == {saturday: True}
