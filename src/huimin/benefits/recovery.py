"""追缴: the recovery of what was paid for service months no longer due, for any programme's enrolment.

An enrolment stopped from an earlier month than the payroll has paid (a death: the month after death by the
region's rule, whenever the death is confirmed) has locked payroll lines for months now owed nothing. ``list_for``
turns them into a ``Recovery`` (an item per service month: what the locked months paid for it, net of any 追回
line a later month already made), called from the stop itself (``assistance.enrolment_hooks``) and again when a
month is locked (``sweep_locked``: a month built before the stop and locked after). The payroll counts the listed
months as settled, so the same money is never both netted by a later month and pursued here.

A recovery ends in repayment (退回, each with its amount and date) or a write-off (核销): asked for by one
person, approved by another (``assistance.DutySeparation``: 申请核销 ≠ 审批核销, as data per programme). Every
change is audited; the writes are county business (``benefits.payroll`` in one's region)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from huimin.assistance import duties
from huimin.assistance.models import DutyStep, Enrolment, EnrolmentChange, Programme
from huimin.benefits import capabilities as caps
from huimin.benefits.access import access_recovery_by_id
from huimin.benefits.error_codes import BenefitsErrorCode
from huimin.benefits.models import LineKind, PayrollLine, PayrollMonth, Recovery, RecoveryItem, Repayment
from huimin.core import audit
from huimin.core.access import BusinessRuleError, require_capability
from huimin.core.context import current_actor
from huimin.core.services import ServiceError

STOP_KINDS = (EnrolmentChange.Kind.STOP, EnrolmentChange.Kind.REVIEW_STOP)
ZERO = Decimal("0.00")


def _who(actor=None) -> str:
    actor = actor or current_actor()
    return getattr(actor, "username", "") or "system"


def overpaid(enrolment_id: int, from_month: datetime.date) -> dict[datetime.date, dict]:
    """Per service month from ``from_month``: what locked months paid the enrolment for it, net (> 0 only)."""
    rows = (
        PayrollLine.objects.filter(
            enrolment_id=enrolment_id, service_month__gte=from_month, payroll__status=PayrollMonth.Status.LOCKED
        )
        .values("service_month")
        .annotate(total=Sum("amount"), price=Sum("amount", filter=Q(kind=LineKind.PRICE)))
    )
    out = {}
    for r in rows:
        if r["total"] and r["total"] > 0:
            ids = list(
                PayrollLine.objects.filter(
                    enrolment_id=enrolment_id, service_month=r["service_month"], payroll__status="locked"
                ).values_list("pk", flat=True)
            )
            out[r["service_month"]] = {"amount": r["total"], "price": r["price"] or ZERO, "lines": ids}
    return out


def list_for(enrolment: Enrolment, change: EnrolmentChange, actor=None) -> Recovery | None:
    """List (or extend) the recovery of ``enrolment`` after its stop ``change``: the months from the change's
    effective month that locked payroll months paid and no item lists yet. None when nothing was overpaid."""
    found = overpaid(enrolment.pk, change.effective_month)
    recovery = Recovery.objects.select_for_update().filter(enrolment_id=enrolment.pk).first()
    listed = set(recovery.items.values_list("service_month", flat=True)) if recovery else set()
    new = {m: v for m, v in found.items() if m not in listed}
    if not new:
        return recovery
    death = (change.after or {}).get("death_date")
    created = recovery is None
    if created:
        # who was paid: the payee of the lines (a household's head may have been the one who died)
        last_line = max(i for v in new.values() for i in v["lines"])
        payee_id = PayrollLine.objects.values_list("payee_id", flat=True).get(pk=last_line)
        recovery = Recovery.objects.create(
            enrolment_id=enrolment.pk, region_id=enrolment.region_id, programme_code=enrolment.programme.code,
            payee_id=payee_id, reason=Recovery.Reason.DEATH if death else Recovery.Reason.STOP,
            event_date=datetime.date.fromisoformat(death) if death else enrolment.ended_on,
            from_month=change.effective_month, change_id=change.pk, created_by=_who(actor) if actor else change.actor,
        )  # fmt: skip
    RecoveryItem.objects.bulk_create(
        RecoveryItem(recovery=recovery, service_month=m, amount=v["amount"], price=v["price"], lines=v["lines"])
        for m, v in sorted(new.items())
    )
    added = sum((v["amount"] for v in new.values()), ZERO)
    before = {"total": str(recovery.total), "status": recovery.status}
    recovery.total += added
    if recovery.status == Recovery.Status.REPAID:
        recovery.status, recovery.closed_at = Recovery.Status.OPEN, None  # more was found: pursued again
    recovery.save()
    audit.record(
        "benefits.recovery.list" if created else "benefits.recovery.extend", recovery, before=before,
        after={"total": str(recovery.total), "months": [m.isoformat() for m in sorted(new)], "added": str(added)},
        region_code=recovery.region_id,
    )  # fmt: skip
    return recovery


def on_stop(enrolment: Enrolment, change: EnrolmentChange) -> None:
    """The hook assistance calls after a 退出 (inside its transaction)."""
    list_for(enrolment, change)


def sweep_locked(payroll: PayrollMonth, actor) -> int:
    """After ``payroll`` is locked: its lines that paid a stopped enrolment for a month from its stop on (the
    month was built before the stop) are listed for recovery. Returns how many recoveries were listed or grown."""
    stops = {}
    for c in (
        EnrolmentChange.objects.filter(kind__in=STOP_KINDS, enrolment__status=Enrolment.Status.STOPPED)
        .filter(enrolment_id__in=PayrollLine.objects.filter(payroll=payroll).values("enrolment_id"))
        .order_by("enrolment_id", "-id")
    ):
        stops.setdefault(c.enrolment_id, c)
    done = 0
    for enrolment_id, change in stops.items():
        if PayrollLine.objects.filter(
            payroll=payroll, enrolment_id=enrolment_id, service_month__gte=change.effective_month
        ).exists():
            enrolment = Enrolment.objects.select_related("programme", "household").get(pk=enrolment_id)
            done += list_for(enrolment, change, actor) is not None
    return done


# --- following a recovery -----------------------------------------------------------------------------------


def _locked(actor, recovery: Recovery, what: str) -> Recovery:
    require_capability(actor, caps.PAYROLL, what)
    return access_recovery_by_id(actor, recovery.pk, capability=caps.PAYROLL, for_update=True)


def _money(value, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except Exception as exc:
        raise ServiceError(f"{label}格式不正确，请填写金额（元）") from exc
    if not amount.is_finite() or amount <= 0:
        raise ServiceError(f"{label}应大于 0")
    return amount


def _state(recovery: Recovery, *allowed: str, doing: str) -> None:
    if recovery.status not in allowed:
        raise BusinessRuleError(
            BenefitsErrorCode.RECOVERY_STATE, f"该追缴当前为“{recovery.get_status_display()}”，不能{doing}"
        )


@transaction.atomic
def record_repayment(actor, recovery: Recovery, *, amount, paid_on, note: str = "") -> Repayment:
    """退回: a sum paid back on ``paid_on``; the recovery is 已追回 when nothing is outstanding."""
    r = _locked(actor, recovery, "登记追缴退回")
    _state(r, Recovery.Status.OPEN, doing="登记退回")
    amount = _money(amount, "退回金额")
    if not isinstance(paid_on, datetime.date):
        raise ServiceError("请填写退回日期")
    if paid_on > timezone.localdate():
        raise ServiceError("退回日期不能晚于今天")
    if amount > r.outstanding:
        raise BusinessRuleError(
            BenefitsErrorCode.RECOVERY_AMOUNT, f"退回金额 {amount} 元超过尚未追回的 {r.outstanding} 元"
        )
    repayment = Repayment.objects.create(recovery=r, amount=amount, paid_on=paid_on, note=(note or "").strip()[:200],
                                         recorded_by=_who(actor))  # fmt: skip
    before = {"repaid": str(r.repaid), "status": r.status}
    r.repaid += amount
    if r.outstanding == 0:
        r.status, r.closed_at = Recovery.Status.REPAID, timezone.now()
    r.save()
    audit.record("benefits.recovery.repay", r, before=before, after={"repaid": str(r.repaid), "status": r.status,
                 "amount": str(amount), "paid_on": paid_on.isoformat()}, region_code=r.region_id)  # fmt: skip
    return repayment


@transaction.atomic
def request_write_off(actor, recovery: Recovery, reason: str) -> Recovery:
    """申请核销 of what is outstanding (e.g. no estate to recover from), with the reason."""
    r = _locked(actor, recovery, "申请核销追缴款")
    _state(r, Recovery.Status.OPEN, doing="申请核销")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写核销理由")
    r.status = Recovery.Status.WRITE_OFF_PENDING
    r.write_off_reason = reason[:2000]
    r.write_off_requested_by = _who(actor)
    r.write_off_requested_at = timezone.now()
    r.write_off_decided_by, r.write_off_decided_at, r.write_off_note = "", None, ""
    r.save()
    audit.record("benefits.recovery.write_off_request", r, before={"status": Recovery.Status.OPEN},
                 after={"status": r.status, "outstanding": str(r.outstanding)}, detail=reason[:500],
                 region_code=r.region_id)  # fmt: skip
    return r


@transaction.atomic
def decide_write_off(actor, recovery: Recovery, *, approve: bool, note: str = "") -> Recovery:
    """审批核销 by someone other than the requester (the programme's DutySeparation rule): approved, what is
    outstanding is written off (已核销); refused, the recovery is pursued again."""
    r = _locked(actor, recovery, "审批核销")
    _state(r, Recovery.Status.WRITE_OFF_PENDING, doing="审批核销")
    programme = Programme.objects.get(code=r.programme_code)
    duties.check_apart(actor, programme, DutyStep.WRITE_OFF_APPROVE,
                       {DutyStep.WRITE_OFF_REQUEST: r.write_off_requested_by})  # fmt: skip
    note = (note or "").strip()
    if not approve and not note:
        raise ServiceError("不同意核销须填写审批意见")
    before = {"status": r.status, "written_off": str(r.written_off)}
    r.write_off_decided_by, r.write_off_decided_at, r.write_off_note = _who(actor), timezone.now(), note[:2000]
    if approve:
        r.written_off += r.outstanding
        r.status, r.closed_at = Recovery.Status.WRITTEN_OFF, timezone.now()
    else:
        r.status = Recovery.Status.OPEN
    r.save()
    audit.record("benefits.recovery.write_off_approve" if approve else "benefits.recovery.write_off_refuse", r,
                 before=before, after={"status": r.status, "written_off": str(r.written_off)}, detail=note[:500],
                 region_code=r.region_id)  # fmt: skip
    return r
