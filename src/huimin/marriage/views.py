"""Thin views of 婚姻登记: parse the request, call a service, render. The public verification page needs no login
and shows only a certificate's validity."""

import datetime

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from huimin.core import audit
from huimin.core.access import BusinessRuleError, show_refusal
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.roles import EXPORT, has_capability
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.marriage import capabilities as cap
from huimin.marriage import documents, figures, periods, services
from huimin.marriage.access import (
    access_appointment_by_id,
    access_divorce_by_id,
    access_office_by_id,
    access_record_by_id,
    access_refusal_by_id,
    access_request_by_id,
)
from huimin.marriage.error_codes import MarriageErrorCode
from huimin.marriage.models import Appointment, DivorceApplication, Kind, Record, Request, SpecialDate
from huimin.marriage.services import PartyInput


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@capability_required(cap.VIEW)
def index(request):
    day = services.today()
    offices = services.offices_for(request.user)
    appointments = Appointment.objects.filter(office__in=offices, day=day).select_related("office").order_by("number")
    pending = Request.objects.filter(record__region__in=offices.values("region"), status=Request.Status.PENDING)
    return render(
        request,
        "marriage/index.html",
        {
            "today": day,
            "offices": offices,
            "appointments": appointments,
            "ending": services.ending_this_week(request.user, day),
            "pending": pending.select_related("record"),
            "may_register": has_capability(request.user, cap.REGISTER),
            "may_approve": has_capability(request.user, cap.APPROVE),
        },
    )


@capability_required(cap.VIEW)
def office(request, pk):
    office = access_office_by_id(request.user, pk)
    start = _date(request.GET.get("from", "")) or services.today()
    day = _date(request.GET.get("day", "")) or services.today()
    return render(
        request,
        "marriage/office.html",
        {
            "office": office,
            "days": services.days_open(office, start),
            "day": day,
            "appointments": Appointment.objects.filter(office=office, day=day).order_by("number"),
            "specials": SpecialDate.objects.filter(Q(office__isnull=True) | Q(office=office)).order_by("-day")[:30],
            "kinds": Kind.choices,
            "may_register": has_capability(request.user, cap.REGISTER),
            "may_approve": has_capability(request.user, cap.APPROVE),
        },
    )


@require_POST
@capability_required(cap.APPROVE)
def special_add(request, pk):
    office = access_office_by_id(request.user, pk, capability=cap.APPROVE)
    p = request.POST
    try:
        services.add_special_date(
            request.user, office, _date(p.get("day", "")), p.get("name", ""), p.get("capacity", "")
        )
        messages.success(request, "特殊日期已保存")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("marriage:office", pk=office.pk)


@require_POST
@capability_required(cap.REGISTER)
def walk_in(request, pk):
    office = access_office_by_id(request.user, pk, capability=cap.REGISTER)
    p = request.POST
    try:
        a = services.book(
            office,
            p.get("kind", ""),
            services.today(),
            p.get("name", ""),
            p.get("id_number", ""),
            partner_name=p.get("partner_name", ""),
            walk_in=True,
            actor=request.user,
        )
        messages.success(request, f"现场取号 {a.number}（{a.get_kind_display()}）")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("marriage:office", pk=office.pk)


def _parties(p) -> tuple[PartyInput, PartyInput, bool]:
    return (
        PartyInput(p.get("male_name", ""), p.get("male_id_number", ""), p.get("male_guardianship") == "on"),
        PartyInput(p.get("female_name", ""), p.get("female_id_number", ""), p.get("female_guardianship") == "on"),
        p.get("no_kinship") == "on",
    )


@capability_required(cap.REGISTER)
def register(request, pk):
    office = access_office_by_id(request.user, pk, capability=cap.REGISTER)
    appointment = None
    if request.GET.get("appointment") or request.POST.get("appointment"):
        appointment = access_appointment_by_id(
            request.user, request.GET.get("appointment") or request.POST.get("appointment")
        )
    context = {"office": office, "appointment": appointment, "post": request.POST, "reasons": None}
    if request.method == "POST":
        male, female, declared = _parties(request.POST)
        action = request.POST.get("action", "check")
        try:
            if action == "refuse":
                refusal = services.do_refuse(
                    request.user, office, male, female, no_kinship_declared=declared, note=request.POST.get("note", "")
                )
                messages.warning(request, "已作出不予登记决定，请打印告知书交当事人")
                return redirect("marriage:refusal", pk=refusal.pk)
            if action == "check":
                reasons = services.check_marriage(request.user, office, male, female, no_kinship_declared=declared)
            else:  # the registration applies the rules itself, under its lock: no second check before it
                try:
                    record = services.do_register_marriage(
                        request.user, office, male, female, no_kinship_declared=declared, appointment=appointment
                    )
                except BusinessRuleError as exc:
                    if exc.code != MarriageErrorCode.REFUSED:
                        raise
                    reasons = services.check_marriage(request.user, office, male, female, no_kinship_declared=declared)
                else:
                    messages.success(request, f"结婚登记完成，结婚证字号 {record.number}")
                    return redirect("marriage:record", pk=record.pk)
            context["reasons"] = reasons
            return render(request, "marriage/register.html", context, status=400 if reasons else 200)
        except ServiceError as exc:
            show_refusal(request, exc)
            return render(request, "marriage/register.html", context, status=400)
    return render(request, "marriage/register.html", context)


