import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from huimin.assistance import rules, services
from huimin.assistance.models import (
    Application,
    ApplicationEvent,
    Enrolment,
    ManualVerification,
    Notification,
    Objection,
    Stage,
)
from huimin.core.access import Forbidden, NotInScope
from huimin.core.models import AuditEntry
from huimin.core.roles import Role
from huimin.core.services import ServiceError
from huimin.registry import idnumbers
from huimin.registry.models import Person
from tests.assistance.conftest import apply, approve, end_publicity, programme, verify, walk
from tests.conftest import OTHER_COUNTY, TOWN_A, VILLAGE_B1


def snapshot(app):
    app = Application.objects.get(pk=app.pk)
    return (app.stage, app.stage_due_on, ApplicationEvent.objects.filter(application=app).count(),
            Enrolment.objects.count(), Notification.objects.count(), AuditEntry.objects.count())  # fmt: skip


def test_approve_path_enrols_from_next_month(users, make_household):
    household, people = make_household()
    app = apply(users, household, people)
    assert app.stage == Stage.ACCEPT and app.stage_due_on > timezone.localdate()
    app = walk(users, app, Stage.PUBLICITY)
    assert app.publicity_end - app.publicity_start == datetime.timedelta(days=6)  # 7 days, both ends included
    before = snapshot(app)
    with pytest.raises(ServiceError, match="公示期满后才能审批"):
        approve(users["approver"], app)
    assert snapshot(app) == before
    app = approve(users["approver"], end_publicity(app))
    assert app.stage == Stage.ENROLLED
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.monthly_amount == Decimal("630.00")
    assert enrolment.start_month == rules.next_month(timezone.localdate())
    assert enrolment.next_review_on == rules.add_months(enrolment.start_month, 12)
    assert set(enrolment.members.values_list("person_id", flat=True)) == {p.pk for p in people}
    assert enrolment.basis["standard"] == "城市低保标准 630 元/月"
    assert Notification.objects.filter(application=app, kind="approved").exists()
    actions = list(app.events.values_list("action", flat=True))
    assert actions == ["apply", "accept", "record_verification", "finish_verification", "record_visit", "submit_visit",
                       "review", "approve"]  # fmt: skip
    assert AuditEntry.objects.filter(action="assistance.enrolment.create", object_id=str(enrolment.pk)).exists()


def test_unstable_income_with_able_member_is_reviewed_half_yearly(users, make_household):
    household, people = make_household(labour="able")
    app = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    approve(users["approver"], app, income_unstable=True)
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.next_review_on == rules.add_months(enrolment.start_month, 6)


def test_unstable_income_without_able_member_stays_yearly(users, make_household):
    household, people = make_household(labour="unable")
    app = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    approve(users["approver"], app, income_unstable=True)
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.next_review_on == rules.add_months(enrolment.start_month, 12)


@pytest.mark.parametrize(
    ("code", "stage"),
    [("dibao", Stage.ACCEPT), ("dibao", Stage.VERIFY), ("dibao", Stage.VISIT), ("dibao", Stage.REVIEW),
     ("dibao", Stage.PUBLICITY), ("edge", Stage.DECISION)],
)  # fmt: skip
def test_refusal_at_each_stage_carries_reasons_and_notifies(users, make_household, code, stage):
    household, people = make_household()
    app = walk(users, apply(users, household, people, code=code), stage)
    actor = users["approver"] if stage in (Stage.PUBLICITY, Stage.DECISION) else users["clerk_a"]
    refuse = services.not_accept if stage == Stage.ACCEPT else services.refuse
    before = snapshot(app)
    with pytest.raises(ServiceError, match="请填写书面理由"):
        refuse(actor, app, "  ")
    assert snapshot(app) == before
    app = refuse(actor, app, "家庭月人均收入高于当地低保标准")
    assert app.stage == (Stage.NOT_ACCEPTED if stage == Stage.ACCEPT else Stage.REFUSED)
    notice = Notification.objects.get(application=app)
    assert "家庭月人均收入高于当地低保标准" in notice.body and notice.recipient == people[0]
    assert notice.title == ("不予受理通知书" if stage == Stage.ACCEPT else "不予批准通知书")
    assert not Enrolment.objects.exists()
    with pytest.raises(ServiceError, match="不能执行"):
        services.accept(users["clerk_a"], app)


