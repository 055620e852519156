"""Every state change of social assistance. Each function checks the actor's capability, region level and scope,
applies the rules, writes the history and the audit entry, and runs in one transaction with the application (or
enrolment) row locked, so two clerks acting at once produce one result. A refused request raises ServiceError
with a Chinese message and changes nothing."""

import datetime
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from huimin.assistance import calculation_link, duties, rules, workflow
from huimin.assistance.error_codes import AssistanceErrorCode, DutyConflict, VerificationDocumentRequired
from huimin.assistance.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Conclusion,
    Delegation,
    Enrolment,
    EnrolmentChange,
    EnrolmentMember,
    HomeVisit,
    ManualVerification,
    NearRelative,
    Notification,
    Objection,
    Programme,
    Stage,
    VisitPhoto,
)
from huimin.assistance.verification_link import system_result, verification_conclusion
from huimin.core import audit, ratelimit, regions
from huimin.core.access import (
    BusinessRuleError,
    require_capability,
    require_region_in_scope,
    require_writable_region,
)
from huimin.core.roles import has_capability
from huimin.core.scope import in_scope, scoped
from huimin.core.services import ServiceError
from huimin.core.uploads import DOCUMENT_MAX_BYTES, check_size
from huimin.registry import idnumbers
from huimin.registry.models import Household, Membership, Person

CENT = Decimal("0.01")
ALLOWED_UPLOADS = (".pdf", ".jpg", ".jpeg", ".png")


def today() -> datetime.date:
    return timezone.localdate()


# --- checks ---------------------------------------------------------------------------------------------


def _level(actor) -> int:
    return actor.region.level if getattr(actor, "region", None) else 99


def _money(value, label: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ServiceError(f"{label}格式不正确：请填写金额（元），最多两位小数") from exc
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ServiceError(f"{label}必须大于零")
    if amount >= Decimal("10000000"):
        raise ServiceError(f"{label}过大，请核对")
    return amount


def _text(value, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"请填写{label}")
    return value


def _check_upload(upload, label: str) -> None:
    if upload is None:
        return
    name = upload.name.lower()
    if not name.endswith(ALLOWED_UPLOADS):
        raise ServiceError(f"{label}只能上传 PDF、JPG 或 PNG 文件")
    check_size(upload, DOCUMENT_MAX_BYTES, label)


def _related_staff_ids(person_ids) -> set[int]:
    return set(
        NearRelative.objects.filter(person_id__in=list(person_ids), withdrawn_at__isnull=True).values_list(
            "staff_id", flat=True
        )
    )


def _current_member_ids(household: Household) -> list[int]:
    return list(
        Membership.objects.filter(household=household, ended_on__isnull=True).values_list("person_id", flat=True)
    )


def _covered_ids(application: Application) -> list[int]:
    if application.programme.scope == "person":
        return [application.beneficiary_id]
    return _current_member_ids(application.household)


def authority_for(actor, application: Application, action: workflow.Action, amount: Decimal | None = None) -> str:
    """Check that ``actor`` may take ``action`` on ``application`` now; return "county", "township" or
    "delegated". Raises ServiceError (nothing changed) otherwise."""
    require_region_in_scope(actor, application.region_id, "家庭")
    if application.stage not in action.stages:
        message = f"申请当前处于“{application.get_stage_display()}”环节，不能执行“{action.label}”"
        raise BusinessRuleError(AssistanceErrorCode.WRONG_STAGE, message)
    if actor.pk in _related_staff_ids(_covered_ids(application) + [application.applicant_id]):
        raise ServiceError("您已备案与该申请家庭成员存在近亲属关系，应当回避，不能办理此申请")
    level = _level(actor)
    if has_capability(actor, action.capability) and level <= action.max_level:
        duties.check(actor, application, action.code)
        return "county" if level <= workflow.COUNTY else "township"
    if action.delegable and has_capability(actor, workflow.CONFIRM_DELEGATED) and level == workflow.TOWNSHIP:
        if application.near_relative_flag:
            raise ServiceError("该申请涉及工作人员近亲属，须报县级民政部门审批，乡镇不能确认")
        delegation = rules.active_delegation(application.programme, application.region_id, today())
        if delegation is None:
            raise ServiceError(f"县级民政部门未将“{application.programme.name}”的确认权限下放到本乡镇（街道）")
        if not rules.within_delegation(delegation, amount):
            raise ServiceError(f"金额超过下放给乡镇确认的上限（{delegation.max_amount} 元），须报县级审批")
        duties.check(actor, application, action.code)
        return "delegated"
    if has_capability(actor, action.capability) or (
        action.delegable and has_capability(actor, workflow.CONFIRM_DELEGATED)
    ):
        raise ServiceError(
            f"“{action.label}”须由{'县级' if action.max_level <= workflow.COUNTY else '乡镇'}工作人员办理"
        )
    raise ServiceError(f"您的角色无权执行“{action.label}”")


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("programme", "household", "applicant", "region")
        .get(pk=application.pk)
    )


def _set_stage(application: Application, stage: str, day: datetime.date) -> None:
    application.stage = stage
    application.stage_entered_on = day
    application.stage_due_on = (
        rules.due_date(day, application.programme.deadline_for(stage), application.region_id)
        if stage in workflow.STAGE_ORDER
        else None
    )


def _event(application, actor, action: str, label: str, before: str, *, reasons="", data=None) -> None:
    ApplicationEvent.objects.create(
        application=application,
        action=action,
        label=label,
        from_stage=before,
        to_stage=application.stage,
        reasons=reasons,
        data=data or {},
        actor=getattr(actor, "username", "anonymous"),
        actor_name=getattr(actor, "full_name", "") or "",
    )
    audit.record(
        f"assistance.application.{action}",
        application,
        before={"stage": before},
        after={"stage": application.stage},
        detail=reasons[:500],
    )


