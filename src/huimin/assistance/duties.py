"""职责分离 (separation of duties) in the application workflow, as data per programme.

A ``DutySeparation`` row names two steps of a programme's procedure; on one application, whoever did one of them
may not do the other. Who did a step is read from the application's history (``ApplicationEvent.actor``), so a
step done before a rule was set counts too. The defaults (``assistance/defaults.py``) keep 受理, 核对 and the
visit apart from the 乡镇审核, and the 审核 apart from the 审批; a city-level officer changes them on
「政策参数与工作日」 and every change stays as history with its audit entry.
"""

from django.db import transaction
from django.utils import timezone

from huimin.assistance import workflow
from huimin.assistance.error_codes import DutyConflict
from huimin.assistance.models import ApplicationEvent, DutySeparation, DutyStep, Programme
from huimin.core import audit, regions
from huimin.core.roles import has_capability
from huimin.core.services import ServiceError

# Which workflow actions do which step (the actions not listed — refusals, objections, 先行救助 — are no step).
STEP_OF_ACTION = {
    "accept": DutyStep.ACCEPT,
    "record_verification": DutyStep.VERIFY,
    "finish_verification": DutyStep.VERIFY,
    "record_visit": DutyStep.VISIT,
    "submit_visit": DutyStep.VISIT,
    "record_appraisal": DutyStep.APPRAISAL,
    "review": DutyStep.REVIEW,
    "approve": DutyStep.APPROVE,
}
# How a refusal names doing a step: 同一人不能既{earlier}又{later}
DOING = {
    DutyStep.ACCEPT: "受理申请",
    DutyStep.VERIFY: "录入核对结论",
    DutyStep.VISIT: "进行入户调查",
    DutyStep.APPRAISAL: "组织民主评议",
    DutyStep.REVIEW: "进行乡镇审核",
    DutyStep.APPROVE: "审批（确认）",
    DutyStep.WRITE_OFF_REQUEST: "申请核销追缴款",
    DutyStep.WRITE_OFF_APPROVE: "审批核销",
}
ORDER = list(DutyStep.values)


def in_order(a: str, b: str) -> tuple[str, str]:
    return (a, b) if ORDER.index(a) < ORDER.index(b) else (b, a)


def conflict_message(programme: Programme, a: str, b: str) -> str:
    first, second = in_order(a, b)
    return (
        f"同一人不能既{DOING[first]}又{DOING[second]}（职责分离：“{programme.name}”的"
        f"{DutyStep(first).label}与{DutyStep(second).label}须由不同工作人员办理）"
    )


def active_rules(programme: Programme):
    return DutySeparation.objects.filter(programme=programme, ended_at__isnull=True)


def check(actor, application, action_code: str) -> None:
    """Refuse (DutyConflict, nothing changed) when ``actor`` already did, on ``application``, a step that its
    programme keeps apart from the step ``action_code`` does."""
    step = STEP_OF_ACTION.get(action_code)
    username = getattr(actor, "username", "")
    if step is None or not username:
        return
    apart = {
        rule.second if rule.first == step else rule.first
        for rule in active_rules(application.programme)
        if step in (rule.first, rule.second)
    }
    if not apart:
        return
    actions = [code for code, other in STEP_OF_ACTION.items() if other in apart]
    done = set(
        ApplicationEvent.objects.filter(application=application, actor=username, action__in=actions).values_list(
            "action", flat=True
        )
    )
    if done:
        other = min((STEP_OF_ACTION[code] for code in done), key=ORDER.index)
        raise DutyConflict(conflict_message(application.programme, other, step))


# --- changing the rules ---------------------------------------------------------------------------------


def _require_city_configurer(actor) -> None:
    if not has_capability(actor, workflow.CONFIGURE):
        raise ServiceError("您的角色无权设置职责分离规则")
    region = getattr(actor, "region", None)
    if region is None or region.level > regions.CITY:
        raise ServiceError("救助项目的职责分离规则适用全市，须由市级民政部门设置")


def _text(value, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"请填写{label}")
    if len(value) > 200:
        raise ServiceError(f"{label}过长，请控制在 200 字以内")
    return value


@transaction.atomic
def add_rule(actor, *, programme: Programme, first: str, second: str, basis: str) -> DutySeparation:
    _require_city_configurer(actor)
    if first not in ORDER or second not in ORDER:
        raise ServiceError("请选择两个办理环节")
    if first == second:
        raise ServiceError("请选择两个不同的办理环节")
    basis = _text(basis, "设置依据")
    first, second = in_order(first, second)
    Programme.objects.select_for_update().get(pk=programme.pk)  # one change of a programme's rules at a time
    if active_rules(programme).filter(first=first, second=second).exists():
        raise ServiceError(f"“{programme.name}”已有此职责分离规则")
    rule = DutySeparation.objects.create(
        programme=programme, first=first, second=second, basis=basis, created_by=actor.username
    )
    audit.record(
        "assistance.duty_separation.add",
        rule,
        after={"programme": programme.code, "first": first, "second": second, "basis": basis},
        region_code=actor.region_id,
    )
    return rule


@transaction.atomic
def end_rule(actor, rule: DutySeparation, reason: str) -> DutySeparation:
    _require_city_configurer(actor)
    reason = _text(reason, "停用理由")
    rule = DutySeparation.objects.select_for_update().select_related("programme").get(pk=rule.pk)
    if rule.ended_at is not None:
        raise ServiceError("该规则已停用")
    rule.ended_at = timezone.now()
    rule.ended_by = actor.username
    rule.end_reason = reason
    rule.save(update_fields=["ended_at", "ended_by", "end_reason"])
    audit.record(
        "assistance.duty_separation.end",
        rule,
        before={"programme": rule.programme.code, "first": rule.first, "second": rule.second, "active": True},
        after={"active": False},
        detail=reason,
        region_code=actor.region_id,
    )
    return rule


def check_apart(actor, programme: Programme, step: str, done_by: dict[str, str]) -> None:
    """The same rules outside an application's history: ``done_by`` names who did each earlier step of the
    case (a 追缴's write-off request, huimin.benefits.recovery). Refuse (DutyConflict) when ``actor`` did one that
    ``programme`` keeps apart from ``step``."""
    username = getattr(actor, "username", "")
    for rule in active_rules(programme):
        if step not in (rule.first, rule.second):
            continue
        other = rule.second if rule.first == step else rule.first
        if username and done_by.get(other) == username:
            raise DutyConflict(conflict_message(programme, other, step))
