"""The staff's side of the 发现报告 received from the portal and the API: the township 督导员 (or the county office)
reads one, identifies the child in the registry — which opens the case — or closes it with a reason."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.children import capabilities as cap
from huimin.children import reports
from huimin.children.access import access_report_by_id
from huimin.children.views import _person_by_id_number
from huimin.core.access import show_refusal
from huimin.core.decorators import capability_required
from huimin.core.services import ServiceError


@capability_required(cap.CASE_SUPERVISE)
def report_detail(request, pk):
    report = access_report_by_id(request.user, pk)
    return render(request, "children/received_report.html", {"report": report})


@capability_required(cap.CASE_SUPERVISE)
@require_POST
def report_act(request, pk, action):
    if action not in ("identify", "close"):
        raise Http404
    report = access_report_by_id(request.user, pk)
    try:
        if action == "identify":
            child = _person_by_id_number(request.user, request.POST.get("id_number"))
            case = reports.identify(request.user, report, child)
        else:
            reports.close(request.user, report, request.POST.get("reason", ""))
    except ServiceError as exc:
        show_refusal(request, exc)
        return redirect("children:received_report", report.pk)
    if action == "identify":
        messages.success(request, f"已核实并立案，个案编号 {case.number}")
        return redirect("children:case", case.pk)
    messages.success(request, "已办结该报告（不立案）")
    return redirect("children:cases")