def _notify(application: Application, kind: str, title: str, body: str) -> Notification:
    return Notification.objects.create(
        application=application, recipient=application.applicant, kind=kind, title=title, body=body
    )


# --- application ----------------------------------------------------------------------------------------


@transaction.atomic
def create_application(
    actor,
    *,
    programme: Programme,
    household: Household,
    applicant: Person,
    channel: str,
    reason: str,
    documents=(),
    requested_amount=None,
    beneficiary: Person | None = None,
) -> Application:
    require_capability(actor, workflow.APPLY, "登记救助申请")
    require_region_in_scope(actor, household.region_id, "家庭")
    if not programme.is_active:
        raise ServiceError(f"“{programme.name}”已停用，不能申请")
    if not household.is_active:
        raise ServiceError("该家庭已注销，不能申请")
    members = _current_member_ids(household)
    if applicant.pk not in members:
        raise ServiceError("申请人不是该家庭的现有成员")
    if programme.scope == "person":
        if beneficiary is None:
            raise ServiceError(f"“{programme.name}”按人保障，请选择保障对象")
        if beneficiary.pk not in members:
            raise ServiceError("保障对象不是该家庭的现有成员")
    else:
        beneficiary = None
    reason = _text(reason, "申请理由")
    amount = _money(requested_amount, "申请金额") if requested_amount not in (None, "") else None
    if programme.one_off and amount is None:
        raise ServiceError(f"“{programme.name}”须填写申请金额")
    unknown = set(documents) - set(programme.document_names())
    if unknown:
        raise ServiceError("材料清单中有本项目不需要的材料")
    duplicate = Application.objects.filter(programme=programme, household=household, stage__in=workflow.STAGE_ORDER)
    if beneficiary is not None:
        duplicate = duplicate.filter(beneficiary=beneficiary)
    if duplicate.exists():
        raise ServiceError(f"该家庭已有一件“{programme.name}”申请正在办理，不能重复申请")
    covered = [beneficiary.pk] if beneficiary else members
    relatives = [  # a declaration marks only applications where the declaring staff member works
        r
        for r in NearRelative.objects.filter(
            person_id__in=[*covered, applicant.pk], withdrawn_at__isnull=True
        ).select_related("staff__region", "person")
        if in_scope(r.staff, household.region_id)
    ]
    day = today()
    application = Application(
        number=f"tmp-{uuid.uuid4().hex[:28]}",
        programme=programme,
        household=household,
        applicant=applicant,
        beneficiary=beneficiary,
        region_id=household.region_id,
        channel=channel,
        reason=reason,
        requested_amount=amount,
        documents=sorted(set(documents)),
        near_relative_flag=bool(relatives),
        near_relative_note="；".join(
            f"{r.person.name}系{r.staff.full_name or r.staff.username}的{r.relation}" for r in relatives
        )[:300],
        created_by=actor,
        stage_entered_on=day,
    )
    _set_stage(application, Stage.ACCEPT, day)
    application.save()
    application.number = f"JZ{day:%Y%m%d}{application.pk:07d}"
    application.save(update_fields=["number"])
    _event(application, actor, "apply", "申请", "", reasons=reason, data={"channel": channel})
    return application


@transaction.atomic
def attach_document(actor, application: Application, code: str, upload) -> ApplicationDocument:
    app = _locked(application)
    require_capability(actor, workflow.APPLY, "上传申请材料")
    require_region_in_scope(actor, app.region_id, "家庭")
    if not app.is_open:
        raise ServiceError("申请已办结，不能再上传材料")
    if code not in app.programme.document_names():
        raise ServiceError("本项目不需要这种材料")
    _check_upload(upload, "申请材料")
    doc = ApplicationDocument.objects.create(application=app, code=code, file=upload, uploaded_by=actor.username)
    if code not in app.documents:
        app.documents = sorted({*app.documents, code})
        app.save(update_fields=["documents", "updated_at"])
    audit.record("assistance.application.document", app, after={"document": code})
    return doc


def missing_documents(application: Application) -> list[str]:
    names = application.programme.document_names()
    return [name for code, name in names.items() if code not in application.documents]


@transaction.atomic
def accept(actor, application: Application, documents=None) -> Application:
    app = _locked(application)
    action = workflow.ACTIONS["accept"]
    authority_for(actor, app, action)
    if documents is not None:
        unknown = set(documents) - set(app.programme.document_names())
        if unknown:
            raise ServiceError("材料清单中有本项目不需要的材料")
        app.documents = sorted({*app.documents, *documents})
    missing = missing_documents(app)
    if missing:
        raise BusinessRuleError(
            AssistanceErrorCode.DOCUMENTS_MISSING, "申请材料不齐，不能受理。缺少：" + "、".join(missing)
        )
    before = app.stage
    _set_stage(app, workflow.target(action, app.programme.stages, app.stage), today())
    app.save()
    _event(app, actor, "accept", action.label, before)
    return app


@transaction.atomic
def not_accept(actor, application: Application, reasons: str) -> Application:
    return _refuse(actor, application, "not_accept", reasons)


@transaction.atomic
def refuse(actor, application: Application, reasons: str) -> Application:
    code = "refuse" if application.stage in (Stage.PUBLICITY, Stage.DECISION) else "refuse_town"
    return _refuse(actor, application, code, reasons)


