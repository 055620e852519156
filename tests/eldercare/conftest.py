"""养老服务 staff on the 养老服务 line, placed like the shared fixture users, and the pinned clock."""

import pytest

from huimin.core.roles import BusinessLine, Role
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, TOWN_B


@pytest.fixture(autouse=True)
def _pinned_clock():
    with at(2026, 11, 20):
        yield


@pytest.fixture
def staff(users, make_user):
    line = BusinessLine.ELDERLY
    return {
        "clerk": make_user("ec_clerk_a", Role.CLERK, TOWN_A, line=line),
        "clerk_b": make_user("ec_clerk_b", Role.CLERK, TOWN_B, line=line),
        "inspector1": make_user("ec_insp1", Role.REVIEWER, COUNTY, line=line),
        "inspector2": make_user("ec_insp2", Role.REVIEWER, COUNTY, line=line),
        "inspector3": make_user("ec_insp3", Role.REVIEWER, COUNTY, line=line),
        "township_reviewer": make_user("ec_rev_a", Role.REVIEWER, TOWN_A, line=line),
        "approver": make_user("ec_approver", Role.APPROVER, COUNTY, line=line),
        "approver2": make_user("ec_approver2", Role.APPROVER, COUNTY, line=line),
        "assistance_approver": users["approver"],  # 社会救助 line: no 养老服务 capability
    }