def test_township_cannot_refuse_at_county_stage(users, make_household):
    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.PUBLICITY)
    before = snapshot(app)
    with pytest.raises(ServiceError, match="无权"):
        services.refuse(users["clerk_a"], app, "理由")
    assert snapshot(app) == before


def test_appraisal_stage_when_configured(users, make_household):
    prog = programme("dibao")
    prog.stages = ["accept", "verify", "visit", "appraisal", "review", "publicity", "decision"]
    prog.save()
    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.APPRAISAL)
    app = walk(users, app, Stage.PUBLICITY)
    assert "record_appraisal" in app.events.values_list("action", flat=True)


def test_objection_blocks_approval_until_resolved(users, make_household):
    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.PUBLICITY)
    objection = services.submit_objection(app.public_token, content="该户有一辆轿车", submitter="")
    app = end_publicity(app)
    with pytest.raises(ServiceError, match="异议尚未处理"):
        approve(users["approver"], app)
    with pytest.raises(ServiceError, match="请填写核实处理结果"):
        services.resolve_objection(users["clerk_a"], objection, upheld=False, resolution="")
    services.resolve_objection(users["clerk_a"], objection, upheld=False, resolution="经查车辆已于 2025 年报废")
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.DISMISSED
    approve(users["approver"], app)
    assert Enrolment.objects.filter(application=app).exists()


def test_upheld_objection_sends_the_case_back_to_the_visit(users, make_household):
    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.PUBLICITY)
    objection = services.submit_objection(app.public_token, content="该户实际在外务工收入较高")
    services.resolve_objection(users["clerk_a"], objection, upheld=True, resolution="异议属实，需重新入户调查")
    app.refresh_from_db()
    assert app.stage == Stage.VISIT and app.publicity_end is None
    with pytest.raises(ServiceError):
        approve(users["approver"], app)


def test_objection_after_publicity_is_refused(users, make_household):
    household, people = make_household()
    app = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    with pytest.raises(ServiceError, match="公示期已结束"):
        services.submit_objection(app.public_token, content="迟到的异议")
    assert not Objection.objects.exists()


def test_missing_documents_refuse_acceptance_and_change_nothing(users, make_household):
    household, people = make_household()
    app = apply(users, household, people, documents=["application"])
    before = snapshot(app)
    with pytest.raises(
        ServiceError, match="申请材料不齐，不能受理。缺少：申请人及家庭成员身份证明、家庭经济状况核对授权书"
    ):
        services.accept(users["clerk_a"], app)
    assert snapshot(app) == before
    app = services.accept(users["clerk_a"], app, documents=["identity", "authorization"])
    assert app.stage == Stage.VERIFY


@pytest.mark.parametrize(
    ("actor", "message"),
    [("assistant_a", "无权执行“受理”"), ("approver", "无权执行“受理”"), ("statistician", "无权执行“受理”")],
)
def test_wrong_actor_cannot_accept(users, make_household, actor, message):
    household, people = make_household()
    app = apply(users, household, people)
    before = snapshot(app)
    with pytest.raises(ServiceError, match=message):
        services.accept(users[actor], app)
    assert snapshot(app) == before


def test_clerk_cannot_approve_and_village_assistant_can_only_apply(users, make_household):
    household, people = make_household()
    app = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    before = snapshot(app)
    with pytest.raises(ServiceError, match="无权执行“审批/确认”"):
        approve(users["clerk_a"], app)
    assert snapshot(app) == before
    other, other_people = make_household()
    app2 = services.create_application(
        users["assistant_a"], programme=programme("dibao"), household=other, applicant=other_people[0],
        channel="assistant", reason="协理员代为申请", documents=["application"],
    )  # fmt: skip
    assert app2.created_by == users["assistant_a"]


def test_out_of_region_household_is_refused(users, make_household, make_user):
    household, people = make_household(region_code=VILLAGE_B1)
    with pytest.raises(NotInScope):
        apply(users, household, people)  # clerk_a serves 顺河街道, the household is in 老街街道
    assert Application.objects.count() == 0
    # An application of another county exists, but the county approver here cannot touch it.
    far, far_people = make_household(region_code=OTHER_COUNTY)
    far_clerk = make_user("clerk_x", Role.CLERK, OTHER_COUNTY)
    far_app = services.create_application(
        far_clerk, programme=programme("dibao"), household=far, applicant=far_people[0], channel="window",
        reason="x", documents=[],
    )  # fmt: skip
    before = snapshot(far_app)
    for actor, act in [(users["approver"], services.accept), (users["clerk_a"], services.accept)]:
        with pytest.raises(NotInScope):
            act(actor, far_app)
    with pytest.raises(NotInScope):
        services.refuse(users["approver"], far_app, "理由")
    assert snapshot(far_app) == before