def _refuse(actor, application, code: str, reasons: str) -> Application:
    reasons = _text(reasons, "书面理由")
    app = _locked(application)
    action = workflow.ACTIONS[code]
    authority_for(actor, app, action)
    before = app.stage
    app.stage = action.to
    app.stage_due_on = None
    app.decision_reasons = reasons
    app.decided_by = actor.username
    app.decided_at = timezone.now()
    app.save()
    _event(app, actor, code, action.label, before, reasons=reasons)
    if code == "not_accept":
        title, kind = "不予受理通知书", "not_accepted"
    else:
        title, kind = "不予批准通知书", "refused"
    _notify(
        app,
        kind,
        title,
        f"{app.applicant.name}：您于{app.created_at:%Y年%m月%d日}提出的{app.programme.name}申请（编号 {app.number}），"
        f"经{action.label}，理由如下：{reasons}。如对本决定有异议，可依法申请行政复议或提起行政诉讼。",
    )
    return app


@transaction.atomic
def record_verification(
    actor, application: Application, *, report_number: str, report_date, conclusion: str, reasons: str, report_file=None
) -> ManualVerification:
    app = _locked(application)
    authority_for(actor, app, workflow.ACTIONS["record_verification"])
    report_number = _text(report_number, "核对报告编号")
    reasons = _text(reasons, "核对结论说明")
    if conclusion not in Conclusion.values:
        raise ServiceError("请选择核对结论：符合、不符合或需入户核实")
    if not isinstance(report_date, datetime.date):
        raise ServiceError("请填写核对报告日期")
    if report_date > today():
        raise ServiceError("核对报告日期不能晚于今天")
    valid_days = app.programme.report_valid_days
    if report_date < app.created_at.date() - datetime.timedelta(days=valid_days):
        raise ServiceError(f"核对报告早于申请 {valid_days} 天以上，请重新核对")
    _check_upload(report_file, "核对报告")
    system = system_result(app)
    overrides = system is not None and system.conclusion != conclusion
    if overrides and report_file is None:
        raise VerificationDocumentRequired(
            f"录入的核对结论“{Conclusion(conclusion).label}”与核对系统报告 {system.report_number} 的结论"
            f"“{system.conclusion_label}”不同，须上传核对报告文件作为依据，并由另一名工作人员复核确认后生效"
        )
    record = ManualVerification.objects.create(
        application=app,
        report_number=report_number,
        report_date=report_date,
        conclusion=conclusion,
        reasons=reasons,
        report_file=report_file or "",
        recorded_by=actor.username,
        status=ManualVerification.Status.PENDING if overrides else ManualVerification.Status.EFFECTIVE,
        system_report=system.report_number if overrides else "",
        system_conclusion=system.conclusion if overrides else "",
    )
    data = {"report_number": report_number, "conclusion": conclusion, "report_date": str(report_date)}
    if overrides:
        data |= {"system_report": system.report_number, "system_conclusion": system.conclusion, "pending": True}
    _event(
        app,
        actor,
        "record_verification",
        "录入核对结果（与核对系统结论不同，待复核确认）" if overrides else "录入核对结果",
        app.stage,
        reasons=reasons,
        data=data,
    )
    return record


@transaction.atomic
def check_verification(actor, application: Application, record_id, *, confirmed: bool, note: str) -> ManualVerification:
    """A second person confirms (or refuses) a manual 核对 conclusion that differs from the system's report;
    confirmed, it counts from now."""
    app = _locked(application)
    authority_for(actor, app, workflow.ACTIONS["check_verification"])
    record = ManualVerification.objects.select_for_update().filter(pk=record_id or 0, application=app).first()
    if record is None:
        raise ServiceError("该申请没有这条人工核对记录")
    if record.status != ManualVerification.Status.PENDING:
        raise ServiceError(f"这条核对结论不需要复核确认（{record.get_status_display()}）")
    if record.recorded_by == actor.username:
        raise DutyConflict(
            "不能复核确认本人录入的核对结论（职责分离：与核对系统结论不同的人工核对结论，须由另一名工作人员复核确认）"
        )
    note = _text(note, "复核意见")
    record.status = ManualVerification.Status.CONFIRMED if confirmed else ManualVerification.Status.REJECTED
    record.checked_by = actor.username
    record.checked_at = timezone.now()
    record.check_note = note
    record.save(update_fields=["status", "checked_by", "checked_at", "check_note"])
    _event(
        app, actor, "check_verification", "复核确认人工核对结论" if confirmed else "复核不予确认人工核对结论",
        app.stage, reasons=note, data={"report_number": record.report_number, "status": record.status},
    )  # fmt: skip
    return record


def _pending_note(app: Application) -> str:
    if app.manual_verifications.filter(status=ManualVerification.Status.PENDING).exists():
        return "（人工录入的核对结论与核对系统不同，尚待另一名工作人员复核确认，确认前不作为依据）"
    return ""


@transaction.atomic
def finish_verification(actor, application: Application) -> Application:
    app = _locked(application)
    action = workflow.ACTIONS["finish_verification"]
    authority_for(actor, app, action)
    result = verification_conclusion(app)
    if result is None:
        raise ServiceError("尚无家庭经济状况核对结果，请先录入核对报告" + _pending_note(app))
    if result.conclusion == Conclusion.NOT_ELIGIBLE:
        raise ServiceError("核对结论为“不符合”，请作出不予批准决定并写明理由" + _pending_note(app))
    before = app.stage
    _set_stage(app, workflow.target(action, app.programme.stages, app.stage), today())
    app.save()
    _event(app, actor, "finish_verification", action.label, before, data={"report_number": result.report_number})
    return app


