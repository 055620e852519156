"""Thin views of 居家社区养老服务: parse the request, call a service, render."""

import datetime
import statistics

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from huimin.core import audit, regions
from huimin.core.access import show_refusal, visible_configuration
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.roles import EXPORT, has_capability
from huimin.core.scope import regions_of, scoped
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.homecare import alarms as alarm_services
from huimin.homecare import capabilities as cap
from huimin.homecare import services, settlement
from huimin.homecare.access import (
    access_order_by_id,
    access_provider_by_id,
    access_settlement_by_id,
)
from huimin.homecare.models import (
    Alarm,
    Device,
    DutyShift,
    FollowUp,
    Order,
    Price,
    Provider,
    RecordFlag,
    Rule,
    ServiceItem,
    ServiceRecord,
    Settlement,
)
from huimin.registry.models import Person

PAGE = 30


def _regions(user, levels=(regions.COUNTY, regions.TOWNSHIP, regions.VILLAGE)):
    return regions_of(user, levels)


def _month(value) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{value}-01") if value else services.today().replace(day=1)
    except ValueError:
        return services.today().replace(day=1)


def _post(request) -> dict:
    return {k: v.strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}


@capability_required(cap.VIEW)
def catalogue(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.MANAGE):
            raise Http404
        p = _post(request)
        try:
            row = services.set_price(request.user, p.get("item", ""), p.get("region") or None,
                                     p.get("effective_from"), p.get("unit_price", ""), p.get("source", ""))  # fmt: skip
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已设置“{row.item.name}”单价 {row.unit_price} 元")
            return redirect("homecare:catalogue")
    here = request.user.region_id or "000000000000"
    day = services.today()
    items = []
    for item in ServiceItem.objects.all():
        try:
            current = services.price(item, here, day)
        except ServiceError:
            current = None
        items.append((item, current))
    prices = visible_configuration(Price.objects.select_related("item", "region"), request.user)
    return render(request, "homecare/catalogue.html", {
        "items": items, "prices": prices, "regions": _regions(request.user), "today": day,
        "may_manage": has_capability(request.user, cap.MANAGE),
    })  # fmt: skip


@capability_required(cap.VIEW)
def providers(request):
    entered = {}
    if request.method == "POST":
        if not has_capability(request.user, cap.MANAGE):
            raise Http404
        entered = _post(request)
        try:
            provider = services.register_provider(request.user, entered)
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已登记服务商“{provider.name}”")
            return redirect("homecare:provider", provider.pk)
    q = request.GET.get("q", "").strip()
    qs = scoped(Provider.objects.select_related("region"), request.user, capability=cap.VIEW)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q))
    qs = qs.annotate(n_contracts=Count("contracts", distinct=True))
    return render(request, "homecare/providers.html", {
        "page": page_of(request, qs, PAGE), "q": q, "kinds": Provider.Kind.choices, "entered": entered,
        "regions": _regions(request.user), "may_manage": has_capability(request.user, cap.MANAGE),
    }, status=400 if entered else 200)  # fmt: skip


@capability_required(cap.VIEW)
def provider_detail(request, pk):
    provider = access_provider_by_id(request.user, pk)
    if request.method == "POST":
        if not has_capability(request.user, cap.MANAGE):
            raise Http404
        p = _post(request)
        try:
            if p.get("form") == "client":
                services.link_client(request.user, provider.pk, p.get("client"))
                messages.success(request, "已关联接口客户端")
            elif p.get("form") == "worker":
                services.add_worker(request.user, provider.pk, p.get("code", ""), p.get("name", ""))
                messages.success(request, "已登记服务人员")
            else:
                contract = services.add_contract(request.user, provider.pk, p)
                messages.success(request, f"已登记合同 {contract.number}")
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            return redirect("homecare:provider", provider.pk)
    return render(request, "homecare/provider.html", {
        "provider": provider, "contracts": provider.contracts.select_related("region"),
        "workers": provider.workers.all(), "regions": _regions(request.user), "today": services.today(),
        "clients": services.clients(),
        "may_manage": has_capability(request.user, cap.MANAGE),
    })  # fmt: skip


