"""Fixtures of 待遇资格: the two subsidy programmes (until their own migration lands), recipients with a 残疾人证,
and the 残联's extracts uploaded through 核对's ingest path."""

import csv
import datetime
import io
import itertools

import pytest

from huimin.assistance.models import Application, Enrolment, EnrolmentChange, EnrolmentMember, Programme, Stage
from huimin.registry import idnumbers
from huimin.registry.models import Household, Membership, Person
from tests.conftest import VILLAGE_A1

_seq = itertools.count(1)
SUBSIDIES = {"disability_living": "困难残疾人生活补贴", "severe_care": "重度残疾人护理补贴"}


@pytest.fixture
def subsidies(seeded):
    """The two programmes, as h16a's migration will load them (created here until it lands)."""
    made = {}
    for code, name in SUBSIDIES.items():
        made[code], _ = Programme.objects.get_or_create(
            code=code, defaults=dict(name=name, kind=code, scope="person", stages=["accept", "review", "decision"],
                                     deadlines={}, review_cycle={"default_months": 12}, exclusive_group=code),
        )  # fmt: skip
    return made


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = str(tmp_path / "var")


def make_person(region_code=VILLAGE_A1, *, grade=None, category="", name="王残", birth=datetime.date(1970, 5, 5)):
    n = next(_seq)
    household = Household.objects.create(number=f"HE{n:06d}", region_id=region_code, address="幸福路1号")
    person = Person.objects.create(
        name=name, id_number=idnumbers.make("411702", birth, (n * 7) % 1000), region_id=region_code,
        household=household, disability_grade=grade, disability_category=category,
    )  # fmt: skip
    Membership.objects.create(household=household, person=person, relation="01", started_on=datetime.date(2020, 1, 1))
    household.head = person
    household.save()
    return person


def enrol(person, code, *, start=datetime.date(2026, 1, 1), amount="100.00", users=None, grade=None):
    programme = Programme.objects.get(code=code)
    n = next(_seq)
    app = Application.objects.create(
        number=f"EL-{n}", programme=programme, household=person.household, applicant=person, beneficiary=person,
        region_id=person.household.region_id, channel="window", reason="测试", stage=Stage.ENROLLED,
        stage_entered_on=start, created_by=users["approver"],
    )  # fmt: skip
    enrolment = Enrolment.objects.create(
        programme=programme, household=person.household, person=person, application=app,
        region_id=person.household.region_id, monthly_amount=amount, start_month=start,
        basis={"disability_grade": str(grade or person.disability_grade or "")},
    )  # fmt: skip
    EnrolmentMember.objects.create(enrolment=enrolment, person=person, added_on=start)
    EnrolmentChange.objects.create(enrolment=enrolment, kind="enrol", effective_month=start,
                                   after={"amount": amount}, reasons="纳入", actor="t")  # fmt: skip
    return enrolment


def cert_no(person, category="4", grade=2) -> str:
    return f"{person.id_number}{category}{grade}"


def extract(rows: list[dict]) -> bytes:
    """A 残联 extract as the department sends it (CSV, Chinese headers)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["身份证号", "残疾人证号", "残疾类别", "残疾等级", "发证日期", "状态", "有效期至", "变更日期",
                     "注销/变更原因"])  # fmt: skip
    for r in rows:
        p = r["person"]
        writer.writerow([p.id_number, cert_no(p, r.get("category", "4"), r.get("grade", 2)), r.get("category", "4"),
                         r.get("grade", 2), r.get("issued_on", "2020-01-01"), r.get("status", "有效"),
                         r.get("valid_until", ""), r.get("changed_on", ""), r.get("reason", "")])  # fmt: skip
    return out.getvalue().encode()


def upload(rows: list[dict], as_of: datetime.date):
    """The extract through the one ingest path (the command line's channel: a department's, holding everywhere)."""
    from huimin.verification import services as verification

    result = verification.ingest_file(None, "disability", extract(rows), "残联.csv", as_of, channel="cli")
    assert result.snapshot is not None, result.errors
    return result.snapshot
