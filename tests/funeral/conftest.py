"""殡葬 fixtures: the county's funeral staff (three people for a settlement), a funeral home, a cemetery and the
county's 惠民殡葬 policies."""

import datetime
from decimal import Decimal

import pytest

from huimin.core.roles import BusinessLine, Role
from huimin.funeral.models import Facility, Group, Service, WaiverPolicy
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A

D = datetime.date
BASIC = ["transport", "storage", "cremation", "ash_storage"]


@pytest.fixture(autouse=True)
def _pinned_clock():
    with at(2026, 12, 3):
        yield


@pytest.fixture
def staff(users, make_user):
    line = BusinessLine.FUNERAL
    return {
        "clerk": make_user("funeral_clerk", Role.CLERK, COUNTY, line=line),
        "clerk_a": make_user("funeral_clerk_a", Role.CLERK, TOWN_A, line=line),
        "reviewer": make_user("funeral_reviewer", Role.REVIEWER, COUNTY, line=line),
        "approver": make_user("funeral_approver", Role.APPROVER, COUNTY, line=line),
    }


JANUARY = D(2026, 1, 1)


def make_policies(region=COUNTY, effective=JANUARY):
    """本地户籍居民: the four basic services up to 1000 元; 低保 and 特困: seven services up to 2000 元;
    重点优抚对象: seven up to 2500 元."""
    every = list(Service.values)
    rows = {
        Group.GENERAL: (BASIC, "1000.00", []),
        Group.DIBAO: (every, "2000.00", ["assistance:dibao", "assistance:dibao_single"]),
        Group.TEKUN: (every, "2000.00", ["assistance:tekun_scattered", "assistance:tekun_central"]),
        Group.YOUFU: (every, "2500.00", []),
    }
    return {
        g: WaiverPolicy.objects.create(region_id=region, group=g, services=s, cap=Decimal(c), programmes=p,
                                       effective_from=effective, basis="驿城区惠民殡葬实施办法", created_by="t")
        for g, (s, c, p) in rows.items()
    }  # fmt: skip


@pytest.fixture
def policies(regions):
    return make_policies()


@pytest.fixture
def home(regions):
    return Facility.objects.create(name="驿城区殡仪馆", kind="funeral_home", region_id=COUNTY,
                                   licence_no="驻民殡〔2010〕1号", capacity=3000, cold_storage=40)  # fmt: skip


@pytest.fixture
def cemetery(regions):
    return Facility.objects.create(name="顺河公益性公墓", kind="public_cemetery", region_id=TOWN_A,
                                   licence_no="驻民墓〔2015〕3号", capacity=5000, capacity_unit="穴位")  # fmt: skip


FEES = {"fee_transport": "300", "fee_storage": "150", "fee_cremation": "600", "fee_ash_storage": "200",
        "fee_urn": "500", "fee_farewell": "300"}  # fmt: skip


def record_data(facility, person, **over):
    data = {
        "facility": str(facility.pk), "id_number": person.id_number, "cause": "disease",
        "death_date": "2026-11-28", "death_place": "驿城区人民医院", "certificate": "medical",
        "certificate_no": "A411702202611280012", "family_name": "张家属", "family_relation": "子",
        "family_phone": "13800001111", "received_on": "2026-11-28", "storage_days": "2", "disposal": "cremation",
        "disposed_on": "2026-11-30", "ashes": "stored", **FEES,
    }  # fmt: skip
    data.update(over)
    return data
