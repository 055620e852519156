"""残疾人两项补贴: the chain 乡镇受理 → 初审 → 残联审核 → 民政审批 → enrolment, the overlap rules as data (each on
both sides), payment from the month of application, capabilities per business line, 跨县 forwarding and the bad
inputs."""

import datetime
from decimal import Decimal

import pytest

from huimin.assistance import overlaps, services
from huimin.assistance.access import access_application_by_id
from huimin.assistance.error_codes import AssistanceErrorCode
from huimin.assistance.models import (
    Application,
    ApplicationEvent,
    Enrolment,
    EnrolmentMember,
    Forwarding,
    OverlapRule,
    Programme,
    Stage,
)
from huimin.benefits.models import PayrollLine, Standard
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.models import Region
from huimin.core.roles import BusinessLine, Role
from huimin.core.services import ServiceError
from huimin.registry.certificates import CertificateError, parse_certificate
from tests.assistance.conftest import apply
from tests.clock import at
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, VILLAGE_A1

LIVING, CARE = Decimal("80.00"), Decimal("100.00")
D = BusinessLine.DISABILITY


@pytest.fixture
def staff(users, make_user):
    """The 残疾人福利 line: a township clerk and reviewer (初审), the county 残联审核人 and the county approver; and a
    残联审核人 of another county."""
    return {
        "clerk": make_user("cz_clerk", Role.CLERK, TOWN_A, line=D),
        "reviewer": make_user("cz_reviewer", Role.REVIEWER, TOWN_A, line=D),
        "federation": make_user("cl_county", Role.FEDERATION_REVIEWER, COUNTY, line=D),
        "approver": make_user("cz_approver", Role.APPROVER, COUNTY, line=D),
        "federation_other": make_user("cl_other", Role.FEDERATION_REVIEWER, OTHER_COUNTY, line=D),
    }


@pytest.fixture
def standards(db):
    for kind, value in (("disability_living", LIVING), ("severe_care", CARE)):
        Standard.objects.create(
            kind=kind, region_id=COUNTY, area="all", period="month", value=value,
            effective_from=datetime.date(2020, 1, 1), source="测试标准",
        )  # fmt: skip


def certify(person, category="4", grade=1):
    person.disability_category, person.disability_grade = category, grade
    person.disability_cert_no = f"{person.id_number}{category}{grade}"
    person.save()
    return person


def enrol_in(users, code, household, person, amount="500.00", start=datetime.date(2026, 1, 1)):
    """An enrolment (as the services leave one) of ``person`` (or his household) in programme ``code``."""
    prog = Programme.objects.get(code=code)
    person_scope = prog.scope == "person"
    app = Application.objects.create(
        number=f"T-{code}-{person.pk}", programme=prog, household=household, applicant=person, region=household.region,
        channel="window", reason="测试", stage=Stage.ENROLLED, stage_entered_on=start, created_by=users["approver"],
        beneficiary=person if person_scope else None,
    )  # fmt: skip
    enrolment = Enrolment.objects.create(
        programme=prog, household=household, application=app, region=household.region, monthly_amount=amount,
        basis={"standard": "测试"}, start_month=start, person=person if person_scope else None,
    )  # fmt: skip
    EnrolmentMember.objects.create(enrolment=enrolment, person=person, added_on=start)
    return enrolment


def other_programme(kind, code):
    line = {"orphan": "children", "de_facto_child": "children", "elderly_care": "elderly"}[kind]
    existing = Programme.objects.filter(code=code).first()  # 养老服务 ships its 护理补贴 programme (elderly_care)
    if existing is not None:
        return existing
    return Programme.objects.create(
        code=code, name={"orphan": "孤儿基本生活费", "elderly_care": "经济困难失能老年人护理补贴"}.get(kind, code),
        kind=kind, scope="person", stages=["accept", "review", "decision"], business_line=line, means_tested=False,
    )  # fmt: skip


def subsidy(staff, household, person, code="severe_care", **extra):
    kwargs = {"documents": ["application", "identity", "certificate"], "reason": "重度残疾，需长期照护"} | extra
    return services.create_application(
        staff["clerk"], programme=Programme.objects.get(code=code), household=household, applicant=person,
        beneficiary=person, channel=kwargs.pop("channel", "window"), **kwargs,
    )  # fmt: skip


def to_decision(staff, app, **review):
    app = services.accept(staff["clerk"], app)
    app = services.review(staff["reviewer"], app, "初审：情况属实")
    assert app.stage == Stage.AGENCY_REVIEW
    return services.agency_review(staff["federation"], app, passed=True, opinion="证件有效，类别等级属实", **review)