@capability_required(cap.VIEW)
def orders(request):
    q = request.GET.get("q", "").strip()
    qs = scoped(Order.objects.select_related("person", "region", "provider", "item"), request.user,
                capability=cap.VIEW)  # fmt: skip
    if q:
        qs = qs.filter(Q(person__name__icontains=q) | Q(provider__name__icontains=q))
    return render(request, "homecare/orders.html", {"page": page_of(request, qs, PAGE), "q": q,
                  "may_manage": has_capability(request.user, cap.MANAGE)})  # fmt: skip


@capability_required(cap.MANAGE)
def order_new(request):
    entered = {"person": request.GET.get("person", ""), "starts_on": services.today().isoformat()}
    if request.method == "POST":
        entered = _post(request)
        try:
            order = services.create_order(request.user, entered)
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, "已登记服务订单")
            return redirect("homecare:order", order.pk)
    person = scoped(Person.objects.select_related("region"), request.user, capability=cap.MANAGE).filter(
        pk=entered.get("person") or 0).first() if str(entered.get("person", "")).isdigit() else None  # fmt: skip
    return render(request, "homecare/order_new.html", {
        "entered": entered, "person": person, "items": ServiceItem.objects.filter(is_active=True),
        "providers": Provider.objects.filter(is_active=True), "fundings": Order.Funding.choices,
    }, status=400 if request.method == "POST" else 200)  # fmt: skip


@capability_required(cap.VIEW)
def order_detail(request, pk):
    order = access_order_by_id(request.user, pk)
    if request.method == "POST":
        if not has_capability(request.user, cap.MANAGE):
            raise Http404
        try:
            services.add_record(request.user, order.pk, _post(request))
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, "已录入服务记录")
            return redirect("homecare:order", order.pk)
    records = order.records.select_related("worker").prefetch_related("flags")
    return render(request, "homecare/order.html", {
        "order": order, "page": page_of(request, records, PAGE), "workers": order.provider.workers.all(),
        "may_manage": has_capability(request.user, cap.MANAGE),
    })  # fmt: skip


def _records(request):
    f = {k: request.GET.get(k, "").strip() for k in ("month", "provider", "flag", "q")}
    month = _month(f["month"])
    f["month"] = f"{month:%Y-%m}"
    first, last = services.month_bounds(month)
    qs = scoped(ServiceRecord.objects.select_related("order__person", "order__item", "provider", "worker"),
                request.user, capability=cap.VIEW).filter(service_date__range=(first, last))  # fmt: skip
    if f["provider"].isdigit():
        qs = qs.filter(provider_id=int(f["provider"]))
    if f["flag"] == "any":
        qs = qs.filter(Exists(RecordFlag.objects.filter(record=OuterRef("pk"))))
    elif f["flag"] in Rule.values:
        qs = qs.filter(flags__rule=f["flag"])
    elif f["flag"] == "unconfirmed":
        qs = qs.filter(confirmed_at__isnull=True)
    if f["q"]:
        qs = qs.filter(order__person__name__icontains=f["q"])
    return qs.prefetch_related("flags").order_by("-started_at", "-id"), f


@capability_required(cap.VIEW)
def records(request):
    qs, f = _records(request)
    if request.GET.get("export") == "xlsx":
        if not has_capability(request.user, EXPORT):
            raise Http404
        audit.record("homecare.export.records", detail=f"{f['month']} {qs.count()} 条")
        rows = [(r.service_date, r.order.person.name, r.order.item.name, r.provider.name, r.worker.name,
                 services.local(r.started_at).strftime("%H:%M"), services.local(r.ended_at).strftime("%Y-%m-%d %H:%M"),
                 r.minutes, r.amount, r.subsidy_amount, r.get_confirmed_by_display() or "未确认",
                 "；".join(fl.reason for fl in r.flags.all())) for r in qs[:50000]]  # fmt: skip
        return xlsx_response("居家养老服务记录", "服务记录", ["服务日期", "老年人", "服务项目", "服务商", "服务人员",
                             "开始", "结束", "时长（分钟）", "金额", "补贴金额", "确认", "异常"], rows)  # fmt: skip
    return render(request, "homecare/records.html", {
        "page": page_of(request, qs, PAGE), "filters": f, "rules": Rule.choices,
        "providers": scoped(Provider.objects.all(), request.user, capability=cap.VIEW),
        "confirmers": ServiceRecord.ConfirmedBy.choices, "may_manage": has_capability(request.user, cap.MANAGE),
    })  # fmt: skip


