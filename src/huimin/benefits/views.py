"""Thin views: parse the request, call a service, show the result. Every object is fetched in scope (404
outside); every refusal is a message, never a stack trace."""

import datetime
import json

from django.contrib import messages
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from huimin.benefits import accounts, assess, bank, funds, labels, restandard, services, standards
from huimin.benefits import capabilities as caps
from huimin.benefits.access import access_bank_batch_by_id, access_payroll_month_by_id
from huimin.benefits.calculators import CalculationError
from huimin.benefits.models import (
    Area,
    BankTemplate,
    PayrollLine,
    PayrollMonth,
    Period,
    PriceIndex,
    ProgrammeFund,
    Standard,
    StandardKind,
)
from huimin.core import regions
from huimin.core.access import show_refusal
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.roles import has_capability
from huimin.core.scope import in_scope, scoped, subtree
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import (
    XLSX,
    download,
    header_widths,
    workbook_bytes,
    write_table,
    xlsx_download,
    xlsx_response,
)
from huimin.core.uploads import SPREADSHEET_MAX_BYTES, check_size

PAGE_SIZE = 50


def _date(value):
    try:
        return datetime.date.fromisoformat((value or "").strip()) if (value or "").strip() else None
    except ValueError:
        return "bad"


@capability_required(caps.VIEW)
def standard_list(request):
    prefix = request.user.region.prefix if request.user.region_id else None
    rows = Standard.objects.select_related("region")
    kind = request.GET.get("kind", "")
    if kind:
        rows = rows.filter(kind=kind)
    # the rows that apply to the user's region (set above it) and those set inside their subtree
    rows = [
        r
        for r in rows
        if prefix and (r.region_id.startswith(prefix) or request.user.region_id.startswith(r.region.prefix))
    ][:500]
    return render(
        request,
        "benefits/standards.html",
        {
            "rows": rows,
            "warnings": standards.warnings(rows),
            "kinds": StandardKind.choices,
            "areas": Area.choices,
            "periods": Period.choices,
            "kind": kind,
            "indices": scoped(PriceIndex.objects.all(), request.user, capability=caps.VIEW).order_by("-month")[:24],
        },
    )


@require_POST
@capability_required(caps.STANDARDS)
def standard_add(request):
    p = request.POST
    start, end = _date(p.get("effective_from")), _date(p.get("effective_to"))
    try:
        if start in (None, "bad") or end == "bad":
            raise ServiceError("请按 2026-01-01 的格式填写生效日期")
        _, warning = services.add_standard(
            request.user,
            kind=p.get("kind", ""),
            region_code=p.get("region") or request.user.region_id,
            area=p.get("area", Area.ALL),
            period=p.get("period", Period.MONTH),
            value=p.get("value", ""),
            effective_from=start,
            effective_to=end,
            base_kind=p.get("base_kind", ""),
            factor_num=p.get("factor_num", ""),
            factor_den=p.get("factor_den") or 1,
            age_from=p.get("age_from", ""),
            age_to=p.get("age_to", ""),
            source=p.get("source", ""),
        )
    except (ServiceError, ValueError) as exc:
        messages.error(request, str(exc) if isinstance(exc, ServiceError) else "年龄须为整数")
    else:
        if warning:
            messages.warning(request, "已保存，但请注意：" + warning.message)
        else:
            messages.success(request, "已新增标准（原有记录保留）")
    return redirect("benefits:standards")