@transaction.atomic
def record_visit(actor, application: Application, *, visit_date, visitors: str, findings: str, photos=()) -> HomeVisit:
    app = _locked(application)
    action = workflow.ACTIONS["record_visit"]
    authority_for(actor, app, action)
    visitors = _text(visitors, "调查人员")
    findings = _text(findings, "调查情况")
    if not isinstance(visit_date, datetime.date):
        raise ServiceError("请填写调查日期")
    if visit_date > today():
        raise ServiceError("调查日期不能晚于今天")
    if visit_date < app.created_at.date():
        raise ServiceError("调查日期不能早于申请日期")
    needed = app.programme.min_visitors
    if len([v for v in visitors.replace("，", ",").replace("、", ",").split(",") if v.strip()]) < needed:
        raise ServiceError(f"入户调查应由 {needed} 名以上工作人员进行，请填写全部调查人员（用顿号分隔）")
    for photo in photos:
        _check_upload(photo, "现场照片")
    visit = HomeVisit.objects.create(
        application=app, visit_date=visit_date, visitors=visitors, findings=findings, recorded_by=actor.username
    )
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, image=photo)
    before = app.stage
    _set_stage(app, workflow.target(action, app.programme.stages, app.stage), today())
    app.save()
    _event(
        app,
        actor,
        "record_visit",
        action.label,
        before,
        reasons=findings,
        data={"date": str(visit_date), "by": visitors},
    )
    return visit


@transaction.atomic
def record_appraisal(actor, application: Application, *, held_on, participants: str, result: str) -> Application:
    app = _locked(application)
    action = workflow.ACTIONS["record_appraisal"]
    authority_for(actor, app, action)
    participants = _text(participants, "参加评议人员")
    result = _text(result, "评议意见")
    if not isinstance(held_on, datetime.date) or held_on > today():
        raise ServiceError("评议日期不合法")
    before = app.stage
    _set_stage(app, workflow.target(action, app.programme.stages, app.stage), today())
    app.save()
    _event(
        app, actor, "record_appraisal", action.label, before, reasons=result,
        data={"held_on": str(held_on), "participants": participants},
    )  # fmt: skip
    return app


@transaction.atomic
def review(actor, application: Application, opinion: str) -> Application:
    app = _locked(application)
    action = workflow.ACTIONS["review"]
    authority_for(actor, app, action)
    opinion = _text(opinion, "审核意见")
    if verification_conclusion(app) is None:
        raise ServiceError("逢进必核：尚无家庭经济状况核对结果，不能审核通过" + _pending_note(app))
    if not app.visits.exists() and Stage.VISIT in app.programme.stages:
        raise ServiceError("尚未完成入户调查，不能审核通过")
    before = app.stage
    day = today()
    _set_stage(app, workflow.target(action, app.programme.stages, app.stage), day)
    if app.stage == Stage.PUBLICITY:
        app.publicity_start = day
        app.publicity_end = day + datetime.timedelta(days=app.programme.publicity_days - 1)
    app.save()
    _event(app, actor, "review", action.label, before, reasons=opinion)
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
    content = _text(content, "异议内容")
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
    app = _locked(objection.application)
    action = workflow.ACTIONS["resolve_objection"]
    authority_for(actor, app, action)
    resolution = _text(resolution, "核实处理结果")
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
        _set_stage(app, Stage.VISIT if Stage.VISIT in app.programme.stages else Stage.REVIEW, today())
        app.publicity_start = app.publicity_end = None
        app.save()
    _event(
        app, actor, "resolve_objection", "异议成立，重新调查" if upheld else "异议不成立", before,
        reasons=resolution, data={"objection": objection.pk},
    )  # fmt: skip
    return objection


