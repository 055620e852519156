"""经济困难老年人养老服务补贴 and 护理补贴 on the assistance application machinery: who may apply (an older person of
a 低保/特困 household; for the 护理补贴 a current 能力评估 of 中度 to 完全失能), the level read from 养老服务, and the
approval's amount by the standard of that level."""

import datetime
from decimal import Decimal

import pytest

from huimin.assistance import services
from huimin.assistance.models import Application, Enrolment, EnrolmentMember, Programme, Stage
from huimin.benefits import calculators
from huimin.benefits.calculators import StandardValue
from huimin.benefits.models import Standard
from huimin.core.context import SYSTEM, acting_as
from huimin.core.roles import BusinessLine, Role
from huimin.core.services import ServiceError
from huimin.elderly.models import Assessment, Level
from huimin.registry.models import Membership
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A
from tests.elderly.conftest import make_person

pytestmark = pytest.mark.django_db
D = datetime.date
STANDARDS = {
    "elderly_service": 100,
    "elderly_care_moderate": 150,
    "elderly_care_severe": 300,
    "elderly_care_total": 500,
}


@pytest.fixture
def el(users, make_user):
    line = BusinessLine.ELDERLY
    for kind, value in STANDARDS.items():
        Standard.objects.create(kind=kind, region_id=COUNTY, value=value, effective_from=D(2020, 1, 1))
    return {
        "clerk": make_user("sb_clerk", Role.CLERK, TOWN_A, line=line),
        "reviewer": make_user("sb_reviewer", Role.REVIEWER, TOWN_A, line=line),
        "approver": make_user("sb_approver", Role.APPROVER, COUNTY, line=line),
        "users": users,
    }


def _in_dibao(users, person):
    Membership.objects.create(household=person.household, person=person, relation="01", started_on=D(2000, 1, 1))
    prog = Programme.objects.get(code="dibao")
    household = person.household
    app = Application.objects.create(
        number=f"T-dibao-{person.pk}", programme=prog, household=household, applicant=person,
        region=household.region, channel="window", reason="测试", stage=Stage.ENROLLED,
        stage_entered_on=D(2026, 1, 1), created_by=users["approver"],
    )  # fmt: skip
    enrolment = Enrolment.objects.create(programme=prog, household=household, application=app, region=household.region,
                                         monthly_amount="300.00", basis={"standard": "测试"},
                                         start_month=D(2026, 1, 1))  # fmt: skip
    EnrolmentMember.objects.create(enrolment=enrolment, person=person, added_on=D(2026, 1, 1))


ASSESSED_ON = datetime.date(2026, 10, 1)


def _assessed(person, level_code, assessor, on=ASSESSED_ON):
    level = Level.objects.get(code=level_code)
    with acting_as(SYSTEM):
        return Assessment.objects.create(person=person, region_id=person.region_id, assessed_on=on, assessor=assessor,
                                         total=level.min_total, base_level=level, level=level,
                                         next_due=on.replace(year=on.year + 1))  # fmt: skip


def _apply(el, person, code):
    return services.create_application(
        el["clerk"], programme=Programme.objects.get(code=code), household=person.household, applicant=person,
        beneficiary=person, channel="window", reason="经济困难，失能",
        documents=["application", "identity", *(["assessment"] if code == "elderly_care" else [])],
    )  # fmt: skip


def test_the_calculator_by_level_and_income():
    care = StandardValue(Decimal(300), label="重度")
    assert calculators.elderly_subsidy(kind="care", level="severe", low_income=True, care=care).amount == 300
    assert calculators.elderly_subsidy(kind="care", level="mild", low_income=True).amount == 0  # below 中度
    assert calculators.elderly_subsidy(kind="care", level="severe", low_income=False, care=care).amount == 0
    with pytest.raises(calculators.CalculationError, match="未设置中度失能护理补贴标准"):
        calculators.elderly_subsidy(kind="care", level="moderate", low_income=True)


@at(2026, 11, 20)
def test_care_subsidy_from_application_to_the_amount_of_the_assessed_level(el):
    person = make_person("411702001001", D(1940, 3, 3))
    _in_dibao(el["users"], person)
    _assessed(person, "severe", el["approver"])
    app = _apply(el, person, "elderly_care")
    assert app.details["ability"]["level"] == "severe" and app.details["ability"]["low_income"] is True
    app = services.accept(el["clerk"], app)
    app = services.review(el["reviewer"], app, "初审：失能情况属实")
    app = services.approve(el["approver"], app, monthly_amount="", basis={}, reasons="符合条件")
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.monthly_amount == Decimal("300.00") and enrolment.start_month == D(2026, 12, 1)
    assert enrolment.basis["ability_level"] == "重度失能"


@at(2026, 11, 20)
def test_who_may_not_apply_is_refused_with_nothing_written(el):
    young = make_person("411702001001", D(1970, 1, 1))
    not_poor = make_person("411702001001", D(1940, 1, 1))
    Membership.objects.create(household=not_poor.household, person=not_poor, relation="01", started_on=D(2000, 1, 1))
    mild = make_person("411702001001", D(1940, 2, 2))
    overdue = make_person("411702001001", D(1940, 4, 4))
    for p in (young, mild, overdue):
        _in_dibao(el["users"], p)
    _assessed(mild, "mild", el["approver"])
    _assessed(overdue, "complete", el["approver"], on=D(2025, 11, 1))  # re-assessment due 2026-11-01
    before = Application.objects.count()
    for person, code, message in (
        (young, "elderly_service", "未满 60 周岁"),
        (not_poor, "elderly_service", "不是低保或特困家庭"),
        (mild, "elderly_care", "护理补贴限中度、重度、完全失能"),
        (overdue, "elderly_care", "能力评估已于 2026年11月01日 到期"),
    ):
        with pytest.raises(ServiceError, match=message):
            _apply(el, person, code)
    assert Application.objects.count() == before
    app = _apply(el, mild, "elderly_service")  # the 养老服务补贴 needs no level
    assert app.details["ability"]["name"] == "轻度失能"
