"""流浪乞讨救助 fixtures: the county's station staff, a 救助站 and the 90-day legal period before placement."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from huimin.core.roles import BusinessLine, Role
from huimin.relief.models import PlacementPeriod, Station
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A
from tests.registry.conftest import household_of  # noqa: F401

D = datetime.date


@pytest.fixture(autouse=True)
def _pinned_clock():
    with at(2026, 12, 3):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the photos taken in the tests go nowhere lasting


@pytest.fixture
def staff(users, make_user):
    line = BusinessLine.RELIEF
    return {
        "clerk": make_user("relief_clerk", Role.CLERK, COUNTY, line=line),
        "clerk_a": make_user("relief_clerk_a", Role.CLERK, TOWN_A, line=line),
        "head": make_user(
            "relief_head", Role.APPROVER, COUNTY, line=line, also=[(Role.CLERK, BusinessLine.ASSISTANCE)]
        ),  # fmt: skip
        "approver": make_user("relief_approver", Role.APPROVER, COUNTY, line=line),
    }


@pytest.fixture
def station(regions):
    return Station.objects.create(name="驿城区救助管理站", region_id=COUNTY, address="解放大道", beds=60)


JANUARY = D(2026, 1, 1)


def make_period(days=90, region=COUNTY, effective=JANUARY):
    return PlacementPeriod.objects.create(region_id=region, days=days, effective_from=effective,
                                          basis="驿城区流浪乞讨人员寻亲安置办法", created_by="t")  # fmt: skip


@pytest.fixture
def period(regions):
    return make_period()


def photo(name="face.jpg", fmt="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 90, 60)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def intake_data(station_, **over):
    data = {
        "station": str(station_.pk), "name": "", "sex": "1", "apparent_age": "60",
        "description": "身高约170厘米，偏瘦，左眉有疤", "accent": "豫南口音", "found_place": "驿城区火车站广场",
        "found_by": "police", "found_by_detail": "火车站派出所",
        "found_on": "2026-12-01", "admitted_on": "2026-12-01", "health": "normal", "health_note": "",
        "belongings": "旧棉衣一件，现金12元",
    }  # fmt: skip
    data.update(over)
    return data