def _persons_locked(ids) -> list[Person]:
    return list(Person.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk"))


def _check_exclusive(programme: Programme, person_ids, exclude_enrolment_id=None) -> None:
    conflicts = list(rules.conflicting_memberships(programme, person_ids, exclude_enrolment_id))
    if conflicts:
        c = conflicts[0]
        raise ServiceError(
            f"{c.person.name}已在“{c.enrolment.programme.name}”保障中，同一人不能同时享受低保和特困供养"
            if programme.exclusive_group == "basic_living"
            else f"{c.person.name}已在“{c.enrolment.programme.name}”中，不能重复纳入"
        )


def calculated_amount(app: Application, basis: dict, day=None):
    """The monthly amount the programme's calculator gives for ``app`` (standards in force at its region and
    area in the month it would start), with the inputs it used; (None, inputs) when the programme has no
    calculator or its region has no standard set — the approver then enters the amount and its basis."""
    if app.programme.one_off or calculation_link.calculator_for(app.programme.kind) is None:
        return None, {}
    region = app.region
    return calculation_link.calculate(
        app.programme.kind,
        region.code,
        rules.next_month(day or today()),
        region.is_urban,
        basis,
        members_default=len(_covered_ids(app)),
    )


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
    app = _locked(application)
    action = workflow.ACTIONS["approve"]
    programme = app.programme
    day = today()
    calculation, calc_inputs = calculated_amount(app, basis or {}, day)
    if calculation is not None and str(monthly_amount or "").strip() == "":
        monthly_amount = calculation.amount
    amount = _money(monthly_amount, "批准金额" if programme.one_off else "月保障金额")
    override_reason = (override_reason or "").strip()
    if calculation is not None:
        if amount != calculation.amount and not override_reason:
            raise ServiceError(
                f"按标准计算的月保障金额为 {calculation.amount} 元（{calculation.formula}）；"
                f"审批金额 {amount} 元与之不同，须填写调整理由"
            )
        note = str((basis or {}).get("note") or "").strip()
        basis = calculation_link.basis_of(programme.kind, calculation, calc_inputs) | ({"note": note} if note else {})
        if amount != calculation.amount:
            basis |= {"override_reason": override_reason[:200], "approved": str(amount)}
    authority = authority_for(actor, app, action, amount)
    if app.stage == Stage.PUBLICITY and (app.publicity_end is None or day <= app.publicity_end):
        message = f"公示期至 {app.publicity_end:%Y年%m月%d日} 结束，公示期满后才能审批"
        raise BusinessRuleError(AssistanceErrorCode.PUBLICITY_NOT_OVER, message)
    if app.objections.filter(status=Objection.Status.OPEN).exists():
        raise BusinessRuleError(AssistanceErrorCode.OBJECTIONS_OPEN, "公示异议尚未处理完毕，不能审批")
    result = verification_conclusion(app)
    if result is None:
        raise ServiceError("逢进必核：尚无家庭经济状况核对结果，不能批准")
    if result.conclusion == Conclusion.NOT_ELIGIBLE:
        raise ServiceError("核对结论为“不符合”，不能批准")
    if result.conclusion == Conclusion.NEEDS_VISIT and not app.visits.exists():
        raise ServiceError("核对结论为“需入户核实”，尚无入户调查记录，不能批准")
    if programme.one_off:
        threshold = rules.policy_value("case_by_case_threshold", app.region_id, day, programme)
        if threshold is None:
            raise ServiceError("本地区未设置“一事一议”起点金额，请先由管理员设置后再审批临时救助")
        if amount > threshold and not app.case_by_case:
            raise ServiceError(f"金额超过 {threshold} 元，须先按“一事一议”集体研究并录入记录")
    basis = {k: str(v) for k, v in (basis or {}).items() if str(v).strip()}
    if not programme.one_off and not basis.get("standard"):
        raise ServiceError("请填写核定金额所依据的保障标准")
    covered_ids = _covered_ids(app)
    if not covered_ids:
        raise ServiceError("该家庭没有现有成员，不能纳入保障")
    persons = _persons_locked(covered_ids)
    before = app.stage
    app.stage = Stage.ENROLLED
    app.stage_due_on = None
    app.approved_amount = amount
    app.decision_reasons = reasons.strip()
    app.decided_by = actor.username
    app.decided_at = timezone.now()
    app.save()
    if not programme.one_off:
        _check_exclusive(programme, covered_ids)
        start = rules.next_month(day)
        months = rules.review_months(programme, income_unstable, persons)
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
            [EnrolmentMember(enrolment=enrolment, person=p, added_on=start) for p in persons]
        )
        EnrolmentChange.objects.create(
            enrolment=enrolment, kind=EnrolmentChange.Kind.ENROL, effective_month=start,
            after={"amount": str(amount), **basis}, reasons=reasons or "审批纳入", actor=actor.username,
        )  # fmt: skip
        audit.record("assistance.enrolment.create", enrolment, after={"amount": str(amount), "start": str(start)})
    _event(
        app, actor, "approve", "确认（乡镇受委托）" if authority == "delegated" else "审批", before,
        reasons=reasons, data={"amount": str(amount), "basis": basis, "authority": authority,
                               "calculation": calculation.explanation if calculation else None},
    )  # fmt: skip
    _notify(
        app,
        "approved",
        "救助决定书",
        f"{app.applicant.name}：您提出的{programme.name}申请（编号 {app.number}）已批准，"
        + (
            f"批准金额 {amount} 元。"
            if programme.one_off
            else f"月保障金额 {amount} 元，自{rules.next_month(day):%Y年%m月}起发放。"
        ),
    )
    return app


@transaction.atomic
def record_advance(actor, application: Application, *, amount, paid_on) -> Application:
    """临时救助“先行救助”: a small sum paid at once from the township reserve; the file is completed after."""
    app = _locked(application)
    authority_for(actor, app, workflow.ACTIONS["advance"])
    if not app.programme.advance_allowed:
        raise ServiceError(f"“{app.programme.name}”不适用先行救助")
    if app.advance_paid_on:
        raise ServiceError("该申请已先行救助")
    file_days = app.programme.deadline_for("advance_file")
    if file_days is None:
        raise ServiceError(f"“{app.programme.name}”未设置先行救助后补办手续的时限，请先在救助项目中设置")
    amount = _money(amount, "先行救助金额")
    limit = rules.policy_value("advance_max", app.region_id, today(), app.programme)
    if limit is None:
        raise ServiceError("本地区未设置先行救助限额，不能先行救助")
    if amount > limit:
        raise ServiceError(f"先行救助金额不能超过 {limit} 元")
    if not isinstance(paid_on, datetime.date) or paid_on > today():
        raise ServiceError("发放日期不合法")
    app.advance_amount = amount
    app.advance_paid_on = paid_on
    app.file_due_on = rules.due_date(paid_on, file_days, app.region_id)
    app.save()
    _event(app, actor, "advance", "先行救助", app.stage, data={"amount": str(amount), "paid_on": str(paid_on)})
    return app


@transaction.atomic
def record_case_by_case(actor, application: Application, *, held_on, participants: str, conclusion: str):
    app = _locked(application)
    authority_for(actor, app, workflow.ACTIONS["case_by_case"])
    if not app.programme.one_off:
        raise ServiceError("“一事一议”只用于临时救助")
    participants = _text(participants, "参加研究人员")
    conclusion = _text(conclusion, "研究意见")
    if not isinstance(held_on, datetime.date) or held_on > today():
        raise ServiceError("研究日期不合法")
    app.case_by_case = {"held_on": str(held_on), "participants": participants, "conclusion": conclusion}
    app.save()
    _event(app, actor, "case_by_case", "一事一议", app.stage, reasons=conclusion, data=app.case_by_case)
    return app


# --- enrolment (在保) ------------------------------------------------------------------------------------


def _enrolment_locked(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("programme", "household", "application")
        .get(pk=enrolment.pk)
    )


