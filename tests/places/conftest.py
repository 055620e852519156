"""区划地名 fixtures: the county's 地名 staff (a township clerk who proposes, a county clerk, the county approver who
decides and carries out region changes) and a road with a sign and an address that uses it."""

import datetime

import pytest

from huimin.core.roles import BusinessLine, Role
from huimin.places.models import PlaceName, Sign
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1

D = datetime.date


@pytest.fixture(autouse=True)
def _pinned_clock():
    with at(2026, 12, 3):
        yield


@pytest.fixture
def staff(users, make_user):
    line = BusinessLine.PLACES
    return {
        "clerk_a": make_user("places_clerk_a", Role.CLERK, TOWN_A, line=line),
        "clerk_b": make_user("places_clerk_b", Role.CLERK, TOWN_B, line=line),
        "clerk": make_user("places_clerk", Role.CLERK, COUNTY, line=line),
        "approver": make_user("places_approver", Role.APPROVER, COUNTY, line=line),
        "approver2": make_user("places_approver2", Role.APPROVER, COUNTY, line=line),
    }


def make_place(name="顺河路", kind="road", region=VILLAGE_A1, pinyin="Shunhe Lu", **extra) -> PlaceName:
    return PlaceName.objects.create(name=name, kind=kind, region_id=region, county_code=region[:6], pinyin=pinyin,
                                    document="驿政地名〔2010〕3号", approved_on=D(2010, 5, 1), **extra)  # fmt: skip


@pytest.fixture
def road(regions):
    place = make_place()
    Sign.objects.create(place=place, kind="road", location="顺河路与交通路交叉口东北角", text=place.name,
                        installed_on=D(2015, 3, 1), checked_on=D(2026, 6, 1))  # fmt: skip
    return place
