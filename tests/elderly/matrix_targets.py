"""Objects inside township A, inside township B and in another county that the authorisation matrix
(tests/security) opens the 养老服务 pages and operations with."""

import datetime

from huimin.core.context import SYSTEM, acting_as
from huimin.elderly.models import Assessment, Category, CategoryMark, Level
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1
from tests.elderly.helpers import scores_for_total


def _older(region_code: str, seq: int):
    household = Household.objects.create(number=f"ELM{seq:03d}", region_id=region_code)
    person = Person.objects.create(name=f"老人{seq}", id_number=idnumbers.make("411702", datetime.date(1940, 1, 1), 900
                                   + seq), birth_date=datetime.date(1940, 1, 1), region_id=region_code,
                                   household=household)  # fmt: skip
    mark = CategoryMark.objects.create(person=person, category=Category.objects.get(code="living_alone"),
                                       source="derived", basis="户内无其他在世成员",
                                       source_date=datetime.date(2026, 1, 1))  # fmt: skip
    return person, mark


def _assessment(person, assessor) -> Assessment:
    level = Level.objects.get(code="mild")
    with acting_as(SYSTEM):
        return Assessment.objects.create(person=person, region_id=person.region_id, assessed_on=datetime.date(2026, 1,
                                         5), assessor=assessor, total=70, base_level=level, level=level,
                                         next_due=datetime.date(2027, 1, 5))  # fmt: skip


def allowance_targets() -> dict:
    """高龄津贴 (huimin.elderly.allowance): writes that name their region in the body."""
    band = {"age_from": "80", "age_to": "89", "value": "50", "effective_from": "2026-01-01"}
    policy = {"start_rule": "next_month", "auto_confirm": "0", "effective_from": "2026-01-01"}
    return {
        "elderly_allowance_confirm": (
            {"data": {"region": TOWN_A, "scope": "all"}},
            {"data": {"region": TOWN_B, "scope": "all"}},
            {"data": {"region": OTHER_COUNTY, "scope": "all"}},
        ),
        "elderly_allowance_band": (
            {"data": {"region": COUNTY, **band}},
            {"data": {"region": TOWN_B, **band}},
            {"data": {"region": OTHER_COUNTY, **band}},
        ),
        "elderly_allowance_policy": (
            {"data": {"region": COUNTY, **policy}},
            {"data": {"region": TOWN_B, **policy}},
            {"data": {"region": OTHER_COUNTY, **policy}},
        ),
    }


def elderly_targets(users) -> dict:
    a, mark_a = _older(VILLAGE_A1, 1)
    b, mark_b = _older(VILLAGE_B1, 2)
    c, mark_c = _older(OTHER_COUNTY, 3)
    assess = {"assessed_on": "2026-01-10", "scores": scores_for_total(70)}
    form = {"assessed_on": "2026-01-10", **{f"item_{k}": v for k, v in assess["scores"].items()}}
    add = {"category": "family_planning", "basis": "计生证明", "source_date": "2026-01-10"}
    return allowance_targets() | {
        "elderly_person": ({"kwargs": {"pk": a.pk}}, {"kwargs": {"pk": b.pk}}, {"kwargs": {"pk": c.pk}}),
        "elderly_assess": (
            {"kwargs": {"pk": a.pk}, "data": form},
            {"kwargs": {"pk": b.pk}, "data": form},
            {"kwargs": {"pk": c.pk}, "data": form},
        ),
        "elderly_person_add": (
            {"kwargs": {"pk": a.pk}, "data": add},
            {"kwargs": {"pk": b.pk}, "data": add},
            {"kwargs": {"pk": c.pk}, "data": add},
        ),
        "elderly_mark_decide": (
            {"kwargs": {"pk": mark_a.pk, "decision": "confirm"}},
            {"kwargs": {"pk": mark_b.pk, "decision": "confirm"}},
            {"kwargs": {"pk": mark_c.pk, "decision": "confirm"}},
        ),
        "elderly_assessment": (
            {"kwargs": {"pk": _assessment(a, users["approver"]).pk}},
            {"kwargs": {"pk": _assessment(b, users["approver"]).pk}},
        ),
        "elderly_household": ({"kwargs": {"pk": a.household_id}}, {"kwargs": {"pk": b.household_id}}),
        "elderly_derive_form": (
            {"data": {"region": VILLAGE_A1}},
            {"data": {"region": VILLAGE_B1}},
            {"data": {"region": OTHER_COUNTY}},
        ),
        "api_elderly_person": ({"kwargs": {"pk": a.pk}}, {"kwargs": {"pk": b.pk}}, {"kwargs": {"pk": c.pk}}),
        "api_elderly_assess": (
            {"kwargs": {"pk": a.pk}, "data": assess},
            {"kwargs": {"pk": b.pk}, "data": assess},
            {"kwargs": {"pk": c.pk}, "data": assess},
        ),
        "api_elderly_decide": (
            {"kwargs": {"pk": mark_a.pk, "decision": "confirm"}},
            {"kwargs": {"pk": mark_b.pk, "decision": "confirm"}},
            {"kwargs": {"pk": mark_c.pk, "decision": "confirm"}},
        ),
    }