def _enrolment_authority(actor, enrolment: Enrolment, amount: Decimal | None = None) -> None:
    require_region_in_scope(actor, enrolment.region_id, "家庭")
    level = _level(actor)
    if has_capability(actor, workflow.MANAGE) and level <= workflow.COUNTY:
        return
    if has_capability(actor, workflow.CONFIRM_DELEGATED) and level == workflow.TOWNSHIP:
        delegation = rules.active_delegation(enrolment.programme, enrolment.region_id, today())
        if delegation and rules.within_delegation(delegation, amount):
            return
        raise ServiceError(f"县级民政部门未将“{enrolment.programme.name}”的确认权限下放到本乡镇（街道）")
    # the county's power, or a township's under delegation: an authority rule of the programme, not a role's
    raise BusinessRuleError(AssistanceErrorCode.NO_AUTHORITY, "您的角色无权变更在保对象")


def _change(enrolment, actor, kind, reasons, effective_month, before, after) -> EnrolmentChange:
    change = EnrolmentChange.objects.create(
        enrolment=enrolment, kind=kind, effective_month=effective_month, before=before, after=after,
        reasons=reasons, actor=actor.username if actor else "system",
    )  # fmt: skip
    audit.record(f"assistance.enrolment.{kind}", enrolment, before=before, after=after, detail=reasons[:500])
    return change


def _require_current(enrolment: Enrolment, *statuses) -> None:
    if enrolment.status not in (statuses or (Enrolment.Status.ACTIVE, Enrolment.Status.GRACE)):
        raise ServiceError(f"该对象当前状态为“{enrolment.get_status_display()}”，不能办理此变更")


@transaction.atomic
def adjust(actor, enrolment: Enrolment, *, monthly_amount, basis: dict, reasons: str) -> Enrolment:
    """调标: a new monthly amount from next month, with its basis."""
    enr = _enrolment_locked(enrolment)
    amount = _money(monthly_amount, "月保障金额")
    _enrolment_authority(actor, enr, amount)
    _require_current(enr, Enrolment.Status.ACTIVE)
    reasons = _text(reasons, "调整理由")
    before = {"amount": str(enr.monthly_amount), **enr.basis}
    enr.monthly_amount = amount
    enr.basis = {k: str(v) for k, v in basis.items() if str(v).strip()} or enr.basis
    enr.save()
    _change(enr, actor, EnrolmentChange.Kind.ADJUST, reasons, rules.next_month(today()), before,
            {"amount": str(amount), **enr.basis})  # fmt: skip
    return enr


@transaction.atomic
def add_member(actor, enrolment: Enrolment, person: Person, reasons: str) -> Enrolment:
    enr = _enrolment_locked(enrolment)
    _enrolment_authority(actor, enr)
    _require_current(enr, Enrolment.Status.ACTIVE)
    reasons = _text(reasons, "变更理由")
    if enr.programme.scope == "person":
        raise ServiceError("按人保障的项目不能增加成员")
    if person.pk not in _current_member_ids(enr.household):
        raise ServiceError("此人不是该家庭的现有成员，请先在家庭登记中办理")
    if enr.members.filter(person=person, removed_on__isnull=True).exists():
        raise ServiceError("此人已在保障成员中")
    _persons_locked([person.pk])
    _check_exclusive(enr.programme, [person.pk], exclude_enrolment_id=enr.pk)
    month = rules.next_month(today())
    EnrolmentMember.objects.create(enrolment=enr, person=person, added_on=month, reason=reasons)
    _change(enr, actor, EnrolmentChange.Kind.MEMBER_ADD, reasons, month, {}, {"person": person.pk})
    return enr


@transaction.atomic
def remove_member(actor, enrolment: Enrolment, person: Person, reasons: str) -> Enrolment:
    enr = _enrolment_locked(enrolment)
    _enrolment_authority(actor, enr)
    _require_current(enr)
    reasons = _text(reasons, "变更理由")
    member = enr.members.filter(person=person, removed_on__isnull=True).first()
    if member is None:
        raise ServiceError("此人不在保障成员中")
    if enr.members.filter(removed_on__isnull=True).count() == 1:
        raise ServiceError("这是最后一名保障成员，请办理退出")
    month = rules.next_month(today())
    member.removed_on = month
    member.reason = reasons
    member.save()
    _change(enr, actor, EnrolmentChange.Kind.MEMBER_REMOVE, reasons, month, {"person": person.pk}, {})
    return enr


@transaction.atomic
def suspend(actor, enrolment: Enrolment, reasons: str) -> Enrolment:
    """停保: payment stops from next month, pending a decision."""
    enr = _enrolment_locked(enrolment)
    _enrolment_authority(actor, enr)
    _require_current(enr)
    reasons = _text(reasons, "停保理由")
    before = enr.status
    enr.status = Enrolment.Status.SUSPENDED
    enr.save()
    _change(enr, actor, EnrolmentChange.Kind.SUSPEND, reasons, rules.next_month(today()), {"status": before},
            {"status": enr.status})  # fmt: skip
    return enr


@transaction.atomic
def resume(actor, enrolment: Enrolment, reasons: str) -> Enrolment:
    """恢复: a suspended enrolment pays again from next month."""
    enr = _enrolment_locked(enrolment)
    _enrolment_authority(actor, enr)
    _require_current(enr, Enrolment.Status.SUSPENDED)
    reasons = _text(reasons, "恢复理由")
    ids = list(enr.members.filter(removed_on__isnull=True).values_list("person_id", flat=True))
    _persons_locked(ids)
    _check_exclusive(enr.programme, ids, exclude_enrolment_id=enr.pk)
    enr.status = Enrolment.Status.ACTIVE
    enr.save()
    _change(enr, actor, EnrolmentChange.Kind.RESUME, reasons, rules.next_month(today()), {"status": "suspended"},
            {"status": enr.status})  # fmt: skip
    return enr


