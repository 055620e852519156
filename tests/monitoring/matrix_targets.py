"""Objects inside and outside township A that the authorisation matrix (tests/security) opens 动态监测 pages with,
and the warning factory the view tests share."""

import datetime
import itertools

from huimin.monitoring.models import Category, MonitoringRun, Warning, WarningRule
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from tests.conftest import OTHER_COUNTY, VILLAGE_A1, VILLAGE_B1

_SEQ = itertools.count(1)


def make_household(region_code: str, name: str = "监测") -> tuple[Household, Person]:
    seq = next(_SEQ)
    # the sequence code of an ID number has three digits: past 499 people, the next birth day
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=seq // 500)
    household = Household.objects.create(number=f"MX{region_code[-6:]}{seq:04d}", region_id=region_code)
    person = Person.objects.create(
        name=f"{name}{seq}", id_number=idnumbers.make("411702", born, 500 + seq % 500),
        birth_date=born, region_id=region_code, household=household,
    )  # fmt: skip
    household.head = person
    household.save()
    return household, person


def make_warning(region_code: str, *, rule: str = "death_of_recipient", household=None, person=None,
                 due_on=None, **fields) -> Warning:  # fmt: skip
    if household is None:
        household, person = make_household(region_code)
    rule_obj = WarningRule.objects.get(code=rule)
    run = MonitoringRun.objects.create(kind=MonitoringRun.Kind.FULL, as_of=datetime.date(2026, 10, 31),
                                       status=MonitoringRun.Status.DONE)  # fmt: skip
    return Warning.objects.create(
        rule=rule_obj, run=run, fact_key=f"{rule}:{person.pk if person else ''}:{household.pk}:{next(_SEQ)}",
        household=household, person=person, region_id=region_code, township_id=region_code[:9] + "000",
        category=fields.pop("category", Category.DIBAO), direction=rule_obj.direction, severity=rule_obj.severity,
        record_key=fields.pop("record_key", "2026-10-01"),
        occurred_on=fields.pop("occurred_on", datetime.date(2026, 10, 1)),
        due_on=due_on or datetime.date(2099, 1, 1), **fields,
    )  # fmt: skip


def monitoring_targets(users) -> dict:
    a = make_warning(VILLAGE_A1)
    b = make_warning(VILLAGE_B1)
    rule = WarningRule.objects.get(code="vehicle_registered")  # city-wide: read-only below the city
    theirs = WarningRule.objects.create(code="matrix_other_county", name="他县规则", description="", kind="vehicle",
                                        sources=["vehicles"], direction="exit", params={"categories": ["dibao"]},
                                        region_id=OTHER_COUNTY)  # fmt: skip
    switch_off = {"categories": "dibao", "lookback_days": "365", "min_value_yuan": "0", "severity": "medium",
                  "deadline_days": "10"}  # fmt: skip
    return {
        "monitoring_warning": ({"kwargs": {"pk": a.pk}}, {"kwargs": {"pk": b.pk}}),
        "monitoring_warning_act": (
            {"kwargs": {"pk": a.pk, "action": "confirm"}},
            {"kwargs": {"pk": b.pk, "action": "confirm"}},
        ),
        # rules are city/county business, the same for everybody allowed to see them
        "monitoring_rule": ({"kwargs": {"pk": rule.pk}}, {"kwargs": {"pk": rule.pk}}, {"kwargs": {"pk": theirs.pk}}),
        # a county switching off the city-wide rule, or another county's
        "monitoring_rule_write": (
            {"kwargs": {"pk": rule.pk}, "data": switch_off},
            {"kwargs": {"pk": rule.pk}, "data": switch_off},
            {"kwargs": {"pk": rule.pk}, "data": switch_off},
        ),
        "monitoring_household": ({"kwargs": {"pk": a.household_id}}, {"kwargs": {"pk": b.household_id}}),
    }
