"""Thin views: parse the region (inside the user's subtree, else 404) and the month, read the materialised
figures, render a page, an .xlsx or a PDF."""

import datetime
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from huimin.core import regions
from huimin.core.access import show_refusal
from huimin.core.decorators import capability_required
from huimin.core.models import Region
from huimin.core.roles import STATS_VIEW, has_capability
from huimin.core.scope import in_scope
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import download, xlsx_download
from huimin.stats import capabilities as caps
from huimin.stats import compute, disbursement, figures, indicators, reports, services
from huimin.stats.models import Indicator, MonthRun

TREND_MONTHS = 12
AREAS = {"": None, "urban": True, "rural": False}


def _region(request) -> Region:
    code = (request.GET.get("region") or request.POST.get("region") or "").strip()
    if not code:
        if request.user.region is None:
            raise PermissionDenied("您的账号没有所属区划")
        return request.user.region
    try:
        code = regions.normalize_code(code)
    except regions.RegionCodeError as exc:
        raise Http404("区划不存在或不在您的管辖范围内") from exc
    if not in_scope(request.user, code):
        raise Http404("区划不存在或不在您的管辖范围内")
    return get_object_or_404(Region, code=code)


def default_month() -> datetime.date:
    """The last complete month: the one a statistician files."""
    return compute.add_months(compute.month_start(timezone.localdate()), -1)


def _month(request) -> datetime.date:
    text = (request.GET.get("month") or request.POST.get("month") or "").strip()
    if not text:
        return default_month()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise ValueError("统计月份格式应为“2026-10”")
    month = datetime.date(int(match[1]), int(match[2]), 1)
    if month > compute.month_start(timezone.localdate()):
        raise ValueError("不能查看未来月份的统计数据")
    return month


def _params(request):
    region = _region(request)
    try:
        month = _month(request)
    except ValueError as exc:
        show_refusal(request, exc)
        month = default_month()
    area = request.GET.get("area", "")
    return region, month, AREAS.get(area), area if area in AREAS else ""


def _breadcrumbs(user, region: Region) -> list[Region]:
    return [r for r in [*region.ancestors(), region] if in_scope(user, r.code)]


def _dashboard_data(user, region, month) -> dict:
    months = figures.months_back(month, TREND_MONTHS)
    compute.ensure(months)
    names = figures.programme_names()
    trend = figures.trend(user, region, months)
    current = figures.by_programme(user, region, month)
    areas = figures.by_area(user, region, month)
    return {
        "months": [f"{m:%Y-%m}" for m in months],
        "total": figures.total(user, region, month),
        "trend": trend,
        "trend_series": [
            {"name": names.get(code, code), "data": values} for code, values in sorted(trend["programmes"].items())
        ],
        "composition": [{"name": r["name"], "value": r["persons"]} for r in current if r["is_total"]],
        "areas": {
            "programmes": [r["name"] for r in current if r["is_total"]],
            "urban": [
                next((p["persons"] for p in current if p["code"] == r["code"] and p["area"] == "城市"), 0)
                for r in current
                if r["is_total"]
            ],
            "rural": [
                next((p["persons"] for p in current if p["code"] == r["code"] and p["area"] == "农村"), 0)
                for r in current
                if r["is_total"]
            ],
            "urban_total": (areas.get(True) or {}).get("persons", 0),
            "rural_total": (areas.get(False) or {}).get("persons", 0),
        },  # fmt: skip
        "children": figures.by_child(user, region, month),
    }


@capability_required(STATS_VIEW)
def dashboard(request):
    region, month, _, _ = _params(request)
    if not request.GET.get("month"):
        # opened from the menu: the latest month with payments, not an empty month the payroll has not reached yet
        month = figures.latest_paid_month(request.user, region, month) or month
    data = _dashboard_data(request.user, region, month)
    chart_json = {
        "months": data["months"],
        "households": [r["households"] for r in data["trend"]["totals"]],
        "persons": [r["persons"] for r in data["trend"]["totals"]],
        "amounts": [float(r["amount_paid"]) for r in data["trend"]["totals"]],
        "series": data["trend_series"],
        "composition": data["composition"],
        "areas": data["areas"],
        "children": [{"name": c["name"], "persons": c["persons"], "households": c["households"]}
                     for c in data["children"]],
    }  # fmt: skip
    board = indicators.board(region, month, [])
    return render(
        request,
        "stats/dashboard.html",
        {
            "region": region,
            "month": month,
            "month_text": f"{month:%Y-%m}",
            "crumbs": _breadcrumbs(request.user, region),
            "data": data,
            "chart_json": chart_json,
            "charts": list(CHARTS.items()),
            "board": board,
            "run": MonthRun.objects.filter(month=month).first(),
            "can_manage": _can_manage(request.user),
        },
    )


def _can_manage(user) -> bool:
    return has_capability(user, caps.MANAGE)


CHARTS = {
    "trend": "在保人数月度趋势",
    "composition": "在保人数构成",
    "areas": "城乡分布",
    "regions": "分地区情况",
}