def test_other_township_clerk_cannot_act(users, make_household):
    household, people = make_household()
    app = apply(users, household, people)
    before = snapshot(app)
    with pytest.raises(NotInScope):
        services.accept(users["clerk_b"], app)
    assert snapshot(app) == before


def test_no_enrolment_without_verification(users, make_household):
    household, people = make_household()
    app = services.accept(users["clerk_a"], apply(users, household, people))
    with pytest.raises(ServiceError, match="尚无家庭经济状况核对结果"):
        services.finish_verification(users["clerk_a"], app)
    app = end_publicity(walk(users, app, Stage.PUBLICITY))
    ManualVerification.objects.filter(application=app).delete()  # as if the record had never been made
    with pytest.raises(ServiceError, match="逢进必核"):
        approve(users["approver"], app)
    assert not Enrolment.objects.exists()


def test_not_eligible_verification_must_be_refused(users, make_household):
    household, people = make_household()
    app = services.accept(users["clerk_a"], apply(users, household, people))
    verify(users, app, conclusion="not_eligible")
    with pytest.raises(ServiceError, match="不符合"):
        services.finish_verification(users["clerk_a"], app)
    assert services.refuse(users["clerk_a"], app, "核对发现家庭有两套住房").stage == Stage.REFUSED


def test_verification_report_date_cannot_be_in_future(users, make_household):
    household, people = make_household()
    app = services.accept(users["clerk_a"], apply(users, household, people))
    with pytest.raises(ServiceError, match="不能晚于今天"):
        services.record_verification(
            users["clerk_a"], app, report_number="X", report_date=timezone.localdate() + datetime.timedelta(days=1),
            conclusion="eligible", reasons="r",
        )  # fmt: skip
    assert not ManualVerification.objects.exists()


def test_visit_needs_two_visitors_to_be_submitted(users, make_household):
    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.VISIT)
    services.record_visit(users["clerk_a"], app, visit_date=timezone.localdate(), visitors="王五", findings="x")
    with pytest.raises(ServiceError, match="2 名以上工作人员进行，现只填写了 1 名"):
        services.submit_visit(users["clerk_a"], app)
    assert Application.objects.get(pk=app.pk).stage == Stage.VISIT


def test_duplicate_open_application_refused(users, make_household):
    household, people = make_household()
    apply(users, household, people)
    with pytest.raises(ServiceError, match="不能重复申请"):
        apply(users, household, people)


def test_one_person_cannot_be_in_dibao_and_tekun(users, make_household):
    household, people = make_household()
    tekun = end_publicity(walk(users, apply(users, household, people, code="tekun_scattered"), Stage.PUBLICITY))
    approve(users["approver"], tekun, amount="741.00")
    assert Enrolment.objects.get(application=tekun).person == people[0]
    dibao = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    counts = (Enrolment.objects.count(), Application.objects.get(pk=dibao.pk).stage)
    with pytest.raises(ServiceError, match="同一人不能同时享受低保和特困供养"):
        approve(users["approver"], dibao)
    assert (Enrolment.objects.count(), Application.objects.get(pk=dibao.pk).stage) == counts
    # Once the 特困 enrolment stops, 低保 may follow.
    services.stop(users["approver"], Enrolment.objects.get(application=tekun), "本人申请退出特困供养")
    approve(users["approver"], dibao)


def test_resume_rechecks_the_one_programme_rule(users, make_household):
    household, people = make_household()
    single = end_publicity(walk(users, apply(users, household, people, code="dibao_single"), Stage.PUBLICITY))
    approve(users["approver"], single)
    enr = Enrolment.objects.get(application=single)
    services.suspend(users["approver"], enr, "待核查")
    tekun = end_publicity(walk(users, apply(users, household, people, code="tekun_central"), Stage.PUBLICITY))
    with pytest.raises(ServiceError, match="同一人不能同时"):
        approve(users["approver"], tekun)  # a suspended enrolment still counts


