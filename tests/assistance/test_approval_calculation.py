"""The approval takes the monthly amount from the benefit calculators (standards in force at the region) and
shows the explanation; the calculator's inputs come from the file (the 核对 report's income per head, the 入户调查's
members and care grade), each with its source; the approver may change one, or enter another amount, only with a
reason; a missing income is an error, never 0; regions with no standard set keep the amount the approver enters
with its basis."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from huimin.assistance import services
from huimin.assistance.models import Enrolment, Stage
from huimin.benefits.models import Standard
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from tests.assistance.conftest import apply, end_publicity, walk
from tests.clock import at
from tests.conftest import COUNTY


def _standard(kind, value, period="month"):
    return Standard.objects.create(
        kind=kind, region_id=COUNTY, value=Decimal(value), period=period, effective_from=datetime.date(2020, 1, 1)
    )


@pytest.fixture
def ready(users, make_household):
    def make(code="dibao", income="300", visit=None):
        household, people = make_household()
        app = walk(users, apply(users, household, people, code=code), Stage.PUBLICITY, income=income, visit=visit)
        return end_publicity(app)

    return make


def test_a_blank_amount_takes_the_calculated_one_and_the_basis_explains_it(users, ready):
    row = _standard("dibao", "740")
    app = services.approve(users["approver"], ready(), monthly_amount="", basis={})
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.monthly_amount == Decimal("880.00")  # (740 − 300 from the 核对 report) × 2 members
    assert enrolment.basis["income_per_head"] == "300.00" and enrolment.basis["members"] == "2"
    assert enrolment.basis["income_per_head_source"].startswith("来自人工录入的核对报告 HD-2026-001")
    assert enrolment.basis["members_source"] == "来自家庭成员登记（现有成员）"
    assert enrolment.basis["calculated"] == "880.00" and "人均收入" in enrolment.basis["formula"]
    assert enrolment.basis["standard_rows"] == str(row.pk) and "override_reason" not in enrolment.basis
    event = app.events.get(action="approve")
    assert event.data["calculation"]["金额"] == "880.00" and event.data["calculation"]["标准"][0]["标准记录"] == row.pk
    # the payroll explains each line with this basis
    assert enrolment.changes.get(kind="enrol").after["calculated"] == "880.00"


def test_members_default_to_the_household_and_classified_members_add_the_extra(users, ready):
    _standard("dibao", "740")
    _standard("dibao_extra_rate", "0.1", period="rate")
    app = services.approve(users["approver"], ready(income="0"), monthly_amount="", basis={"elderly": "1"})
    # two members (the household) × 740 + one elderly member × 74
    assert Enrolment.objects.get(application=app).monthly_amount == Decimal("1554.00")


def test_another_amount_needs_a_reason_and_is_recorded(users, ready):
    _standard("dibao", "740")
    app = ready()
    with pytest.raises(ServiceError, match="按标准计算的月保障金额为 880.00 元.*须填写调整理由"):
        services.approve(users["approver"], app, monthly_amount="900", basis={})
    assert not Enrolment.objects.exists()
    app = services.approve(
        users["approver"], app, monthly_amount="900", basis={},
        override_reason="子女赡养费实际未给付，按县民政局会议纪要多补 20 元",
    )  # fmt: skip
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.monthly_amount == Decimal("900.00")
    assert enrolment.basis["calculated"] == "880.00" and enrolment.basis["approved"] == "900.00"
    assert enrolment.basis["override_reason"].startswith("子女赡养费")


def test_bad_calculator_input_is_a_chinese_message(users, ready):
    _standard("dibao", "740")
    with pytest.raises(ServiceError, match="保障人数须为整数"):
        services.approve(users["approver"], ready(), monthly_amount="", basis={"members": "两人", "input_reason": "x"})


def test_tekun_is_basic_living_plus_care_by_grade(users, ready):
    _standard("tekun_basic", "12000", period="year")
    _standard("care_half", "150")
    app = ready("tekun_scattered", visit={"care_grade": "half"})
    app = services.approve(users["approver"], app, monthly_amount="", basis={})
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.monthly_amount == Decimal("1150.00") and enrolment.basis["grade"] == "half"
    assert enrolment.basis["grade_source"].startswith("来自入户调查")


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
    page = login(users["approver"]).get(url).content.decode()  # calculated from the file on opening
    assert "880.00 元" in page and "（低保标准 − 家庭月人均收入）× 保障人数" in page and 'value="880.00"' in page
    assert "来自人工录入的核对报告 HD-2026-001" in page and "来自家庭成员登记（现有成员）" in page
    assert not Enrolment.objects.exists()  # calculating saves nothing
    page = login(users["approver"]).get(url, {"calc": "1", "members": "x", "input_reason": "户籍迁出"}).content.decode()
    assert "保障人数须为整数" in page
    page = login(users["approver"]).get(url, {"calc": "1", "members": "1"}).content.decode()
    assert "保障人数 1 与来自家庭成员登记（现有成员）的 2 不同：修改须在“修改理由”中写明依据" in page


def test_a_missing_income_is_an_error_saying_what_to_do_never_zero(users, ready, login):
    _standard("dibao", "740")
    app = ready(income=None)  # the 核对 report recorded by hand states no income
    with pytest.raises(
        ServiceError, match="核对报告 HD-2026-001 未载明家庭月人均收入.*重新核对.*录入载明家庭月人均收入"
    ):
        services.approve(users["approver"], app, monthly_amount="", basis={})
    with pytest.raises(ServiceError, match="未载明家庭月人均收入"):  # not even typed in with a reason
        services.approve(
            users["approver"], app, monthly_amount="", basis={"income_per_head": "0", "input_reason": "口述"}
        )
    assert not Enrolment.objects.exists()
    page = login(users["approver"]).get(reverse("assistance:application_detail", args=[app.pk])).content.decode()
    assert "未载明家庭月人均收入" in page and "2960" not in page and "2,960" not in page


def test_an_income_changed_with_a_reason_is_recorded_in_the_basis_and_the_audit_entry(users, ready):
    _standard("dibao", "740")
    app = ready(visit={"members": "3"})
    with pytest.raises(
        ServiceError, match="家庭月人均收入（元） 200 与来自人工录入的核对报告 HD-2026-001.*的 300.00 不同"
    ):
        services.approve(users["approver"], app, monthly_amount="", basis={"income_per_head": "200"})
    app = services.approve(
        users["approver"], app, monthly_amount="", basis={"income_per_head": "200", "input_reason": "子女赡养费未给付"}
    )
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.monthly_amount == Decimal("1620.00")  # (740 − 200) × 3 members from the visit
    assert enrolment.basis["members_source"].startswith("来自入户调查")
    assert enrolment.basis["input_changes"] == "家庭月人均收入（元）：300.00 → 200"
    assert enrolment.basis["input_reason"] == "子女赡养费未给付"
    entry = AuditEntry.objects.filter(action="assistance.application.approve").latest("seq")
    assert entry.after["input_reason"] == "子女赡养费未给付" and entry.after["income_per_head"] == "200"


def test_an_income_equal_to_the_line_gets_nothing_and_one_below_gets_the_difference(users, ready):
    _standard("dibao", "740")
    with at(2026, 11, 20):
        with pytest.raises(ServiceError, match="按标准计算的月保障金额为 0.00 元（家庭月人均收入不低于低保标准"):
            services.approve(users["approver"], ready(income="740"), monthly_amount="", basis={})
        assert not Enrolment.objects.exists()
        app = services.approve(users["approver"], ready(income="739.99"), monthly_amount="", basis={})
        assert Enrolment.objects.get(application=app).monthly_amount == Decimal("0.02")  # 0.01 × 2 members


def test_tekun_without_a_recorded_grade_needs_one_chosen_with_a_reason(users, ready):
    _standard("tekun_basic", "12000", period="year")
    _standard("care_full", "300")
    app = ready("tekun_scattered")
    with pytest.raises(ServiceError, match="入户调查未记录生活自理能力等级"):
        services.approve(users["approver"], app, monthly_amount="", basis={})
    app = services.approve(
        users["approver"], app, monthly_amount="", basis={"grade": "full", "input_reason": "县残联评估报告"}
    )
    enrolment = Enrolment.objects.get(application=app)
    assert (
        enrolment.monthly_amount == Decimal("1300.00")
        and enrolment.basis["input_changes"] == "生活自理能力等级：— → 全护理"
    )


def test_bad_visit_figures_and_report_income_are_refused_and_nothing_is_written(users, make_household):
    from huimin.assistance.models import HomeVisit, ManualVerification

    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.VERIFY)
    applied_on = timezone.localdate(app.created_at)  # the application's day in Beijing
    with pytest.raises(ServiceError, match="家庭月人均收入格式不正确"):
        services.record_verification(
            users["clerk_a"], app, report_number="HD-1", report_date=applied_on, conclusion="eligible",
            reasons="无车无房", income_per_head="三百",
        )  # fmt: skip
    assert not ManualVerification.objects.exists()
    app = walk(users, app, Stage.VISIT, income="0")
    for members, grade, message in (
        ("0", "", "核实的家庭成员人数须为 1 至 99 的整数"),
        ("2", "bed", "生活自理能力等级不正确"),
    ):
        with pytest.raises(ServiceError, match=message):
            services.record_visit(
                users["clerk_a"], app, visit_date=applied_on, visitors="王五、赵六", findings="属实",
                members=members, care_grade=grade,
            )  # fmt: skip
    assert not HomeVisit.objects.exists()
