"""Every county has its 城关镇: above the county level a township is named with its county (core.regions.labels),
on the monitoring dashboard, the warning list's filter, the export and the rule dry run (issue 25 §6)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from huimin.core import regions
from huimin.core.models import Region
from huimin.core.roles import Role
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A
from tests.monitoring.matrix_targets import make_warning

CITY = "411700000000"
SEAT_A, SEAT_B = "411702100000", "411721100000"


@pytest.fixture
def two_seats(regions):
    """A 城关镇 in 驿城区 and one in 西平县, a village in each."""
    for town, county in ((SEAT_A, COUNTY), (SEAT_B, OTHER_COUNTY)):
        parent = Region.objects.get(code=county)
        seat = Region.objects.create(code=town, name="城关镇", level=4, parent=parent)
        Region.objects.create(code=town[:9] + "001", name="南关村", level=5, parent=seat)
    return Region.objects.get(code=COUNTY).name, Region.objects.get(code=OTHER_COUNTY).name


def test_labels_name_a_township_with_its_county_above_the_county_only(two_seats):
    yicheng, xiping = two_seats
    assert regions.labels([SEAT_A, SEAT_B]) == {SEAT_A: f"{yicheng} 城关镇", SEAT_B: f"{xiping} 城关镇"}
    assert regions.labels([SEAT_A], under=CITY) == {SEAT_A: f"{yicheng} 城关镇"}
    assert regions.labels([SEAT_A], under=COUNTY) == {SEAT_A: "城关镇"}  # the county's own page
    assert regions.label(SEAT_A[:9] + "001", under=COUNTY) == "城关镇 南关村"
    assert regions.label(SEAT_A, under=SEAT_A) == "城关镇"
    assert regions.labels([COUNTY, OTHER_COUNTY], under=CITY) == {COUNTY: yicheng, OTHER_COUNTY: xiping}
    assert regions.label("419999999000") == "419999999000"  # not in the table: the code itself


def test_the_city_dashboard_names_each_township_with_its_county(two_seats, make_user, login):
    yicheng, xiping = two_seats
    make_warning(SEAT_A[:9] + "001")
    make_warning(SEAT_B[:9] + "001")
    make_warning(SEAT_B[:9] + "001")
    city = make_user("city_approver", Role.APPROVER, CITY)
    page = login(city).get(reverse("monitoring:dashboard")).content.decode()
    assert f"{yicheng} 城关镇" in page and f"{xiping} 城关镇" in page
    assert ">城关镇<" not in page
    warnings = login(city).get(reverse("monitoring:warnings")).content.decode()
    assert f">{xiping} 城关镇</option>" in warnings and ">城关镇</option>" not in warnings


def test_the_county_dashboard_keeps_the_short_name(two_seats, users, login):
    make_warning(SEAT_A[:9] + "001")
    page = login(users["approver"]).get(reverse("monitoring:dashboard")).content.decode()
    assert ">城关镇<" in page and f"{two_seats[0]} 城关镇" not in page


def test_the_city_export_names_the_county_too(two_seats, make_user, login):
    make_warning(SEAT_B[:9] + "001")
    make_warning(TOWN_A[:9] + "001")
    city = make_user("city_approver", Role.APPROVER, CITY)
    response = login(city).get(reverse("monitoring:warnings") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.values)
    townships = sorted(r[header.index("责任乡镇")] for r in rows)
    assert townships == sorted([f"{two_seats[1]} 城关镇", f"{two_seats[0]} 顺河街道"])
