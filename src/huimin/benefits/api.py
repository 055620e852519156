"""资金发放 API: the monthly payrolls (read-only) and 追缴 (recoveries: list, read, repayments and write-offs by
county staff). The payrolls and their totals by programme, line kind and region.

A payroll month belongs to a county (or another subtree). A caller sees the months of its regions and the months
that cover its regions; every figure is summed over the payroll lines inside the caller's regions only, so a
township's client sees its township's part of the county's month. Totals across months (``list_payroll_totals``)
count locked months only — the figures that were paid out."""

import datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from ninja import Field, Router, Schema

from huimin.apikit import ERRORS, api_auth
from huimin.assistance.models import Programme
from huimin.benefits import capabilities as caps
from huimin.benefits import recovery, services
from huimin.benefits.access import access_payroll_month_by_id, access_recovery_by_id
from huimin.benefits.models import LineKind, PayrollLine, PayrollMonth, Recovery
from huimin.core import regions, scope
from huimin.core.models import Region
from huimin.core.roles import has_capability
from huimin.core.scope import scoped, user_prefixes

router = Router(tags=["资金发放"])

LEVELS = {"county": 6, "township": 9, "village": 12}


class PayrollOut(Schema):
    id: int
    region: str = Field(description="发放月份所属区划（一般为县级）")
    region_name: str
    month: str = Field(description="发放月份 YYYY-MM")
    status: PayrollMonth.Status
    status_label: str
    locked_at: datetime.datetime | None
    lines: int = Field(description="您管辖区划内的明细笔数")
    total: Decimal = Field(description="您管辖区划内的金额合计（元）")


class PayrollPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PayrollOut]


class TotalRow(Schema):
    key: str
    name: str
    lines: int
    total: Decimal


class PayrollSummary(PayrollOut):
    by_programme: list[TotalRow]
    by_kind: list[TotalRow]
    by_region: list[TotalRow]


class MonthTotal(Schema):
    month: str
    programme: str
    programme_name: str
    region: str
    region_name: str
    lines: int
    total: Decimal


class MonthTotalPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MonthTotal]


def _ancestors(prefix: str) -> list[str]:
    code = regions.full_code(prefix)
    found = []
    parent = regions.parent_code(code) if len(prefix) in regions.PREFIX_LENGTH.values() else None
    while parent:
        found.append(parent)
        parent = regions.parent_code(parent)
    return found


def _payrolls(principal):
    prefixes = user_prefixes(principal)
    if not prefixes or not has_capability(principal, caps.VIEW):
        return PayrollMonth.objects.none()
    condition = Q()
    for prefix in prefixes:
        condition |= scope.subtree("region", prefix) | Q(region_id__in=_ancestors(prefix))
    return PayrollMonth.objects.filter(condition).select_related("region")


def _lines(principal):
    condition = Q()
    for prefix in user_prefixes(principal):
        condition |= scope.subtree("region", prefix)
    return PayrollLine.objects.filter(condition) if condition else PayrollLine.objects.none()


def _money(value) -> Decimal:
    return (value or Decimal(0)).quantize(Decimal("0.01"))


def payroll_out(p: PayrollMonth, figures: dict) -> dict:
    lines, total = figures.get(p.pk, (0, Decimal(0)))
    return {
        "id": p.pk, "region": p.region_id, "region_name": p.region.name, "month": f"{p.month:%Y-%m}",
        "status": p.status, "status_label": p.get_status_display(), "locked_at": p.locked_at, "lines": lines,
        "total": _money(total),
    }  # fmt: skip


def _figures(principal, payroll_ids) -> dict:
    rows = _lines(principal).filter(payroll_id__in=payroll_ids).values("payroll_id")
    return {r["payroll_id"]: (r["n"], r["total"]) for r in rows.annotate(n=Count("id"), total=Sum("amount"))}


def _month(value: str, label: str) -> datetime.date | None:
    return services.parse_month(value, label) if value else None


@router.get(
    "/payrolls",
    response={200: PayrollPage, **ERRORS},
    summary="月度发放列表（金额为您管辖区划内的合计）",
    auth=api_auth(caps.VIEW),
)
def list_payroll_months(
    request, status: PayrollMonth.Status | None = None, month_from: str = "", month_to: str = "", page: int = 1,
    page_size: int = 30,
):  # fmt: skip
    qs = _payrolls(request.auth)
    if status:
        qs = qs.filter(status=status)
    start, end = _month(month_from, "起始月份"), _month(month_to, "截止月份")
    if start:
        qs = qs.filter(month__gte=start)
    if end:
        qs = qs.filter(month__lte=end)
    page_size = max(1, min(page_size, 100))
    page = max(1, min(page, 10_000_000))
    qs = qs.order_by("-month", "region_id")
    items = list(qs[(page - 1) * page_size : page * page_size])
    figures = _figures(request.auth, [p.pk for p in items])
    return {
        "count": qs.count(), "page": page, "page_size": page_size,
        "items": [payroll_out(p, figures) for p in items],
    }  # fmt: skip


