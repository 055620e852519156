"""The organisations' own pages (社会组织网上年报): an organisation signs in with its 统一社会信用代码 and the
年报填报密码 its registration authority issued, sees its reports and their results, and files the report on a
year (again after a return). No staff account is involved; every step is in the audit log."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core.access import show_refusal
from huimin.core.context import Actor, acting_as
from huimin.core.middleware import client_ip
from huimin.core.services import ServiceError
from huimin.orgs import rules, services
from huimin.orgs.models import Organisation

SESSION_KEY = "orgs_portal_org"


def org_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        org = Organisation.objects.filter(
            pk=request.session.get(SESSION_KEY), status=Organisation.Status.ACTIVE
        ).first()
        if org is None:
            return redirect("orgs:portal_login")
        # the organisation itself acts in the audit log
        with acting_as(Actor(None, f"社会组织:{org.credit_code}", "organisation", client_ip(request))):
            return view(request, org, *args, **kwargs)

    return wrapped


def login(request):
    if request.method == "POST":
        try:
            org = services.portal_login(
                request.POST.get("credit_code", ""), request.POST.get("password", ""), ip=client_ip(request)
            )
            request.session.cycle_key()
            request.session[SESSION_KEY] = org.pk
            return redirect("orgs:portal_home")
        except ServiceError as exc:
            show_refusal(request, exc)
            return render(request, "orgs/portal_login.html", status=400)
    return render(request, "orgs/portal_login.html")


@require_POST
def logout(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("orgs:portal_login")


@org_required
def home(request, org):
    day = services.today()
    reports = {r.year: r for r in org.reports.all()}
    years = [
        {"year": y, "report": reports.get(y), "deadline": rules.report_deadline(y), "overdue": rules.overdue(y, day)}
        for y in reversed(rules.reportable_years(org.registered_on, day))
    ]
    return render(request, "orgs/portal_home.html", {"org": org, "years": years[:5]})


@org_required
def report(request, org, year):
    figures = dict(services.REPORT_FIGURES, **(services.CHARITY_FIGURES if org.is_charity else {}))
    if request.method == "POST":
        try:
            services.file_report(org, year, request.POST.dict())
            messages.success(request, f"{year} 年度工作报告已报送，等待初审")
            return redirect("orgs:portal_home")
        except ServiceError as exc:
            show_refusal(request, exc)
    existing = org.reports.filter(year=year).first()
    values = request.POST or (existing.data if existing else {})
    return render(
        request,
        "orgs/portal_report.html",
        {
            "org": org,
            "year": year,
            "figures": [(k, label, values.get(k, "")) for k, label in figures.items()],
            "activities": values.get("activities", ""),
            "existing": existing,
        },
    )