@capability_required(cap.MANAGE)
@require_POST
def record_confirm(request, pk):
    try:
        record = services.confirm_record(request.user, pk, request.POST.get("by", ""))
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"已确认 {record.service_date} 的服务记录")
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/homecare/")
                    else "homecare:records")  # fmt: skip


@capability_required(cap.VIEW)
def followups(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.MANAGE):
            raise Http404
        p = _post(request)
        try:
            drawn = services.draw_followups(request.user, p.get("region", ""), _month(p.get("month")))
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已抽取 {len(drawn)} 条服务记录待回访")
            return redirect("homecare:followups")
    qs = FollowUp.objects.select_related("record__order__person", "record__order__item", "record__provider")
    qs = scoped(qs, request.user, region_field="record__region", capability=cap.VIEW).order_by("called_at", "-id")
    return render(request, "homecare/followups.html", {
        "page": page_of(request, qs, PAGE), "regions": _regions(request.user), "month": f"{services.today():%Y-%m}",
        "may_manage": has_capability(request.user, cap.MANAGE),
    })  # fmt: skip


@capability_required(cap.MANAGE)
@require_POST
def followup_record(request, pk):
    try:
        services.record_followup(request.user, pk, request.POST.get("satisfied") == "1", request.POST.get("note", ""))
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已登记回访结果")
    return redirect("homecare:followups")


@capability_required(cap.VIEW)
def settlements(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.SETTLE):
            raise Http404
        p = _post(request)
        try:
            s = settlement.build(request.user, p.get("region", ""), _month(p.get("month")))
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已生成结算：{s.records} 条记录，{s.flagged} 条异常，补贴 {s.total} 元")
            return redirect("homecare:settlement", s.pk)
    qs = scoped(Settlement.objects.select_related("region"), request.user, capability=cap.VIEW)
    return render(request, "homecare/settlements.html", {
        "page": page_of(request, qs, PAGE), "counties": _regions(request.user, (regions.COUNTY,)),
        "month": f"{services.today():%Y-%m}", "may_settle": has_capability(request.user, cap.SETTLE),
    })  # fmt: skip


@capability_required(cap.VIEW)
def settlement_detail(request, pk):
    s = access_settlement_by_id(request.user, pk)
    lines = s.lines.select_related("provider")
    if request.GET.get("export") == "xlsx":
        if not has_capability(request.user, EXPORT) or s.status != Settlement.Status.APPROVED:
            raise Http404
        audit.record("homecare.export.settlement", s, region_code=s.region_id)
        rows = [(line.provider.name, line.provider.uscc, line.records, line.flagged, line.amount, line.subsidy)
                for line in lines]  # fmt: skip
        rows.append(("合计", "", s.records, s.flagged, sum(line.amount for line in lines), s.total))
        return xlsx_response(f"居家养老服务结算{s.month:%Y%m}", "结算", ["服务商", "统一社会信用代码", "结算记录数",
                             "异常记录数（不付）", "服务金额（元）", "应付补贴（元）"], rows)  # fmt: skip
    flagged = (RecordFlag.objects.filter(record__in=settlement.records_of(s.region_id, s.month).values("id"))
               .select_related("record__order__person", "record__provider", "record__worker")
               .order_by("record__provider_id", "record__started_at"))  # fmt: skip
    return render(request, "homecare/settlement.html", {
        "s": s, "lines": lines, "flagged": page_of(request, flagged, PAGE),
        "may_settle": has_capability(request.user, cap.SETTLE),
    })  # fmt: skip


@capability_required(cap.SETTLE)
@require_POST
def settlement_advance(request, pk, action):
    try:
        s = settlement.advance(request.user, pk, action)
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"结算已{s.get_status_display().removeprefix('已')}")
    return redirect("homecare:settlement", pk)