def approve(staff, app):
    return services.approve(staff["approver"], app, monthly_amount="", basis={}, reasons="符合条件")


# --- the chain ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_chain_from_the_township_to_the_enrolment(users, staff, standards, make_household):
    household, people = make_household()
    person = certify(people[0], "4", 1)
    with at(2026, 5, 12):
        app = subsidy(staff, household, person, channel="village")  # the 村(居) on the person's behalf
        assert app.details["certificate"] == {"category": "4", "grade": 1}
        app = to_decision(staff, app)
        assert app.stage == Stage.DECISION and app.details["agency"]["grade"] == 1
        app = approve(staff, app)
    assert app.stage == Stage.ENROLLED
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.monthly_amount == CARE and enrolment.person == person
    assert enrolment.start_month == datetime.date(2026, 5, 1)  # from the month of application
    assert enrolment.basis["disability_grade"] == "1"
    steps = list(app.events.values_list("action", "actor"))
    assert steps == [
        ("apply", "cz_clerk"), ("accept", "cz_clerk"), ("review", "cz_reviewer"),
        ("agency_review", "cl_county"), ("approve", "cz_approver"),
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_federation_refuses_with_reasons(users, staff, standards, make_household):
    household, people = make_household()
    app = subsidy(staff, household, certify(people[0]))
    app = services.review(staff["reviewer"], services.accept(staff["clerk"], app), "初审通过")
    app = services.agency_review(staff["federation"], app, passed=False, opinion="残疾人证已注销")
    assert app.stage == Stage.REFUSED and app.notifications.get().kind == "refused"


@pytest.mark.django_db
def test_the_subsidies_have_no_means_test_but_assistance_keeps_it(users, staff):
    from huimin.assistance import workflow

    living = Programme.objects.get(code="disability_living")
    assert not living.means_tested and living.business_line == D and living.scope == "person"
    assert "verify" not in living.stages and "agency_review" in living.stages
    assert workflow.validate_stages(living.stages, living.means_tested) == []
    assert workflow.validate_stages(living.stages, means_tested=True) == ["缺少必经环节 家庭经济状况核对"]
    assert workflow.validate_stages(["accept", "verify", "decision"]) == ["缺少必经环节 乡镇审核"]


# --- from the month of application ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_application_on_the_last_working_day_approved_two_months_later_pays_arrears_once(
    users, staff, standards, make_household
):
    from huimin.benefits import services as payroll
    from tests.benefits.conftest import lock_month

    household, people = make_household()
    person = certify(people[0], "5", 2)
    enrol_in(users, "dibao", household, person)
    with at(2026, 7, 31, 17):  # Friday 31 July 2026, the last working day of the month
        app = subsidy(staff, household, person, code="disability_living")
    with at(2026, 8, 20):
        for month in (datetime.date(2026, 7, 1), datetime.date(2026, 8, 1)):
            lock_month(users, payroll.build(users["approver"], region_code=COUNTY, month=month))
    with at(2026, 9, 28):  # approved two months later
        app = approve(staff, to_decision(staff, app))
        enrolment = Enrolment.objects.get(application=app)
        assert enrolment.start_month == datetime.date(2026, 7, 1)
        september = payroll.build(users["approver"], region_code=COUNTY, month=datetime.date(2026, 9, 1))
        assert sorted(
            PayrollLine.objects.filter(payroll=september, enrolment=enrolment).values_list(
                "service_month", "kind", "amount"
            )
        ) == [
            (datetime.date(2026, 7, 1), "arrears", LIVING),
            (datetime.date(2026, 8, 1), "arrears", LIVING),
            (datetime.date(2026, 9, 1), "regular", LIVING),
        ]
        lock_month(users, september)
    with at(2026, 10, 20):
        october = payroll.build(users["approver"], region_code=COUNTY, month=datetime.date(2026, 10, 1))
        assert list(PayrollLine.objects.filter(payroll=october, enrolment=enrolment).values_list("kind", "amount")) == [
            ("regular", LIVING)
        ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "month"),
    [((2026, 7, 31, 23, 50), datetime.date(2026, 7, 1)), ((2026, 8, 1, 0, 10), datetime.date(2026, 8, 1))],
)
def test_the_start_month_is_the_month_of_application_in_beijing(users, staff, standards, make_household, moment, month):
    household, people = make_household()
    person = certify(people[0], "4", 2)
    with at(*moment):
        app = subsidy(staff, household, person)
    with at(2026, 9, 28):
        app = approve(staff, to_decision(staff, app))
    assert Enrolment.objects.get(application=app).start_month == month
    assert f"自{month:%Y年%m月}起发放" in app.notifications.get(kind="approved").body


