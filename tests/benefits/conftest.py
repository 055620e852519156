"""Enrolments built directly (as the assistance services leave them) for payroll tests."""

import datetime
import itertools

import pytest

from huimin.assistance.models import Application, Enrolment, EnrolmentChange, EnrolmentMember, Programme, Stage
from huimin.core.roles import Role
from huimin.registry import idnumbers
from huimin.registry.models import Household, Membership, Person
from tests.clock import at
from tests.conftest import COUNTY, VILLAGE_A1


@pytest.fixture(autouse=True)
def _pinned_clock():
    """Payroll months in these tests are 2026's; a month may be built at most one month ahead of today, so today is
    pinned after them."""
    with at(2026, 11, 20):
        yield


_seq = itertools.count(1)


def make_enrolment(
    users,
    *,
    programme="dibao",
    amount="500.00",
    start=datetime.date(2026, 1, 1),
    region=VILLAGE_A1,
    members=1,
    account="6222020200112233445",
    changes=(),
):
    """An enrolment with its household, members (the first one the head and payee) and the 纳入 change.
    ``changes``: (kind, effective_month, after) rows added after it."""
    n = next(_seq)
    household = Household.objects.create(number=f"BF{n:05d}", region_id=region)
    persons = []
    for i in range(members):
        persons.append(
            Person.objects.create(
                name=f"待遇{n}-{i}",
                id_number=idnumbers.make("411702", datetime.date(1960 + i, 1, 1), (100 + 2 * n + i * 400) % 1000),
                region_id=region,
                household=household,
                bank_account=account if i == 0 else "",
                bank_name="邮储银行",
            )
        )
        Membership.objects.create(
            household=household,
            person=persons[-1],
            relation="01" if i == 0 else "10",
            started_on=datetime.date(2020, 1, 1),
        )
    household.head = persons[0]
    household.save()
    prog = Programme.objects.get(code=programme)
    app = Application.objects.create(
        number=f"BF-APP-{n}",
        programme=prog,
        household=household,
        applicant=persons[0],
        region_id=region,
        channel="window",
        reason="测试",
        stage=Stage.ENROLLED,
        stage_entered_on=start,
        created_by=users["approver"],
        beneficiary=persons[0] if prog.scope == "person" else None,
    )
    enrolment = Enrolment.objects.create(
        programme=prog,
        household=household,
        application=app,
        region_id=region,
        monthly_amount=amount,
        basis={"standard": "740", "income_per_head": "300", "members": str(members)},
        start_month=start,
        person=persons[0] if prog.scope == "person" else None,
    )
    for p in persons:
        EnrolmentMember.objects.create(enrolment=enrolment, person=p, added_on=start)
    EnrolmentChange.objects.create(
        enrolment=enrolment,
        kind="enrol",
        effective_month=start,
        after={"amount": str(amount)},
        reasons="纳入",
        actor="t",
    )
    for kind, month, after in changes:
        EnrolmentChange.objects.create(
            enrolment=enrolment, kind=kind, effective_month=month, after=after, reasons="测试变更", actor="t"
        )
    enrolment.persons = persons
    return enrolment


@pytest.fixture
def enrol(users):
    def make(**kwargs):
        return make_enrolment(users, **kwargs)

    return make


def county_staff(users) -> dict:
    """Three county staff for one month (职责分离): the approver builds, reviewer_c reviews, approver_c approves
    and locks (the two others are made on first use)."""
    from huimin.core.models import RoleAssignment, User
    from huimin.core.roles import BusinessLine

    def other(username):
        user, created = User.objects.get_or_create(  # the same password as the fixture users (browser tests log in)
            username=username,
            defaults={
                "full_name": username,
                "region_id": COUNTY,
                "must_change_password": False,
                "password": users["approver"].password,
            },
        )
        if created:
            RoleAssignment.objects.create(user=user, role=Role.APPROVER, line=BusinessLine.ASSISTANCE)
        return user

    return {"builder": users["approver"], "reviewer": other("reviewer_c"), "approver": other("approver_c")}


def lock_month(users, payroll):
    """Review, approve and lock ``payroll`` by the right people."""
    from huimin.benefits import services

    staff = county_staff(users)
    payroll = services.advance(staff["reviewer"], payroll, "review")
    payroll = services.advance(staff["approver"], payroll, "approve")
    return services.advance(staff["approver"], payroll, "lock")


# --- the two disability subsidies (until their programmes arrive by migration, issue 16's other branch) -----------

SUBSIDIES = {
    "disability_living": "困难残疾人生活补贴",
    "severe_care": "重度残疾人护理补贴",
}


def subsidy_programmes() -> dict:
    """The two subsidies as assistance programmes (per person, paid monthly) and their default 资金来源 rows."""
    from huimin.benefits import funds

    made = {}
    for sort, (code, name) in enumerate(SUBSIDIES.items(), start=60):
        made[code], _ = Programme.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": "disability", "scope": "person", "stages": ["accept", "review", "decision"],
                      "review_cycle": {"default_months": 12}, "exclusive_group": code, "sort": sort},
        )  # fmt: skip
    funds.load_defaults()
    return made


@pytest.fixture
def subsidies(db):
    return subsidy_programmes()


def enrol_person(users, person, *, programme, amount, start=datetime.date(2026, 1, 1)):
    """A per-person enrolment of ``person`` (already in a household) in ``programme``, as the assistance services
    leave it."""
    n = next(_seq)
    prog = Programme.objects.get(code=programme)
    app = Application.objects.create(
        number=f"BF-APP-P{n}",
        programme=prog,
        household=person.household,
        applicant=person,
        beneficiary=person,
        region_id=person.region_id,
        channel="window",
        reason="测试",
        stage=Stage.ENROLLED,
        stage_entered_on=start,
        created_by=users["approver"],
    )
    enrolment = Enrolment.objects.create(
        programme=prog,
        household=person.household,
        application=app,
        region_id=person.region_id,
        monthly_amount=amount,
        basis={"standard": str(amount)},
        start_month=start,
        person=person,
    )
    EnrolmentMember.objects.create(enrolment=enrolment, person=person, added_on=start)
    EnrolmentChange.objects.create(
        enrolment=enrolment, kind="enrol", effective_month=start, after={"amount": str(amount)}, reasons="纳入",
        actor="t",
    )  # fmt: skip
    return enrolment
