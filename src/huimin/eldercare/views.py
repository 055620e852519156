"""Thin views of 养老机构、社区养老服务设施和适老化改造: parse the request, call a service, render."""

import datetime

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core import audit, regions
from huimin.core.access import show_refusal
from huimin.core.decorators import capability_required
from huimin.core.models import Region
from huimin.core.pagination import page_of
from huimin.core.roles import EXPORT, has_capability
from huimin.core.scope import scoped, starting_with, user_prefixes
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.eldercare import capabilities as cap
from huimin.eldercare import indicators, rules, services
from huimin.eldercare.access import access_facility_by_id, access_institution_by_id, access_retrofit_by_id
from huimin.eldercare.models import Abnormal, BedType, Facility, Institution, Resident, Retrofit, Staff
from huimin.eldercare.registry_hooks import KIND
from huimin.supervision import capabilities as scap
from huimin.supervision import services as supervision
from huimin.supervision.models import Complaint, Finding, Inspection, Risk

PAGE = 30


def _regions(user):
    prefixes = user_prefixes(user)
    qs = Region.objects.filter(level__in=(regions.TOWNSHIP, regions.VILLAGE)).order_by("code")
    return [r for r in qs if any(r.code.startswith(p) for p in prefixes)]


def _act(request, action, success):
    try:
        result = action()
    except ServiceError as exc:
        show_refusal(request, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


# --- institutions --------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def institutions(request):
    qs = scoped(Institution.objects.select_related("region"), request.user, capability=cap.VIEW)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(uscc=q.upper()) | Q(operator__contains=q))
    qs = qs.annotate(residents_now=Count("residents", filter=Q(residents__left_on__isnull=True)),
                     abnormal_now=Count("abnormal", filter=Q(abnormal__removed_on__isnull=True)))  # fmt: skip
    if request.GET.get("export") == "xlsx":
        if not has_capability(request.user, EXPORT):
            raise Http404
        audit.record("eldercare.export.institutions", detail=f"{qs.count()} 家")
        rows = [(i.name, i.get_kind_display(), i.uscc, i.operator, i.region.name, i.address, i.filed_on,
                 i.get_status_display(), i.nursing_beds, i.general_beds, i.residents_now,
                 "是" if i.abnormal_now else "") for i in qs]  # fmt: skip
        headers = ["名称", "性质", "统一社会信用代码", "运营方", "区划", "地址", "备案日期", "状态", "护理型床位",
                   "非护理型床位", "在住人数", "异常名录"]  # fmt: skip
        return xlsx_response("养老机构", "养老机构", headers, rows)
    return render(request, "eldercare/institutions.html", {
        "page": page_of(request, qs.order_by("region_id", "name"), PAGE), "q": q, "kinds": Institution.Kind.choices,
        "regions": _regions(request.user) if has_capability(request.user, cap.REGISTER) else [],
        "today": services.today(),
    })  # fmt: skip


@capability_required(cap.REGISTER)
@require_POST
def institution_add(request):
    row = _act(request, lambda: services.register_institution(request.user, request.POST.dict()),
               lambda i: f"已备案养老机构“{i.name}”")  # fmt: skip
    return redirect("eldercare:institution", row.pk) if row else redirect("eldercare:institutions")


@capability_required(cap.VIEW)
def institution_detail(request, pk):
    inst = access_institution_by_id(request.user, pk)
    user = request.user
    residents = list(inst.residents.filter(left_on__isnull=True).select_related("person").order_by("admitted_on"))
    tekun = services.tekun_central_persons([r.person for r in residents])
    for r in residents:
        r.tekun_central = r.person_id in tekun
    record = supervision.record_of(KIND, inst.pk)
    return render(request, "eldercare/institution.html", {
        "inst": inst, "residents": residents, "occupied": services.occupied(inst),
        "staff": inst.staff.filter(left_on__isnull=True), "ratings": inst.ratings.all(),
        "rating": services.current_rating(inst), "abnormal": inst.abnormal.filter(removed_on__isnull=True).first(),
        "record": record, "credit": services.credit_record(inst), "today": services.today(),
        "bed_types": BedType.choices, "posts": Staff.Post.choices, "statuses": Institution.Status.choices,
        "risk_categories": Risk.Category.choices, "risk_levels": Risk.Level.choices,
        "channels": Complaint.Channel.choices, "kind": KIND,
        "may_register": has_capability(user, cap.REGISTER), "may_approve": has_capability(user, cap.APPROVE),
        "may_risk": has_capability(user, scap.INSPECT), "may_complain": has_capability(user, scap.RECTIFY),
    })  # fmt: skip


