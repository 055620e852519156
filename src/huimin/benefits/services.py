"""Every state change of benefits: standards, price indices, payroll months (build → review → approve → lock),
bank templates, 代发 files and the bank's return files. Each checks capability and scope, writes the audit
entry and runs in one transaction; a refused request raises ServiceError (Chinese) and changes nothing."""

import datetime
import time
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from huimin.assistance import rules as assistance_rules
from huimin.assistance.models import Programme
from huimin.benefits import accounts, funds, payroll_engine, standards
from huimin.benefits import capabilities as caps
from huimin.benefits.error_codes import BenefitsErrorCode
from huimin.benefits.models import (
    Area,
    PayrollLine,
    PayrollMonth,
    Period,
    PriceIndex,
    Standard,
    StandardKind,
)
from huimin.core import audit, regions
from huimin.core.access import BusinessRuleError, NotInScope, can_write_region, require_capability
from huimin.core.models import Region
from huimin.core.scope import subtree
from huimin.core.services import ServiceError

COUNTY_LEVEL = 3
MAX_FUTURE_MONTHS = 1


def _region_in_scope(actor, code: str) -> Region:
    """The region a configuration row or a month is written for: inside the actor's subtree, else 404."""
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None or not can_write_region(actor, region):
        raise NotInScope("区划不存在或不在您的管辖范围内")
    return region


def _decimal(value, label: str, places: int = 4) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ServiceError(f"{label}格式不正确，请填写数字") from exc
    if not number.is_finite() or number < 0:
        raise ServiceError(f"{label}不能为负数")
    if number >= Decimal("100000000"):
        raise ServiceError(f"{label}过大，请核对")
    return number.quantize(Decimal(1).scaleb(-places))


