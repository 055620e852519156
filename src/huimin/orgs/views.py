"""Thin views of 社会组织管理: parse the request, call a service, render."""

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core import audit
from huimin.core.access import show_refusal
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.roles import EXPORT, has_capability
from huimin.core.scope import regions_of
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.orgs import capabilities as cap
from huimin.orgs import defaults, rules, services
from huimin.orgs.access import (
    access_activity_by_id,
    access_filing_by_id,
    access_org_by_id,
    access_report_by_id,
)
from huimin.orgs.models import (
    Activity,
    AnnualReport,
    CreditEntry,
    CreditList,
    CreditRule,
    Donation,
    Filing,
    Grading,
    Kind,
    Organisation,
    Penalty,
    SocialWorkStation,
    Volunteer,
)

PAGE = 30


def _authorities(user):
    """County and city regions inside the user's subtree (a registration authority is at one of these levels)."""
    return regions_of(user, (2, 3))


def _year(request, default: int) -> int:
    raw = request.GET.get("year", "") or request.POST.get("year", "")
    return int(raw) if raw.isdigit() and 1990 <= int(raw) <= 2100 else default


# --- organisations -----------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def org_list(request):
    f = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "status", "charity")}
    qs = services.organisations(request.user).select_related("authority")
    if f["q"]:
        qs = qs.filter(Q(name__contains=f["q"]) | Q(credit_code=f["q"].upper()))
    if f["kind"] in Kind.values:
        qs = qs.filter(kind=f["kind"])
    if f["status"] in Organisation.Status.values:
        qs = qs.filter(status=f["status"])
    if f["charity"] == "1":
        qs = qs.filter(is_charity=True)
    open_credit = CreditEntry.objects.filter(exited_on__isnull=True)
    qs = qs.annotate(
        abnormal=Count("credit", filter=Q(credit__in=open_credit.filter(list=CreditList.ABNORMAL))),
        serious=Count("credit", filter=Q(credit__in=open_credit.filter(list=CreditList.SERIOUS))),
    ).order_by("authority_id", "name")
    if request.GET.get("export") == "xlsx":
        if not has_capability(request.user, EXPORT):
            raise Http404
        audit.record("orgs.export.list", detail=f"{qs.count()} 家")
        rows = [
            (
                o.name,
                o.get_kind_display(),
                o.credit_code,
                o.authority.name,
                o.legal_rep,
                o.supervisor or "直接登记",
                o.registered_on,
                o.get_status_display(),
                "是" if o.is_charity else "",
                o.abnormal,
                o.serious,
            )
            for o in qs
        ]
        headers = [
            "名称",
            "类型",
            "统一社会信用代码",
            "登记管理机关",
            "法定代表人",
            "业务主管单位",
            "成立日期",
            "状态",
            "慈善组织",
            "异常名录",
            "失信名单",
        ]
        return xlsx_response("社会组织", "社会组织", headers, rows)
    return render(
        request,
        "orgs/list.html",
        {
            "page": page_of(request, qs, PAGE),
            "filters": f,
            "kinds": Kind.choices,
            "statuses": Organisation.Status.choices,
            "may_register": has_capability(request.user, cap.REGISTER),
        },
    )


@capability_required(cap.VIEW)
def org_detail(request, pk):
    org = access_org_by_id(request.user, pk)
    day = services.today()
    reports = list(org.reports.order_by("-year"))
    for r in reports:
        r.problems = services.charity_problems(r)
    record = services.supervision.record_of(services.SUPERVISION_KIND, org.pk)
    overdue_ids = {f.pk for f in services.overdue_findings(org, day)}
    return render(
        request,
        "orgs/org.html",
        {
            "org": org,
            "today": day,
            "reports": reports,
            "filings": org.filings.select_related("submitted_by"),
            "credit": org.credit.select_related("rule"),
            "penalties": org.penalties.all(),
            "gradings": org.gradings.all(),
            "grade": services.current_grade(org, day),
            "branches": org.branches.all(),
            "donations": org.donations.all()[:50],
            "donation_total": org.donations.aggregate(s=Sum("amount"))["s"],
            "volunteers": org.volunteers.all()[:100],
            "activities": org.activities.all()[:50],
            "rules": CreditRule.objects.exclude(code__in=("from_abnormal", services.OVERDUE_FINDING)),
            "record": record,
            "overdue_ids": overdue_ids,
            "penalty_kinds": Penalty.Kind.choices,
            "grades": Grading.Grade.choices,
            "channels": Donation.Channel.choices,
            "changeable": services.CHANGEABLE.items(),
            "documents": defaults.DOCUMENTS,
            "may_register": has_capability(request.user, cap.REGISTER),
            "may_decide": has_capability(request.user, cap.DECIDE),
            "active": org.status == Organisation.Status.ACTIVE,
        },
    )