# --- the overlap rules, each on both sides -------------------------------------------------------------------


@pytest.mark.django_db
def test_living_subsidy_needs_a_dibao_household(users, staff, standards, make_household):
    household, people = make_household()
    person = certify(people[0])
    with pytest.raises(BusinessRuleError) as refused:
        subsidy(staff, household, person, code="disability_living")
    assert refused.value.code == AssistanceErrorCode.NOT_ELIGIBLE
    assert "须为最低生活保障对象" in str(refused.value) and "国发〔2015〕52号" in str(refused.value)
    assert "生活补贴限低保家庭中的残疾人" in str(refused.value)
    enrol_in(users, "dibao", household, people[1])  # the household's 低保 (a household enrolment covers it)
    Enrolment.objects.filter(household=household).update(person=None)
    assert subsidy(staff, household, person, code="disability_living").stage == Stage.ACCEPT


@pytest.mark.django_db
def test_a_region_extends_the_living_subsidy_to_edge_households(users, staff, standards, make_household):
    household, people = make_household()
    person = certify(people[0])
    enrol_in(users, "edge", household, person, amount="0.00")
    with pytest.raises(BusinessRuleError):
        subsidy(staff, household, person, code="disability_living")
    OverlapRule.objects.create(
        code="living_low_income", name="生活补贴扩大到低保边缘家庭", programme_kind="disability_living",
        kind="requires", other_kinds=["dibao", "edge"], region_id=COUNTY, effective_from=datetime.date(2024, 1, 1),
        basis="本县文件：生活补贴扩大到低保边缘家庭中的残疾人",
    )  # fmt: skip
    assert subsidy(staff, household, person, code="disability_living").stage == Stage.ACCEPT
    # the widened rule holds in its county only: the national one still governs another county
    elsewhere = overlaps.rules_in_force("disability_living", "411721001001", datetime.date(2026, 5, 1))
    assert {r.code: r.other_kinds for r in elsewhere}["living_low_income"] == ["dibao"]


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["tekun_scattered", "orphan"])
def test_tekun_or_an_orphan_gets_no_living_subsidy_but_may_get_the_care_subsidy(
    users, staff, standards, make_household, code
):
    household, people = make_household()
    person = certify(people[0], "4", 2)
    enrol_in(users, "dibao", household, people[1])
    if code == "orphan":
        other_programme("orphan", "orphan_living")
        code = "orphan_living"
    enrol_in(users, code, household, person)
    with pytest.raises(BusinessRuleError) as refused:
        subsidy(staff, household, person, code="disability_living")
    assert refused.value.code == AssistanceErrorCode.OVERLAP
    assert "不能同时享受困难残疾人生活补贴" in str(refused.value) and "民发〔2021〕70号" in str(refused.value)
    app = approve(staff, to_decision(staff, subsidy(staff, household, person, code="severe_care")))
    assert app.stage == Stage.ENROLLED


@pytest.mark.django_db
def test_tekun_enrolled_after_the_application_stops_the_living_subsidy_at_approval(
    users, staff, standards, make_household
):
    household, people = make_household()
    person = certify(people[0])
    enrol_in(users, "dibao", household, person)
    app = to_decision(staff, subsidy(staff, household, person, code="disability_living"))
    Enrolment.objects.filter(household=household).update(status="stopped")
    enrol_in(users, "tekun_scattered", household, person)
    with pytest.raises(BusinessRuleError) as refused:
        approve(staff, app)
    assert refused.value.code == AssistanceErrorCode.OVERLAP
    assert not Enrolment.objects.filter(application=app).exists()


@pytest.mark.django_db
def test_care_subsidy_grades_and_the_regional_extension(users, staff, standards, make_household):
    household, people = make_household(names=("甲", "乙", "丙"))
    grade_2 = certify(people[0], "4", 2)
    intellectual_3 = certify(people[1], "5", 3)
    physical_3 = certify(people[2], "4", 3)
    assert subsidy(staff, household, grade_2).stage == Stage.ACCEPT
    for person in (intellectual_3, physical_3):
        with pytest.raises(BusinessRuleError) as refused:
            subsidy(staff, household, person)
        assert refused.value.code == AssistanceErrorCode.NOT_ELIGIBLE and "三级" in str(refused.value)
        assert "护理补贴限一、二级重度残疾人" in str(refused.value)
    OverlapRule.objects.create(
        code="care_grade", name="护理补贴扩大到三、四级智力、精神残疾人", programme_kind="severe_care", kind="grade",
        params={"max_grade": 2, "extended_categories": ["5", "6"], "extended_max_grade": 4}, region_id=COUNTY,
        effective_from=datetime.date(2024, 1, 1), basis="本县文件",
    )  # fmt: skip
    assert subsidy(staff, household, intellectual_3).stage == Stage.ACCEPT
    with pytest.raises(BusinessRuleError):
        subsidy(staff, household, physical_3)


