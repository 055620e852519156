"""职责分离 in the application workflow: which steps of a case one person may not both do is data per programme,
and a manual 核对 conclusion that differs from the 核对 system's counts only with its report file and a second
person's confirmation; every 核对 result of a case, the superseded ones too, is on its pages and its 审批表."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from huimin.assistance import duties, services
from huimin.assistance.error_codes import DutyConflict, VerificationDocumentRequired
from huimin.assistance.models import (
    Application,
    ApplicationEvent,
    DutySeparation,
    ManualVerification,
    Stage,
)
from huimin.assistance.verification_link import verification_conclusion
from huimin.core.models import AuditEntry
from huimin.core.roles import Role
from huimin.core.services import ServiceError
from huimin.verification.models import Report
from tests.assistance.conftest import apply, approve, end_publicity, programme, walk
from tests.assistance.test_views import pdf_text
from tests.conftest import COUNTY, TOWN_A

CITY = "411700000000"

REFUSALS = {
    "accept": "同一人不能既受理申请又进行乡镇审核（职责分离：“最低生活保障”的受理与乡镇审核须由不同工作人员办理）",
    "verify": "同一人不能既录入核对结论又进行乡镇审核（职责分离：“最低生活保障”的核对与乡镇审核须由不同工作人员办理）",
    "visit": "同一人不能既进行入户调查又进行乡镇审核"
    "（职责分离：“最低生活保障”的入户调查与乡镇审核须由不同工作人员办理）",
    "approve": "同一人不能既进行乡镇审核又审批（确认）"
    "（职责分离：“最低生活保障”的乡镇审核与审批/确认须由不同工作人员办理）",
}


@pytest.fixture
def staff(users, make_user, second_reviewer):
    return users | {
        "clerk_a2": make_user("clerk_a2", Role.CLERK, TOWN_A, full_name="顺河街道第二经办员"),
        "reviewer_a2": second_reviewer,
        "city": make_user("approver_city", Role.APPROVER, CITY, full_name="市局审批人"),
    }


def snapshot(app):
    app = Application.objects.get(pk=app.pk)
    return (app.stage, ApplicationEvent.objects.filter(application=app).count(), ManualVerification.objects.count(),
            AuditEntry.objects.count())  # fmt: skip


def record(actor, app, conclusion="eligible", number="HD-2026-001", **extra) -> ManualVerification:
    return services.record_verification(
        actor, app, report_number=number, report_date=timezone.localdate(), conclusion=conclusion,
        reasons="外市协查回复：名下车辆已于 2025 年转让", **extra,
    )  # fmt: skip


def visit(actor, app) -> Application:
    services.record_visit(actor, app, visit_date=timezone.localdate(), visitors="王五、赵六", findings="房屋简陋")
    return services.submit_visit(actor, app)


def to_review(app, *, acceptor, verifier, visitor) -> Application:
    app = services.accept(acceptor, app)
    record(verifier, app)
    app = visit(visitor, services.finish_verification(verifier, app))
    assert app.stage == Stage.REVIEW
    return app


def system_report(app, conclusion="not_eligible") -> Report:
    """The 核对 system's report for the application's household (what the engine writes after a check)."""
    return Report.objects.create(
        household=app.household, region_id=app.region_id, programme=app.programme.code, as_of=timezone.localdate(),
        conclusion=conclusion, reasons=[{"text": "名下有小型轿车一辆（价值 180000.00 元）"}],
    )  # fmt: skip


def report_file(name="协查回复.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 assist answer", content_type="application/pdf")


# --- the default rules, each side of each boundary ------------------------------------------------------


@pytest.mark.parametrize("step", ["accept", "verify", "visit"])
def test_who_accepted_verified_or_visited_may_not_pass_the_review(staff, make_household, step):
    household, people = make_household()
    clerk, suspect = staff["clerk_a"], staff["clerk_a2"]
    hands = {"acceptor": clerk, "verifier": clerk, "visitor": clerk} | {
        {"accept": "acceptor", "verify": "verifier", "visit": "visitor"}[step]: suspect
    }
    app = to_review(apply(staff, household, people), **hands)
    before = snapshot(app)
    with pytest.raises(DutyConflict) as refused:
        services.review(suspect, app, "情况属实，同意")
    assert str(refused.value) == REFUSALS[step] and refused.value.code == "assistance.duty_conflict"
    assert snapshot(app) == before
    # a person who did none of the three passes the same review
    assert services.review(staff["reviewer_a"], app, "情况属实，同意").stage == Stage.PUBLICITY


def test_a_manual_verification_recorded_at_the_review_stage_bars_its_recorder_from_the_review(staff, make_household):
    household, people = make_household()
    app = walk(staff, apply(staff, household, people), Stage.REVIEW)
    record(staff["reviewer_a"], app, number="HD-2026-002")  # the reviewer adds a report himself …
    with pytest.raises(DutyConflict, match="既录入核对结论又进行乡镇审核"):
        services.review(staff["reviewer_a"], app, "同意")  # … so another reviewer has to pass the review
    assert services.review(staff["reviewer_a2"], app, "同意").stage == Stage.PUBLICITY


def test_who_passed_the_review_may_not_confirm_it_on_the_countys_delegation(staff, make_household):
    services.set_delegation(
        staff["approver"], programme=programme("dibao"), county_code=COUNTY, township_code=TOWN_A,
        effective_from=timezone.localdate(),
    )  # fmt: skip
    household, people = make_household()
    app = end_publicity(walk(staff, apply(staff, household, people), Stage.PUBLICITY))  # reviewer_a reviewed
    before = snapshot(app)
    with pytest.raises(DutyConflict) as refused:
        approve(staff["reviewer_a"], app)
    assert str(refused.value) == REFUSALS["approve"]
    assert snapshot(app) == before
    app = approve(staff["reviewer_a2"], app)
    assert app.stage == Stage.ENROLLED and app.events.get(action="approve").data["authority"] == "delegated"


def test_the_refusal_is_checked_after_the_authority_so_a_clerk_hears_he_may_not_approve(staff, make_household):
    household, people = make_household()
    app = end_publicity(walk(staff, apply(staff, household, people), Stage.PUBLICITY))
    with pytest.raises(ServiceError, match="无权执行“审批/确认”"):
        approve(staff["clerk_a"], app)


def test_the_finding_one_clerk_can_no_longer_take_a_case_from_acceptance_to_publicity(
    staff, make_household, settings, tmp_path
):
    """Issue 15 §6: one 经办员 accepted, recorded a manual 符合 over the system's 不符合 without a file, visited,
    reviewed and so put the case on 公示."""
    settings.MEDIA_ROOT = tmp_path
    clerk = staff["clerk_a"]
    household, people = make_household()
    app = services.accept(clerk, apply(staff, household, people))
    system_report(app)
    with pytest.raises(VerificationDocumentRequired):
        record(clerk, app)
    record(clerk, app, report_file=report_file())
    with pytest.raises(ServiceError, match="不符合"):
        services.finish_verification(clerk, app)  # the pending manual conclusion does not count
    with pytest.raises(DutyConflict):
        services.check_verification(clerk, app, app.manual_verifications.get().pk, confirmed=True, note="属实")
    services.check_verification(
        staff["reviewer_a"], app, app.manual_verifications.get().pk, confirmed=True, note="核实协查回复原件"
    )
    app = visit(clerk, services.finish_verification(clerk, app))
    with pytest.raises(DutyConflict):
        services.review(clerk, app, "同意")
    assert Application.objects.get(pk=app.pk).stage == Stage.REVIEW


# --- the rules are data per programme -------------------------------------------------------------------


def test_every_programme_starts_with_the_default_rules(seeded):
    from huimin.assistance.defaults import DUTY_SEPARATION, WRITE_OFF_SEPARATION
    from huimin.assistance.models import Programme

    for prog in Programme.objects.all():
        pairs = set(duties.active_rules(prog).values_list("first", "second"))
        # every programme keeps the decision and the write-off with two people
        assert {("review", "approve"), WRITE_OFF_SEPARATION} <= pairs, prog.code
        if prog.means_tested:  # with 核对 and 入户调查 steps, each is kept apart from the 审核 too
            assert pairs == {*DUTY_SEPARATION, WRITE_OFF_SEPARATION}, prog.code


def test_a_programme_without_rules_lets_one_person_do_every_step(staff, make_household):
    dibao = programme("dibao")
    for rule in duties.active_rules(dibao).exclude(first="write_off_request"):  # the workflow's rules
        duties.end_rule(staff["city"], rule, "试点：单人值守的乡镇")
    clerk = staff["clerk_a"]
    household, people = make_household()
    app = to_review(apply(staff, household, people), acceptor=clerk, verifier=clerk, visitor=clerk)
    assert services.review(clerk, app, "同意").stage == Stage.PUBLICITY
    # the history stays, with who ended each rule and why, and the audit trail has each change
    ended = DutySeparation.objects.filter(programme=dibao, ended_at__isnull=False)
    assert ended.count() == 4 and set(ended.values_list("ended_by", "end_reason")) == {
        ("approver_city", "试点：单人值守的乡镇")
    }
    assert AuditEntry.objects.filter(action="assistance.duty_separation.end").count() == 4
    # another programme keeps its own rules
    other, other_people = make_household()
    edge = to_review(apply(staff, other, other_people, code="edge"), acceptor=clerk, verifier=clerk, visitor=clerk)
    with pytest.raises(DutyConflict, match="“低保边缘家庭”的受理与乡镇审核"):
        services.review(clerk, edge, "同意")


def test_a_rule_added_to_a_programme_applies_to_its_cases(staff, make_household):
    rule = duties.add_rule(
        staff["city"], programme=programme("dibao"), first="visit", second="accept", basis="本市审核确认办法第十条"
    )
    assert (rule.first, rule.second) == ("accept", "visit")  # kept in workflow order
    assert AuditEntry.objects.filter(action="assistance.duty_separation.add", object_id=str(rule.pk)).exists()
    household, people = make_household()
    app = services.accept(staff["clerk_a"], apply(staff, household, people))
    record(staff["clerk_a"], app)
    app = services.finish_verification(staff["clerk_a"], app)
    with pytest.raises(DutyConflict, match="同一人不能既受理申请又进行入户调查"):
        visit(staff["clerk_a"], app)
    assert visit(staff["clerk_a2"], app).stage == Stage.REVIEW


def test_only_a_city_officer_changes_the_rules_and_bad_input_changes_nothing(staff):
    dibao = programme("dibao")
    rule = duties.active_rules(dibao).first()
    count = DutySeparation.objects.count()
    for actor, message in ((staff["approver"], "须由市级民政部门设置"), (staff["clerk_a"], "无权")):
        with pytest.raises(ServiceError, match=message):
            duties.add_rule(actor, programme=dibao, first="accept", second="visit", basis="x")
        with pytest.raises(ServiceError, match=message):
            duties.end_rule(actor, rule, "x")
    for first, second, basis, message in (
        ("review", "approve", "重复", "已有此职责分离规则"),
        ("visit", "visit", "同一环节", "两个不同的办理环节"),
        ("visit", "payroll", "未知", "请选择两个办理环节"),
        ("accept", "visit", " ", "请填写设置依据"),
    ):
        with pytest.raises(ServiceError, match=message):
            duties.add_rule(staff["city"], programme=dibao, first=first, second=second, basis=basis)
    with pytest.raises(ServiceError, match="请填写停用理由"):
        duties.end_rule(staff["city"], rule, "")
    assert DutySeparation.objects.count() == count and duties.active_rules(dibao).count() == 5  # 4 + the write-off


def test_the_settings_page_shows_and_changes_the_rules_with_history(staff, login):
    url = reverse("assistance:settings")
    county_page = login(staff["approver"]).get(url).content.decode()
    assert "乡镇审核 ≠ 审批/确认" in county_page and "职责分离规则由市级民政部门设置" in county_page
    response = login(staff["approver"]).post(
        url, {"form": "duty_add", "programme": programme("dibao").pk, "first": "accept", "second": "visit",
              "basis": "x"}, follow=True,
    )  # fmt: skip
    assert "须由市级民政部门设置" in response.content.decode()
    assert not DutySeparation.objects.filter(first="accept", second="visit").exists()

    client = login(staff["city"])
    response = client.post(
        url, {"form": "duty_add", "programme": programme("dibao").pk, "first": "accept", "second": "visit",
              "basis": "本市审核确认办法"}, follow=True,
    )  # fmt: skip
    assert "已保存" in response.content.decode()
    rule = DutySeparation.objects.get(first="accept", second="visit", programme__code="dibao")
    assert rule.created_by == "approver_city" and rule.basis == "本市审核确认办法"
    client.post(url, {"form": "duty_end", "rule": rule.pk, "reason": "与本市办法不符"})
    page = client.get(url).content.decode()
    assert "已停用的规则" in page and "与本市办法不符" in page
    assert client.post(url, {"form": "duty_end", "rule": "x1", "reason": "r"}).status_code == 404
    response = client.post(url, {"form": "duty_add", "programme": "abc", "first": "accept", "second": "visit"})
    assert response.status_code == 200 and "请选择救助项目" in response.content.decode()


# --- a manual 核对 conclusion over the system's -----------------------------------------------------------


def test_a_differing_manual_conclusion_without_its_file_is_refused(staff, make_household):
    household, people = make_household()
    app = services.accept(staff["clerk_a"], apply(staff, household, people))
    report = system_report(app)
    before = snapshot(app)
    with pytest.raises(VerificationDocumentRequired) as refused:
        record(staff["clerk_a"], app)
    assert str(refused.value) == (
        f"录入的核对结论“符合”与核对系统报告 HD-{report.pk} 的结论“不符合”不同，须上传核对报告文件作为依据，"
        "并由另一名工作人员复核确认后生效"
    )
    assert snapshot(app) == before


def test_with_its_file_it_awaits_a_second_person_and_the_maker_cannot_confirm(
    staff, make_household, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    household, people = make_household()
    app = services.accept(staff["clerk_a"], apply(staff, household, people))
    report = system_report(app)
    manual = record(staff["clerk_a"], app, report_file=report_file())
    assert manual.status == ManualVerification.Status.PENDING
    assert (manual.system_report, manual.system_conclusion) == (f"HD-{report.pk}", "not_eligible")
    assert verification_conclusion(app).report_number == f"HD-{report.pk}"  # the system's still decides
    with pytest.raises(ServiceError, match="尚待另一名工作人员复核确认"):
        services.finish_verification(staff["clerk_a"], app)

    with pytest.raises(DutyConflict, match="不能复核确认本人录入的核对结论"):
        services.check_verification(staff["clerk_a"], app, manual.pk, confirmed=True, note="属实")
    manual.refresh_from_db()
    assert manual.status == ManualVerification.Status.PENDING and not manual.checked_by
    with pytest.raises(ServiceError, match="请填写复核意见"):
        services.check_verification(staff["reviewer_a"], app, manual.pk, confirmed=True, note=" ")

    services.check_verification(staff["reviewer_a"], app, manual.pk, confirmed=True, note="核实协查回复原件")
    manual.refresh_from_db()
    assert (manual.status, manual.checked_by) == (ManualVerification.Status.CONFIRMED, "reviewer_a")
    result = verification_conclusion(app)
    assert (result.source, result.conclusion, result.report_number) == ("manual", "eligible", "HD-2026-001")
    assert services.finish_verification(staff["clerk_a"], app).stage == Stage.VISIT
    with pytest.raises(ServiceError, match="不需要复核确认"):
        services.check_verification(staff["reviewer_a2"], app, manual.pk, confirmed=False, note="再看看")


def test_a_rejected_manual_conclusion_never_counts(staff, make_household, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    household, people = make_household()
    app = services.accept(staff["clerk_a"], apply(staff, household, people))
    report = system_report(app)
    manual = record(staff["clerk_a"], app, report_file=report_file())
    services.check_verification(staff["reviewer_a"], app, manual.pk, confirmed=False, note="协查回复无公章")
    assert ManualVerification.objects.get(pk=manual.pk).status == ManualVerification.Status.REJECTED
    assert verification_conclusion(app).report_number == f"HD-{report.pk}"
    with pytest.raises(ServiceError, match="不符合"):
        services.finish_verification(staff["clerk_a"], app)


def test_a_manual_conclusion_agreeing_with_the_system_or_with_no_system_report_counts_at_once(staff, make_household):
    household, people = make_household()
    app = services.accept(staff["clerk_a"], apply(staff, household, people))
    assert record(staff["clerk_a"], app, number="纸质-1").status == ManualVerification.Status.EFFECTIVE  # no report
    system_report(app, conclusion="eligible")
    agreeing = record(staff["clerk_a"], app, number="纸质-2")
    assert agreeing.status == ManualVerification.Status.EFFECTIVE and not agreeing.system_report
    assert verification_conclusion(app).report_number == "纸质-2"


# --- every result on the pages and the 审批表 -------------------------------------------------------------


def test_every_verification_result_shows_on_the_review_and_approval_pages_and_the_pdf(
    staff, make_household, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    household, people = make_household()
    clerk = staff["clerk_a"]
    app = services.accept(clerk, apply(staff, household, people))
    report = system_report(app)
    rejected = record(clerk, app, number="XC-旧-01", report_file=report_file())
    services.check_verification(staff["reviewer_a"], app, rejected.pk, confirmed=False, note="复印件不清")
    confirmed = record(clerk, app, number="XC-新-02", report_file=report_file("协查回复2.pdf"))
    services.check_verification(staff["reviewer_a2"], app, confirmed.pk, confirmed=True, note="原件核实")
    app = visit(clerk, services.finish_verification(clerk, app))

    def shown(page: str) -> None:
        for text in (f"HD-{report.pk}", "核对系统报告", "已被取代", "XC-旧-01", "复核不予确认", "复印件不清",
                     "XC-新-02", "人工录入", "现行依据", "原件核实", "顺河街道第二审核人"):  # fmt: skip
            assert text in page, text

    detail = reverse("assistance:application_detail", args=[app.pk])
    shown(login(staff["reviewer_a"]).get(detail).content.decode())  # the review page
    app = end_publicity(services.review(staff["reviewer_a"], app, "同意"))
    shown(login(staff["approver"]).get(detail).content.decode())  # the approval page
    pdf = login(staff["approver"]).get(reverse("assistance:application_pdf", args=[app.pk, "approval"]))
    text = pdf_text(pdf.content)
    for part in (f"HD-{report.pk}", "已被取代", "XC-新-02", "现行依据", "复核不予确认"):
        assert part in text, part


def test_the_review_page_offers_the_confirmation_to_others_and_takes_it(
    staff, make_household, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    household, people = make_household()
    app = services.accept(staff["clerk_a"], apply(staff, household, people))
    system_report(app)
    manual = record(staff["clerk_a"], app, report_file=report_file())
    detail = reverse("assistance:application_detail", args=[app.pk])
    assert "复核人工核对结论" in login(staff["reviewer_a"]).get(detail).content.decode()
    url = reverse("assistance:application_act", args=[app.pk, "check_verification"])
    page = login(staff["clerk_a"]).post(url, {"record": manual.pk, "confirmed": "1", "note": "属实"}, follow=True)
    assert "不能复核确认本人录入的核对结论" in page.content.decode()
    assert login(staff["reviewer_a"]).post(url, {"record": "abc", "confirmed": "1", "note": "x"}).status_code == 302
    login(staff["reviewer_a"]).post(url, {"record": manual.pk, "confirmed": "1", "note": "原件核实"})
    assert ManualVerification.objects.get(pk=manual.pk).status == ManualVerification.Status.CONFIRMED


# --- the API ---------------------------------------------------------------------------------------------


def _act(client, app, action, body):
    return client.post(
        f"/api/assistance/applications/{app.pk}/actions/{action}", json.dumps(body), content_type="application/json"
    )


def test_the_api_answers_each_refusal_with_its_code(staff, make_household, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = staff["clerk_a"]
    household, people = make_household()
    app = to_review(apply(staff, household, people), acceptor=clerk, verifier=clerk, visitor=clerk)
    response = _act(login(clerk), app, "review", {"opinion": "同意"})
    assert response.status_code == 400
    assert response.json() == {"code": "assistance.duty_conflict", "message": REFUSALS["accept"]}
    response = _act(login(staff["reviewer_a"]), app, "review", {"opinion": " "})
    assert response.json()["code"] == "refused"  # a rule without a code of its own stays "refused"

    other, other_people = make_household()
    app2 = services.accept(clerk, apply(staff, other, other_people))
    report = system_report(app2)
    body = {"report_number": "XC-1", "report_date": timezone.localdate().isoformat(), "conclusion": "eligible",
            "reasons": "协查回复"}  # fmt: skip
    response = _act(login(clerk), app2, "record_verification", body)
    assert response.status_code == 400 and response.json()["code"] == "assistance.verification_document_required"
    manual = record(clerk, app2, report_file=report_file())
    response = _act(login(clerk), app2, "check_verification", {"verification": manual.pk, "reasons": "属实"})
    assert response.status_code == 400 and response.json()["code"] == "assistance.duty_conflict"
    response = _act(login(staff["reviewer_a"]), app2, "check_verification",
                    {"verification": manual.pk, "reasons": "原件核实"})  # fmt: skip
    assert response.status_code == 200
    rows = {(v["source"], v["report_number"]): v for v in response.json()["verifications"]}
    assert rows[("manual", "HD-2026-001")]["current"] and rows[("manual", "HD-2026-001")]["status"] == "现行依据"
    assert rows[("engine", f"HD-{report.pk}")]["status"] == "已被取代"