@require_POST
@capability_required(caps.STANDARDS)
def price_index(request):
    try:
        services.set_price_index(
            request.user,
            region_code=request.POST.get("region") or request.user.region_id,
            month=request.POST.get("month", ""),
            value=request.POST.get("value", ""),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已录入价格指数")
    return redirect("benefits:standards")


@capability_required(caps.VIEW)
def payroll_months(request):
    months = scoped(PayrollMonth.objects.select_related("region"), request.user, capability=caps.VIEW)
    today = timezone.localdate()
    return render(
        request,
        "benefits/payroll_months.html",
        {
            "page": page_of(request, months, PAGE_SIZE),
            "default_month": f"{today:%Y-%m}",
        },
    )


@require_POST
@capability_required(caps.PAYROLL)
def payroll_build(request):
    try:
        payroll = services.build(
            request.user,
            region_code=request.POST.get("region") or request.user.region_id,
            month=request.POST.get("month", ""),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("benefits:payroll_months")
    messages.success(request, f"已生成 {payroll.line_count} 笔，合计 {payroll.total} 元（{payroll.build_seconds} 秒）")
    return redirect("benefits:payroll_detail", payroll.pk)


def _payroll(request, pk) -> PayrollMonth:
    return access_payroll_month_by_id(request.user, pk)


@capability_required(caps.VIEW)
def payroll_detail(request, pk):
    payroll = _payroll(request, pk)
    lines = PayrollLine.objects.filter(payroll=payroll).select_related("payee", "region").order_by("id")
    kind, enrolment = request.GET.get("kind", ""), request.GET.get("enrolment", "")
    if kind:
        lines = lines.filter(kind=kind)
    if enrolment.isdigit():
        lines = lines.filter(enrolment_id=int(enrolment))
    if request.GET.get("account_changed"):
        lines = lines.filter(account_changed=True)
    programme = request.GET.get("programme", "")
    if programme:
        lines = lines.filter(programme_code=programme)
    totals = funds.month_totals(payroll)
    page = page_of(request, lines, PAGE_SIZE)
    names = {r["code"]: r["programme"] for r in totals}
    fund_names = {r["fund_id"]: r["fund"] for r in totals}
    for line in page:  # each code shown is its Chinese label
        line.programme_name = names.get(line.programme_code, line.programme_code)
        line.fund_name = fund_names.get(line.fund_id, "")
        line.explanation_items = labels.explanation_items(line.explanation)
    templates = list(scoped(BankTemplate.objects.filter(is_active=True), request.user, capability=caps.VIEW))
    batches = list(payroll.batches.select_related("template"))
    for batch in batches:
        batch.programme_name = names.get(batch.programme_code, batch.programme_code) or "全部项目"
    return render(
        request,
        "benefits/payroll_detail.html",
        {
            "payroll": payroll,
            "totals": totals,
            "unfunded": []
            if payroll.is_locked
            else funds.unfunded(
                payroll.region.prefix, payroll.month, [r["code"] for r in totals] + list(_funded_codes(payroll))
            ),
            "where_funds": funds.WHERE_CONFIGURED,
            "programme": programme,
            "page": page,
            "diff": services.differences(payroll),
            "batches": batches,
            "templates": templates,
            "programme_names": names,
            "retry": bank.retry_list(payroll)[:200],
            "retry_count": bank.retry_list(payroll).count(),
            "paid_total": bank.paid_total(payroll),
        },
    )


def _funded_codes(payroll: PayrollMonth) -> set[str]:
    return {row["programme_code"] for row in funds.payroll_table(payroll.month, payroll.region.prefix)}


@capability_required(caps.PAYROLL)
def payroll_lines_export(request, pk):
    """The month's lines (accounts masked) and, on a second sheet, its totals by programme and fund."""
    from openpyxl import Workbook

    payroll = _payroll(request, pk)
    workbook = Workbook(write_only=True)
    headers = accounts.REVIEW_HEADERS
    write_table(workbook.create_sheet("发放明细"), headers, accounts.review_export(request.user, payroll),
                freeze=True, widths=header_widths(headers))  # fmt: skip
    headers = ("救助项目", "资金来源", "笔数", "金额（元）", "其中：类别", "各级财政分担")
    rows = [
        (r["programme"], r["fund"], r["count"], r["total"], "；".join(f"{k} {n} 笔 {t} 元" for k, n, t in r["kinds"]),
         "；".join(f"{label} {pct}% {amount} 元" for label, pct, amount in r["shares"]))
        for r in funds.month_totals(payroll)
    ]  # fmt: skip
    rows.append(("合计", "", payroll.line_count, payroll.total, "", ""))
    write_table(workbook.create_sheet("分项目合计"), headers, rows, widths=header_widths(headers))
    return xlsx_download(workbook_bytes(workbook), f"发放明细-{payroll.region_id[:6]}-{payroll.month:%Y%m}")


@require_POST
@capability_required(caps.PAYROLL)
def payroll_act(request, pk, action):
    payroll = _payroll(request, pk)
    try:
        if action == "rebuild":
            services.build(request.user, region_code=payroll.region_id, month=payroll.month)
        elif action in ("review", "approve", "lock"):
            services.advance(request.user, payroll, action)
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已办理")
    return redirect("benefits:payroll_detail", payroll.pk)


@require_POST
@capability_required(caps.PAY)
def bank_export(request, pk):
    payroll = _payroll(request, pk)
    template = (
        scoped(BankTemplate.objects.all(), request.user, capability=caps.VIEW)
        .filter(pk=request.POST.get("template") or 0)
        .first()
    )
    try:
        if template is None:
            raise ServiceError("请选择代发文件模板")
        name, content, _ = bank.export(request.user, payroll, template, retry=request.POST.get("retry") == "1")
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("benefits:payroll_detail", payroll.pk)
    types = {"csv": "text/csv", "txt": "text/plain", "xlsx": XLSX, "zip": "application/zip"}
    response = download(content, name, types[name.rsplit(".", 1)[1]])
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@capability_required(caps.PAY)
def bank_return(request, pk):
    batch = access_bank_batch_by_id(request.user, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ServiceError("请选择银行回盘文件")
        check_size(upload, SPREADSHEET_MAX_BYTES, "回盘文件")
        result = bank.import_return(request.user, batch, upload.name, upload.read())
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"回盘处理完成：成功 {result['paid']} 笔，失败 {result['failed']} 笔（已列入重发清单）"
        )
    return redirect("benefits:payroll_detail", batch.payroll_id)


@capability_required(caps.PAY)
def templates(request):
    rows = scoped(BankTemplate.objects.select_related("region"), request.user, capability=caps.VIEW)
    example = json.dumps(
        [
            {"field": "account", "header": "账号", "width": 19},
            {"field": "name", "header": "户名", "width": 20},
            {"field": "amount", "header": "金额", "width": 12},
            {"field": "reference", "header": "流水号", "width": 20},
        ],
        ensure_ascii=False,
    )
    return render(
        request,
        "benefits/templates.html",
        {"rows": rows, "formats": BankTemplate.Format.choices, "example": example, "fields": bank.FIELDS},
    )


@require_POST
@capability_required(caps.PAY)
def template_create(request):
    p = request.POST
    try:
        try:
            columns = json.loads(p.get("columns", "") or "null")
        except json.JSONDecodeError as exc:
            raise ServiceError("列定义须为 JSON 数组") from exc
        bank.create_template(
            request.user,
            name=p.get("name", ""),
            bank_name=p.get("bank_name", ""),
            region_code=p.get("region") or request.user.region_id,
            format=p.get("format", ""),
            columns=columns,
            encoding=p.get("encoding", "utf-8"),
            delimiter=p.get("delimiter", ","),
            header_row=p.get("header_row") == "1",
            split_by_programme=p.get("split_by_programme") == "1",
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已新增代发模板")
    return redirect("benefits:templates")


@capability_required(caps.VIEW)
def report(request):
    """资金发放统计 moved to the statistics (``stats:funds``, with its export); the old address leads there."""
    query = request.GET.urlencode()
    return redirect(reverse("stats:funds") + (f"?{query}" if query else ""))


@capability_required(caps.VIEW)
def fund_list(request):
    """发放项目与资金来源: the rows that apply at the user's region (set above it) and those set inside it."""
    prefix = request.user.region.prefix if request.user.region_id else None
    rows = [
        r
        for r in ProgrammeFund.objects.select_related("programme", "region")
        if prefix and (r.region_id is None or r.region_id.startswith(prefix) or prefix.startswith(r.region.prefix))
    ][:500]
    from huimin.assistance.models import Programme

    return render(
        request,
        "benefits/funds.html",
        {
            "rows": rows,
            "programmes": Programme.objects.filter(is_active=True, one_off=False),
            "shares": ProgrammeFund.SHARES,
        },
    )


@require_POST
@capability_required(caps.STANDARDS)
def fund_add(request):
    p = request.POST
    start, end = _date(p.get("effective_from")), _date(p.get("effective_to"))
    try:
        if start in (None, "bad") or end == "bad":
            raise ServiceError("请按 2026-01-01 的格式填写生效日期")
        funds.add_fund(
            request.user,
            programme_code=p.get("programme", ""),
            region_code=p.get("region") or request.user.region_id,
            fund_name=p.get("fund_name", ""),
            effective_from=start,
            effective_to=end,
            shares={field: p.get(field, "") for field, _ in ProgrammeFund.SHARES},
            source=p.get("source", ""),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已新增发放项目与资金来源（原有记录保留）")
    return redirect("benefits:funds")


@capability_required(caps.VIEW)
def calculator(request):
    """试算: the 低保 or 特困 amount with the standards in force at a region, with its explanation."""
    g = request.GET
    result, error = None, ""
    if g.get("kind"):
        try:
            result = _calculate(request.user, g)
        except (ServiceError, CalculationError, LookupError) as exc:
            error = str(exc)
        except (ValueError, ArithmeticError):
            error = "请填写正确的数字"
    return render(
        request, "benefits/calculator.html", {"result": result, "error": error, "q": g, "today": timezone.localdate()}
    )


def _calculate(user, g):
    region = (g.get("region") or user.region_id or "").strip()
    if not in_scope(user, region):
        raise ServiceError("区划不存在或不在您的管辖范围内")
    day = _date(g.get("day")) or timezone.localdate()
    if day == "bad":
        raise ServiceError("日期格式不正确")
    if g["kind"] not in assess.CALCULATED:
        raise ServiceError("请选择试算项目")
    data = {**g.dict(), "income_per_head": g.get("income", "")}  # an empty income is refused, never 0
    return assess.calculate(g["kind"], region, day, g.get("area") == "urban", assess.inputs_of(data))


@capability_required(caps.STANDARDS)
def restandard_page(request):
    """调标: choose region, programme and effective month; the preview lists what would change."""
    g = request.GET
    today = timezone.localdate()
    q = {
        "region": g.get("region") or request.user.region_id or "",
        "kind": g.get("kind", "dibao"),
        "month": g.get("month") or f"{today:%Y-%m}",
    }
    plan, error = None, ""
    if g.get("preview"):
        try:
            plan = restandard.plan(request.user, region_code=q["region"], kind=q["kind"], month=q["month"])
        except ServiceError as exc:
            error = str(exc)
    return render(
        request,
        "benefits/restandard.html",
        {"q": q, "plan": plan, "error": error, "kinds": assess.CALCULATED.items(), "limit": 500},
    )


@require_POST
@capability_required(caps.STANDARDS)
def restandard_apply(request):
    p = request.POST
    args = {"region_code": p.get("region", ""), "kind": p.get("kind", ""), "month": p.get("month", "")}
    try:
        plan = restandard.apply(request.user, reasons=p.get("reasons", ""), **args)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"已调标 {len(plan.changed)} 户（人），每月合计变化 {plan.monthly_difference} 元，"
            f"自 {plan.month:%Y年%m月} 起生效；"
            f"{len(plan.manual)} 户（人）需人工核定。已锁定月份的差额将在下次生成月度发放时补发或追回",
        )
    query = f"?region={args['region_code']}&kind={args['kind']}&month={args['month']}&preview=1"
    return redirect(reverse("benefits:restandard") + query)


# --- 追缴 (recoveries) ------------------------------------------------------------------------------------------


def _recoveries(request):
    from huimin.benefits.models import Recovery

    return scoped(Recovery.objects.select_related("region", "payee"), request.user, capability=caps.VIEW)


def _recovery_filters(request, qs):
    from huimin.benefits.models import Recovery

    f = {k: request.GET.get(k, "").strip() for k in ("status", "programme", "reason", "region", "since", "until")}
    if f["status"] == "open":
        qs = qs.filter(status__in=[Recovery.Status.OPEN, Recovery.Status.WRITE_OFF_PENDING])
    elif f["status"] in Recovery.Status.values:
        qs = qs.filter(status=f["status"])
    if f["programme"]:
        qs = qs.filter(programme_code=f["programme"])
    if f["reason"] in Recovery.Reason.values:
        qs = qs.filter(reason=f["reason"])
    if f["region"].isdigit():  # a region's 12-digit code (its own subtree) or a code prefix as typed
        qs = qs.filter(subtree("region", regions.prefix_of(f["region"]) if len(f["region"]) == 12 else f["region"]))
    for key, lookup in (("since", "from_month__gte"), ("until", "from_month__lte")):
        day = _date(f[key] + "-01" if len(f[key]) == 7 else f[key])
        if isinstance(day, datetime.date):
            qs = qs.filter(**{lookup: day})
    return qs, f


RECOVERY_HEADERS = ["编号", "村（社区）", "救助项目", "领款人", "原因", "死亡（停保）日期", "停发起始月份", "追缴月份",
                    "应追缴（元）", "已追回（元）", "已核销（元）", "尚欠（元）", "状态", "登记时间"]  # fmt: skip


@capability_required(caps.VIEW)
def recovery_list(request):
    from huimin.assistance.models import Programme
    from huimin.benefits.models import Recovery
    from huimin.core import audit

    qs, f = _recovery_filters(request, _recoveries(request))
    qs = qs.order_by("-created_at", "-id")
    if request.GET.get("export") == "xlsx":
        names = dict(Programme.objects.values_list("code", "name"))
        audit.record("benefits.export.recoveries", detail=f"{qs.count()} 条")
        rows = (
            (r.pk, r.region.name, names.get(r.programme_code, r.programme_code), r.payee.name, r.get_reason_display(),
             r.event_date, r.from_month.strftime("%Y-%m"),
             "、".join(m.strftime("%Y-%m") for m in r.items.values_list("service_month", flat=True)),
             r.total, r.repaid, r.written_off, r.outstanding, r.get_status_display(),
             timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"))
            for r in qs.prefetch_related("items")
        )  # fmt: skip
        return xlsx_response("追缴清单", "追缴清单", RECOVERY_HEADERS, rows)
    page = page_of(request, qs, PAGE_SIZE)
    names = dict(Programme.objects.values_list("code", "name"))
    for r in page:
        r.programme_name = names.get(r.programme_code, r.programme_code)
    return render(
        request,
        "benefits/recoveries.html",
        {
            "page": page,
            "filters": f,
            "statuses": Recovery.Status.choices,
            "reasons": Recovery.Reason.choices,
            "programmes": names,
            "totals": qs.aggregate(**{k: Sum(k) for k in ("total", "repaid", "written_off")}),
        },
    )


@capability_required(caps.VIEW)
def recovery_detail(request, pk):
    from huimin.assistance.models import Programme
    from huimin.benefits.access import access_recovery_by_id

    r = access_recovery_by_id(request.user, pk)
    return render(
        request,
        "benefits/recovery.html",
        {
            "r": r,
            "programme": Programme.objects.filter(code=r.programme_code).first(),
            "items": r.items.all(),
            "repayments": r.repayments.all(),
            "may_act": has_capability(request.user, caps.PAYROLL),
            "today": timezone.localdate(),
        },
    )


@require_POST
@capability_required(caps.PAYROLL)
def recovery_act(request, pk, action):
    from huimin.benefits import recovery
    from huimin.benefits.access import access_recovery_by_id

    r = access_recovery_by_id(request.user, pk, capability=caps.PAYROLL)
    p = request.POST
    try:
        if action == "repay":
            paid_on = _date(p.get("paid_on"))
            if paid_on == "bad":
                raise ServiceError("退回日期格式不正确，应为 YYYY-MM-DD")
            recovery.record_repayment(request.user, r, amount=p.get("amount", ""), paid_on=paid_on,
                                      note=p.get("note", ""))  # fmt: skip
            messages.success(request, "已登记退回。")
        elif action == "write_off":
            recovery.request_write_off(request.user, r, p.get("reason", ""))
            messages.success(request, "已申请核销，待其他工作人员审批。")
        elif action in ("approve", "refuse"):
            recovery.decide_write_off(request.user, r, approve=action == "approve", note=p.get("note", ""))
            messages.success(request, "已核销。" if action == "approve" else "已不同意核销，继续追缴。")
        else:
            raise Http404("没有这个操作")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("benefits:recovery", pk=r.pk)