@pytest.mark.django_db
def test_care_subsidy_and_elderly_care_allowance_the_higher_is_paid(users, staff, standards, make_household):
    other_programme("elderly_care", "elderly_care")
    household, people = make_household()
    person = certify(people[0], "4", 1)
    higher = enrol_in(users, "elderly_care", household, person, amount="150.00")
    app = to_decision(staff, subsidy(staff, household, person))
    with pytest.raises(BusinessRuleError) as refused:
        approve(staff, app)
    assert refused.value.code == AssistanceErrorCode.OVERLAP
    assert "就高发放" in str(refused.value) and "护理补贴与失能老年人护理补贴就高享受" in str(refused.value)
    assert Enrolment.objects.get(pk=higher.pk).status == "active"

    Enrolment.objects.filter(pk=higher.pk).update(monthly_amount="60.00")  # now the care subsidy is the higher
    with at(2026, 5, 12):
        app = approve(staff, app)
    lower = Enrolment.objects.get(pk=higher.pk)
    assert app.stage == Stage.ENROLLED and lower.status == "stopped"
    assert "就高发放" in lower.end_reason
    start = Enrolment.objects.get(application=app).start_month
    assert lower.changes.get(kind="stop").effective_month == start


# --- capabilities per business line --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clerk_acts_only_on_the_programmes_of_his_line(users, staff, standards, make_household):
    household, people = make_household()
    person = certify(people[0])
    with pytest.raises(Forbidden) as refused:
        subsidy({"clerk": users["clerk_a"]}, household, person)  # a 社会救助 clerk
    assert "残疾人福利" in str(refused.value)
    dibao = apply(users, household, people)
    with pytest.raises(ServiceError) as refused:
        services.accept(staff["clerk"], dibao)  # a 残疾人福利 clerk
    assert "社会救助" in str(refused.value)
    with pytest.raises(NotInScope):
        access_application_by_id(staff["clerk"], dibao.pk)
    care = subsidy(staff, household, person)
    assert access_application_by_id(staff["clerk"], care.pk) == care
    with pytest.raises(NotInScope):
        access_application_by_id(users["clerk_a"], care.pk)
    both = staff["clerk"]
    both.role_assignments.create(role=Role.CLERK, line=BusinessLine.ASSISTANCE)
    both.__dict__.pop("role_pairs", None)
    assert services.accept(both, dibao).stage != Stage.ACCEPT


@pytest.mark.django_db
def test_the_lists_show_each_line_its_own(users, staff, standards, make_household, login):
    household, people = make_household()
    care = subsidy(staff, household, certify(people[0]))
    dibao = apply(users, household, people)
    page = login(staff["clerk"]).get("/assistance/").content.decode()
    assert care.number in page and dibao.number not in page
    page = login(users["clerk_a"]).get("/assistance/").content.decode()
    assert dibao.number in page and care.number not in page


@pytest.mark.django_db
def test_the_federation_reviewer_is_a_county_role_of_the_disability_line(users, staff, make_user):
    from huimin.core import services as core

    security = users["security"]
    town_user = make_user("someone", "", TOWN_A)
    with pytest.raises(ServiceError, match="只能分配在残疾人福利条线"):
        core.grant_role(security, town_user, Role.FEDERATION_REVIEWER, BusinessLine.ASSISTANCE)
    with pytest.raises(ServiceError, match="须为县级账号"):
        core.grant_role(security, town_user, Role.FEDERATION_REVIEWER, D)
    county_user = make_user("county_someone", "", COUNTY)
    assert core.grant_role(security, county_user, Role.FEDERATION_REVIEWER, D).role == Role.FEDERATION_REVIEWER


@pytest.mark.django_db
def test_only_the_federation_reviews_certificates(users, staff, standards, make_household):
    household, people = make_household()
    app = subsidy(staff, household, certify(people[0]))
    app = services.review(staff["reviewer"], services.accept(staff["clerk"], app), "初审通过")
    with pytest.raises(ServiceError, match="无权执行"):
        services.agency_review(staff["approver"], app, passed=True, opinion="同意")