def _done(request, message: str, fallback: str, *args):
    messages.success(request, message)
    return redirect(fallback, *args)


@capability_required(cap.REGISTER)
def filing_new(request):
    if request.method == "POST":
        p = request.POST
        data = {k: p.get(k, "") for k in (*services.REGISTER_FIELDS, "supervisor")}
        try:
            filing = services.submit_filing(
                request.user, "register", p.get("authority", ""), data, p.getlist("documents")
            )
            return _done(request, "已受理成立登记申请，待登记决定", "orgs:filing", filing.pk)
        except ServiceError as exc:
            show_refusal(request, exc)
    return render(
        request,
        "orgs/filing_new.html",
        {
            "authorities": _authorities(request.user),
            "kinds": Kind.choices,
            "documents": defaults.DOCUMENTS["register"],
            "values": request.POST,
            "checked": request.POST.getlist("documents"),
        },
    )


@capability_required(cap.REGISTER)
@require_POST
def org_filing(request, pk, type_):
    if type_ not in ("change", "cancel"):
        raise Http404
    p = request.POST
    data = {k: p.get(k, "") for k in services.CHANGEABLE}
    try:
        filing = services.submit_filing(request.user, type_, "", data, p.getlist("documents"), org_pk=pk)
        return _done(request, f"已受理{filing.get_type_display()}申请，待登记决定", "orgs:filing", filing.pk)
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("orgs:org", pk)


@capability_required(cap.VIEW)
def filing_list(request):
    status = request.GET.get("status", "submitted")
    qs = Filing.objects.select_related("authority", "org", "submitted_by")
    from huimin.core.scope import scoped

    qs = scoped(qs, request.user, "authority", capability=cap.VIEW)
    if status in Filing.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "orgs/filings.html",
        {"page": page_of(request, qs, PAGE), "status": status, "statuses": Filing.Status.choices},
    )


@capability_required(cap.VIEW)
def filing_detail(request, pk):
    filing = access_filing_by_id(request.user, pk)
    labels = dict(services.REGISTER_FIELDS) | dict(services.CHANGEABLE)
    rows = [
        (labels.get(k, k), Kind(v).label if k == "kind" and v in Kind.values else v) for k, v in filing.data.items()
    ]
    return render(
        request,
        "orgs/filing.html",
        {"filing": filing, "rows": rows, "may_decide": has_capability(request.user, cap.DECIDE)},
    )


@capability_required(cap.DECIDE)
@require_POST
def filing_decide(request, pk):
    approve = request.POST.get("decision") == "approve"
    try:
        filing = services.decide_filing(request.user, pk, approve, request.POST.get("note", ""))
        messages.success(request, f"已作出决定：{filing.get_status_display()}")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("orgs:filing", pk)


@capability_required(cap.REGISTER)
@require_POST
def portal_password(request, pk):
    try:
        password = services.issue_portal_password(request.user, pk)
        messages.success(request, f"新的年报填报密码：{password}（仅显示一次，请当面交给该组织，旧密码已失效）")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("orgs:org", pk)


@capability_required(cap.REGISTER)
@require_POST
def org_act(request, pk, action):
    """The small records kept on an organisation's page: penalties, gradings, credit, charity, donations,
    volunteers and activities."""
    p, user = request.POST, request.user
    handlers = {
        "penalty": lambda: services.record_penalty(
            user,
            pk,
            p.get("kind", ""),
            p.get("decided_on", ""),
            p.get("decision_no", ""),
            p.get("facts", ""),
            p.get("amount", ""),
        ),
        "grading": lambda: services.record_grading(user, pk, int(p.get("grade") or 0), p.get("decided_on", "")),
        "credit": lambda: services.enter_credit(
            user, pk, p.get("rule", ""), p.get("decided_on", ""), p.get("decision_no", ""), p.get("note", "")
        ),
        "charity": lambda: services.recognise_charity(user, pk, p.get("fundraising") == "1"),
        "finding": lambda: services.enter_for_finding(
            user, pk, p.get("finding", ""), p.get("decided_on", "") or None, p.get("decision_no", "")
        ),
        "donation": lambda: services.record_donation(
            user,
            pk,
            p.get("donor", ""),
            p.get("amount", ""),
            p.get("purpose", ""),
            p.get("received_on", ""),
            p.get("channel", ""),
        ),
        "volunteer": lambda: services.register_volunteer(
            user, pk, p.get("name", ""), p.get("id_number", ""), p.get("phone", ""), p.get("region", "")
        ),
        "activity": lambda: services.add_activity(
            user, pk, p.get("title", ""), p.get("held_on", ""), p.get("region", "")
        ),
    }
    if action not in handlers:
        raise Http404
    try:
        handlers[action]()
        messages.success(request, "已保存")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("orgs:org", pk)