@capability_required(cap.VIEW)
def records(request):
    q = request.GET.get("q", "")
    qs = services.search(request.user, q)
    if request.GET.get("kind") in ("marriage", "divorce"):
        qs = qs.filter(kind=request.GET["kind"])
    if request.GET.get("export") == "xlsx" and has_capability(request.user, EXPORT):
        audit.record("marriage.records.export", detail=f"导出婚姻登记档案（{q and '按条件'}）")
        rows = (
            (
                r.number,
                r.get_kind_display(),
                r.office_name,
                r.registered_on,
                r.male_name,
                r.female_name,
                r.get_status_display(),
                r.get_source_display(),
            )
            for r in qs[:50000]
        )
        return xlsx_response(
            "婚姻登记档案.xlsx", "档案", ["字号", "类别", "登记机关", "登记日期", "男方", "女方", "状态", "来源"], rows
        )
    if q:
        audit.record("marriage.records.search", detail="婚姻登记档案检索")
    return render(
        request,
        "marriage/records.html",
        {
            "page": page_of(request, qs),
            "q": q,
            "kind": request.GET.get("kind", ""),
            "offices": services.offices_for(request.user),
        },
    )


@capability_required(cap.VIEW)
def record(request, pk):
    record = access_record_by_id(request.user, pk)
    audit.record("marriage.record.view", record, region_code=record.region_id)
    return render(
        request,
        "marriage/record.html",
        {
            "record": record,
            "requests": record.requests.select_related("requested_by", "decided_by"),
            "correctable": services.CORRECTABLE,
            "judgments": [(Record.Status.ANNULLED, "撤销婚姻"), (Record.Status.VOID, "婚姻无效")],
            "may_register": has_capability(request.user, cap.REGISTER),
            "may_approve": has_capability(request.user, cap.APPROVE),
            "applications": record.divorce_applications.all(),
        },
    )


def _verify_url(request, record) -> str:
    return request.build_absolute_uri(reverse("marriage:verify", args=[record.verify_token]))


@capability_required(cap.VIEW)
def certificate(request, pk):
    record = access_record_by_id(request.user, pk)
    audit.record("marriage.certificate.print", record, region_code=record.region_id)
    pdf = documents.certificate_pdf(record, _verify_url(request, record))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{record.pk}.pdf"'
    return response