def parse_month(value, label: str = "月份") -> datetime.date:
    """The first day of the month ``value`` names (a date, or text starting YYYY-MM)."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    try:
        return datetime.date.fromisoformat(f"{str(value).strip()[:7]}-01")
    except ValueError as exc:
        raise BusinessRuleError(BenefitsErrorCode.MONTH_INVALID, f"{label}格式不正确，请按 2026-01 填写") from exc


# --- standards ------------------------------------------------------------------------------------------


@transaction.atomic
def add_standard(
    actor,
    *,
    kind: str,
    region_code: str,
    area: str = Area.ALL,
    period: str = Period.MONTH,
    value=None,
    effective_from,
    effective_to=None,
    base_kind: str = "",
    factor_num=None,
    factor_den: int = 1,
    age_from=None,
    age_to=None,
    source: str = "",
    capability: str = caps.STANDARDS,
) -> tuple[Standard, standards.Warning | None]:
    """A new effective-dated row (earlier rows stay as they were: the later ``effective_from`` wins).
    ``capability``: what the actor must hold (养老服务 sets its 高龄津贴 bands with its own)."""
    require_capability(actor, capability, "设置保障标准")
    region = _region_in_scope(actor, region_code)
    if kind not in StandardKind.values:
        raise ServiceError("请选择标准类别")
    if area not in Area.values or period not in Period.values:
        raise ServiceError("城乡或计量单位不正确")
    if not isinstance(effective_from, datetime.date):
        raise ServiceError("请填写生效日期")
    if effective_to is not None and effective_to < effective_from:
        raise ServiceError("失效日期不能早于生效日期")
    value = None if value in (None, "") else _decimal(value, "公布标准")
    base_kind = base_kind or ""
    if base_kind and base_kind not in StandardKind.values:
        raise ServiceError("参照标准类别不正确")
    if base_kind == kind:
        raise ServiceError("标准不能以自身为参照")
    factor = None if factor_num in (None, "") else _decimal(factor_num, "倍数")
    if bool(base_kind) != (factor is not None):
        raise ServiceError("设置公式时须同时填写参照标准和倍数")
    if value is None and factor is None:
        raise ServiceError("请填写公布标准，或设置按其他标准计算的公式")
    try:
        den = int(factor_den or 1)
    except (TypeError, ValueError) as exc:
        raise ServiceError("倍数分母须为正整数") from exc
    if den < 1:
        raise ServiceError("倍数分母须为正整数")
    ages = [None if a in (None, "") else int(a) for a in (age_from, age_to)]
    if kind == StandardKind.AGED_ALLOWANCE and ages[0] is None:
        raise ServiceError("高龄津贴须填写起始年龄")
    if ages[0] is not None and ages[1] is not None and ages[1] < ages[0]:
        raise ServiceError("截止年龄不能小于起始年龄")
    if kind == StandardKind.AGED_ALLOWANCE:
        _check_band_overlap(region, area, ages[0], ages[1], effective_from, effective_to)
    row = Standard.objects.create(
        kind=kind,
        region=region,
        area=area,
        period=period,
        value=value,
        effective_from=effective_from,
        effective_to=effective_to,
        base_kind=base_kind,
        factor_num=factor,
        factor_den=den,
        age_from=ages[0],
        age_to=ages[1],
        source=(source or "").strip()[:200],
        created_by=getattr(actor, "username", ""),
    )
    warning = standards.check(row)
    audit.record(
        "benefits.standard.add",
        row,
        after={"kind": kind, "area": area, "value": str(value), "from": str(effective_from)},
        detail=warning.message if warning else "",
        region_code=region.code,
    )
    return row, warning


def _check_band_overlap(region, area, low: int, high: int | None, start, end) -> None:
    """高龄津贴: two bands of one region and area in force at the same time may not share an age (a row with the
    same starting age replaces the earlier one from its date)."""
    rows = Standard.objects.filter(kind=StandardKind.AGED_ALLOWANCE, region=region, area=area).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=start)
    )
    if end is not None:
        rows = rows.filter(effective_from__lte=end)
    for row in rows.exclude(age_from=low).order_by("age_from", "pk"):
        if row.age_from <= (high if high is not None else 10**4) and low <= (
            row.age_to if row.age_to is not None else 10**4
        ):
            theirs = f"{row.age_from}岁以上" if row.age_to is None else f"{row.age_from}–{row.age_to}岁"
            mine = f"{low}岁以上" if high is None else f"{low}–{high}岁"
            raise BusinessRuleError(
                BenefitsErrorCode.BAND_OVERLAP,
                f"高龄津贴年龄段“{mine}”与已设置的“{theirs}”档（第 {row.pk} 号设置，"
                f"{row.effective_from:%Y年%m月%d日}起）重叠：同一区划同一时间每个年龄只能属于一个年龄段",
            )


@transaction.atomic
def set_price_index(actor, *, region_code: str, month, value) -> PriceIndex:
    require_capability(actor, caps.STANDARDS, "录入价格指数")
    region = _region_in_scope(actor, region_code)
    month = parse_month(month)
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError("价格指数涨幅格式不正确") from exc
    if (
        PayrollMonth.objects.filter(month=month, status=PayrollMonth.Status.LOCKED)
        .filter(_overlapping(region.code))
        .exists()
    ):
        raise BusinessRuleError(BenefitsErrorCode.MONTH_LOCKED, "该月发放已锁定，不能再修改价格指数")
    row, _ = PriceIndex.objects.update_or_create(
        region=region, month=month, defaults={"value": number, "created_by": actor.username}
    )
    audit.record(
        "benefits.price_index.set", row, after={"month": str(month), "value": str(number)}, region_code=region.code
    )
    return row


# --- payroll --------------------------------------------------------------------------------------------


def _overlapping(code: str) -> Q:
    """Months of this region, of any region above it, or of any region beneath it."""
    ancestors = []
    parent = regions.parent_code(code)
    while parent:
        ancestors.append(parent)
        parent = regions.parent_code(parent)
    return Q(region_id__in=[code, *ancestors]) | subtree("region", regions.prefix_of(code))


def _payroll_authority(actor, region: Region, what: str) -> None:
    require_capability(actor, caps.PAYROLL, what)
    if not can_write_region(actor, region):
        raise NotInScope("区划不存在或不在您的管辖范围内")
    if actor.region is None or actor.region.level > COUNTY_LEVEL:
        raise ServiceError("月度发放由县级民政部门办理")


def _log(payroll: PayrollMonth, actor, action: str, detail: str = "") -> None:
    payroll.history = [
        *payroll.history,
        {"action": action, "by": actor.username, "at": timezone.now().isoformat(timespec="seconds"), "detail": detail},
    ]


def price_cents(region_code: str, month: datetime.date) -> tuple[int | None, dict]:
    """The per-person 价格临时补贴 (分) when the entered index for ``month`` exceeds the threshold."""
    index = regions.in_force(
        PriceIndex.objects.filter(month=month),
        region_code,
        region=lambda row: row.region_id,
        effective_from=lambda row: row.month,
        tiebreak=lambda row: (row.pk,),
    )
    if index is None:
        return None, {}
    threshold = standards.value_of(StandardKind.PRICE_THRESHOLD, region_code, month)
    amount = standards.value_of(StandardKind.PRICE_SUBSIDY, region_code, month)
    if threshold is None or amount is None or index.value <= threshold.value:
        return None, {"index": str(index.value)}
    cents = int((amount.monthly * 100).quantize(Decimal(1)))
    return cents, {"index": str(index.value), "threshold": str(threshold.value), "per_person": str(amount.monthly)}


def _inputs(prefix: str, month: datetime.date, locked: list[datetime.date], codes: list[str]) -> dict:
    """The engine's inputs for the programmes ``codes``, with the month each deceased enrolment stops by the
    region's rule (as data)."""
    inputs = payroll_engine.load_inputs(connection, prefix, month, locked, codes)
    programmes = {p.code: p for p in Programme.objects.all()}

    found: dict[tuple, datetime.date] = {}

    def stop_month(region_code: str, programme_code: str, death: datetime.date) -> datetime.date:
        key = (region_code, programme_code, death)
        if key not in found:
            found[key] = assistance_rules.death_stop_month(region_code, death, programmes.get(programme_code))
        return found[key]

    inputs["death_stops"] = payroll_engine.death_stops(inputs, stop_month)
    return inputs


