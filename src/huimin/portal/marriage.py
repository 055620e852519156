"""The resident's 婚姻登记 pages in the portal: book an appointment (结婚, 离婚申请, 离婚登记, 补领) with a
confirmation and its QR code, cancel it, and see his own marriage records. The portal stands above
huimin.marriage and only calls its services."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core.services import ServiceError
from huimin.marriage import documents
from huimin.marriage import services as marriage
from huimin.marriage.models import Kind, Office
from huimin.portal.views import resident_required


@resident_required
def index(request, identity):
    offices = Office.objects.filter(is_active=True).order_by("code")
    office = offices.filter(pk=request.GET.get("office") or request.POST.get("office") or 0).first() or offices.first()
    context = {
        "identity": identity,
        "offices": offices,
        "office": office,
        "kinds": Kind.choices,
        "post": request.POST,
        "days": marriage.days_open(office, marriage.today() + datetime.timedelta(days=1)) if office else [],
        "appointments": marriage.own_appointments(identity.id_number)[:20],
        "records": marriage.own_records(identity.id_number),
    }
    if request.method == "POST":
        try:
            day = datetime.date.fromisoformat(request.POST.get("day", ""))
        except ValueError:
            messages.error(request, "请选择预约日期")
            return render(request, "portal/marriage.html", context, status=400)
        if office is None:
            raise Http404("没有可预约的婚姻登记机关")
        try:
            a = marriage.book(
                office,
                request.POST.get("kind", ""),
                day,
                identity.name,
                identity.id_number,
                partner_name=request.POST.get("partner_name", ""),
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
            return render(request, "portal/marriage.html", context, status=400)
        messages.success(request, f"预约成功，预约号 {a.number}")
        return redirect("portal:marriage_appointment", a.number)
    return render(request, "portal/marriage.html", context)


@resident_required
def appointment(request, identity, number):
    a = marriage.own_appointments(identity.id_number).filter(number=number).first()
    if a is None:
        raise Http404("没有找到您名下的这个预约")
    return render(
        request,
        "portal/marriage_appointment.html",
        {"identity": identity, "a": a, "qr": documents.qr_data_uri(a.number)},
    )


@require_POST
@resident_required
def cancel(request, identity, number):
    try:
        marriage.cancel(identity.id_number, number)
        messages.success(request, "预约已取消")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("portal:marriage")