@capability_required(cap.VIEW)
def refusal(request, pk):
    refusal = access_refusal_by_id(request.user, pk)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(documents.refusal_pdf(refusal), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="refusal-{refusal.pk}.pdf"'
        return response
    return render(request, "marriage/refusal.html", {"refusal": refusal})


@require_POST
@capability_required(cap.REGISTER)
def record_request(request, pk):
    record = access_record_by_id(request.user, pk, capability=cap.REGISTER)
    p = request.POST
    try:
        services.do_request(
            request.user,
            record,
            p.get("what", ""),
            p.get("reason", ""),
            field=p.get("field", ""),
            new_value=p.get("new_value", ""),
        )
        messages.success(request, "已提交，待另一名登记员或负责人审批")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("marriage:record", pk=record.pk)


@require_POST
@capability_required(cap.APPROVE)
def judgment(request, pk):
    record = access_record_by_id(request.user, pk, capability=cap.APPROVE)
    p = request.POST
    try:
        services.do_judgment(
            request.user,
            record,
            p.get("status", ""),
            p.get("court", ""),
            p.get("judgment_no", ""),
            _date(p.get("day", "")) or services.today(),
        )
        messages.success(request, "法院判决已登记")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("marriage:record", pk=record.pk)


@require_POST
@capability_required(cap.APPROVE)
def decide(request, pk, decision):
    if decision not in ("approve", "reject"):
        raise Http404
    row = access_request_by_id(request.user, pk)
    try:
        services.do_decide(request.user, row, decision == "approve", request.POST.get("note", ""))
        messages.success(request, "已审批")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("marriage:record", pk=row.record_id)


@capability_required(cap.REGISTER)
def digitise(request, pk):
    office = access_office_by_id(request.user, pk, capability=cap.REGISTER)
    if request.method == "POST":
        p = request.POST
        male, female, _ = _parties(p)
        try:
            r = services.do_digitise(
                request.user,
                office,
                kind=p.get("kind", ""),
                number=p.get("number", ""),
                registered_on=_date(p.get("registered_on", "")),
                status=p.get("status", ""),
                male=male,
                female=female,
                office_name=p.get("office_name", ""),
                scan=request.FILES.get("scan"),
            )
            messages.success(request, f"档案 {r.number} 已录入")
            return redirect("marriage:record", pk=r.pk)
        except ServiceError as exc:
            show_refusal(request, exc)
            return render(
                request,
                "marriage/digitise.html",
                {"office": office, "post": p, "statuses": Record.Status.choices},
                status=400,
            )
    return render(request, "marriage/digitise.html", {"office": office, "post": {}, "statuses": Record.Status.choices})


@capability_required(cap.VIEW)
def divorces(request):
    from huimin.core.scope import scoped

    qs = scoped(
        DivorceApplication.objects.select_related("office", "marriage"), request.user, "office__region", cap.VIEW
    ).order_by("-received_on", "-id")
    status = request.GET.get("status", "")
    if status in DivorceApplication.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "marriage/divorces.html",
        {
            "page": page_of(request, qs),
            "status": status,
            "statuses": DivorceApplication.Status.choices,
            "ending": services.ending_this_week(request.user),
            "offices": services.offices_for(request.user),
        },
    )


@capability_required(cap.REGISTER)
def divorce_new(request, pk):
    office = access_office_by_id(request.user, pk, capability=cap.REGISTER)
    if request.method == "POST":
        try:
            a = services.do_receive_divorce(
                request.user, office, request.POST.get("marriage_number", ""), request.POST.get("agreement", "")
            )
            messages.success(request, f"已受理离婚登记申请 {a.number}")
            return redirect("marriage:divorce", pk=a.pk)
        except ServiceError as exc:
            show_refusal(request, exc)
            return render(request, "marriage/divorce_new.html", {"office": office, "post": request.POST}, status=400)
    return render(request, "marriage/divorce_new.html", {"office": office, "post": {}})


@capability_required(cap.VIEW)
def divorce(request, pk):
    a = access_divorce_by_id(request.user, pk)
    day = services.today()
    return render(
        request,
        "marriage/divorce.html",
        {
            "a": a,
            "w": periods.windows(a.received_on),
            "today": day,
            "day_no": periods.day_number(a.received_on, day),
            "may_register": has_capability(request.user, cap.REGISTER),
            "counselling": a.counselling.all(),
        },
    )


@require_POST
@capability_required(cap.REGISTER)
def divorce_act(request, pk, action):
    a = access_divorce_by_id(request.user, pk, capability=cap.REGISTER)
    p = request.POST
    try:
        if action == "withdraw":
            services.do_withdraw(request.user, a, p.get("party", ""))
            messages.success(request, "已撤回离婚登记申请")
        elif action == "register":
            r = services.do_register_divorce(request.user, a)
            messages.success(request, f"离婚登记完成，离婚证字号 {r.number}")
            return redirect("marriage:record", pk=r.pk)
        elif action == "counselling":
            services.book_counselling(
                request.user,
                a,
                _date(p.get("day", "")) or services.today(),
                p.get("counsellor", ""),
                p.get("note", ""),
                p.get("attended") == "on",
            )
            messages.success(request, "婚姻家庭辅导已记录")
        else:
            raise Http404
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("marriage:divorce", pk=a.pk)


@capability_required(cap.VIEW)
def stats(request):
    try:
        year = int(request.GET.get("year", "")) or services.today().year
    except ValueError:
        year = services.today().year
    return render(request, "marriage/stats.html", {"f": figures.year_figures(request.user, year)})


def verify(request, token):
    """Public: whether a certificate is valid. No persons, no ID numbers."""
    record = Record.objects.filter(verify_token=token).first()
    return render(request, "marriage/verify.html", {"record": record}, status=200 if record else 404)