# --- 跨县 forwarding -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_application_is_forwarded_to_the_hukou_county_with_its_file(
    users, staff, standards, make_household, make_user
):
    county = Region.objects.get(code=OTHER_COUNTY)
    town = Region.objects.create(code="411721001000", name="柏城街道", level=4, parent=county)
    village = Region.objects.create(code="411721001001", name="西关社区", level=5, parent=town)
    there = make_user("cz_clerk_other", Role.CLERK, town.code, line=D)
    household, people = make_household()
    person = certify(people[0])
    person.hukou_region = village
    person.save()
    app = subsidy(staff, household, person)
    with pytest.raises(NotInScope):
        access_application_by_id(there, app.pk)
    app = services.forward(staff["clerk"], app, "户籍在西平县，转户籍地办理")
    forwarding = Forwarding.objects.get(application=app)
    assert (forwarding.from_region_id, forwarding.to_region_id) == (VILLAGE_A1, village.code)
    assert forwarding.documents == ["application", "certificate", "identity"]
    assert access_application_by_id(there, app.pk).stage == Stage.ACCEPT  # the receiving county sees it
    with pytest.raises(NotInScope):
        access_application_by_id(staff["clerk"], app.pk)
    assert app.events.get(action="forward").data["to_county"] == "西平县"


@pytest.mark.django_db
def test_no_forwarding_inside_the_hukou_county(users, staff, standards, make_household):
    household, people = make_household()
    person = certify(people[0])
    person.hukou_region_id = VILLAGE_A1
    person.save()
    app = subsidy(staff, household, person)
    with pytest.raises(BusinessRuleError) as refused:
        services.forward(staff["clerk"], app, "转办")
    assert refused.value.code == AssistanceErrorCode.NOT_FORWARDABLE
    assert not Forwarding.objects.exists()


# --- bad input: a clear message, nothing written ---------------------------------------------------------------


def test_the_certificate_number_is_the_id_number_and_two_digits():
    holder = "41170219800101123X"
    assert parse_certificate(holder + "52", holder) == ("5", 2)
    assert parse_certificate(holder.lower() + "71", holder) == ("7", 1)
    for cert, message in [
        ("41170219800101124X52", "与持证人身份证号不一致"),
        (holder + "5", "格式不正确"),
        (holder + "82", "残疾类别，应为 1–7"),
        (holder + "45", "残疾等级“5”不存在"),
        (holder + "50", "残疾等级“0”不存在"),
    ]:
        with pytest.raises(CertificateError, match=message):
            parse_certificate(cert, holder)


@pytest.mark.django_db
def test_a_certificate_of_someone_else_is_refused_and_nothing_written(users, staff, standards, make_household):
    household, people = make_household()
    person = certify(people[0])
    person.disability_cert_no = people[1].id_number + "41"
    person.save()
    before = Application.objects.count()
    with pytest.raises(BusinessRuleError) as refused:
        subsidy(staff, household, person)
    assert refused.value.code == AssistanceErrorCode.CERTIFICATE_INVALID
    assert "与持证人身份证号不一致" in str(refused.value) and people[1].id_number not in str(refused.value)
    assert Application.objects.count() == before


@pytest.mark.django_db
def test_a_certificate_that_contradicts_the_record_or_is_missing_is_refused(users, staff, standards, make_household):
    household, people = make_household()
    person = certify(people[0], "4", 1)
    person.disability_cert_no = person.id_number + "42"
    person.save()
    with pytest.raises(BusinessRuleError, match="与人员信息登记的肢体残疾1级不一致"):
        subsidy(staff, household, person)
    with pytest.raises(BusinessRuleError, match="没有登记残疾人证号"):
        subsidy(staff, household, people[1])
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_the_federation_review_refuses_a_bad_grade_or_number_and_writes_nothing(
    users, staff, standards, make_household
):
    household, people = make_household()
    person = certify(people[0], "4", 1)
    app = subsidy(staff, household, person)
    app = services.review(staff["reviewer"], services.accept(staff["clerk"], app), "初审通过")
    events = ApplicationEvent.objects.filter(application=app).count()
    for kwargs, message in [
        ({"grade": "5"}, "残疾等级“5”不存在"),
        ({"grade": "二"}, "残疾等级应为 1–4 级"),
        ({"grade": "2"}, "与残疾人证号显示的肢体残疾1级不一致"),
        ({"cert_no": people[1].id_number + "41"}, "与持证人身份证号不一致"),
    ]:
        with pytest.raises(BusinessRuleError, match=message) as refused:
            services.agency_review(staff["federation"], app, passed=True, opinion="审核", **kwargs)
        assert refused.value.code == AssistanceErrorCode.CERTIFICATE_INVALID
    app.refresh_from_db()
    assert app.stage == Stage.AGENCY_REVIEW and "agency" not in app.details
    assert ApplicationEvent.objects.filter(application=app).count() == events


