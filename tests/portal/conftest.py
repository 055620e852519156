import datetime
import io
import re

import pytest

from huimin.portal.sms import TestSmsGateway
from huimin.registry import idnumbers
from huimin.registry.models import Household, Membership, Person
from tests.conftest import VILLAGE_A1


@pytest.fixture
def sms(settings):
    settings.HUIMIN_SMS_GATEWAY = "huimin.portal.sms.TestSmsGateway"
    TestSmsGateway.outbox.clear()
    return TestSmsGateway.outbox


def last_code(outbox) -> str:
    return re.search(r"验证码是 (\d{6})", outbox[-1][1]).group(1)


@pytest.fixture(autouse=True)
def programmes(db):
    from huimin.assistance import defaults

    defaults.ensure()  # a transactional (browser) test flushes the rows the migration loaded


@pytest.fixture
def family(users, programmes):
    """A registered household in village A1: 王芳 (applicant, phone on record), her husband and their child."""
    household = Household.objects.create(number="PT1", region_id=VILLAGE_A1)
    people = []
    for seq, (name, birth, relation, phone) in enumerate(
        [("王芳", datetime.date(1985, 3, 1), "01", "13800138000"), ("李强", datetime.date(1983, 5, 2), "02", ""),
         ("李小明", datetime.date(2015, 6, 1), "20", "")],
        start=41,
    ):  # fmt: skip
        person = Person.objects.create(
            name=name, id_number=idnumbers.make("411702", birth, seq), birth_date=birth, region_id=VILLAGE_A1,
            household=household, phone=phone,
        )  # fmt: skip
        Membership.objects.create(household=household, person=person, relation=relation, started_on=birth)
        people.append(person)
    household.head = people[0]
    household.save()
    return household, people


def photo_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 160)).save(buffer, "JPEG")
    return buffer.getvalue()
