"""Thin views of 待遇资格: 生存认证 (the overdue list, confirming, the rule per region) and the 残联's certificate
changes (the township's notices). Parse, call a service, render."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from huimin.core import audit, regions
from huimin.core.access import can_write_region, show_refusal
from huimin.core.decorators import capability_required
from huimin.core.models import Region
from huimin.core.pagination import page_of
from huimin.core.roles import EXPORT, has_capability
from huimin.core.scope import in_scope, scoped, user_prefixes
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.eligibility import capabilities as cap
from huimin.eligibility import services
from huimin.eligibility.access import access_person_for_survival, visible_policies
from huimin.eligibility.models import CertificateChange, Channel


def _townships(user):
    prefixes = user_prefixes(user)
    qs = Region.objects.filter(level=regions.TOWNSHIP).order_by("code")
    if not prefixes:
        return qs.none()
    return [t for t in qs if any(t.code.startswith(p) or p.startswith(t.prefix) for p in prefixes)]


def _township(request) -> str:
    code = (request.GET.get("township") or "").strip()
    return code if code.isdigit() and len(code) == 12 and in_scope(request.user, code) else ""


@capability_required(cap.VIEW)
def survival(request):
    """生存认证: the recipients past their due date, by township; export; confirm on the row."""
    today = timezone.localdate()
    township = _township(request)
    suspended = request.GET.get("suspended") == "1"
    rows = services.overdue_list(request.user, day=today, township=township, only_suspended=suspended)
    if request.GET.get("export") == "xlsx":
        if not has_capability(request.user, EXPORT):
            raise Http404
        table = services.overdue_rows(rows, today)
        audit.record("eligibility.export.overdue", detail=f"{len(rows)} 人")
        return xlsx_response("生存认证逾期名单", "生存认证逾期", table[0], table[1:])
    return render(request, "eligibility/survival.html", {
        "page": page_of(request, rows), "total": len(rows), "today": today,
        "townships": _townships(request.user), "filters": {"township": township, "suspended": suspended},
        "channels": [(value, label) for value, label in Channel.choices if value != Channel.PORTAL],
        "may_confirm": has_capability(request.user, cap.CONFIRM),
    })  # fmt: skip


@require_POST
@capability_required(cap.CONFIRM)
def survival_confirm(request, person_id):
    person = access_person_for_survival(request.user, person_id)
    try:
        raw = (request.POST.get("confirmed_on") or "").strip()
        try:
            day = datetime.date.fromisoformat(raw) if raw else None
        except ValueError as exc:
            raise ServiceError("认证日期格式应为 YYYY-MM-DD") from exc
        services.confirm(request.user, person, channel=request.POST.get("channel", ""), day=day,
                         note=request.POST.get("note", ""))  # fmt: skip
        messages.success(request, f"已记录{person.name}的生存认证")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("eligibility:survival")


@capability_required(cap.VIEW)
def certificates(request):
    """The 残联's certificate changes in the actor's region: what each did to the subsidy; take note."""
    qs = scoped(CertificateChange.objects.select_related("enrolment__programme", "person", "region", "township"),
                request.user, "region", cap.VIEW)  # fmt: skip
    township = _township(request)
    if township:
        qs = qs.filter(township_id=township)
    pending = request.GET.get("all") != "1"
    if pending:
        qs = qs.filter(acknowledged_at__isnull=True)
    return render(request, "eligibility/certificates.html", {
        "page": page_of(request, qs.order_by("-created_at", "-id")), "townships": _townships(request.user),
        "filters": {"township": township, "pending": pending},
        "may_confirm": has_capability(request.user, cap.CONFIRM),
    })  # fmt: skip


@require_POST
@capability_required(cap.CONFIRM)
def certificate_ack(request, pk):
    try:
        services.acknowledge(request.user, pk)
        messages.success(request, "已知悉")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("eligibility:certificates")


@capability_required(cap.VIEW)
def policies(request):
    """生存认证规则: the national default and the regions' own rows; county or city staff add their region's."""
    if request.method == "POST":
        try:
            code = (request.POST.get("region") or "").strip()
            region = request.user.region if not code else Region.objects.filter(code=code).first()
            if region is None or not in_scope(request.user, region.code):
                raise ServiceError("请选择本辖区内的区划")
            try:
                since = datetime.date.fromisoformat((request.POST.get("effective_from") or "").strip())
            except ValueError as exc:
                raise ServiceError("生效日期格式应为 YYYY-MM-DD") from exc
            services.set_policy(request.user, region=region, cycle_months=request.POST.get("cycle_months"),
                                grace_days=request.POST.get("grace_days"), effective_from=since,
                                basis=request.POST.get("basis", ""))  # fmt: skip
            messages.success(request, "已保存生存认证规则")
            return redirect("eligibility:policies")
        except ServiceError as exc:
            show_refusal(request, exc)
    from huimin.assistance.models import Programme

    names = dict(Programme.objects.values_list("code", "name"))
    rows = list(visible_policies(request.user).order_by("region_id", "-effective_from"))
    for row in rows:
        row.programme_names = "、".join(names.get(code, code) for code in row.programmes)
    return render(request, "eligibility/policies.html", {
        "rows": rows, "may_edit": has_capability(request.user, cap.POLICY) and can_write_region(
            request.user, request.user.region),
    })  # fmt: skip