def test_delegation_on_and_off(users, make_household, second_reviewer):
    reviewer = second_reviewer  # reviewer_a passed the 乡镇审核 in walk(); another reviewer confirms
    household, people = make_household()
    app = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    with pytest.raises(ServiceError, match="未将“最低生活保障”的确认权限下放"):
        approve(reviewer, app)
    with pytest.raises(Forbidden):
        services.set_delegation(
            reviewer, programme=programme("dibao"), county_code="411702000000", township_code=TOWN_A,
            effective_from=timezone.localdate(),
        )  # fmt: skip
    delegation = services.set_delegation(
        users["approver"], programme=programme("dibao"), county_code="411702000000", township_code=TOWN_A,
        effective_from=timezone.localdate(),
    )  # fmt: skip
    approve(reviewer, app)
    assert app.events.get(action="approve").data["authority"] == "delegated"
    services.end_delegation(users["approver"], delegation, timezone.localdate() - datetime.timedelta(days=1))
    other, other_people = make_household()
    app2 = end_publicity(walk(users, apply(users, other, other_people), Stage.PUBLICITY))
    with pytest.raises(ServiceError, match="未将"):
        approve(reviewer, app2)
    approve(users["approver"], app2)  # the county keeps its power


def test_delegated_temporary_help_is_capped(users, make_household, policy, second_reviewer):
    policy("case_by_case_threshold", 5000)
    services.set_delegation(
        users["approver"], programme=programme("temp_urgent"), county_code="411702000000", township_code=None,
        effective_from=timezone.localdate(), max_amount="1000",
    )  # fmt: skip
    household, people = make_household()
    app = walk(users, apply(users, household, people, code="temp_urgent"), Stage.DECISION)
    with pytest.raises(ServiceError, match="超过下放给乡镇确认的上限"):
        services.approve(second_reviewer, app, monthly_amount="1500", basis={})
    app = services.approve(second_reviewer, app, monthly_amount="800", basis={})
    assert app.approved_amount == Decimal("800.00") and not Enrolment.objects.exists()


def test_near_relative_application_is_flagged_and_goes_to_the_county(users, make_household, second_reviewer):
    household, people = make_household()
    services.declare_near_relative(users["reviewer_a"], id_number=people[1].id_number, relation="母亲")
    services.set_delegation(
        users["approver"], programme=programme("dibao"), county_code="411702000000", township_code=None,
        effective_from=timezone.localdate(),
    )  # fmt: skip
    app = apply(users, household, people)
    assert app.near_relative_flag and "reviewer_a" in app.near_relative_note and "母亲" in app.near_relative_note
    assert list(Application.objects.filter(near_relative_flag=True)) == [app]
    app = end_publicity(walk(users, app, Stage.PUBLICITY, reviewer=second_reviewer))
    with pytest.raises(ServiceError, match="回避"):
        approve(users["reviewer_a"], app)
    approve(users["approver"], app)


def test_near_relative_declared_later_flags_open_applications(users, make_household):
    household, people = make_household()
    app = apply(users, household, people)
    assert not app.near_relative_flag
    services.declare_near_relative(users["clerk_a"], id_number=people[0].id_number, relation="父亲")
    app.refresh_from_db()
    assert app.near_relative_flag
    with pytest.raises(ServiceError, match="回避"):
        services.accept(users["clerk_a"], app)


def test_near_relative_outside_ones_region_is_no_lookup_and_marks_nothing(users, make_household):
    """备案 must not tell a clerk who holds an ID number elsewhere, nor mark applications outside their region."""
    household, people = make_household()  # in township A
    app = apply(users, household, people)
    with pytest.raises(ServiceError) as elsewhere:
        services.declare_near_relative(users["clerk_b"], id_number=people[0].id_number, relation="父亲")
    unknown = idnumbers.make("411702", datetime.date(1999, 1, 1), 999)
    with pytest.raises(ServiceError) as nobody:
        services.declare_near_relative(users["clerk_b"], id_number=unknown, relation="父亲")
    assert str(elsewhere.value) == str(nobody.value) and people[0].name not in str(elsewhere.value)
    # a relative living in the clerk's township whose household's application is in township B
    theirs, others = make_household(region_code=VILLAGE_B1, names=("赵甲", "赵乙"))
    their_app = services.create_application(
        users["clerk_b"], programme=programme("dibao"), household=theirs, applicant=others[0], channel="window",
        documents=[d["code"] for d in programme("dibao").required_documents], reason="因病致贫",
    )  # fmt: skip
    Person.objects.filter(pk=others[0].pk).update(region_id=people[0].region_id)
    services.declare_near_relative(users["clerk_a"], id_number=others[0].id_number, relation="兄弟")
    app.refresh_from_db()
    their_app.refresh_from_db()
    assert not app.near_relative_flag and not their_app.near_relative_flag


