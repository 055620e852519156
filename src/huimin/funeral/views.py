"""Thin views of 殡葬管理: parse the request, call a service, render."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core import audit, regions
from huimin.core.access import show_refusal, visible_configuration
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.roles import EXPORT, has_capability
from huimin.core.scope import regions_of, scoped
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.funeral import capabilities as cap
from huimin.funeral import services
from huimin.funeral.access import access_record_by_id, access_report_by_id, access_settlement_by_id
from huimin.funeral.models import (
    BurialReport,
    Facility,
    FacilityKind,
    Group,
    Inspection,
    Record,
    Service,
    Settlement,
    WaiverPolicy,
)

PAGE = 30


def _regions(user, levels=(regions.COUNTY, regions.TOWNSHIP)):
    return regions_of(user, levels)


def _facilities(user, capability=cap.VIEW):
    return scoped(Facility.objects.select_related("region"), user, "region", capability)


# --- records -----------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def record_list(request):
    f = {k: request.GET.get(k, "").strip() for k in ("q", "facility", "disposal", "month")}
    qs = scoped(Record.objects.select_related("facility", "person", "region"), request.user, "region", cap.VIEW)
    if f["q"]:
        qs = qs.filter(deceased_name__contains=f["q"]) | qs.filter(number=f["q"])
    if f["facility"].isdigit():
        qs = qs.filter(facility_id=int(f["facility"]))
    if f["disposal"] in Record.Disposal.values:
        qs = qs.filter(disposal=f["disposal"])
    if f["month"]:
        try:
            month = services.month_of(f["month"])
            qs = qs.filter(disposed_on__year=month.year, disposed_on__month=month.month)
        except ServiceError:
            f["month"] = ""
    qs = qs.order_by("-disposed_on", "-id")
    if request.GET.get("export") == "xlsx":
        if not has_capability(request.user, EXPORT):
            raise Http404
        audit.record("funeral.export.records", detail=f"{qs.count()} 条")
        rows = [
            (r.number, r.deceased_name, r.region.name, r.get_cause_display(), r.death_date, r.facility.name,
             r.get_disposal_display(), r.disposed_on, r.get_group_display(), r.waiver)
            for r in qs[:20000]
        ]  # fmt: skip
        headers = ["记录编号", "逝者", "所在区划", "死亡原因类别", "死亡日期", "殡葬服务单位", "处置方式",
                   "火化/安葬日期", "减免类别", "减免金额（元）"]  # fmt: skip
        return xlsx_response("遗体处置记录", "遗体处置记录", headers, rows)
    return render(request, "funeral/records.html", {
        "page": page_of(request, qs, PAGE), "filters": f, "facilities": _facilities(request.user),
        "disposals": Record.Disposal.choices,
    })  # fmt: skip


def _form_context(request, data=None, preview=None):
    return {
        "facilities": _facilities(request.user, cap.RECORD).filter(is_active=True),
        "causes": Record.Cause.choices,
        "certificates": Record.Certificate.choices,
        "disposals": Record.Disposal.choices,
        "ashes": [c for c in Record.Ashes.choices if c[0]],
        "services": Service.choices,
        "data": data or {"received_on": services.today().isoformat(), "disposed_on": services.today().isoformat()},
        "preview": preview,
    }


@capability_required(cap.RECORD)
def record_new(request):
    if request.method != "POST":
        return render(request, "funeral/record_new.html", _form_context(request))
    data = request.POST.dict()
    try:
        if data.get("step") == "preview":
            checked = services.check_record(request.user, data)
            return render(request, "funeral/record_new.html", _form_context(request, data, {
                "person": checked.person, "waiver": checked.waiver,
            }))  # fmt: skip
        record = services.do_record(request.user, data)
    except ServiceError as exc:
        show_refusal(request, exc)
        return render(request, "funeral/record_new.html", _form_context(request, data), status=400)
    messages.success(request, f"已登记 {record.number}：{record.signal.get('note', '')}")
    return redirect("funeral:record", record.pk)


@capability_required(cap.VIEW)
def record_detail(request, pk):
    record = access_record_by_id(request.user, pk)
    return render(request, "funeral/record.html", {
        "r": record, "checklist": services.checklist(record),
        "fees": record.waiver_basis.get("lines", []),
    })  # fmt: skip


# --- configuration -----------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def facility_list(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.CONFIGURE):
            raise _forbidden("登记殡葬服务单位")
        try:
            facility = services.add_facility(request.user, request.POST.dict())
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已登记 {facility.name}")
            return redirect("funeral:facilities")
    qs = _facilities(request.user).order_by("region_id", "kind", "name")
    facilities = list(qs)
    year = services.today().year
    done = dict(Inspection.objects.filter(facility__in=facilities, year=year).values_list("facility_id", "result"))
    for f in facilities:
        f.inspection = Inspection.Result(done[f.pk]).label if f.pk in done else ""
    return render(request, "funeral/facilities.html", {
        "facilities": facilities, "kinds": FacilityKind.choices, "regions": _regions(request.user),
        "may_configure": has_capability(request.user, cap.CONFIGURE), "year": year,
    })  # fmt: skip


def _forbidden(what: str):
    from huimin.core.access import Forbidden

    return Forbidden(f"您的角色无权{what}")


@capability_required(cap.VIEW)
def policy_list(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.CONFIGURE):
            raise _forbidden("设置惠民殡葬政策")
        data = request.POST.dict()
        data["services"] = request.POST.getlist("services")
        try:
            services.add_policy(request.user, data)
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, "已新增惠民殡葬政策")
            return redirect("funeral:policies")
    rows = visible_configuration(WaiverPolicy.objects.select_related("region"), request.user).order_by(
        "region_id", "group", "-effective_from"
    )
    return render(request, "funeral/policies.html", {
        "policies": rows, "groups": Group.choices, "services": Service.choices,
        "regions": _regions(request.user, (regions.CITY, regions.COUNTY)),
        "may_configure": has_capability(request.user, cap.CONFIGURE),
    })  # fmt: skip


# --- settlements -------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def settlement_list(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.SETTLE):
            raise _forbidden("制作结算单")
        try:
            s = services.prepare_settlement(request.user, request.POST.get("facility"), request.POST.get("month"))
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已生成 {s} 结算单，待审核")
            return redirect("funeral:settlement", s.pk)
    qs = scoped(Settlement.objects.select_related("facility"), request.user, "facility__region", cap.VIEW)
    last = (services.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    return render(request, "funeral/settlements.html", {
        "page": page_of(request, qs.order_by("-month", "facility_id"), PAGE), "last_month": last,
        "facilities": _facilities(request.user).filter(kind__in=[FacilityKind.FUNERAL_HOME, FacilityKind.CREMATORIUM]),
        "may_settle": has_capability(request.user, cap.SETTLE),
    })  # fmt: skip


@capability_required(cap.VIEW)
def settlement_detail(request, pk):
    s = access_settlement_by_id(request.user, pk)
    items = Record.objects.filter(settlement=s).order_by("disposed_on", "id")
    return render(request, "funeral/settlement.html", {
        "s": s, "items": items,
        "may_review": has_capability(request.user, cap.REVIEW),
        "may_approve": has_capability(request.user, cap.APPROVE),
    })  # fmt: skip


@capability_required(cap.VIEW)
@require_POST
def settlement_act(request, pk, action):
    needed = {"review": cap.REVIEW, "approve": cap.APPROVE, "return": cap.REVIEW}.get(action, cap.REVIEW)
    s = access_settlement_by_id(request.user, pk, capability=needed)
    try:
        services.act_on_settlement(request.user, s, action, request.POST.get("note", ""))
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已办理")
    return redirect("funeral:settlement", s.pk)


# --- supervision -------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def supervision(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.SUPERVISE):
            raise _forbidden("登记违规殡葬举报")
        try:
            services.report_burial(request.user, request.POST.dict())
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, "已登记举报")
            return redirect("funeral:supervision")
    reports = scoped(BurialReport.objects.select_related("region"), request.user, "region", cap.VIEW)
    inspections = scoped(Inspection.objects.select_related("facility"), request.user, "facility__region", cap.VIEW)
    return render(request, "funeral/supervision.html", {
        "page": page_of(request, reports, PAGE), "inspections": inspections.order_by("-year", "facility_id")[:50],
        "cemeteries": _facilities(request.user).filter(kind__in=[FacilityKind.PUBLIC_CEMETERY,
                                                                  FacilityKind.BUSINESS_CEMETERY]),
        "results": Inspection.Result.choices, "regions": _regions(request.user, (regions.TOWNSHIP, regions.VILLAGE)),
        "may_supervise": has_capability(request.user, cap.SUPERVISE), "today": services.today(),
    })  # fmt: skip


@capability_required(cap.SUPERVISE)
@require_POST
def inspection_add(request):
    try:
        services.record_inspection(request.user, request.POST.dict())
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已登记年检")
    return redirect("funeral:supervision")


@capability_required(cap.SUPERVISE)
@require_POST
def report_handle(request, pk):
    report = access_report_by_id(request.user, pk, capability=cap.SUPERVISE)
    try:
        services.handle_report(request.user, report, request.POST.get("status", ""), request.POST.get("outcome", ""))
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已办理")
    return redirect("funeral:supervision")


@capability_required(cap.VIEW)
def stats(request):
    this_year = services.today().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year)
    rows = services.statistics(request.user, year)
    total = {k: sum(r[k] for r in rows) for k in ("deaths", "cremations", "burials", "waived", "paid")}
    total["rate"] = round(total["cremations"] * 100 / total["deaths"], 1) if total["deaths"] else None
    return render(request, "funeral/stats.html", {"rows": rows, "total": total, "year": year,
                                                  "years": range(this_year, this_year - 5, -1)})  # fmt: skip
