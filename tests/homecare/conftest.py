import pytest

from huimin.core.roles import BusinessLine, Role
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A1


@pytest.fixture(autouse=True)
def _pinned_clock():
    with at(2026, 11, 20):
        yield


@pytest.fixture
def staff(users, make_user):
    line = BusinessLine.ELDERLY
    return {
        "clerk": make_user("hc_clerk", Role.CLERK, COUNTY, line=line),
        "reviewer": make_user("hc_reviewer", Role.REVIEWER, COUNTY, line=line),
        "approver": make_user("hc_approver", Role.APPROVER, COUNTY, line=line),
        "town_clerk": make_user("hc_town_clerk", Role.CLERK, TOWN_A, line=line),
        "assistant": make_user("hc_assistant", Role.ASSISTANT, VILLAGE_A1, line=line),
        "assistance_clerk": users["clerk_a"],
    }
