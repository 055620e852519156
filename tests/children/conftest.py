"""Children in township A and B, and 儿童福利 staff (the 儿童福利 line): the 儿童主任 of village A1, two 督导员 of
township A (one never assigned), the county children's office."""

import datetime
import itertools

import pytest

from huimin.core.roles import BusinessLine, Role
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1

_SEQ = itertools.count(1)
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _pinned_clock():
    with at(2026, 11, 20):
        yield


def make_person(region_code: str, born: datetime.date | None, name: str = "儿童", **fields) -> Person:
    seq = next(_SEQ)
    household = Household.objects.create(number=f"CH{region_code[-6:]}{seq:05d}", region_id=region_code)
    person = Person.objects.create(name=f"{name}{seq}", id_number=idnumbers.make("411702", born, seq % 1000),
                                   birth_date=born, region_id=region_code, household=household, **fields)  # fmt: skip
    household.head = person
    household.save()
    return person


@pytest.fixture
def staff(users, make_user):
    line = BusinessLine.CHILDREN
    return {
        "director": make_user("ch_director", Role.ASSISTANT, VILLAGE_A1, line=line, full_name="王主任"),
        "supervisor": make_user("ch_supervisor", Role.REVIEWER, TOWN_A, line=line, full_name="李督导"),
        "other": make_user("ch_other", Role.CLERK, TOWN_A, line=line, full_name="赵经办"),
        "clerk_b": make_user("ch_clerk_b", Role.CLERK, TOWN_B, line=line),
        "county": make_user("ch_county", Role.APPROVER, COUNTY, line=line, full_name="县儿童福利科"),
        "assistance_clerk": users["clerk_a"],  # 社会救助 line: no 儿童福利 capability
    }
