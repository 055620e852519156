"""审核, 公示 and its objections, 审批 (with the calculated amount), 先行救助 and 一事一议."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from huimin.assistance import calculation_link, overlaps, rules, workflow
from huimin.assistance.actions import inputs
from huimin.assistance.actions.common import (
    authority_for,
    check_exclusive,
    covered_ids,
    locked_application,
    money,
    notify,
    pending_note,
    persons_locked,
    record_event,
    required_text,
    set_stage,
    today,
)
from huimin.assistance.actions.enrol import do_stop
from huimin.assistance.error_codes import AssistanceErrorCode
from huimin.assistance.models import (
    CERTIFICATE_KINDS,
    Application,
    ApplicationEvent,
    Conclusion,
    Enrolment,
    EnrolmentChange,
    EnrolmentMember,
    Objection,
    Stage,
    StartRule,
)
from huimin.assistance.verification_link import verification_conclusion
from huimin.core import audit, ratelimit
from huimin.core.access import BusinessRuleError
from huimin.core.services import ServiceError


@transaction.atomic
def review(actor, application: Application, opinion: str) -> Application:
    app = locked_application(application)
    opinion = check_review(actor, app, opinion)
    return do_review(actor, app, opinion)


def check_review(actor, app: Application, opinion: str) -> str:
    """Refuse 乡镇审核 of ``app`` (locked) unless it may pass now; return the opinion. Writes nothing."""
    authority_for(actor, app, workflow.ACTIONS["review"])
    opinion = required_text(opinion, "审核意见")
    if app.programme.means_tested and verification_conclusion(app) is None:
        raise ServiceError("逢进必核：尚无家庭经济状况核对结果，不能审核通过" + pending_note(app))
    if not app.visits.exists() and Stage.VISIT in app.programme.stages:
        raise ServiceError("尚未完成入户调查，不能审核通过")
    return opinion


def do_review(actor, app: Application, opinion: str) -> Application:
    action = workflow.ACTIONS["review"]
    before = app.stage
    day = today()
    set_stage(app, workflow.target(action, app.programme.stages, app.stage), day)
    if app.stage == Stage.PUBLICITY:
        app.publicity_start = day
        app.publicity_end = day + datetime.timedelta(days=app.programme.publicity_days - 1)
    app.save()
    record_event(app, actor, "review", action.label, before, reasons=opinion)
    return app


OBJECTION_MAX_CHARS = 2000


OBJECTION_FIELD_MAX_CHARS = 50


OBJECTIONS_PER_IP_PER_HOUR = 10


OBJECTION_RATE_MESSAGE = "提交异议过于频繁，请一小时后再试；也可以到乡镇（街道）窗口或拨打民政部门电话反映"


def submit_objection(public_token, *, content: str, submitter: str = "", contact: str = "", ip: str = "") -> Objection:
    """From the public 公示 page: anyone may object while the 公示 runs. Attempts from one address are limited,
    refused ones too (setting HUIMIN_OBJECTIONS_PER_IP_PER_HOUR); the first refusal in an hour is audited."""
    if ip:
        limit = int(getattr(settings, "HUIMIN_OBJECTIONS_PER_IP_PER_HOUR", OBJECTIONS_PER_IP_PER_HOUR))
        if not ratelimit.hit("objection-ip", ip, limit, seconds=3600):
            if ratelimit.hit("objection-ip-noted", ip, 1, seconds=3600):
                audit.record("assistance.objection.throttled", detail=f"同一地址一小时内提交异议超过 {limit} 次")
            raise ratelimit.RateLimited(OBJECTION_RATE_MESSAGE)
    content = required_text(content, "异议内容")
    if len(content) > OBJECTION_MAX_CHARS:
        raise ServiceError(f"异议内容过长，请控制在 {OBJECTION_MAX_CHARS} 字以内")
    submitter, contact = (submitter or "").strip(), (contact or "").strip()
    if len(submitter) > OBJECTION_FIELD_MAX_CHARS:
        raise ServiceError(f"姓名过长，请控制在 {OBJECTION_FIELD_MAX_CHARS} 字以内")
    if len(contact) > OBJECTION_FIELD_MAX_CHARS:
        raise ServiceError(f"联系方式过长，请控制在 {OBJECTION_FIELD_MAX_CHARS} 字以内")
    with transaction.atomic():
        app = Application.objects.select_for_update().filter(public_token=public_token).first()
        if app is None or app.stage != Stage.PUBLICITY:
            raise ServiceError("该公示不存在或已结束")
        if today() > app.publicity_end:
            raise BusinessRuleError(AssistanceErrorCode.PUBLICITY_OVER, "公示期已结束，不能再提出异议")
        objection = Objection.objects.create(application=app, content=content, submitter=submitter, contact=contact)
        ApplicationEvent.objects.create(
            application=app, action="objection", label="公示期间收到异议", from_stage=app.stage, to_stage=app.stage,
            reasons=content[:500], actor="anonymous", actor_name="公众（公示页）",
        )  # fmt: skip
        audit.record("assistance.objection.submit", objection, region_code=app.region_id)
    return objection


@transaction.atomic
def resolve_objection(actor, objection: Objection, *, upheld: bool, resolution: str) -> Objection:
    app = locked_application(objection.application)
    action = workflow.ACTIONS["resolve_objection"]
    authority_for(actor, app, action)
    resolution = required_text(resolution, "核实处理结果")
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != Objection.Status.OPEN:
        raise ServiceError("该异议已处理")
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.resolution = resolution
    objection.resolved_by = actor.username
    objection.resolved_at = timezone.now()
    objection.save()
    before = app.stage
    if upheld:
        # The objection holds: investigate again; a new 公示 follows the new review.
        set_stage(app, Stage.VISIT if Stage.VISIT in app.programme.stages else Stage.REVIEW, today())
        app.publicity_start = app.publicity_end = None
        app.save()
    record_event(
        app, actor, "resolve_objection", "异议成立，重新调查" if upheld else "异议不成立", before,
        reasons=resolution, data={"objection": objection.pk},
    )  # fmt: skip
    return objection


def calculated_amount(app: Application, entered: dict, day=None):
    """(result, inputs, resolved): the monthly amount the programme's calculator gives for ``app`` (standards in
    force at its region and area in the month it would start) with the inputs it used, taken from the file
    (huimin.assistance.actions.inputs; ``entered`` holds the approver's changes and their reason). The result is
    None when the programme has no calculator or its region has no standard set — the approver then enters the
    amount and its basis. Raises ServiceError when a calculation exists but an input is missing (no income is
    ever taken as 0) or was changed without a reason."""
    if app.programme.one_off or calculation_link.calculator_for(app.programme.kind) is None:
        return None, {}, None
    resolved = inputs.resolve(app, entered)
    verified = app.details.get("agency") or app.details.get("certificate") or {}
    if verified:  # the 残疾人证 as the 县残联 verified it (or as read on application)
        resolved.values.update(disability_grade=verified.get("grade"), disability_category=verified.get("category"))
    ability = app.details.get("ability")
    if (
        ability
    ):  # 养老服务 subsidies: the 能力评估 level and 低保/特困 as read on application (huimin.elderly.subsidies)
        resolved.values.update(ability_level=ability.get("level"), low_income="1" if ability.get("low_income") else "")
    region, month, members = app.region, start_month(app, day or today()), len(covered_ids(app))
    for values in inputs.candidates(resolved):
        result, calc_inputs = calculation_link.calculate(
            app.programme.kind, region.code, month, region.is_urban, values, members_default=members
        )
        if result is not None:
            break
    if result is not None:
        inputs.check(resolved)
    return result, calc_inputs, resolved


# what the approval's audit entry records of its basis: the calculated and approved amounts, where the inputs came
# from, and every change the approver made with its reason
AUDITED_BASIS = ("calculated", "approved", "override_reason", "input_changes", "input_reason", "income_per_head",
                 "income_per_head_source", "members", "members_source", "grade", "grade_source")  # fmt: skip


def start_month(app: Application, day) -> datetime.date:
    """The first month an approval on ``day`` pays: the month after it, or — for a programme paid from the month
    of application (残疾人两项补贴) — the month the application was made; the months between are paid as 补发 by
    the next monthly payroll."""
    if app.programme.start_rule == StartRule.APPLICATION_MONTH:
        return rules.month_start(timezone.localtime(app.created_at).date())
    return rules.next_month(day)


@dataclass(frozen=True)
class Approval:
    """What check_approve found: the approved amount, the basis it records, on whose authority, the calculation
    it follows (if any), the persons covered (locked) and the day."""

    amount: Decimal
    basis: dict
    authority: str
    calculation: object
    persons: list
    day: datetime.date
    replaces: list = ()  # (enrolment, rule): similar allowances this one replaces (就高, huimin.assistance.overlaps)


@transaction.atomic
def approve(
    actor,
    application: Application,
    *,
    monthly_amount,
    basis: dict,
    income_unstable: bool = False,
    reasons: str = "",
    override_reason: str = "",
) -> Application:
    """审批/确认. 低保, 特困 etc. enrol from the next month; one-off help records the approved sum.

    Where the programme has a calculator and the region its standards, the monthly amount is the calculated
    one (a blank amount takes it); a different amount needs ``override_reason``, and the basis records the
    calculation, its standards and the reason."""
    app = locked_application(application)
    approval = check_approve(actor, app, monthly_amount=monthly_amount, basis=basis, override_reason=override_reason)
    return do_approve(actor, app, approval, income_unstable=income_unstable, reasons=reasons)


def check_approve(actor, app: Application, *, monthly_amount, basis: dict, override_reason: str = "") -> Approval:
    """Refuse 审批 of ``app`` (locked) unless every rule allows it now; lock the persons it covers. Writes nothing."""
    day = today()
    amount, basis, calculation = _amount_and_basis(app, monthly_amount, basis, override_reason, day)
    authority = authority_for(actor, app, workflow.ACTIONS["approve"], amount)
    _check_publicity_and_verification(app, day)
    programme = app.programme
    if programme.one_off:
        threshold = rules.policy_value("case_by_case_threshold", app.region_id, day, programme)
        if threshold is None:
            raise ServiceError(
                "本地区未设置“一事一议”起点金额：请县级审批人在「政策参数与工作日」页面设置后再审批临时救助"
            )
        if amount > threshold and not app.case_by_case:
            raise ServiceError(f"金额超过 {threshold} 元，须先按“一事一议”集体研究并录入记录")
    basis = {k: str(v) for k, v in (basis or {}).items() if str(v).strip()}
    if not programme.one_off and not basis.get("standard"):
        raise ServiceError("请填写核定金额所依据的保障标准")
    covered = covered_ids(app)
    if not covered:
        raise ServiceError("该家庭没有现有成员，不能纳入保障")
    persons = persons_locked(covered)
    replaces = []
    if not programme.one_off:
        check_exclusive(programme, covered)
    if programme.kind in CERTIFICATE_KINDS:
        replaces = _check_certificate_rules(app, amount, day)
    return Approval(amount, basis, authority, calculation, persons, day, replaces)


def _check_certificate_rules(app: Application, amount: Decimal, day) -> list:
    """The subsidy's rules again at approval (the 低保 enrolment or a 特困 one may have changed since the
    application), with the grade the 县残联 verified; and the similar allowances it replaces (就高)."""
    verified = app.details.get("agency")
    if not verified:
        raise ServiceError("尚无县残联审核结果（残疾人证的类别、等级），不能审批")
    person, household = app.beneficiary, app.household
    overlaps.check_eligible(
        app.programme, person, household, app.region_id, day, grade=int(verified["grade"]),
        category=verified["category"], exclude_application_id=app.pk,
    )  # fmt: skip
    current = overlaps.current_enrolments(person, household, [app.programme.kind]).filter(programme=app.programme)
    if current.exists():
        raise BusinessRuleError(
            AssistanceErrorCode.ALREADY_RECEIVING, f"{person.name}已在享受{app.programme.name}，不能重复批准"
        )
    return overlaps.higher_of(app.programme, person, household, app.region_id, day, amount)


def _amount_and_basis(app: Application, monthly_amount, basis: dict, override_reason: str, day):
    """The amount to approve and its basis: the calculated one where the programme has a calculator (a blank
    amount takes it; a different one needs ``override_reason``), else what the approver entered."""
    programme = app.programme
    calculation, calc_inputs, resolved = calculated_amount(app, basis or {}, day)
    if calculation is not None and str(monthly_amount or "").strip() == "":
        if calculation.amount <= 0:
            raise ServiceError(
                f"按标准计算的月保障金额为 {calculation.amount} 元（{calculation.formula}）：不能批准，"
                "请作出不予批准决定并写明理由"
            )
        monthly_amount = calculation.amount
    amount = money(monthly_amount, "批准金额" if programme.one_off else "月保障金额")
    override_reason = (override_reason or "").strip()
    if calculation is not None:
        if amount != calculation.amount and not override_reason:
            raise ServiceError(
                f"按标准计算的月保障金额为 {calculation.amount} 元（{calculation.formula}）；"
                f"审批金额 {amount} 元与之不同，须填写调整理由"
            )
        note = str((basis or {}).get("note") or "").strip()
        basis = calculation_link.basis_of(programme.kind, calculation, calc_inputs) | resolved.basis()
        basis |= {"note": note} if note else {}
        if amount != calculation.amount:
            basis |= {"override_reason": override_reason[:200], "approved": str(amount)}
    return amount, basis, calculation


def _check_publicity_and_verification(app: Application, day) -> None:
    if app.stage == Stage.PUBLICITY and (app.publicity_end is None or day <= app.publicity_end):
        message = f"公示期至 {app.publicity_end:%Y年%m月%d日} 结束，公示期满后才能审批"
        raise BusinessRuleError(AssistanceErrorCode.PUBLICITY_NOT_OVER, message)
    if app.objections.filter(status=Objection.Status.OPEN).exists():
        raise BusinessRuleError(AssistanceErrorCode.OBJECTIONS_OPEN, "公示异议尚未处理完毕，不能审批")
    if not app.programme.means_tested:
        return
    result = verification_conclusion(app)
    if result is None:
        raise ServiceError("逢进必核：尚无家庭经济状况核对结果，不能批准")
    if result.conclusion == Conclusion.NOT_ELIGIBLE:
        raise ServiceError("核对结论为“不符合”，不能批准")
    if result.conclusion == Conclusion.NEEDS_VISIT and not app.visits.exists():
        raise ServiceError("核对结论为“需入户核实”，尚无入户调查记录，不能批准")


def do_approve(actor, app: Application, approval: Approval, *, income_unstable: bool, reasons: str) -> Application:
    """Record the decision, enrol (a monthly programme) from next month, write the history, the audit entry and
    the 救助决定书."""
    programme, amount, basis, day = app.programme, approval.amount, approval.basis, approval.day
    before = app.stage
    app.stage = Stage.ENROLLED
    app.stage_due_on = None
    app.approved_amount = amount
    app.decision_reasons = reasons.strip()
    app.decided_by = actor.username
    app.decided_at = timezone.now()
    app.save()
    if not programme.one_off:
        _enrol(actor, app, approval, income_unstable=income_unstable, reasons=reasons)
    calculation = approval.calculation
    record_event(
        app, actor, "approve", "确认（乡镇受委托）" if approval.authority == "delegated" else "审批", before,
        reasons=reasons, data={"amount": str(amount), "basis": basis, "authority": approval.authority,
                               "calculation": calculation.explanation if calculation else None},
        audit_after={k: basis[k] for k in AUDITED_BASIS if k in basis},
    )  # fmt: skip
    notify(
        app,
        "approved",
        "救助决定书",
        f"{app.applicant.name}：您提出的{programme.name}申请（编号 {app.number}）已批准，"
        + (
            f"批准金额 {amount} 元。"
            if programme.one_off
            else f"月保障金额 {amount} 元，自{start_month(app, day):%Y年%m月}起发放。"
        ),
    )
    return app


def _enrol(actor, app: Application, approval: Approval, *, income_unstable: bool, reasons: str) -> Enrolment:
    programme, amount, basis = app.programme, approval.amount, approval.basis
    start = start_month(app, approval.day)
    months = rules.review_months(programme, income_unstable, approval.persons)
    try:
        enrolment = Enrolment.objects.create(
            programme=programme,
            household=app.household,
            person=app.beneficiary,
            application=app,
            region_id=app.region_id,
            monthly_amount=amount,
            basis=basis,
            income_unstable=income_unstable,
            start_month=start,
            next_review_on=rules.add_months(start, months) if months else None,
        )
    except IntegrityError as exc:  # the one-to-one on application: a concurrent approval won
        raise ServiceError("该申请已被批准") from exc
    EnrolmentMember.objects.bulk_create(
        [EnrolmentMember(enrolment=enrolment, person=p, added_on=start) for p in approval.persons]
    )
    EnrolmentChange.objects.create(
        enrolment=enrolment, kind=EnrolmentChange.Kind.ENROL, effective_month=start,
        after={"amount": str(amount), **basis}, reasons=reasons or "审批纳入", actor=actor.username,
    )  # fmt: skip
    audit.record("assistance.enrolment.create", enrolment, after={"amount": str(amount), "start": str(start)})
    for other, rule in approval.replaces:  # 就高: the lower similar allowance ends where this one starts
        other = Enrolment.objects.select_for_update(of=("self",)).select_related("programme").get(pk=other.pk)
        reason = (
            f"{programme.name}（申请 {app.number}）每月 {amount} 元高于本项补贴每月 {other.monthly_amount} 元，"
            f"按“{rule.name}”就高发放，自{start:%Y年%m月}起停发本项（依据：{rule.basis}）"
        )
        do_stop(actor, other, reason, day=start - datetime.timedelta(days=1))
    return enrolment


@transaction.atomic
def record_advance(actor, application: Application, *, amount, paid_on) -> Application:
    """临时救助“先行救助”: a small sum paid at once from the township reserve; the file is completed after."""
    app = locked_application(application)
    authority_for(actor, app, workflow.ACTIONS["advance"])
    if not app.programme.advance_allowed:
        raise ServiceError(f"“{app.programme.name}”不适用先行救助")
    if app.advance_paid_on:
        raise ServiceError("该申请已先行救助")
    file_days = app.programme.deadline_for("advance_file")
    if file_days is None:
        raise ServiceError(f"“{app.programme.name}”未设置先行救助后补办手续的时限，请先在救助项目中设置")
    amount = money(amount, "先行救助金额")
    limit = rules.policy_value("advance_max", app.region_id, today(), app.programme)
    if limit is None:
        raise ServiceError("本地区未设置先行救助限额，不能先行救助：请县级审批人在「政策参数与工作日」页面设置")
    if amount > limit:
        raise ServiceError(f"先行救助金额不能超过 {limit} 元")
    if not isinstance(paid_on, datetime.date) or paid_on > today():
        raise ServiceError("发放日期不合法")
    app.advance_amount = amount
    app.advance_paid_on = paid_on
    app.file_due_on = rules.due_date(paid_on, file_days, app.region_id)
    app.save()
    record_event(app, actor, "advance", "先行救助", app.stage, data={"amount": str(amount), "paid_on": str(paid_on)})
    return app


@transaction.atomic
def record_case_by_case(actor, application: Application, *, held_on, participants: str, conclusion: str):
    app = locked_application(application)
    authority_for(actor, app, workflow.ACTIONS["case_by_case"])
    if not app.programme.one_off:
        raise ServiceError("“一事一议”只用于临时救助")
    participants = required_text(participants, "参加研究人员")
    conclusion = required_text(conclusion, "研究意见")
    if not isinstance(held_on, datetime.date) or held_on > today():
        raise ServiceError("研究日期不合法")
    app.case_by_case = {"held_on": str(held_on), "participants": participants, "conclusion": conclusion}
    app.save()
    record_event(app, actor, "case_by_case", "一事一议", app.stage, reasons=conclusion, data=app.case_by_case)
    return app
