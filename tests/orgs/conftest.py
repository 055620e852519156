"""社会组织 staff of 驿城区 (the 社会组织 line), organisations registered there and in another county, a pinned day."""

import datetime
import itertools

import pytest
from stdnum.cn import uscc

from huimin.core.roles import BusinessLine, Role
from huimin.orgs.models import Organisation
from tests.clock import at
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1

_SEQ = itertools.count(1)
TODAY = datetime.date(2026, 7, 15)


def credit_code(n: int, county6: str = "411702") -> str:
    body = f"51{county6}MJ{n:07d}"  # 51: 民政 社会团体
    return body + uscc.calc_check_digit(body)


def make_org(authority: str = COUNTY, *, registered_on=datetime.date(2020, 3, 1), **fields) -> Organisation:
    n = next(_SEQ)
    values = {
        "name": f"驿城区第{n}协会",
        "kind": "social_group",
        "credit_code": credit_code(n, authority[:6]),
        "authority_id": authority,
        "region_id": fields.pop("region_id", VILLAGE_A1 if authority == COUNTY else authority),
        "legal_rep": "张三",
        "capital": 5,
        "domicile": "驿城区某路1号",
        "scope": "行业服务",
        "registered_on": registered_on,
    }
    return Organisation.objects.create(**(values | fields))


@pytest.fixture(autouse=True)
def _pinned_clock():
    with at(TODAY.year, TODAY.month, TODAY.day):
        yield


@pytest.fixture
def staff(regions, make_user):
    line = BusinessLine.ORGS
    return {
        "clerk": make_user("o_clerk", Role.CLERK, COUNTY, line=line),
        "clerk2": make_user("o_clerk2", Role.CLERK, COUNTY, line=line),
        "reviewer": make_user("o_reviewer", Role.REVIEWER, COUNTY, line=line),
        "approver": make_user("o_approver", Role.APPROVER, COUNTY, line=line),
        "approver2": make_user("o_approver2", Role.APPROVER, COUNTY, line=line),
        "other_county": make_user("o_other", Role.APPROVER, OTHER_COUNTY, line=line),
        "assistance_approver": make_user("o_assist", Role.APPROVER, COUNTY),  # 社会救助 line only
    }


@pytest.fixture
def org(regions):
    return make_org()
