"""调标: after a standard changes, recompute the enrolments of a region subtree from an effective month.

Each current enrolment (在保, 渐退, 停发) of the programme whose basis records the calculator's inputs is
recomputed with the standards in force at its own region and area in the effective month. ``preview`` lists
old and new amounts and what cannot be recomputed (a basis entered by hand without the inputs); ``apply``
writes, for every changed amount, an EnrolmentChange 调标 effective from that month (the payroll reads the
amount in force per month from these changes) and the new amount and basis on the enrolment, with one audit
entry for the run. When the effective month is earlier than months already locked, the next payroll pays the
difference for each of them as 补发 (or recovers it as 追回) — the engine compares what is due now with what
locked months paid. Nothing is written when nothing changes; a run repeated gives no new change.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from huimin.assistance.models import Enrolment, EnrolmentChange
from huimin.benefits import assess, payroll_engine, services
from huimin.benefits import capabilities as caps
from huimin.core import audit, regions
from huimin.core.access import NotInScope, can_write_region, require_capability
from huimin.core.models import Region
from huimin.core.scope import subtree
from huimin.core.services import ServiceError

CURRENT = (Enrolment.Status.ACTIVE, Enrolment.Status.GRACE, Enrolment.Status.SUSPENDED)


@dataclass(frozen=True)
class Row:
    enrolment: Enrolment
    old: Decimal
    new: Decimal | None  # None: cannot be recomputed
    basis: dict
    note: str = ""

    @property
    def difference(self) -> Decimal:
        return (self.new - self.old) if self.new is not None else Decimal(0)


@dataclass(frozen=True)
class Plan:
    region: Region
    kind: str
    month: datetime.date
    changed: list[Row]
    unchanged: int
    manual: list[Row]

    @property
    def monthly_difference(self) -> Decimal:
        return sum((r.difference for r in self.changed), Decimal(0))


def _recomputable(kind: str, basis: dict) -> bool:
    if "calculated" in basis:
        return True
    return (kind == "dibao" and bool(str(basis.get("income_per_head", "")).strip())) or (
        kind == "tekun" and basis.get("grade") in assess.CARE_KINDS
    )


def plan(actor, *, region_code: str, kind: str, month, today: datetime.date | None = None) -> Plan:
    """What 调标 would do (nothing is written)."""
    require_capability(actor, caps.STANDARDS, "办理调标")
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None or not can_write_region(actor, region):
        raise NotInScope("区划不存在或不在您的管辖范围内")
    if kind not in assess.CALCULATED:
        raise ServiceError("请选择调标项目（低保或特困供养）")
    month = services.parse_month(month, "生效月份")
    today = today or timezone.localdate()
    if month > payroll_engine.add_months(today.replace(day=1), 1):
        raise ServiceError("生效月份最晚为下月")
    if month < payroll_engine.add_months(today.replace(day=1), -payroll_engine.LOOKBACK_MONTHS):
        raise ServiceError(f"生效月份早于补发追溯期限（{payroll_engine.LOOKBACK_MONTHS} 个月）")
    enrolments = (
        Enrolment.objects.filter(
            subtree("region", regions.prefix_of(region.code)), programme__kind=kind, status__in=CURRENT
        )
        .select_related("region", "household", "programme")
        .order_by("id")
    )
    changed, manual, unchanged = [], [], 0
    for enrolment in enrolments:
        basis = enrolment.basis or {}
        if not _recomputable(kind, basis):
            manual.append(Row(enrolment, enrolment.monthly_amount, None, basis, "核定依据缺少计算所需的收入或等级"))
            continue
        if basis.get("override_reason"):
            note = f"审批时调整过计算金额（{basis['override_reason']}），请人工核定"
            manual.append(Row(enrolment, enrolment.monthly_amount, None, basis, note))
            continue
        inputs = assess.inputs_of(basis, members_default=1)
        try:
            result = assess.calculate(kind, enrolment.region_id, month, enrolment.region.is_urban, inputs)
        except assess.MissingStandard as exc:
            manual.append(Row(enrolment, enrolment.monthly_amount, None, basis, str(exc)))
            continue
        except (ServiceError, assess.CalculationError) as exc:
            manual.append(Row(enrolment, enrolment.monthly_amount, None, basis, f"核定依据无法计算：{exc}"))
            continue
        if result.amount == enrolment.monthly_amount:
            unchanged += 1
            continue
        new_basis = dict(basis) | assess.basis_of(result, inputs, kind) | {"restandard": f"{month:%Y-%m} 调标"}
        changed.append(Row(enrolment, enrolment.monthly_amount, result.amount, new_basis))
    return Plan(region, kind, month, changed, unchanged, manual)


@transaction.atomic
def apply(actor, *, region_code: str, kind: str, month, reasons: str, today: datetime.date | None = None) -> Plan:
    """Recompute and write (see the module): one 调标 change per changed enrolment, one audit entry."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise ServiceError("请填写调标依据（如：市政府关于提高低保标准的通知）")
    result = plan(actor, region_code=region_code, kind=kind, month=month, today=today)
    rows = {r.enrolment.pk: r for r in result.changed}
    current = {e.pk: e for e in Enrolment.objects.select_for_update().filter(pk__in=list(rows)).order_by("pk")}
    written = []
    for pk, row in rows.items():
        enrolment = current[pk]
        if enrolment.monthly_amount != row.old or enrolment.status not in CURRENT:
            raise ServiceError(f"{enrolment} 在预览后已有变更，请重新预览后再调标")
        EnrolmentChange.objects.create(
            enrolment=enrolment,
            kind=EnrolmentChange.Kind.ADJUST,
            effective_month=result.month,
            before={"amount": str(row.old)},
            after={"amount": str(row.new), **row.basis},
            reasons=f"调标：{reasons}"[:500],
            actor=actor.username,
        )
        enrolment.monthly_amount = row.new
        enrolment.basis = row.basis
        enrolment.save(update_fields=["monthly_amount", "basis"])
        written.append(row)
    audit.record(
        "benefits.restandard.apply",
        result.region,
        after={
            "kind": kind,
            "month": f"{result.month:%Y-%m}",
            "changed": len(written),
            "unchanged": result.unchanged,
            "manual": len(result.manual),
            "monthly_difference": str(result.monthly_difference),
        },
        detail=reasons[:500],
        region_code=result.region.code,
    )
    return result