@transaction.atomic
def start_grace(actor, enrolment: Enrolment, reasons: str) -> Enrolment:
    """渐退: the household has got over the line through work; benefit continues for the grace months
    (RegionPolicy "grace_months"), then stops."""
    enr = _enrolment_locked(enrolment)
    _enrolment_authority(actor, enr)
    _require_current(enr, Enrolment.Status.ACTIVE)
    reasons = _text(reasons, "渐退理由")
    try:
        months = rules.grace_months(enr.region_id, today(), enr.programme)
    except LookupError as exc:
        raise ServiceError("本地区未设置渐退期月数") from exc
    if months <= 0:
        raise ServiceError("本地区渐退期为 0 个月，请直接办理退出")
    first = rules.next_month(today())
    enr.status = Enrolment.Status.GRACE
    enr.grace_until = rules.add_months(first, months - 1)
    enr.save()
    _change(enr, actor, EnrolmentChange.Kind.GRACE, reasons, first, {"status": "active"},
            {"status": "grace", "grace_until": str(enr.grace_until), "months": months})  # fmt: skip
    return enr


def _stop(enr: Enrolment, actor, kind, reasons: str, day: datetime.date) -> None:
    before = {"status": enr.status, "amount": str(enr.monthly_amount)}
    enr.status = Enrolment.Status.STOPPED
    enr.ended_on = day
    enr.end_reason = reasons[:300]
    enr.next_review_on = None
    enr.save()
    enr.members.filter(removed_on__isnull=True).update(removed_on=rules.next_month(day), reason=reasons[:200])
    _change(enr, actor, kind, reasons, rules.next_month(day), before, {"status": "stopped"})


@transaction.atomic
def stop(actor, enrolment: Enrolment, reasons: str) -> Enrolment:
    enr = _enrolment_locked(enrolment)
    _enrolment_authority(actor, enr)
    _require_current(enr, *Enrolment.Status.values[:3])
    _stop(enr, actor, EnrolmentChange.Kind.STOP, _text(reasons, "退出理由"), today())
    return enr


