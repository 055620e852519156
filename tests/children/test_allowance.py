"""基本生活费 on the programme machinery: the standard as data, the monthly payroll, and the stop from the month
after the 18th birthday (birthday on the last and on the first day of a month)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from huimin.assistance.models import Application, Enrolment, EnrolmentChange, EnrolmentMember, Programme, Stage
from huimin.benefits import assess, payroll_engine
from huimin.benefits.models import ProgrammeFund, Standard
from huimin.children import services
from tests.children.conftest import make_person
from tests.clock import at
from tests.conftest import COUNTY, VILLAGE_A1

pytestmark = pytest.mark.django_db


def test_the_allowances_are_programmes_of_the_children_line_with_a_fund():
    for code in ("orphan_scattered", "orphan_institution", "de_facto_child"):
        programme = Programme.objects.get(code=code)
        assert programme.business_line == "children" and programme.scope == "person"
        assert ProgrammeFund.objects.filter(programme=programme).exists()


def test_the_amount_is_the_regions_standard(regions):
    Standard.objects.create(kind="orphan_scattered", region_id=COUNTY, value=Decimal("950"),
                            effective_from=datetime.date(2026, 1, 1), source="驻马店 散居孤儿 950 元/月")  # fmt: skip
    result = assess.calculate("orphan", VILLAGE_A1, datetime.date(2026, 12, 1), None, assess.inputs_of({}))
    assert result.amount == Decimal("950.00")
    with pytest.raises(assess.MissingStandard, match="机构养育孤儿基本生活费标准"):
        assess.calculate("orphan_institution", VILLAGE_A1, datetime.date(2026, 12, 1), None, assess.inputs_of({}))


def _enrol(users, child, start):
    prog = Programme.objects.get(code="orphan_scattered")
    app = Application.objects.create(number=f"CH-{child.pk}", programme=prog, household=child.household,
                                     applicant=child, region_id=child.region_id, channel="window", reason="孤儿",
                                     stage=Stage.ENROLLED, stage_entered_on=start, created_by=users["approver"],
                                     beneficiary=child)  # fmt: skip
    enr = Enrolment.objects.create(programme=prog, household=child.household, application=app, person=child,
                                   region_id=child.region_id, monthly_amount="950.00", start_month=start,
                                   basis={"standard": "950"})  # fmt: skip
    EnrolmentMember.objects.create(enrolment=enr, person=child, added_on=start)
    EnrolmentChange.objects.create(enrolment=enr, kind="enrol", effective_month=start, after={"amount": "950.00"},
                                   reasons="纳入", actor="t")  # fmt: skip
    return enr


def _paid(enr, month) -> int:
    inputs = payroll_engine.load_inputs(connection, "411702", month, [])
    lines = payroll_engine.compute(inputs, month, []).to_pylist()
    return sum(r["cents"] for r in lines if r["enrolment_id"] == enr.pk and r["service_month"] == month)


@pytest.mark.parametrize(
    ("born", "last_paid"),
    [(datetime.date(2008, 12, 31), datetime.date(2026, 12, 1)), (datetime.date(2009, 1, 1), datetime.date(2027, 1, 1))],
)
def test_the_allowance_stops_the_month_after_the_18th_birthday(users, born, last_paid):
    child = make_person(VILLAGE_A1, born)
    enr = _enrol(users, child, datetime.date(2026, 1, 1))
    birthday = born.replace(year=born.year + 18)
    with at(birthday.year, birthday.month, birthday.day):
        assert services.daily(birthday - datetime.timedelta(days=1))["stopped"] == 0
        assert services.daily(birthday)["stopped"] == 1
        assert services.daily(birthday)["stopped"] == 0  # idempotent
    enr.refresh_from_db()
    assert enr.status == "stopped" and enr.ended_on == birthday
    after = payroll_engine.add_months(last_paid, 1)
    assert _paid(enr, last_paid) == 95000  # the birthday's month is paid
    assert _paid(enr, after) == 0  # the month after is not