def _names(cuts, width: int) -> dict[str, str]:
    """Region names of code prefixes cut at ``width`` digits."""
    full = [regions.full_code(cut) for cut in cuts]
    return {r.code[:width]: r.name for r in Region.objects.filter(code__in=full)}


def _programme_names() -> dict[str, str]:
    return dict(Programme.objects.values_list("code", "name"))


@router.get(
    "/payrolls/{pk}",
    response={200: PayrollSummary, **ERRORS},
    summary="月度发放汇总：按救助项目、发放类别、区划（level=county/township/village）",
    auth=api_auth(caps.VIEW),
)
def get_payroll_summary(request, pk: int, level: Literal["county", "township", "village"] = "township"):
    payroll = access_payroll_month_by_id(request.auth, pk, visible=_payrolls(request.auth))
    lines = _lines(request.auth).filter(payroll=payroll)
    width = LEVELS[level]
    programmes = _programme_names()
    by_programme = (
        lines.values("programme_code").annotate(n=Count("id"), total=Sum("amount")).order_by("programme_code")
    )
    by_kind = lines.values("kind").annotate(n=Count("id"), total=Sum("amount")).order_by("kind")
    by_region = list(
        lines.annotate(cut=Substr("region_id", 1, width)).values("cut")
        .annotate(n=Count("id"), total=Sum("amount")).order_by("cut")
    )  # fmt: skip
    names = _names([r["cut"] for r in by_region], width)
    kinds = dict(LineKind.choices)
    n = sum(r["n"] for r in by_kind)
    total = sum((r["total"] for r in by_kind), Decimal(0))
    return {
        **payroll_out(payroll, {payroll.pk: (n, total)}),
        "by_programme": [
            {"key": r["programme_code"], "name": programmes.get(r["programme_code"], r["programme_code"]),
             "lines": r["n"], "total": _money(r["total"])} for r in by_programme
        ],
        "by_kind": [
            {"key": r["kind"], "name": kinds.get(r["kind"], r["kind"]), "lines": r["n"], "total": _money(r["total"])}
            for r in by_kind
        ],
        "by_region": [
            {"key": regions.full_code(r["cut"]), "name": names.get(r["cut"], r["cut"]), "lines": r["n"],
             "total": _money(r["total"])} for r in by_region
        ],
    }  # fmt: skip


@router.get(
    "/totals",
    response={200: MonthTotalPage, **ERRORS},
    summary="已锁定月份的发放合计：按月份、救助项目、区划（level=county/township/village）",
    auth=api_auth(caps.VIEW),
)
def list_payroll_totals(
    request, month_from: str = "", month_to: str = "", programme: str = "", region: str = "",
    level: Literal["county", "township", "village"] = "county", page: int = 1, page_size: int = 30,
):  # fmt: skip
    qs = _lines(request.auth).filter(payroll__status=PayrollMonth.Status.LOCKED)
    if not has_capability(request.auth, caps.VIEW):
        qs = qs.none()
    start, end = _month(month_from, "起始月份"), _month(month_to, "截止月份")
    if start:
        qs = qs.filter(payroll__month__gte=start)
    if end:
        qs = qs.filter(payroll__month__lte=end)
    if programme:
        qs = qs.filter(programme_code=programme)
    if (named := scope.named_region(request.auth, region)) is not None:
        qs = qs.filter(named)
    width = LEVELS[level]
    grouped = (
        qs.annotate(cut=Substr("region_id", 1, width)).values("payroll__month", "programme_code", "cut")
        .annotate(n=Count("id"), total=Sum("amount")).order_by("-payroll__month", "programme_code", "cut")
    )  # fmt: skip
    page_size = max(1, min(page_size, 100))
    page = max(1, min(page, 10_000_000))
    rows = list(grouped[(page - 1) * page_size : page * page_size])
    names, programmes = _names({r["cut"] for r in rows}, width), _programme_names()
    return {
        "count": grouped.count(), "page": page, "page_size": page_size,
        "items": [
            {"month": f"{r['payroll__month']:%Y-%m}", "programme": r["programme_code"],
             "programme_name": programmes.get(r["programme_code"], r["programme_code"]),
             "region": regions.full_code(r["cut"]), "region_name": names.get(r["cut"], r["cut"]), "lines": r["n"],
             "total": _money(r["total"])}
            for r in rows
        ],
    }  # fmt: skip


# --- 追缴 (recoveries) ------------------------------------------------------------------------------------------


class RecoveryItemOut(Schema):
    service_month: str = Field(description="所属月份 YYYY-MM")
    amount: Decimal = Field(description="已发金额（元）")
    price: Decimal = Field(description="其中价格临时补贴（元）")


class RepaymentOut(Schema):
    amount: Decimal
    paid_on: datetime.date
    note: str
    recorded_by: str


class RecoveryOut(Schema):
    id: int
    enrolment: int
    region: str
    programme: str
    payee: int
    reason: Recovery.Reason
    reason_label: str
    event_date: datetime.date | None = Field(description="死亡（停保）日期")
    from_month: str = Field(description="停发起始月份 YYYY-MM")
    total: Decimal = Field(description="应追缴（元）")
    repaid: Decimal
    written_off: Decimal
    outstanding: Decimal
    status: Recovery.Status
    status_label: str


