"""在保 changes: 调标, members in and out, 停保, 恢复, 渐退, 退出 and 定期复核."""

import datetime
from decimal import Decimal

from django.db import transaction

from huimin.assistance import enrolment_hooks, rules, workflow
from huimin.assistance.actions.common import (
    actor_level,
    check_exclusive,
    current_member_ids,
    money,
    persons_locked,
    required_text,
    today,
)
from huimin.assistance.error_codes import AssistanceErrorCode
from huimin.assistance.models import Enrolment, EnrolmentChange, EnrolmentMember
from huimin.core import audit
from huimin.core.access import BusinessRuleError, require_region_in_scope
from huimin.core.roles import has_capability
from huimin.core.services import ServiceError
from huimin.registry.models import Person


def _enrolment_locked(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("programme", "household", "application")
        .get(pk=enrolment.pk)
    )


def _enrolment_authority(actor, enrolment: Enrolment, amount: Decimal | None = None) -> None:
    require_region_in_scope(actor, enrolment.region_id, "家庭")
    level = actor_level(actor)
    line = enrolment.programme.business_line
    if has_capability(actor, workflow.MANAGE, line) and level <= workflow.COUNTY:
        return
    if has_capability(actor, workflow.CONFIRM_DELEGATED, line) and level == workflow.TOWNSHIP:
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
    amount, reasons = check_adjust(actor, enr, monthly_amount=monthly_amount, reasons=reasons)
    return do_adjust(actor, enr, amount=amount, basis=basis, reasons=reasons)


def check_adjust(actor, enr: Enrolment, *, monthly_amount, reasons: str) -> tuple[Decimal, str]:
    """Refuse a 调标 of ``enr`` (locked) the actor may not make; return the amount and the reasons. Writes nothing."""
    amount = money(monthly_amount, "月保障金额")
    _enrolment_authority(actor, enr, amount)
    _require_current(enr, Enrolment.Status.ACTIVE)
    return amount, required_text(reasons, "调整理由")


def do_adjust(actor, enr: Enrolment, *, amount: Decimal, basis: dict, reasons: str) -> Enrolment:
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
    reasons = required_text(reasons, "变更理由")
    if enr.programme.scope == "person":
        raise ServiceError("按人保障的项目不能增加成员")
    if person.pk not in current_member_ids(enr.household):
        raise ServiceError("此人不是该家庭的现有成员，请先在家庭登记中办理")
    if enr.members.filter(person=person, removed_on__isnull=True).exists():
        raise ServiceError("此人已在保障成员中")
    persons_locked([person.pk])
    check_exclusive(enr.programme, [person.pk], exclude_enrolment_id=enr.pk)
    month = rules.next_month(today())
    EnrolmentMember.objects.create(enrolment=enr, person=person, added_on=month, reason=reasons)
    _change(enr, actor, EnrolmentChange.Kind.MEMBER_ADD, reasons, month, {}, {"person": person.pk})
    return enr


@transaction.atomic
def remove_member(actor, enrolment: Enrolment, person: Person, reasons: str) -> Enrolment:
    enr = _enrolment_locked(enrolment)
    _enrolment_authority(actor, enr)
    _require_current(enr)
    reasons = required_text(reasons, "变更理由")
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
    reasons = required_text(reasons, "停保理由")
    do_suspend(actor, enr, reasons, day=today())
    return enr


def do_suspend(actor, enr: Enrolment, reasons: str, *, day: datetime.date) -> EnrolmentChange:
    """停保 of ``enr`` (locked) from the month after ``day``: the rows, history and audit, no checks (the caller's
    rule — a person's action checked above, or a system rule such as 生存认证 逾期 — decided it)."""
    before = enr.status
    enr.status = Enrolment.Status.SUSPENDED
    enr.save()
    return _change(enr, actor, EnrolmentChange.Kind.SUSPEND, reasons, rules.next_month(day), {"status": before},
                   {"status": enr.status})  # fmt: skip


@transaction.atomic
def resume(actor, enrolment: Enrolment, reasons: str) -> Enrolment:
    """恢复: a suspended enrolment pays again from next month."""
    enr = _enrolment_locked(enrolment)
    _enrolment_authority(actor, enr)
    _require_current(enr, Enrolment.Status.SUSPENDED)
    reasons = required_text(reasons, "恢复理由")
    check_resume(enr)
    do_resume(actor, enr, reasons, day=today())
    return enr


def check_resume(enr: Enrolment) -> None:
    """Refuse to resume ``enr`` (locked, suspended) while a member is in another programme of its exclusive
    group. Writes nothing but locks the members."""
    ids = list(enr.members.filter(removed_on__isnull=True).values_list("person_id", flat=True))
    persons_locked(ids)
    check_exclusive(enr.programme, ids, exclude_enrolment_id=enr.pk)


def do_resume(actor, enr: Enrolment, reasons: str, *, day: datetime.date) -> EnrolmentChange:
    """恢复 of ``enr`` (locked, checked) from the month after ``day``."""
    enr.status = Enrolment.Status.ACTIVE
    enr.save()
    return _change(enr, actor, EnrolmentChange.Kind.RESUME, reasons, rules.next_month(day), {"status": "suspended"},
                   {"status": enr.status})  # fmt: skip


