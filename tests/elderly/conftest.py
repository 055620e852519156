"""Older people in township A and B, and 养老服务 staff (the 养老服务 line) placed like the shared fixture users."""

import datetime
import itertools

import pytest

from huimin.core.roles import BusinessLine, Role
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A1

_SEQ = itertools.count(1)
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _pinned_clock():
    with at(2026, 11, 20):
        yield


def make_person(region_code: str, born: datetime.date | None, household: Household | None = None,
                name: str = "老人", **fields) -> Person:  # fmt: skip
    seq = next(_SEQ)
    if household is None:
        household = Household.objects.create(number=f"EL{region_code[-6:]}{seq:05d}", region_id=region_code)
    person = Person.objects.create(
        name=f"{name}{seq}", id_number=idnumbers.make("411702", born or datetime.date(1950, 1, 1), 100 + seq % 800),
        birth_date=born, region_id=region_code, household=household, **fields,
    )  # fmt: skip
    if household.head_id is None:
        household.head = person
        household.save()
    return person


@pytest.fixture
def staff(users, make_user):
    line = BusinessLine.ELDERLY
    return {
        "clerk": make_user("el_clerk_a", Role.CLERK, TOWN_A, line=line),
        "assistant": make_user("el_assistant_a", Role.ASSISTANT, VILLAGE_A1, line=line),
        "approver": make_user("el_approver", Role.APPROVER, COUNTY, line=line),
        "assistance_clerk": users["clerk_a"],  # 社会救助 line: no 养老服务 capability
    }