@pytest.mark.django_db
def test_a_person_already_receiving_the_subsidy_cannot_apply_again(users, staff, standards, make_household):
    household, people = make_household()
    person = certify(people[0], "4", 1)
    approve(staff, to_decision(staff, subsidy(staff, household, person)))
    before = Application.objects.count()
    with pytest.raises(BusinessRuleError) as refused:
        subsidy(staff, household, person)
    assert refused.value.code == AssistanceErrorCode.ALREADY_RECEIVING and "已在享受重度残疾人护理补贴" in str(
        refused.value
    )
    assert Application.objects.count() == before


@pytest.mark.django_db
def test_a_federation_reviewer_of_another_county_is_told_whose_it_is(users, staff, standards, make_household):
    household, people = make_household()
    app = subsidy(staff, household, certify(people[0]))
    app = services.review(staff["reviewer"], services.accept(staff["clerk"], app), "初审通过")
    with pytest.raises(BusinessRuleError) as refused:
        services.agency_review(staff["federation_other"], app, passed=True, opinion="审核通过")
    assert refused.value.code == AssistanceErrorCode.OTHER_COUNTY
    assert "该申请属于驿城区" in str(refused.value)
    app.refresh_from_db()
    assert app.stage == Stage.AGENCY_REVIEW and not app.events.filter(action="agency_review").exists()


# --- the pages -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_federation_reviews_on_the_application_page(users, staff, standards, make_household, login):
    household, people = make_household()
    app = subsidy(staff, household, certify(people[0], "6", 2))
    app = services.review(staff["reviewer"], services.accept(staff["clerk"], app), "初审通过")
    client = login(staff["federation"])
    page = client.get(f"/assistance/applications/{app.pk}/").content.decode()
    assert 'data-testid="agency-review"' in page and "精神残疾2级" in page
    response = client.post(
        f"/assistance/applications/{app.pk}/act/agency_review/",
        {"passed": "1", "opinion": "证件有效", "category": "6", "disability_grade": "2"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.stage == Stage.DECISION and app.details["agency"]["category"] == "6"
    page = client.get(f"/assistance/applications/{app.pk}/").content.decode()
    assert "县残联审核：精神残疾2级" in page


@pytest.mark.django_db
def _main(response) -> str:
    """The page's own content, without the menu (whose 「入户调查任务」 every assistance clerk sees)."""
    return response.content.decode().split("<main", 1)[1]


def test_the_application_page_shows_the_means_test_only_where_the_programme_has_it(
    users, staff, standards, make_household, login
):
    """The subsidies have no 核对 and no 入户调查: their page does not say that 逢进必核 blocks the approval, nor ask
    for the household's 核对授权书; a 低保 application's page still does."""
    household, people = make_household()
    care = subsidy(staff, household, certify(people[0]))
    page = _main(login(staff["clerk"]).get(f"/assistance/applications/{care.pk}/"))
    assert "家庭经济状况核对" not in page and "逢进必核" not in page and "核对授权书" not in page
    assert "入户调查" not in page and "到核对系统核对该家庭" not in page
    dibao = apply(users, household, people)
    page = _main(login(users["clerk_a"]).get(f"/assistance/applications/{dibao.pk}/"))
    assert "家庭经济状况核对" in page and "逢进必核" in page and "核对授权书" in page and "入户调查" in page


@pytest.mark.django_db
def test_the_enrolment_basis_names_the_certificate_category(users, staff, standards, make_household):
    """The basis shows the category by its name (肢体残疾), never its code (4)."""
    household, people = make_household()
    with at(2026, 5, 12):
        app = approve(staff, to_decision(staff, subsidy(staff, household, certify(people[0], "4", 1))))
    items = dict(Enrolment.objects.get(application=app).basis_items())
    assert items["残疾类别"] == "肢体残疾" and items["残疾等级"] == "1"
    assert items["计算公式"] == "重度残疾人护理补贴（重度残疾人）"