@capability_required(cap.REGISTER)
@require_POST
def institution_beds(request, pk):
    p = request.POST
    _act(request, lambda: services.set_beds(request.user, pk, nursing=p.get("nursing_beds"),
         general=p.get("general_beds"), status=p.get("status")), "已更新床位与运营状态")  # fmt: skip
    return redirect("eldercare:institution", pk)


@capability_required(cap.REGISTER)
@require_POST
def resident_add(request, pk):
    p = request.POST
    _act(request, lambda: services.admit(request.user, pk, person_pk=p.get("person"), bed_type=p.get("bed_type"),
         admitted_on=p.get("admitted_on")), lambda r: f"已登记{r.person.name}入住")  # fmt: skip
    return redirect("eldercare:institution", pk)


@capability_required(cap.REGISTER)
@require_POST
def resident_leave(request, pk):
    row = _act(request, lambda: services.discharge(request.user, pk, left_on=request.POST.get("left_on")),
               "已登记离院")  # fmt: skip
    found = row or Resident.objects.filter(pk=pk).first()
    return redirect("eldercare:institution", found.institution_id) if found else redirect("eldercare:institutions")


@capability_required(cap.REGISTER)
@require_POST
def staff_add(request, pk):
    _act(request, lambda: services.add_staff(request.user, pk, request.POST.dict()), "已登记工作人员")
    return redirect("eldercare:institution", pk)


@capability_required(cap.APPROVE)
@require_POST
def rating_add(request, pk):
    p = request.POST
    _act(request, lambda: services.rate(request.user, pk, stars=p.get("stars"), rated_on=p.get("rated_on"),
         valid_until=p.get("valid_until"), basis=p.get("basis")), lambda r: f"已登记等级评定 {r.stars} 星")  # fmt: skip
    return redirect("eldercare:institution", pk)


@capability_required(cap.APPROVE)
@require_POST
def abnormal_act(request, pk):
    p = request.POST
    if p.get("action") == "remove":
        _act(request, lambda: services.unlist_abnormal(request.user, pk, note=p.get("note")), "已移出异常名录")
    else:
        _act(request, lambda: services.list_abnormal(request.user, pk, reason=p.get("note")), "已列入异常名录")
    return redirect("eldercare:institution", pk)


@capability_required(cap.VIEW)
def abnormal(request):
    qs = scoped(Abnormal.objects.select_related("institution__region", "listed_by"), request.user,
                "institution__region", capability=cap.VIEW).filter(removed_on__isnull=True)  # fmt: skip
    return render(request, "eldercare/abnormal.html", {"page": page_of(request, qs, PAGE)})


# --- facilities ----------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def facilities(request):
    qs = scoped(Facility.objects.select_related("region"), request.user, capability=cap.VIEW)
    kind = request.GET.get("kind", "")
    if kind in Facility.Kind.values:
        qs = qs.filter(kind=kind)
    month = services.today().replace(day=1)
    last = (month - datetime.timedelta(days=1)).replace(day=1)
    qs = qs.annotate(last_visits=Sum("uses__visits", filter=Q(uses__month=last))).order_by("region_id", "name")
    return render(request, "eldercare/facilities.html", {
        "page": page_of(request, qs, PAGE), "kinds": Facility.Kind.choices, "kind": kind, "last": last,
        "statuses": Facility.Status.choices, "today": services.today(),
        "regions": _regions(request.user) if has_capability(request.user, cap.REGISTER) else [],
    })  # fmt: skip


@capability_required(cap.REGISTER)
@require_POST
def facility_add(request):
    row = _act(request, lambda: services.register_facility(request.user, request.POST.dict()),
               lambda f: f"已登记“{f.name}”")  # fmt: skip
    return redirect("eldercare:facility", row.pk) if row else redirect("eldercare:facilities")


@capability_required(cap.VIEW)
def facility_detail(request, pk):
    f = access_facility_by_id(request.user, pk)
    return render(request, "eldercare/facility.html", {
        "f": f, "uses": f.uses.all()[:24], "statuses": Facility.Status.choices, "today": services.today(),
        "may_register": has_capability(request.user, cap.REGISTER)})  # fmt: skip


@capability_required(cap.REGISTER)
@require_POST
def facility_status(request, pk):
    p = request.POST
    _act(request, lambda: services.set_facility_status(request.user, pk, status=p.get("status"),
         since=p.get("since")), "已更新开放状态")  # fmt: skip
    return redirect("eldercare:facility", pk)