def build(actor, *, region_code: str, month, today: datetime.date | None = None) -> PayrollMonth:
    """Build (or rebuild) the draft of ``month`` for ``region_code``: its lines are replaced as a whole, so
    building twice gives the same lines, and what locked months paid is never paid again."""
    month = parse_month(month)
    today = today or timezone.localdate()
    region = _region_in_scope(actor, region_code)
    _payroll_authority(actor, region, "生成月度发放")
    if month > payroll_engine.add_months(today.replace(day=1), MAX_FUTURE_MONTHS):
        raise ServiceError("只能生成本月或下月的发放")
    same = PayrollMonth.objects.filter(region=region)
    window = payroll_engine.add_months(month, -payroll_engine.LOOKBACK_MONTHS)

    def locked_months() -> list[datetime.date]:
        return sorted(
            same.filter(status=PayrollMonth.Status.LOCKED, month__lt=month, month__gte=window).values_list(
                "month", flat=True
            )
        )

    existing = same.filter(month=month).first()
    if existing and existing.status in (PayrollMonth.Status.APPROVED, PayrollMonth.Status.LOCKED):  # say it early
        raise ServiceError(
            f"{month:%Y年%m月}发放已{existing.get_status_display()}，不能重新生成；更正请在以后月份补发或追回"
        )
    prefix = regions.prefix_of(region.code)
    with transaction.atomic():
        started = time.perf_counter()
        # the inputs are read first, before this transaction writes anything, so that the queries can run side by
        # side on connections of their own reading this transaction's snapshot (payroll_engine.fetch_all)
        locked = locked_months()
        paying = funds.payroll_table(month, prefix)  # the programmes this month pays, with their fund rows
        codes = sorted({row["programme_code"] for row in paying})
        inputs = _inputs(prefix, month, locked, codes)
        PayrollMonth.objects.get_or_create(region=region, month=month)
        payroll = PayrollMonth.objects.select_for_update().get(region=region, month=month)
        if payroll.status in (PayrollMonth.Status.APPROVED, PayrollMonth.Status.LOCKED):
            raise ServiceError(
                f"{month:%Y年%m月}发放已{payroll.get_status_display()}，不能重新生成；更正请在以后月份补发或追回"
            )
        if PayrollMonth.objects.filter(month=month).filter(_overlapping(region.code)).exclude(pk=payroll.pk).exists():
            raise ServiceError("上级或下级区划已有该月发放，同一对象不能重复发放")
        if same.filter(month__lt=month).exclude(status=PayrollMonth.Status.LOCKED).exists():
            raise ServiceError("以前月份的发放尚未锁定，请先完成以前月份")
        if same.filter(month__gt=month).exists():
            raise ServiceError("已有以后月份的发放，不能再生成以前月份；更正请在以后月份补发或追回")
        if locked_months() != locked:  # a month was locked while the inputs were read: read them again
            locked = locked_months()
            inputs = _inputs(prefix, month, locked, codes)
        price, price_info = price_cents(region.code, month)
        with connection.cursor() as cursor:  # a draft's lines have no payments; one statement, no collector
            cursor.execute("DELETE FROM benefits_payrollline WHERE payroll_id = %s", [payroll.pk])
        totals: dict = {}
        count, cents = payroll_engine.write_lines(
            connection, payroll.pk, payroll_engine.compute_batches(inputs, month, locked, price, funds=paying), totals
        )
        changed = accounts.flag_changes(payroll)
        if connection.vendor == "postgresql" and count > 10_000:
            with connection.cursor() as cursor:  # the planner should know the table grew (not the JSON column)
                cursor.execute("ANALYZE benefits_payrollline (payroll_id, enrolment_id, service_month, kind, amount)")
        payroll.line_count = count
        payroll.total = Decimal(cents or 0).scaleb(-2)
        payroll.programme_totals = [
            {"programme": code, "fund": fund, "kind": kind, "count": n, "cents": c}
            for (code, fund, kind), (n, c) in sorted(totals.items(), key=lambda item: (item[0][0], item[0][2]))
        ]
        payroll.status = PayrollMonth.Status.DRAFT
        payroll.built_at = timezone.now()
        payroll.built_by = actor.username
        payroll.reviewed_by = payroll.approved_by = ""  # a rebuilt draft is reviewed and approved afresh
        payroll.build_seconds = round(time.perf_counter() - started, 3)
        _log(payroll, actor, "build", f"{payroll.line_count} 笔，合计 {payroll.total} 元，领款账号变更 {changed} 笔")
        payroll.save()
        audit.record(
            "benefits.payroll.build",
            payroll,
            after={
                "lines": payroll.line_count,
                "total": str(payroll.total),
                "price": price_info,
                "account_changed": changed,
            },
            region_code=region.code,
        )
    return payroll