# --- annual reports ----------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def report_list(request):
    day = services.today()
    year = _year(request, day.year - 1)
    status = request.GET.get("status", "")
    from huimin.core.scope import scoped

    qs = scoped(
        AnnualReport.objects.select_related("org__authority"), request.user, "org__authority", capability=cap.VIEW
    ).filter(year=year)
    if status in AnnualReport.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "orgs/reports.html",
        {
            "page": page_of(request, qs.order_by("status", "org__name"), PAGE),
            "year": year,
            "status": status,
            "statuses": AnnualReport.Status.choices,
            "years": range(day.year - 1, day.year - 6, -1),
            "non_filers": services.non_filers(request.user, year).count(),
            "deadline": rules.report_deadline(year),
        },
    )


@capability_required(cap.VIEW)
def report_detail(request, pk):
    report = access_report_by_id(request.user, pk)
    figures = dict(services.REPORT_FIGURES, **services.CHARITY_FIGURES)
    return render(
        request,
        "orgs/report.html",
        {
            "report": report,
            "rows": [(label, report.data.get(k, "")) for k, label in figures.items() if k in report.data],
            "problems": services.charity_problems(report),
            "results": AnnualReport.Result.choices,
            "may_precheck": has_capability(request.user, cap.PRECHECK),
            "may_decide": has_capability(request.user, cap.DECIDE),
        },
    )


@capability_required(cap.PRECHECK)
@require_POST
def report_precheck(request, pk):
    try:
        r = services.precheck_report(
            request.user, pk, request.POST.get("decision") == "pass", request.POST.get("note", "")
        )
        messages.success(request, f"初审完成：{r.get_status_display()}")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("orgs:report", pk)


@capability_required(cap.DECIDE)
@require_POST
def report_decide(request, pk):
    try:
        r = services.decide_report(request.user, pk, request.POST.get("result", ""), request.POST.get("note", ""))
        messages.success(request, f"年检结论：{r.get_result_display()}")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("orgs:report", pk)


@capability_required(cap.VIEW)
def non_filers(request):
    day = services.today()
    year = _year(request, day.year - 1)
    if request.method == "POST":
        try:
            count = services.enter_non_filers(request.user, year)
            messages.success(request, f"已将 {count} 家未报送 {year} 年度报告的社会组织列入活动异常名录")
        except ServiceError as exc:
            show_refusal(request, exc)
        return redirect(f"{request.path}?year={year}")
    qs = services.non_filers(request.user, year).select_related("authority").order_by("authority_id", "name")
    return render(
        request,
        "orgs/non_filers.html",
        {
            "page": page_of(request, qs, PAGE),
            "year": year,
            "deadline": rules.report_deadline(year),
            "overdue": rules.overdue(year, day),
            "may_decide": has_capability(request.user, cap.DECIDE),
        },
    )


# --- credit ----------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def credit_list(request):
    which = request.GET.get("list", CreditList.ABNORMAL)
    show = request.GET.get("show", "open")
    from huimin.core.scope import scoped

    qs = scoped(
        CreditEntry.objects.select_related("org__authority", "rule"),
        request.user,
        "org__authority",
        capability=cap.VIEW,
    )
    if which in CreditList.values:
        qs = qs.filter(list=which)
    if show == "open":
        qs = qs.filter(exited_on__isnull=True)
    day = services.today()
    page = page_of(request, qs, PAGE)
    for e in page.object_list:
        e.moves_on = rules.move_date(e.entered_on, e.rule.move_after_years) if e.rule.move_after_years else None
    return render(
        request,
        "orgs/credit.html",
        {
            "page": page,
            "list": which,
            "show": show,
            "lists": CreditList.choices,
            "today": day,
            "may_decide": has_capability(request.user, cap.DECIDE),
        },
    )


@capability_required(cap.DECIDE)
@require_POST
def credit_exit(request, pk):
    try:
        entry = services.exit_credit(request.user, pk, request.POST.get("reason", ""))
        messages.success(request, f"已将{entry.org.name}移出{entry.get_list_display()}")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("orgs:credit")