@capability_required(cap.REGISTER)
@require_POST
def facility_use(request, pk):
    p = request.POST
    _act(request, lambda: services.record_use(request.user, pk, month=p.get("month"), visits=p.get("visits"),
         meals=p.get("meals")), "已登记使用情况")  # fmt: skip
    return redirect("eldercare:facility", pk)


# --- 适老化改造 ----------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def retrofits(request):
    qs = scoped(Retrofit.objects.select_related("region", "person"), request.user, capability=cap.VIEW)
    status = request.GET.get("status", "")
    if status in Retrofit.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("export") == "payments":
        if not has_capability(request.user, EXPORT):
            raise Http404
        from huimin.core.masking import mask

        due = qs.filter(status__in=(Retrofit.Status.APPROVED, Retrofit.Status.PAID)).order_by("region_id", "pk")
        audit.record("eldercare.export.retrofit_payments", detail=f"{due.count()} 户")
        rows = [(r.pk, r.person.name, mask("id_number", r.person.id_number), r.region.name, r.contractor,
                 r.subsidy, r.approved_on, r.approved_by and str(r.approved_by), r.get_status_display(), r.paid_on)
                for r in due.select_related("approved_by")]  # fmt: skip
        headers = ["申请编号", "老年人", "身份证号", "区划", "施工单位", "补贴金额（元）", "审批日期", "审批人", "状态",
                   "发放日期"]  # fmt: skip
        return xlsx_response("适老化改造补贴发放名单", "发放名单", headers, rows)
    return render(request, "eldercare/retrofits.html", {
        "page": page_of(request, qs, PAGE), "statuses": Retrofit.Status.choices, "status": status,
        "today": services.today(), "may_register": has_capability(request.user, cap.REGISTER),
    })  # fmt: skip


@capability_required(cap.REGISTER)
@require_POST
def retrofit_add(request):
    p = request.POST
    row = _act(request, lambda: services.apply_retrofit(request.user, person_pk=p.get("person"),
               applied_on=p.get("applied_on")), "已受理适老化改造申请")  # fmt: skip
    return redirect("eldercare:retrofit", row.pk) if row else redirect("eldercare:retrofits")


@capability_required(cap.VIEW)
def retrofit_detail(request, pk):
    r = access_retrofit_by_id(request.user, pk)
    user = request.user
    actions = [a for a, (capability, sources, _) in services.RETROFIT_ACTIONS.items()
               if r.status in sources and has_capability(user, capability)]  # fmt: skip
    return render(request, "eldercare/retrofit.html", {"r": r, "actions": actions, "today": services.today(),
                                                       "cap_amount": rules.RETROFIT_SUBSIDY_CAP})  # fmt: skip


@capability_required(cap.REGISTER)
@require_POST
def retrofit_act(request, pk):
    action = request.POST.get("action", "")
    _act(request, lambda: services.retrofit_act(request.user, pk, action, request.POST.dict()),
         f"已{services.ACTION_LABELS.get(action, '办理')}")  # fmt: skip
    return redirect("eldercare:retrofit", pk)


# --- indicators ----------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def dashboard(request):
    day = services.today()
    prefixes = user_prefixes(request.user)
    own = Region.objects.filter(code=request.user.region_id).first() if request.user.region_id else None
    areas = []
    if own is not None:
        areas.append(own)
        areas += list(Region.objects.filter(starting_with("code", own.prefix), level=own.level + 1).order_by("code"))
    rows = [(r, indicators.bed_figures(r.prefix, day)) for r in areas if any(r.code.startswith(p) for p in prefixes)]
    inspections = scoped(Inspection.objects.filter(draw__isnull=False), request.user, capability=scap.VIEW)
    findings = scoped(Finding.objects.all(), request.user, capability=scap.VIEW)
    return render(request, "eldercare/dashboard.html", {
        "rows": rows, "today": day, "target": rules.NURSING_TARGET,
        "planned": inspections.count(), "done": inspections.filter(status="done").count(),
        "open_findings": findings.exclude(status="closed").count(),
        "overdue": findings.filter(status="open", deadline__lt=day).count(),
        "facilities": [(Facility.Kind(r["kind"]).label, Facility.Status(r["status"]).label, r["n"]) for r in
                       scoped(Facility.objects.all(), request.user, capability=cap.VIEW).values("kind", "status")
                       .annotate(n=Count("pk")).order_by("kind", "status")],
    })  # fmt: skip