class RecoveryDetail(RecoveryOut):
    items: list[RecoveryItemOut]
    repayments: list[RepaymentOut]
    write_off_reason: str
    write_off_requested_by: str
    write_off_decided_by: str
    write_off_note: str


class RecoveryPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RecoveryOut]


class RepaymentIn(Schema):
    amount: str = Field(description="退回金额（元）")
    paid_on: datetime.date = Field(description="退回日期")
    note: str = ""


class WriteOffIn(Schema):
    reason: str = Field(description="核销理由")


class WriteOffDecisionIn(Schema):
    approve: bool
    note: str = Field("", description="审批意见（不同意时必填）")


def recovery_out(r: Recovery) -> dict:
    return {
        "id": r.pk, "enrolment": r.enrolment_id, "region": r.region_id, "programme": r.programme_code,
        "payee": r.payee_id, "reason": r.reason, "reason_label": r.get_reason_display(), "event_date": r.event_date,
        "from_month": f"{r.from_month:%Y-%m}", "total": r.total, "repaid": r.repaid, "written_off": r.written_off,
        "outstanding": r.outstanding, "status": r.status, "status_label": r.get_status_display(),
    }  # fmt: skip


def recovery_detail_out(r: Recovery) -> dict:
    return {
        **recovery_out(r),
        "items": [{"service_month": f"{i.service_month:%Y-%m}", "amount": i.amount, "price": i.price}
                  for i in r.items.all()],
        "repayments": [{"amount": p.amount, "paid_on": p.paid_on, "note": p.note, "recorded_by": p.recorded_by}
                       for p in r.repayments.all()],
        "write_off_reason": r.write_off_reason, "write_off_requested_by": r.write_off_requested_by,
        "write_off_decided_by": r.write_off_decided_by, "write_off_note": r.write_off_note,
    }  # fmt: skip


@router.get(
    "/recoveries",
    response={200: RecoveryPage, **ERRORS},
    summary="追缴清单（停止保障后已发放的不应发月份金额）",
    auth=api_auth(caps.VIEW),
)
def list_recoveries(
    request, status: Recovery.Status | None = None, reason: Recovery.Reason | None = None, programme: str = "",
    page: int = 1, page_size: int = 30,
):  # fmt: skip
    qs = scoped(Recovery.objects.all(), request.auth, capability=caps.VIEW)
    if status:
        qs = qs.filter(status=status)
    if reason:
        qs = qs.filter(reason=reason)
    if programme:
        qs = qs.filter(programme_code=programme)
    page_size = max(1, min(page_size, 100))
    page = max(1, min(page, 10_000_000))
    qs = qs.order_by("-created_at", "-id")
    return {
        "count": qs.count(), "page": page, "page_size": page_size,
        "items": [recovery_out(r) for r in qs[(page - 1) * page_size : page * page_size]],
    }  # fmt: skip


@router.get("/recoveries/{pk}", response={200: RecoveryDetail, **ERRORS}, summary="追缴详情", auth=api_auth(caps.VIEW))
def get_recovery(request, pk: int):
    return recovery_detail_out(access_recovery_by_id(request.auth, pk))


@router.post(
    "/recoveries/{pk}/repayments",
    response={200: RecoveryDetail, **ERRORS},
    summary="登记追缴退回（金额、日期）",
    auth=api_auth(caps.PAYROLL, clients=False),
)
def repay_recovery(request, pk: int, payload: RepaymentIn):
    r = access_recovery_by_id(request.auth, pk, capability=caps.PAYROLL)
    recovery.record_repayment(request.auth, r, amount=payload.amount, paid_on=payload.paid_on, note=payload.note)
    return recovery_detail_out(access_recovery_by_id(request.auth, pk))


@router.post(
    "/recoveries/{pk}/write-off",
    response={200: RecoveryDetail, **ERRORS},
    summary="申请核销追缴尚欠金额",
    auth=api_auth(caps.PAYROLL, clients=False),
)
def request_recovery_write_off(request, pk: int, payload: WriteOffIn):
    r = access_recovery_by_id(request.auth, pk, capability=caps.PAYROLL)
    recovery.request_write_off(request.auth, r, payload.reason)
    return recovery_detail_out(access_recovery_by_id(request.auth, pk))


@router.post(
    "/recoveries/{pk}/write-off/decision",
    response={200: RecoveryDetail, **ERRORS},
    summary="审批核销（须由申请人以外的工作人员）",
    auth=api_auth(caps.PAYROLL, clients=False),
)
def decide_recovery_write_off(request, pk: int, payload: WriteOffDecisionIn):
    r = access_recovery_by_id(request.auth, pk, capability=caps.PAYROLL)
    recovery.decide_write_off(request.auth, r, approve=payload.approve, note=payload.note)
    return recovery_detail_out(access_recovery_by_id(request.auth, pk))
