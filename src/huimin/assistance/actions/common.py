"""What every action of social assistance shares: today's date, the checks of money, text and uploads, the
actor's authority over an application, the row lock, the stage change and the history with its audit entry."""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from huimin.assistance import duties, rules, workflow
from huimin.assistance.error_codes import AssistanceErrorCode
from huimin.assistance.models import (
    Application,
    ApplicationEvent,
    ManualVerification,
    NearRelative,
    Notification,
    Programme,
)
from huimin.core import audit
from huimin.core.access import BusinessRuleError, require_region_in_scope
from huimin.core.roles import BusinessLine, has_capability
from huimin.core.services import ServiceError
from huimin.core.uploads import DOCUMENT_MAX_BYTES, check_size
from huimin.registry.models import Household, Membership, Person

CENT = Decimal("0.01")
ALLOWED_UPLOADS = (".pdf", ".jpg", ".jpeg", ".png")


def today() -> datetime.date:
    return timezone.localdate()


def actor_level(actor) -> int:
    return actor.region.level if getattr(actor, "region", None) else 99


def money(value, label: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ServiceError(f"{label}格式不正确：请填写金额（元），最多两位小数") from exc
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ServiceError(f"{label}必须大于零")
    if amount >= Decimal("10000000"):
        raise ServiceError(f"{label}过大，请核对")
    return amount


def required_text(value, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"请填写{label}")
    return value


def check_upload(upload, label: str) -> None:
    if upload is None:
        return
    name = upload.name.lower()
    if not name.endswith(ALLOWED_UPLOADS):
        raise ServiceError(f"{label}只能上传 PDF、JPG 或 PNG 文件")
    check_size(upload, DOCUMENT_MAX_BYTES, label)


def related_staff_ids(person_ids) -> set[int]:
    return set(
        NearRelative.objects.filter(person_id__in=list(person_ids), withdrawn_at__isnull=True).values_list(
            "staff_id", flat=True
        )
    )


def current_member_ids(household: Household) -> list[int]:
    return list(
        Membership.objects.filter(household=household, ended_on__isnull=True).values_list("person_id", flat=True)
    )


def covered_ids(application: Application) -> list[int]:
    if application.programme.scope == "person":
        return [application.beneficiary_id]
    return current_member_ids(application.household)


def authority_for(actor, application: Application, action: workflow.Action, amount: Decimal | None = None) -> str:
    """Check that ``actor`` may take ``action`` on ``application`` now; return "county", "township" or
    "delegated". Raises ServiceError (nothing changed) otherwise."""
    require_region_in_scope(actor, application.region_id, "家庭")
    if application.stage not in action.stages:
        message = f"申请当前处于“{application.get_stage_display()}”环节，不能执行“{action.label}”"
        raise BusinessRuleError(AssistanceErrorCode.WRONG_STAGE, message)
    if actor.pk in related_staff_ids(covered_ids(application) + [application.applicant_id]):
        raise ServiceError("您已备案与该申请家庭成员存在近亲属关系，应当回避，不能办理此申请")
    level = actor_level(actor)
    line = application.programme.business_line
    if has_capability(actor, action.capability, line) and level <= action.max_level:
        duties.check(actor, application, action.code)
        return "county" if level <= workflow.COUNTY else "township"
    if action.delegable and has_capability(actor, workflow.CONFIRM_DELEGATED, line) and level == workflow.TOWNSHIP:
        if application.near_relative_flag:
            raise ServiceError("该申请涉及工作人员近亲属，须报县级民政部门审批，乡镇不能确认")
        delegation = rules.active_delegation(application.programme, application.region_id, today())
        if delegation is None:
            raise ServiceError(f"县级民政部门未将“{application.programme.name}”的确认权限下放到本乡镇（街道）")
        if not rules.within_delegation(delegation, amount):
            raise ServiceError(f"金额超过下放给乡镇确认的上限（{delegation.max_amount} 元），须报县级审批")
        duties.check(actor, application, action.code)
        return "delegated"
    if has_capability(actor, action.capability, line) or (
        action.delegable and has_capability(actor, workflow.CONFIRM_DELEGATED, line)
    ):
        raise ServiceError(
            f"“{action.label}”须由{'县级' if action.max_level <= workflow.COUNTY else '乡镇'}工作人员办理"
        )
    if has_capability(actor, action.capability):
        raise ServiceError(
            f"“{application.programme.name}”属{BusinessLine(line).label}业务，您没有该业务条线的角色，"
            f"不能执行“{action.label}”"
        )
    raise ServiceError(f"您的角色无权执行“{action.label}”")


def locked_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("programme", "household", "applicant", "region")
        .get(pk=application.pk)
    )


def set_stage(application: Application, stage: str, day: datetime.date) -> None:
    application.stage = stage
    application.stage_entered_on = day
    application.stage_due_on = (
        rules.due_date(day, application.programme.deadline_for(stage), application.region_id)
        if stage in workflow.STAGE_ORDER
        else None
    )


def record_event(
    application, actor, action: str, label: str, before: str, *, reasons="", data=None, audit_after=None
) -> None:
    """One history row and its audit entry (``audit_after``: what else the audit entry records, e.g. the reasons
    an approver gave for changing the calculation's inputs)."""
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
        after={"stage": application.stage} | (audit_after or {}),
        detail=reasons[:500],
    )


def notify(application: Application, kind: str, title: str, body: str) -> Notification:
    return Notification.objects.create(
        application=application, recipient=application.applicant, kind=kind, title=title, body=body
    )


def persons_locked(ids) -> list[Person]:
    return list(Person.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk"))


def check_exclusive(programme: Programme, person_ids, exclude_enrolment_id=None) -> None:
    conflicts = list(rules.conflicting_memberships(programme, person_ids, exclude_enrolment_id))
    if conflicts:
        c = conflicts[0]
        raise ServiceError(
            f"{c.person.name}已在“{c.enrolment.programme.name}”保障中，同一人不能同时享受低保和特困供养"
            if programme.exclusive_group == "basic_living"
            else f"{c.person.name}已在“{c.enrolment.programme.name}”中，不能重复纳入"
        )


def pending_note(app: Application) -> str:
    if app.manual_verifications.filter(status=ManualVerification.Status.PENDING).exists():
        return "（人工录入的核对结论与核对系统不同，尚待另一名工作人员复核确认，确认前不作为依据）"
    return ""