_NEXT = {
    "review": (PayrollMonth.Status.DRAFT, PayrollMonth.Status.REVIEWED, "复核"),
    "approve": (PayrollMonth.Status.REVIEWED, PayrollMonth.Status.APPROVED, "审批"),
    "lock": (PayrollMonth.Status.APPROVED, PayrollMonth.Status.LOCKED, "锁定"),
}


def _separate_duties(actor, payroll: PayrollMonth, action: str) -> None:
    """职责分离: whoever built the month does not review or approve it, and the reviewer does not approve it.
    Locking (after approval) may be done by any of them."""
    me = actor.username
    if action == "review" and me == payroll.built_by:
        raise BusinessRuleError(BenefitsErrorCode.DUTIES_SEPARATED, "职责分离：本月发放由您生成，须由其他人员复核")
    if action == "approve" and me == payroll.built_by:
        raise BusinessRuleError(
            BenefitsErrorCode.DUTIES_SEPARATED, "职责分离：本月发放由您生成，须由生成人、复核人以外的人员审批"
        )
    if action == "approve" and me == payroll.reviewed_by:
        raise BusinessRuleError(
            BenefitsErrorCode.DUTIES_SEPARATED, "职责分离：本月发放由您复核，须由生成人、复核人以外的人员审批"
        )


