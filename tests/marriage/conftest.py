import datetime

import pytest

from huimin.core.roles import BusinessLine, Role
from huimin.marriage.models import Office
from huimin.marriage.services import PartyInput
from huimin.registry import idnumbers
from tests.conftest import COUNTY, OTHER_COUNTY

LINE = BusinessLine.MARRIAGE


def man(birth: datetime.date, seq: int, name: str = "张伟") -> PartyInput:
    assert seq % 2 == 1
    return PartyInput(name, idnumbers.make("411702", birth, seq))


def woman(birth: datetime.date, seq: int, name: str = "李娜") -> PartyInput:
    assert seq % 2 == 0
    return PartyInput(name, idnumbers.make("411702", birth, seq))


@pytest.fixture
def office(regions):
    return Office.objects.create(code="411702-01", name="驿城区婚姻登记处", region_id=COUNTY, daily_capacity=3)


@pytest.fixture
def other_office(regions):
    return Office.objects.create(code="411721-01", name="西平县婚姻登记处", region_id=OTHER_COUNTY)


@pytest.fixture
def clerk(make_user, regions):
    return make_user("m_clerk", Role.CLERK, COUNTY, line=LINE, full_name="登记员甲")


@pytest.fixture
def clerk2(make_user, regions):
    return make_user("m_clerk2", Role.CLERK, COUNTY, line=LINE, full_name="登记员乙")


@pytest.fixture
def head(make_user, regions):
    return make_user("m_head", Role.APPROVER, COUNTY, line=LINE, full_name="负责人")


@pytest.fixture
def other_clerk(make_user, regions):
    return make_user("m_other", Role.CLERK, OTHER_COUNTY, line=LINE)