@capability_required(STATS_VIEW)
def chart_xlsx(request, chart: str):
    if chart not in CHARTS:
        raise Http404("图表不存在")
    region, month, _, _ = _params(request)
    data = _dashboard_data(request.user, region, month)
    period = f"{month.year}年{month.month}月"
    if chart == "trend":
        names = [s["name"] for s in data["trend_series"]]
        headers = ["月份", "在保户数（户）", "在保人数（人）", "发放金额（元）", *[f"{n}（人）" for n in names]]
        rows = [
            [m, t["households"], t["persons"], t["amount_paid"], *[s["data"][i] for s in data["trend_series"]]]
            for i, (m, t) in enumerate(zip(data["months"], data["trend"]["totals"], strict=True))
        ]
        period = f"{data['months'][0]} 至 {data['months'][-1]}"
    elif chart == "composition":
        headers = ["救助项目", "在保人数（人）"]
        rows = [[c["name"], c["value"]] for c in data["composition"]]
    elif chart == "areas":
        headers = ["救助项目", "城市（人）", "农村（人）"]
        a = data["areas"]
        rows = [[p, u, r] for p, u, r in zip(a["programmes"], a["urban"], a["rural"], strict=True)]
    else:
        headers = ["地区", "区划代码", "在保户次（户）", "在保人次（人）", "发放金额（元）", "受理申请（件）"]
        rows = [[c["name"], c["code"], c["households"], c["persons"], c["amount_paid"], c["apps_received"]]
                for c in data["children"]]  # fmt: skip
    content = reports.table_xlsx(CHARTS[chart], region.full_name(), period, headers, rows)
    return xlsx_download(content, f"{CHARTS[chart]}-{region.code[:9]}-{month:%Y%m}")


@capability_required(STATS_VIEW)
def monthly(request):
    region, month, urban, area = _params(request)
    compute.ensure([month])
    report = reports.monthly(request.user, region, month, urban)
    return render(
        request,
        "stats/monthly.html",
        {
            **report,
            "month_text": f"{month:%Y-%m}",
            "area_code": area,
            "programme_headers": ["项目", "城乡"],
            "region_headers": ["地区", "区划代码"],
            "crumbs": _breadcrumbs(request.user, region),
            "can_manage": _can_manage(request.user),
        },
    )


@capability_required(STATS_VIEW)
def monthly_xlsx(request):
    region, month, urban, _ = _params(request)
    compute.ensure([month])
    report = reports.monthly(request.user, region, month, urban)
    return xlsx_download(reports.xlsx(report), f"社会救助月报-{region.code[:9]}-{month:%Y%m}")


@capability_required(STATS_VIEW)
def monthly_pdf(request):
    region, month, urban, _ = _params(request)
    compute.ensure([month])
    report = reports.monthly(request.user, region, month, urban)
    name = f"社会救助月报-{region.code[:9]}-{month:%Y%m}.pdf"
    return download(reports.pdf(report), name, "application/pdf", inline=True)


@require_POST
@capability_required(caps.MANAGE)
def recompute(request):
    region = _region(request)
    try:
        month = _month(request)
        run = services.recompute(request.user, month, region)
    except (ValueError, ServiceError) as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"已重新计算 {month.year}年{month.month}月 的统计数据（耗时 {run.seconds:.1f} 秒）")
    back = request.POST.get("next", "")
    target = back if back.startswith("/stats/") else reverse("stats:monthly")
    sep = "&" if "?" in target else "?"
    return redirect(target if "?" in target else f"{target}{sep}region={region.code}")


@capability_required(STATS_VIEW)
def indicator_list(request):
    region, month, _, _ = _params(request)
    months = figures.months_back(month, TREND_MONTHS)
    compute.ensure(months)
    board = indicators.board(region, month, months)
    return render(
        request,
        "stats/indicators.html",
        {
            "region": region,
            "month": month,
            "month_text": f"{month:%Y-%m}",
            "months": [f"{m:%Y-%m}" for m in months],
            "board": board,
            "trend_json": {
                row["indicator"].code: [float(v) if v is not None else None for v in row["trend"]] for row in board
            },
            "crumbs": _breadcrumbs(request.user, region),
            "can_manage": _can_manage(request.user),
        },
    )


@require_POST
@capability_required(caps.MANAGE)
def indicator_target(request, pk: int):
    indicator = get_object_or_404(Indicator, pk=pk)
    region = _region(request)
    try:
        services.set_target(request.user, indicator, region, request.POST.get("target", ""))
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"已更新“{indicator.name}”在{region.name}的目标值")
    return redirect(f"{reverse('stats:indicators')}?region={region.code}")


def _range(request) -> tuple[datetime.date, datetime.date]:
    """``from`` and ``to`` months (YYYY-MM, or a date in it; each defaults to the last complete month),
    ``from`` ≤ ``to``."""
    months = []
    for key in ("from", "to"):
        text = (request.GET.get(key) or "").strip()
        match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text) if text else None  # a date names its month
        if text and (not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000):
            raise ValueError("月份格式应为“2026-10”")
        months.append(datetime.date(int(match[1]), int(match[2]), 1) if match else None)
    start, end = months
    start, end = start or end or default_month(), end or start or default_month()
    if start > end:
        raise ValueError("起始月份不能晚于截止月份")
    return start, end


def _funds_params(request):
    region = _region(request)
    try:
        start, end = _range(request)
    except ValueError as exc:
        show_refusal(request, exc)
        start = end = default_month()
    return region, start, end


@capability_required(STATS_VIEW)
def funds(request):
    """资金发放统计 by programme and fund for a month or a range."""
    region, start, end = _funds_params(request)
    data = disbursement.report(region, start, end)
    query = f"region={region.code}&from={start:%Y-%m}&to={end:%Y-%m}"
    return render(
        request,
        "stats/funds.html",
        {**data, "from_text": f"{start:%Y-%m}", "to_text": f"{end:%Y-%m}", "query": query,
         "crumbs": _breadcrumbs(request.user, region)},
    )  # fmt: skip


@capability_required(STATS_VIEW)
def funds_xlsx(request):
    region, start, end = _funds_params(request)
    data = disbursement.report(region, start, end)
    return xlsx_download(disbursement.xlsx(data), f"资金发放统计-{region.code[:9]}-{start:%Y%m}-{end:%Y%m}")