def public_credit(request):
    """The public 严重违法失信名单 and 活动异常名录 (信用中国-style publication): names, codes, reasons and dates."""
    which = request.GET.get("list", CreditList.SERIOUS)
    qs = CreditEntry.objects.select_related("org__authority", "rule").filter(exited_on__isnull=True)
    qs = qs.filter(list=which if which in CreditList.values else CreditList.SERIOUS)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(org__name__contains=q) | Q(org__credit_code=q.upper()))
    return render(
        request,
        "orgs/public_credit.html",
        {"page": page_of(request, qs, PAGE), "list": which, "q": q, "lists": CreditList.choices},
    )


# --- volunteers ---------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def activity_list(request):
    from huimin.core.scope import scoped

    qs = scoped(Activity.objects.select_related("org", "region"), request.user, "org__authority", capability=cap.VIEW)
    qs = qs.annotate(
        people=Count("hours"),
        total=Sum("hours__hours"),
        pending=Count("hours", filter=Q(hours__confirmed_at__isnull=True)),
    )
    return render(request, "orgs/activities.html", {"page": page_of(request, qs.order_by("-held_on", "-pk"), PAGE)})


@capability_required(cap.VIEW)
def activity_detail(request, pk):
    activity = access_activity_by_id(request.user, pk)
    return render(
        request,
        "orgs/activity.html",
        {
            "activity": activity,
            "hours": activity.hours.select_related("volunteer"),
            "volunteers": Volunteer.objects.filter(org=activity.org).order_by("name"),
            "may_register": has_capability(request.user, cap.REGISTER),
        },
    )


@capability_required(cap.REGISTER)
@require_POST
def activity_act(request, pk, action):
    try:
        if action == "hours":
            services.record_hours(request.user, pk, request.POST.get("volunteer", ""), request.POST.get("hours", ""))
            messages.success(request, "已登记服务时长，待组织方另一人确认")
        elif action == "confirm":
            count = services.confirm_hours(request.user, pk)
            messages.success(request, f"已确认 {count} 条服务时长")
        else:
            raise Http404
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("orgs:activity", pk)


@capability_required(cap.VIEW)
def volunteer_certificate(request, pk):
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from huimin.core.scope import scoped

    volunteer = (
        scoped(Volunteer.objects.select_related("org"), request.user, "org__authority", capability=cap.VIEW)
        .filter(pk=pk)
        .first()
    )
    if volunteer is None:
        raise Http404("志愿者不存在或不在您的管辖范围内")
    rows = volunteer.hours.filter(confirmed_at__isnull=False).select_related("activity").order_by("activity__held_on")
    html = render_to_string(
        "orgs/pdf/certificate.html",
        {
            "volunteer": volunteer,
            "rows": rows,
            "total": services.confirmed_hours(volunteer),
            "today": services.today(),
        },
    )
    audit.record("orgs.volunteer.certificate", volunteer)
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename=volunteer-hours-{volunteer.pk}.pdf"
    return response


# --- stations and statistics --------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def station_list(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.REGISTER):
            raise Http404
        p = request.POST
        try:
            services.add_station(
                request.user,
                p.get("region", ""),
                p.get("name", ""),
                p.get("social_workers", ""),
                p.get("services", ""),
                p.get("opened_on", ""),
            )
            messages.success(request, "已登记社工站")
            return redirect("orgs:stations")
        except ServiceError as exc:
            show_refusal(request, exc)
    from huimin.core.scope import scoped

    qs = scoped(SocialWorkStation.objects.select_related("region", "operator"), request.user, capability=cap.VIEW)
    townships = regions_of(request.user, (4,))
    covered = set(qs.values_list("region_id", flat=True))
    return render(
        request,
        "orgs/stations.html",
        {
            "page": page_of(request, qs, PAGE),
            "townships": [t for t in townships if t.code not in covered],
            "township_count": townships.count(),
            "covered": len(covered),
            "today": services.today(),
            "may_register": has_capability(request.user, cap.REGISTER),
            "values": request.POST,
        },
    )


@capability_required(cap.VIEW)
def stats(request):
    day = services.today()
    year = _year(request, day.year - 1)
    raw = request.GET.get("spot_year", "")
    spot_year = int(raw) if raw.isdigit() and 1990 <= int(raw) <= 2100 else day.year
    return render(
        request,
        "orgs/stats.html",
        {
            "rate": services.filing_rate(request.user, year),
            "spot": services.spot_check_rate(request.user, spot_year),
            "spot_years": range(day.year, day.year - 6, -1),
            "years": range(day.year - 1, day.year - 6, -1),
            "credit": {
                v: services.organisations(request.user)
                .filter(credit__list=v, credit__exited_on__isnull=True)
                .distinct()
                .count()
                for v in CreditList.values
            },
            "year": year,
        },
    )