def close_expired_grace(day: datetime.date | None = None) -> int:
    """Stops every enrolment whose 渐退 months are over (run monthly; idempotent)."""
    day = day or today()
    done = 0
    ids = list(
        Enrolment.objects.filter(status=Enrolment.Status.GRACE, grace_until__lt=rules.month_start(day)).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        with transaction.atomic():
            enr = Enrolment.objects.select_for_update().get(pk=pk)
            if enr.status != Enrolment.Status.GRACE:
                continue
            _stop(enr, None, EnrolmentChange.Kind.STOP, f"渐退期满（至 {enr.grace_until:%Y年%m月}）", day)
            done += 1
    return done


@transaction.atomic
def review_enrolment(actor, enrolment: Enrolment, *, outcome: str, reasons: str, monthly_amount=None, basis=None):
    """定期复核: continue (next review by the programme's cycle), reduce the amount, or stop."""
    enr = _enrolment_locked(enrolment)
    amount = _money(monthly_amount, "调减后月保障金额") if outcome == "reduce" else None
    _enrolment_authority(actor, enr, amount)
    _require_current(enr, Enrolment.Status.ACTIVE)
    reasons = _text(reasons, "复核意见")
    day = today()
    if outcome == "stop":
        _stop(enr, actor, EnrolmentChange.Kind.REVIEW_STOP, reasons, day)
        return enr
    if outcome not in ("continue", "reduce"):
        raise ServiceError("请选择复核结果：继续保障、调减或停止保障")
    persons = Person.objects.filter(
        pk__in=enr.members.filter(removed_on__isnull=True).values_list("person_id", flat=True)
    )
    months = rules.review_months(enr.programme, enr.income_unstable, list(persons))
    before = {"amount": str(enr.monthly_amount), "next_review_on": str(enr.next_review_on)}
    kind = EnrolmentChange.Kind.REVIEW_CONTINUE
    if outcome == "reduce":
        if amount >= enr.monthly_amount:
            raise ServiceError("调减后的金额应低于现金额")
        enr.monthly_amount = amount
        enr.basis = {k: str(v) for k, v in (basis or {}).items() if str(v).strip()} or enr.basis
        kind = EnrolmentChange.Kind.REVIEW_REDUCE
    enr.next_review_on = rules.add_months(rules.month_start(day), months) if months else None
    enr.save()
    _change(enr, actor, kind, reasons, rules.next_month(day), before,
            {"amount": str(enr.monthly_amount), "next_review_on": str(enr.next_review_on)})  # fmt: skip
    return enr


# --- 近亲属备案 and delegation ----------------------------------------------------------------------------


@transaction.atomic
def declare_near_relative(actor, *, id_number: str, relation: str) -> NearRelative:
    require_capability(actor, workflow.VIEW, "备案近亲属")
    relation = _text(relation, "与本人关系")
    try:
        number = idnumbers.parse(id_number).number
    except idnumbers.IdNumberError as exc:
        raise ServiceError(f"身份证号有误：{exc}") from exc
    person = Person.objects.filter(**Person.lookup("id_number", number), merged_into__isnull=True).first()
    if person is None or not in_scope(actor, person.region_id):
        # the same answer for "nobody" and "somebody elsewhere": 备案 is no city-wide lookup of ID numbers
        raise ServiceError(
            "您的管辖范围内没有此身份证号的人员：近亲属不在本辖区的无需备案；尚未登记的请先在社会救助对象库中登记"
        )
    if NearRelative.objects.filter(staff=actor, person=person, withdrawn_at__isnull=True).exists():
        raise ServiceError("已备案过此人")
    record = NearRelative.objects.create(staff=actor, person=person, relation=relation[:20])
    audit.record("assistance.near_relative.declare", record, region_code=actor.region_id or "")
    # Applications already under way that cover this person are flagged too.
    households = Membership.objects.filter(person=person, ended_on__isnull=True).values("household_id")
    open_apps = Application.objects.select_for_update().filter(stage__in=workflow.STAGE_ORDER, near_relative_flag=False)
    open_apps = scoped(open_apps, actor, capability=workflow.VIEW)  # never outside the actor's region
    for app in open_apps.filter(
        Q(applicant=person) | Q(beneficiary=person) | Q(programme__scope="household", household_id__in=households)
    ):
        app.near_relative_flag = True
        app.near_relative_note = f"{person.name}系{actor.full_name or actor.username}的{relation}"[:300]
        app.save(update_fields=["near_relative_flag", "near_relative_note", "updated_at"])
    return record


@transaction.atomic
def set_delegation(
    actor, *, programme: Programme, county_code: str, township_code: str | None, effective_from, max_amount=None
) -> Delegation:
    require_capability(actor, workflow.DELEGATE, "设置审核确认权限下放")
    if _level(actor) > workflow.COUNTY:
        raise ServiceError("权限下放须由县级民政部门设置")
    require_region_in_scope(actor, county_code, "区划")
    if regions.level_of(county_code) != regions.COUNTY:
        raise ServiceError("请选择县（区）")
    if township_code and (
        regions.level_of(township_code) != regions.TOWNSHIP or not township_code.startswith(county_code[:6])
    ):
        raise ServiceError("乡镇（街道）不属于该县（区）")
    if not programme.delegable:
        raise ServiceError(f"“{programme.name}”不能下放乡镇确认")
    if not isinstance(effective_from, datetime.date):
        raise ServiceError("请填写生效日期")
    amount = _money(max_amount, "确认金额上限") if max_amount not in (None, "") else None
    if programme.one_off and amount is None:
        raise ServiceError("临时救助下放须设置乡镇确认金额上限")
    delegation = Delegation.objects.create(
        programme=programme,
        county_id=county_code,
        township_id=township_code or None,
        max_amount=amount,
        effective_from=effective_from,
        created_by=actor.username,
    )
    audit.record("assistance.delegation.set", delegation, region_code=county_code)
    return delegation


@transaction.atomic
def end_delegation(actor, delegation: Delegation, effective_to) -> Delegation:
    require_capability(actor, workflow.DELEGATE, "收回审核确认权限")
    if _level(actor) > workflow.COUNTY:
        raise ServiceError("收回权限须由县级民政部门办理")
    require_region_in_scope(actor, delegation.county_id, "区划")
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.effective_to and delegation.effective_to <= effective_to:
        raise ServiceError("该下放已终止")
    if effective_to < delegation.effective_from - datetime.timedelta(days=1):
        raise ServiceError("终止日期不能早于生效日期")
    delegation.effective_to = effective_to
    delegation.save()
    audit.record("assistance.delegation.end", delegation, region_code=delegation.county_id)
    return delegation


# --- local policy figures and calendar ------------------------------------------------------------------

POLICY_LIMITS = {"grace_months": (Decimal(0), Decimal(24))}


def _config_region(actor, region_code: str) -> str:
    require_capability(actor, workflow.CONFIGURE, "设置政策参数")
    if not region_code:
        raise ServiceError("请选择您管辖范围内的区划")
    require_writable_region(actor, region_code, "区划")
    if _level(actor) > workflow.COUNTY:
        raise ServiceError("政策参数须由县级以上民政部门设置")
    return region_code


@transaction.atomic
def set_policy(
    actor, *, key: str, value, region_code: str, effective_from, programme: Programme | None = None, source: str = ""
):
    """A new policy figure for a region from a date; earlier rows stay as history (the latest date wins)."""
    from huimin.assistance.models import RegionPolicy

    region_code = _config_region(actor, region_code)
    if key not in dict(RegionPolicy.KEYS):
        raise ServiceError("未知的政策参数")
    if not isinstance(effective_from, datetime.date):
        raise ServiceError("请填写生效日期")
    amount = _money(value, dict(RegionPolicy.KEYS)[key], allow_zero=key == "grace_months")
    low, high = POLICY_LIMITS.get(key, (Decimal("0.01"), Decimal("10000000")))
    if not low <= amount <= high or (key == "grace_months" and amount != amount.to_integral_value()):
        raise ServiceError(f"{dict(RegionPolicy.KEYS)[key]}的取值不合理")
    row = RegionPolicy.objects.create(
        key=key, value=amount, region_id=region_code, programme=programme, effective_from=effective_from,
        source=source.strip()[:200],
    )  # fmt: skip
    audit.record("assistance.policy.set", row, after={"key": key, "value": str(amount)}, region_code=region_code)
    return row


@transaction.atomic
def set_workday(actor, *, day, is_workday: bool, region_code: str, note: str = ""):
    """A local change to the working-day calendar (a local holiday, or an extra working day)."""
    from huimin.assistance.models import WorkdayOverride

    region_code = _config_region(actor, region_code)
    if not isinstance(day, datetime.date):
        raise ServiceError("请填写日期")
    note = _text(note, "说明")
    row, created = WorkdayOverride.objects.update_or_create(
        region_id=region_code, day=day, defaults={"is_workday": is_workday, "note": note[:100]}
    )
    audit.record(
        "assistance.workday.set", row, after={"day": str(day), "is_workday": is_workday}, region_code=region_code
    )
    return row