@transaction.atomic
def advance(actor, payroll: PayrollMonth, action: str) -> PayrollMonth:
    if action not in _NEXT:
        raise ServiceError("不支持的操作")
    before, after, label = _NEXT[action]
    payroll = PayrollMonth.objects.select_for_update().select_related("region").get(pk=payroll.pk)
    _payroll_authority(actor, payroll.region, f"{label}月度发放")
    if payroll.status != before:
        message = f"发放当前为“{payroll.get_status_display()}”，不能{label}"
        raise BusinessRuleError(BenefitsErrorCode.WRONG_STATUS, message)
    _separate_duties(actor, payroll, action)
    if (
        action == "lock"
        and PayrollMonth.objects.filter(region=payroll.region, month__lt=payroll.month)
        .exclude(status=PayrollMonth.Status.LOCKED)
        .exists()
    ):
        raise ServiceError("以前月份的发放尚未锁定")
    payroll.status = after
    field = {"review": "reviewed_by", "approve": "approved_by", "lock": "locked_by"}[action]
    setattr(payroll, field, actor.username)
    if action == "lock":
        payroll.locked_at = timezone.now()
    _log(payroll, actor, action)
    payroll.save()
    if action == "lock":  # a month built before a stop and locked after it: what it paid after is recovered
        from huimin.benefits import recovery

        recovery.sweep_locked(payroll, actor)
    audit.record(
        f"benefits.payroll.{action}",
        payroll,
        before={"status": before},
        after={"status": after},
        detail=f"{payroll.line_count} 笔，合计 {payroll.total} 元",
        region_code=payroll.region_id,
    )
    return payroll


def differences(payroll: PayrollMonth, limit: int = 200) -> dict:
    """This month's regular lines against the previous month of the same region: new, stopped, changed."""
    previous = PayrollMonth.objects.filter(region=payroll.region, month__lt=payroll.month).order_by("-month").first()
    now = dict(PayrollLine.objects.filter(payroll=payroll, kind="regular").values_list("enrolment_id", "amount"))
    before = (
        dict(PayrollLine.objects.filter(payroll=previous, kind="regular").values_list("enrolment_id", "amount"))
        if previous
        else {}
    )
    new = sorted(set(now) - set(before))
    gone = sorted(set(before) - set(now))
    changed = sorted(k for k in set(now) & set(before) if now[k] != before[k])
    corrections = PayrollLine.objects.filter(payroll=payroll).exclude(kind="regular")
    return {
        "previous": previous,
        "new": [(k, now[k]) for k in new[:limit]],
        "gone": [(k, before[k]) for k in gone[:limit]],
        "changed": [(k, before[k], now[k]) for k in changed[:limit]],
        "counts": {
            "new": len(new),
            "gone": len(gone),
            "changed": len(changed),
            "account_changed": PayrollLine.objects.filter(payroll=payroll, account_changed=True).count(),
        },
        "corrections": corrections.values("kind").annotate(n=Count("id"), total=Sum("amount")).order_by("kind"),
        "total_before": sum(before.values(), Decimal(0)),
        "total_now": sum(now.values(), Decimal(0)),
    }


def funds_report(user_prefix: str, month_from: datetime.date, month_to: datetime.date):
    """资金发放: totals of locked months' lines (by payroll month) by county, programme, fund row and line kind, in
    the user's subtree (the statistics' 资金发放统计 lays them out, ``stats.disbursement``)."""
    from django.db.models.functions import Substr

    months = PayrollMonth.objects.filter(
        status=PayrollMonth.Status.LOCKED, month__gte=month_from, month__lte=month_to
    ).filter(_overlapping(regions.full_code(user_prefix)) if len(user_prefix) in (2, 4, 6, 9, 12) else Q(pk__in=[]))
    return (
        PayrollLine.objects.filter(payroll_id__in=list(months.values_list("id", flat=True)))
        .filter(subtree("region", user_prefix))
        .annotate(county=Substr("region_id", 1, 6))
        .values("county", "programme_code", "fund_id", "kind")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("county", "programme_code", "fund_id", "kind")
    )