@capability_required(cap.VIEW)
def alarms_console(request):
    status = request.GET.get("status", "active")
    qs = scoped(Alarm.objects.select_related("device", "person", "provider", "region"), request.user,
                capability=cap.VIEW)  # fmt: skip
    if status == "active":
        qs = qs.exclude(status=Alarm.Status.CLOSED)
    elif status == "escalated":
        qs = qs.filter(escalated_at__isnull=False)
    elif status in Alarm.Status.values:
        qs = qs.filter(status=status)
    return render(request, "homecare/alarms.html", {
        "page": page_of(request, qs.order_by("status", "-raised_at"), PAGE), "status": status,
        "statuses": [("active", "未关闭"), ("escalated", "曾升级"), *Alarm.Status.choices, ("all", "全部")],
        "outcomes": Alarm.Outcome.choices, "may_handle": has_capability(request.user, cap.ALARM),
    })  # fmt: skip


@capability_required(cap.ALARM)
@require_POST
def alarm_acknowledge(request, pk):
    try:
        alarm_services.acknowledge(request.user, pk)
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已响应告警")
    return redirect("homecare:alarms")


@capability_required(cap.ALARM)
@require_POST
def alarm_close(request, pk):
    try:
        alarm_services.close(request.user, pk, request.POST.get("outcome", ""), request.POST.get("note", ""))
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已关闭告警")
    return redirect("homecare:alarms")


@capability_required(cap.VIEW)
def devices(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.ALARM):
            raise Http404
        p = _post(request)
        try:
            if p.get("form") == "shift":
                alarm_services.add_shift(request.user, p)
                messages.success(request, "已添加值班安排")
            else:
                device = alarm_services.register_device(request.user, p)
                messages.success(request, f"已登记设备 {device.serial}")
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            return redirect("homecare:devices")
    qs = scoped(Device.objects.select_related("person", "provider", "region"), request.user, capability=cap.VIEW)
    return render(request, "homecare/devices.html", {
        "page": page_of(request, qs, PAGE), "kinds": Device.Kind.choices, "responders": DutyShift.Responder.choices,
        "shifts": visible_configuration(DutyShift.objects.select_related("region"), request.user),
        "providers": Provider.objects.filter(is_active=True), "regions": _regions(request.user),
        "today": services.today(), "may_handle": has_capability(request.user, cap.ALARM),
    })  # fmt: skip


@capability_required(cap.VIEW)
def dashboard(request):
    since = (services.today().replace(day=1) - datetime.timedelta(days=365)).replace(day=1)
    delivered = (scoped(ServiceRecord.objects.all(), request.user, capability=cap.VIEW)
                 .filter(service_date__gte=since, confirmed_at__isnull=False)
                 .annotate(month=TruncMonth("service_date")).values("month", "order__item__name")
                 .annotate(n=Count("id"), amount=Sum("amount")).order_by("month", "order__item__name"))  # fmt: skip
    items = list(ServiceItem.objects.values_list("name", flat=True))
    table: dict = {}
    for row in delivered:
        table.setdefault(row["month"], {})[row["order__item__name"]] = row["n"]
    months = [(m, [cells.get(name, 0) for name in items]) for m, cells in sorted(table.items())]
    # response times (minutes from receipt to acknowledgement) by county, alarms of the last 90 days
    recent = scoped(Alarm.objects.all(), request.user, capability=cap.VIEW).filter(
        raised_at__gte=timezone.now() - datetime.timedelta(days=90))  # fmt: skip
    by_county: dict = {}
    for code, raised, acked, escalated in recent.values_list("region_id", "raised_at", "acknowledged_at",
                                                             "escalated_at"):  # fmt: skip
        entry = by_county.setdefault(regions.ancestor_code(code, regions.COUNTY), {"n": 0, "times": [], "esc": 0})
        entry["n"] += 1
        entry["esc"] += escalated is not None
        if acked is not None:
            entry["times"].append((acked - raised).total_seconds() / 60)
    names = regions.labels(by_county)
    response = [
        (names.get(code, code), e["n"], len(e["times"]), e["esc"],
         round(statistics.mean(e["times"]), 1) if e["times"] else None,
         round(statistics.median(e["times"]), 1) if e["times"] else None)
        for code, e in sorted(by_county.items())
    ]  # fmt: skip
    return render(request, "homecare/dashboard.html", {"items": items, "months": months, "response": response})