def test_near_relative_bad_id_number(users):
    with pytest.raises(ServiceError, match="身份证号有误"):
        services.declare_near_relative(users["clerk_a"], id_number="123", relation="父亲")


def test_advance_payment_for_urgent_help(users, make_household, policy):
    household, people = make_household()
    app = apply(users, household, people, code="temp_urgent")
    with pytest.raises(ServiceError, match="未设置先行救助限额"):
        services.record_advance(users["clerk_a"], app, amount="500", paid_on=timezone.localdate())
    policy("advance_max", 1000)
    with pytest.raises(ServiceError, match="不能超过 1000.00 元"):
        services.record_advance(users["clerk_a"], app, amount="1500", paid_on=timezone.localdate())
    app = services.record_advance(users["clerk_a"], app, amount="500", paid_on=timezone.localdate())
    assert app.advance_amount == Decimal("500.00")
    assert app.file_due_on == rules.due_date(timezone.localdate(), 5, app.region_id)
    with pytest.raises(ServiceError, match="已先行救助"):
        services.record_advance(users["clerk_a"], app, amount="100", paid_on=timezone.localdate())


def test_case_by_case_for_large_sums(users, make_household, policy):
    household, people = make_household()
    app = walk(users, apply(users, household, people, code="temp_expense", requested_amount="20000"), Stage.DECISION)
    with pytest.raises(ServiceError, match="未设置“一事一议”起点金额：请县级审批人在「政策参数与工作日」页面设置"):
        services.approve(users["approver"], app, monthly_amount="20000", basis={})
    policy("case_by_case_threshold", 10000)
    with pytest.raises(ServiceError, match="一事一议"):
        services.approve(users["approver"], app, monthly_amount="20000", basis={})
    services.record_case_by_case(
        users["approver"], app, held_on=timezone.localdate(), participants="局长办公会", conclusion="同意救助 2 万元"
    )
    app = services.approve(users["approver"], app, monthly_amount="20000", basis={})
    assert app.stage == Stage.ENROLLED and app.approved_amount == Decimal("20000.00")


def test_bad_amount_is_a_clear_message(users, make_household):
    household, people = make_household()
    app = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    for bad, message in [("abc", "格式不正确"), ("-5", "必须大于零"), ("0", "必须大于零")]:
        with pytest.raises(ServiceError, match=message):
            approve(users["approver"], app, amount=bad)
    assert Application.objects.get(pk=app.pk).stage == Stage.PUBLICITY


def test_deadlines_are_working_days(users, make_household):
    household, people = make_household()
    app = apply(users, household, people)
    assert app.stage_due_on == rules.due_date(app.stage_entered_on, 3, app.region_id)
    Application.objects.filter(pk=app.pk).update(stage_due_on=timezone.localdate() - datetime.timedelta(days=10))
    assert rules.workdays_left(timezone.localdate(), Application.objects.get(pk=app.pk).stage_due_on, app.region_id) < 0


def test_single_person_household_enrols_only_that_person(users, make_household):
    household, people = make_household(names=("张三丰", "李四", "张小五"))
    app = apply(users, household, people, code="dibao_single", beneficiary=people[2])
    app = approve(users["approver"], end_publicity(walk(users, app, Stage.PUBLICITY)))
    enrolment = Enrolment.objects.get(application=app)
    assert enrolment.person == people[2]
    assert list(enrolment.members.values_list("person_id", flat=True)) == [people[2].pk]
    # The rest of the household may still apply for 低保 for themselves: only 张小五 is taken.
    other = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    with pytest.raises(ServiceError, match="张小五已在“最低生活保障（单人户）”保障中"):
        approve(users["approver"], other)


def test_temporary_help_delegation_needs_a_cap(users):
    with pytest.raises(ServiceError, match="须设置乡镇确认金额上限"):
        services.set_delegation(
            users["approver"], programme=programme("temp_urgent"), county_code="411702000000", township_code=None,
            effective_from=timezone.localdate(),
        )  # fmt: skip
    with pytest.raises(ServiceError, match="不能下放"):
        services.set_delegation(
            users["approver"], programme=programme("edge"), county_code="411702000000", township_code=None,
            effective_from=timezone.localdate(),
        )  # fmt: skip