@transaction.atomic
def start_grace(actor, enrolment: Enrolment, reasons: str) -> Enrolment:
    """渐退: the household has got over the line through work; benefit continues for the grace months
    (RegionPolicy "grace_months"), then stops."""
    enr = _enrolment_locked(enrolment)
    months, reasons = check_grace(actor, enr, reasons)
    do_grace(actor, enr, months=months, reasons=reasons)
    return enr


def check_grace(actor, enr: Enrolment, reasons: str) -> tuple[int, str]:
    """Refuse a 渐退 of ``enr`` (locked) the actor may not start; return the grace months and the reasons."""
    _enrolment_authority(actor, enr)
    _require_current(enr, Enrolment.Status.ACTIVE)
    reasons = required_text(reasons, "渐退理由")
    try:
        months = rules.grace_months(enr.region_id, today(), enr.programme)
    except LookupError as exc:
        raise ServiceError("本地区未设置渐退期月数：请县级审批人在「政策参数与工作日」页面设置") from exc
    if months <= 0:
        raise ServiceError("本地区渐退期为 0 个月，请直接办理退出")
    return months, reasons


def do_grace(actor, enr: Enrolment, *, months: int, reasons: str) -> EnrolmentChange:
    first = rules.next_month(today())
    enr.status = Enrolment.Status.GRACE
    enr.grace_until = rules.add_months(first, months - 1)
    enr.save()
    return _change(enr, actor, EnrolmentChange.Kind.GRACE, reasons, first, {"status": "active"},
                   {"status": "grace", "grace_until": str(enr.grace_until), "months": months})  # fmt: skip


def stop_month(enr: Enrolment, day: datetime.date) -> tuple[datetime.date, datetime.date | None]:
    """The first month a stop on ``day`` leaves unpaid, and the death it follows: when every member the
    enrolment still covers has died, the month the region's rule sets after the last death
    (``rules.death_stop_month``: the month after death by default), whenever the stop is made — earlier or later
    than next month; otherwise next month."""
    ids = list(enr.members.filter(removed_on__isnull=True).values_list("person_id", flat=True))
    deaths = list(Person.objects.filter(pk__in=ids).values_list("is_deceased", "death_date"))
    if deaths and all(dead and on for dead, on in deaths):
        last = max(on for _, on in deaths)
        return rules.death_stop_month(enr.region_id, last, enr.programme), last
    return rules.next_month(day), None


def do_stop(actor, enr: Enrolment, reasons: str, *, kind=EnrolmentChange.Kind.STOP, day: datetime.date):
    """退出: the enrolment and its members end from the first month not due (``stop_month``: next month, or the
    month after death), with the change and its audit entry; the apps that follow stops (the recovery of what
    was paid for a month no longer due) hear of it in the same transaction. Returns the change."""
    month, death = stop_month(enr, day)
    before = {"status": enr.status, "amount": str(enr.monthly_amount)}
    enr.status = Enrolment.Status.STOPPED
    enr.ended_on = day
    enr.end_reason = reasons[:300]
    enr.next_review_on = None
    enr.save()
    enr.members.filter(removed_on__isnull=True).update(removed_on=month, reason=reasons[:200])
    after = {"status": "stopped"} | ({"death_date": str(death)} if death else {})
    change = _change(enr, actor, kind, reasons, month, before, after)
    enrolment_hooks.stopped(enr, change)
    return change


@transaction.atomic
def stop(actor, enrolment: Enrolment, reasons: str) -> Enrolment:
    enr = _enrolment_locked(enrolment)
    reasons = check_stop(actor, enr, reasons)
    do_stop(actor, enr, reasons, day=today())
    return enr


def check_stop(actor, enr: Enrolment, reasons: str) -> str:
    """Refuse a 退出 of ``enr`` (locked) the actor may not make; return the reasons. Writes nothing."""
    _enrolment_authority(actor, enr)
    _require_current(enr, *Enrolment.Status.values[:3])
    return required_text(reasons, "退出理由")


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
            do_stop(None, enr, f"渐退期满（至 {enr.grace_until:%Y年%m月}）", day=day)
            done += 1
    return done


@transaction.atomic
def review_enrolment(actor, enrolment: Enrolment, *, outcome: str, reasons: str, monthly_amount=None, basis=None):
    """定期复核: continue (next review by the programme's cycle), reduce the amount, or stop."""
    enr = _enrolment_locked(enrolment)
    amount = money(monthly_amount, "调减后月保障金额") if outcome == "reduce" else None
    _enrolment_authority(actor, enr, amount)
    _require_current(enr, Enrolment.Status.ACTIVE)
    reasons = required_text(reasons, "复核意见")
    day = today()
    if outcome == "stop":
        do_stop(actor, enr, reasons, kind=EnrolmentChange.Kind.REVIEW_STOP, day=day)
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
