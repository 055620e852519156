"""The approval takes the monthly amount from the benefit calculators (standards in force at the region) and
shows the explanation; the approver may enter another amount only with a reason; regions with no standard
set keep the amount the approver enters with its basis."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from huimin.assistance import services
from huimin.assistance.models import Enrolment, Stage
from huimin.benefits.models import Standard
from huimin.core.services import ServiceError
from tests.assistance.conftest import apply, end_publicity, walk
from tests.conftest import COUNTY


def _standard(kind, value, period="month"):
    return Standard.objects.create(
        kind=kind, region_id=COUNTY, value=Decimal(value), period=period, effective_from=datetime.date(2020, 1, 1)
    )


@pytest.fixture
def ready(users, make_household):
    def make(code="dibao"):
        household, people = make_household()
        return end_publicity(walk(users, apply(users, household, people, code=code), Stage.PUBLICITY))

    return make


def test_a_blank_amount_takes_the_calculated_one_and_the_basis_explains_it(users, ready):
    row = _standard("dibao", "740")
    app = services.approve(
        users["approver"], ready(), monthly_amount="", basis={"income_per_head": "300", "members": "2"}
    )
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.monthly_amount == Decimal("880.00")  # (740 − 300) × 2
    assert enrolment.basis["calculated"] == "880.00" and "人均收入" in enrolment.basis["formula"]
    assert enrolment.basis["standard_rows"] == str(row.pk) and "override_reason" not in enrolment.basis
    event = app.events.get(action="approve")
    assert event.data["calculation"]["金额"] == "880.00" and event.data["calculation"]["标准"][0]["标准记录"] == row.pk
    # the payroll explains each line with this basis
    assert enrolment.changes.get(kind="enrol").after["calculated"] == "880.00"


def test_members_default_to_the_household_and_classified_members_add_the_extra(users, ready):
    _standard("dibao", "740")
    _standard("dibao_extra_rate", "0.1", period="rate")
    app = services.approve(
        users["approver"], ready(), monthly_amount="", basis={"income_per_head": "0", "elderly": "1"}
    )
    # two members (the household) × 740 + one elderly member × 74
    assert Enrolment.objects.get(application=app).monthly_amount == Decimal("1554.00")


def test_another_amount_needs_a_reason_and_is_recorded(users, ready):
    _standard("dibao", "740")
    app = ready()
    with pytest.raises(ServiceError, match="按标准计算的月保障金额为 880.00 元.*须填写调整理由"):
        services.approve(users["approver"], app, monthly_amount="900", basis={"income_per_head": "300", "members": "2"})
    assert not Enrolment.objects.exists()
    app = services.approve(
        users["approver"], app, monthly_amount="900", basis={"income_per_head": "300", "members": "2"},
        override_reason="子女赡养费实际未给付，按县民政局会议纪要多补 20 元",
    )  # fmt: skip
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.monthly_amount == Decimal("900.00")
    assert enrolment.basis["calculated"] == "880.00" and enrolment.basis["approved"] == "900.00"
    assert enrolment.basis["override_reason"].startswith("子女赡养费")


def test_bad_calculator_input_is_a_chinese_message(users, ready):
    _standard("dibao", "740")
    with pytest.raises(ServiceError, match="保障人数须为整数"):
        services.approve(users["approver"], ready(), monthly_amount="", basis={"members": "两人"})


def test_tekun_is_basic_living_plus_care_by_grade(users, ready):
    _standard("tekun_basic", "12000", period="year")
    _standard("care_half", "150")
    app = services.approve(users["approver"], ready("tekun_scattered"), monthly_amount="", basis={"grade": "half"})
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.monthly_amount == Decimal("1150.00") and enrolment.basis["grade"] == "half"


def test_without_a_standard_the_approver_enters_amount_and_basis_as_before(users, ready):
    app = ready()
    with pytest.raises(ServiceError, match="请填写核定金额所依据的保障标准"):
        services.approve(users["approver"], app, monthly_amount="630", basis={"income_per_head": "0"})
    app = services.approve(users["approver"], app, monthly_amount="630", basis={"standard": "城市低保 630 元/月"})
    assert Enrolment.objects.get(application=app).monthly_amount == Decimal("630.00")


def test_the_approval_form_shows_the_calculation_with_its_explanation(users, ready, login):
    _standard("dibao", "740")
    app = ready()
    url = reverse("assistance:application_detail", args=[app.pk])
    page = login(users["approver"]).get(url, {"calc": "1", "income_per_head": "300", "members": "2"}).content.decode()
    assert "880.00 元" in page and "（低保标准 − 家庭月人均收入）× 保障人数" in page and 'value="880.00"' in page
    assert not Enrolment.objects.exists()  # calculating saves nothing
    page = login(users["approver"]).get(url, {"calc": "1", "members": "x"}).content.decode()
    assert "保障人数须为整数" in page
