"""Thin views of 流浪乞讨救助: parse the request, call a service, render. The photo and the health check are shown
only to the station's county (``access.may_see_sensitive``), and every read of them is audited."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core import audit, regions
from huimin.core.access import Forbidden, show_refusal, visible_configuration
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.roles import has_capability
from huimin.core.scope import regions_of, scoped
from huimin.core.services import ServiceError
from huimin.registry import codes
from huimin.relief import capabilities as cap
from huimin.relief import rules, services
from huimin.relief.access import access_search_by_id, access_stay_by_id, may_see_sensitive
from huimin.relief.models import FoundBy, Health, PlacementPeriod, Search, Station, Stay

PAGE = 30


def _regions(user, levels):
    return regions_of(user, levels)


def _stations(user, capability=cap.VIEW):
    return scoped(Station.objects.select_related("region"), user, "region", capability)


@capability_required(cap.VIEW)
def stay_list(request):
    f = {k: request.GET.get(k, "").strip() for k in ("q", "station", "status")}
    qs = scoped(Stay.objects.select_related("station"), request.user, "region", cap.VIEW)
    if f["q"]:
        qs = qs.filter(Q(name__contains=f["q"]) | Q(number=f["q"]))
    if f["station"].isdigit():
        qs = qs.filter(station_id=int(f["station"]))
    if f["status"] in Stay.Status.values:
        qs = qs.filter(status=f["status"])
    day = services.today()
    page = page_of(request, qs.order_by("-admitted_on", "-id"), PAGE)
    periods = list(PlacementPeriod.objects.order_by("pk"))
    for s in page:
        s.length = rules.stay_days(s.admitted_on, s.ended_on, day)
        s.due = False
        if s.is_open and not s.identified:
            period = rules.period_for(
                [p for p in periods if regions.covers(p.region_id, s.region_id)], s.region_id, day
            )
            s.due = period is not None and rules.may_place(s.admitted_on, period.days, day)
    return render(request, "relief/stays.html", {
        "page": page, "filters": f, "stations": _stations(request.user), "statuses": Stay.Status.choices,
    })  # fmt: skip


def _intake_context(request, data=None):
    return {
        "stations": _stations(request.user, cap.INTAKE).filter(is_active=True), "found_by": FoundBy.choices,
        "health": Health.choices, "sexes": codes.Sex.choices,
        "data": data or {"found_on": services.today().isoformat(), "admitted_on": services.today().isoformat()},
    }  # fmt: skip


@capability_required(cap.INTAKE)
def intake(request):
    if request.method != "POST":
        return render(request, "relief/intake.html", _intake_context(request))
    data = request.POST.dict()
    try:
        stay = services.admit(request.user, data, request.FILES.get("photo"))
    except ServiceError as exc:
        show_refusal(request, exc)
        return render(request, "relief/intake.html", _intake_context(request, data), status=400)
    messages.success(request, f"已登记入站 {stay.number}")
    return redirect("relief:stay", stay.pk)


@capability_required(cap.VIEW)
def stay_detail(request, pk):
    stay = access_stay_by_id(request.user, pk)
    sensitive = may_see_sensitive(request.user, stay)
    if sensitive:
        audit.record("relief.stay.sensitive_read", stay, detail="健康检查记录、在站日志")
    day = services.today()
    from huimin.assistance.models import Programme

    return render(request, "relief/stay.html", {
        "s": stay, "sensitive": sensitive, "days": list(stay.days.all()[:60]), "searches": stay.searches.all(),
        "stay_days": rules.stay_days(stay.admitted_on, stay.ended_on, day), "due": services.placement_due(stay, day),
        "health": Health.choices, "channels": [c for c in Search.Channel.choices if c[0] != "registry"],
        "methods": Stay.ReturnMethod.choices, "outcomes": [c for c in Search.Outcome.choices if c[0] != "pending"],
        "hows": [c for c in Stay.Identified.choices if c[0]], "sexes": codes.Sex.choices,
        "may_intake": has_capability(request.user, cap.INTAKE), "may_place": has_capability(request.user, cap.PLACE),
        "programmes": Programme.objects.filter(kind="tekun", is_active=True).order_by("sort", "pk"),
        "villages": _regions(request.user, (regions.VILLAGE,))[:500], "today": day,
        "candidates": getattr(request, "relief_candidates", None),
    })  # fmt: skip


@capability_required(cap.VIEW)
def stay_photo(request, pk):
    stay = access_stay_by_id(request.user, pk)
    if not stay.photo or not may_see_sensitive(request.user, stay):
        raise Http404
    audit.record("relief.stay.photo_read", stay)
    return FileResponse(stay.photo.open("rb"), filename=stay.photo.name.rsplit("/", 1)[-1])


ACTIONS = {
    "day": (cap.INTAKE, services.record_day, "已记录在站日志"),
    "search": (cap.INTAKE, None, ""),
    "request": (cap.INTAKE, services.request_search, "已记录寻亲请求"),
    "identify": (cap.INTAKE, services.identify, "已查明身份"),
    "return": (cap.INTAKE, services.arrange_return, "已安排返回"),
    "confirm": (cap.INTAKE, services.confirm_return, "已确认交接，救助结束"),
    "leave": (cap.INTAKE, services.leave, "已登记离站"),
    "place": (cap.PLACE, None, ""),
}


@capability_required(cap.VIEW)
@require_POST
def stay_act(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    needed, function, done = ACTIONS[action]
    stay = access_stay_by_id(request.user, pk, capability=needed)
    data = request.POST.dict()
    try:
        if action == "search":
            search, found = services.search_registry(request.user, stay, data)
            request.relief_candidates = {"search": search, "persons": found}
            messages.info(request, f"对象库比对：{len(found)} 名候选人员" if found else "对象库中没有符合条件的人员")
            return stay_detail(request, pk)
        if action == "place":
            _s, application = services.place(request.user, stay, data)
            done = f"已登记特困供养申请 {application.number}，转社会救助办理"
        else:
            function(request.user, stay, data)
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect("relief:stay", stay.pk)


@capability_required(cap.INTAKE)
@require_POST
def search_close(request, pk):
    search = access_search_by_id(request.user, pk)
    try:
        services.close_search(request.user, search, request.POST.dict())
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已记录寻亲结果")
    return redirect("relief:stay", search.stay_id)


@capability_required(cap.VIEW)
def stations(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.CONFIGURE):
            raise Forbidden("您的角色无权登记救助站或设置寻亲期限")
        try:
            if request.POST.get("form") == "period":
                services.add_period(request.user, request.POST.dict())
                messages.success(request, "已新增法定寻亲期限")
            else:
                station = services.add_station(request.user, request.POST.dict())
                messages.success(request, f"已登记 {station.name}")
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            return redirect("relief:stations")
    rows = list(_stations(request.user).order_by("region_id", "name"))
    open_counts = dict(
        Stay.objects.filter(station__in=rows, status__in=[Stay.Status.IN_STATION, Stay.Status.RETURNING])
        .order_by()
        .values_list("station_id")
        .annotate(n=Count("id"))
    )
    for s in rows:
        s.open = open_counts.get(s.pk, 0)
    periods = visible_configuration(PlacementPeriod.objects.select_related("region"), request.user)
    return render(request, "relief/stations.html", {
        "stations": rows, "periods": periods.order_by("region_id", "-effective_from"),
        "regions": _regions(request.user, (regions.CITY, regions.COUNTY)),
        "may_configure": has_capability(request.user, cap.CONFIGURE),
    })  # fmt: skip


@capability_required(cap.VIEW)
def stats(request):
    this_year = services.today().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year)
    rows = services.statistics(request.user, year)
    total = {k: sum(r[k] for r in rows) for k in ("admitted", "in_station", "returned", "placed", "left", "to_return")}
    total["rate"] = rules.return_rate(total["returned"], total["to_return"])
    return render(request, "relief/stats.html", {"rows": rows, "total": total, "year": year,
                                                 "years": range(this_year, this_year - 5, -1)})  # fmt: skip
