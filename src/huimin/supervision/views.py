"""Thin views of supervision: parse the request, call a service, render. The public pages (published draws and
their 复核) need no login."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core import regions
from huimin.core.access import by_line, show_refusal
from huimin.core.decorators import capability_required
from huimin.core.models import Region
from huimin.core.pagination import page_of
from huimin.core.roles import BusinessLine, has_capability, lines_with
from huimin.core.scope import scoped, user_prefixes
from huimin.core.services import ServiceError
from huimin.supervision import capabilities as cap
from huimin.supervision import rules, services, subjects
from huimin.supervision.access import access_draw_by_id, access_inspection_by_id
from huimin.supervision.models import Complaint, Draw, Finding, Inspection, Risk

PAGE = 30


def _mine(model, request, capability=cap.VIEW):
    qs = by_line(model.objects.select_related("region"), request.user, capability, "line")
    return scoped(qs, request.user, capability=capability)


def _kinds_for(user, capability):
    lines = lines_with(user, capability)
    return [k for k in subjects.kinds() if lines is None or k.line in lines]


def _draw_regions(user):
    """Counties and townships in the user's subtree (a draw is made for one of them)."""
    prefixes = user_prefixes(user)
    qs = Region.objects.filter(level__in=(regions.COUNTY, regions.TOWNSHIP)).order_by("code")
    return [r for r in qs if any(r.code.startswith(p) for p in prefixes)]


@capability_required(cap.VIEW)
def draws(request):
    qs = _mine(Draw, request).select_related("created_by").order_by("-created_at", "-pk")
    return render(request, "supervision/draws.html", {
        "page": page_of(request, qs, PAGE),
        "kinds": [k for k in _kinds_for(request.user, cap.DRAW) if k.population is not None],
        "regions": _draw_regions(request.user) if has_capability(request.user, cap.DRAW) else [],
        "may_draw": has_capability(request.user, cap.DRAW),
    })  # fmt: skip


@capability_required(cap.DRAW)
@require_POST
def draw_create(request):
    p = request.POST
    kind = subjects.get(p.get("kind", ""))
    try:
        if kind is None or kind.population is None:
            raise services.BusinessRuleError("supervision.unknown_kind", "请选择抽查对象类别")
        region = services._region(request.user, p.get("region", ""))
        population = kind.population(region.code)
        row = services.draw(
            request.user, purpose=p.get("purpose", ""), line=kind.line, region=region, period=p.get("period", ""),
            population=population, inspectors=services.eligible_inspectors(kind.line, region.code),
            count=p.get("count", "").strip() or None, ratio=p.get("ratio", "").strip() or None,
            seed=p.get("seed", "").strip() or None, per_subject=p.get("per_subject", "2"),
        )  # fmt: skip
    except ServiceError as exc:
        show_refusal(request, exc)
        return redirect("supervision:draws")
    messages.success(request, f"已抽取 {row.count} 个对象（随机种子 {row.seed}），已生成检查计划")
    return redirect("supervision:draw", row.pk)


def _pairs(row: Draw):
    names = {p[0]: p[1] for p in row.pool}
    return [{**r, "names": [names.get(i, i) for i in r["inspectors"]], "url": subjects.url_of(r["kind"], r["id"])}
            for r in row.result]  # fmt: skip


@capability_required(cap.VIEW)
def draw_detail(request, pk):
    row = access_draw_by_id(request.user, pk)
    return render(request, "supervision/draw.html", {
        "draw": row, "pairs": _pairs(row), "kind_label": subjects.label_of(row.subject_kind),
        "inspections": row.inspections.select_related("inspector", "co_inspector").order_by("pk"),
        "may_publish": has_capability(request.user, cap.DRAW, row.line) and not row.published,
    })  # fmt: skip


@capability_required(cap.DRAW)
@require_POST
def draw_publish(request, pk):
    try:
        services.publish(request.user, pk)
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "抽查结果已公开，任何人可在“双随机抽查公示”页面复核")
    return redirect("supervision:draw", pk)


# --- public ------------------------------------------------------------------------------------------------------


def public_draws(request):
    qs = Draw.objects.filter(published=True).select_related("region").order_by("-published_on", "-pk")
    return render(request, "supervision/public_draws.html", {"page": page_of(request, qs, PAGE)})


def _published(pk) -> Draw:
    row = Draw.objects.filter(published=True, pk=pk).select_related("region").first()
    if row is None:
        raise Http404("抽查结果不存在或尚未公开")
    return row


def public_draw(request, pk):
    row = _published(pk)
    check = services.verify(row) if request.GET.get("verify") == "1" else None
    return render(request, "supervision/public_draw.html", {
        "draw": row, "pairs": _pairs(row), "check": check, "kind_label": subjects.label_of(row.subject_kind),
        "line_label": BusinessLine(row.line).label, "algorithm_doc": rules.__doc__,
    })  # fmt: skip


def public_draw_json(request, pk):
    """Everything needed to re-run the draw elsewhere (docs/supervision.md gives the algorithm in Python)."""
    row = _published(pk)
    return JsonResponse({
        "id": row.pk, "purpose": row.purpose, "region": row.region_id, "period": row.period,
        "algorithm": row.algorithm, "seed": row.seed, "count": row.count, "per_subject": row.per_subject,
        "population": row.population, "population_sha256": row.population_hash,
        "pool": [p[0] for p in row.pool], "pool_sha256": row.pool_hash,
        "result": row.result, "result_sha256": row.result_hash, "published_on": row.published_on,
    }, json_dumps_params={"ensure_ascii": False})  # fmt: skip


# --- inspections and findings ----------------------------------------------------------------------------------

STATUS_FILTERS = {"": "全部", "planned": "待检查", "done": "已检查", "mine": "我的待检查"}


@capability_required(cap.VIEW)
def inspections(request):
    f = request.GET.get("status", "")
    qs = _mine(Inspection, request).select_related("inspector", "draw").order_by("-pk")
    if f in ("planned", "done"):
        qs = qs.filter(status=f)
    elif f == "mine":
        from django.db.models import Q

        qs = qs.filter(Q(inspector=request.user) | Q(co_inspector=request.user), status=Inspection.Status.PLANNED)
    return render(request, "supervision/inspections.html", {"page": page_of(request, qs, PAGE), "status": f,
                                                            "filters": STATUS_FILTERS.items()})  # fmt: skip


@capability_required(cap.VIEW)
def inspection_detail(request, pk):
    row = access_inspection_by_id(request.user, pk)
    user = request.user
    findings = row.findings.prefetch_related("rectifications__recorded_by", "rectifications__decided_by")
    return render(request, "supervision/inspection.html", {
        "i": row, "findings": findings, "subject_url": subjects.url_of(row.subject_kind, row.subject_id),
        "kind_label": subjects.label_of(row.subject_kind), "today": services.today(),
        "may_record": row.status == "planned" and user.pk in (row.inspector_id, row.co_inspector_id)
        and has_capability(user, cap.INSPECT, row.line),
        "may_find": row.status == "done" and has_capability(user, cap.INSPECT, row.line),
        "may_rectify": has_capability(user, cap.RECTIFY, row.line),
        "may_close": has_capability(user, cap.CLOSE, row.line),
        "severities": Finding.Severity.choices, "max_days": rules.MAX_RECTIFICATION_DAYS,
    })  # fmt: skip


def _act(request, redirect_to, action, success):
    try:
        result = action()
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect_to


@capability_required(cap.INSPECT)
@require_POST
def inspection_record(request, pk):
    p = request.POST
    return _act(
        request,
        redirect("supervision:inspection", pk),
        lambda: services.record_inspection(
            request.user,
            pk,
            inspected_on=p.get("inspected_on"),
            summary=p.get("summary"),
            joint_with=p.get("joint_with", ""),
        ),
        "已登记检查情况",
    )


@capability_required(cap.INSPECT)
@require_POST
def finding_add(request, pk):
    p = request.POST
    return _act(request, redirect("supervision:inspection", pk), lambda: services.add_finding(
        request.user, pk, description=p.get("description"), severity=p.get("severity", ""),
        deadline=p.get("deadline")), lambda f: f"已登记问题，整改期限 {f.deadline:%Y-%m-%d}")  # fmt: skip


def _finding_redirect(pk):
    finding = Finding.objects.filter(pk=pk).only("inspection_id").first()
    return redirect("supervision:inspection", finding.inspection_id) if finding else redirect("supervision:overdue")


@capability_required(cap.RECTIFY)
@require_POST
def finding_rectify(request, pk):
    p = request.POST

    def action():
        return services.record_rectification(request.user, pk, rectified_on=p.get("rectified_on"), note=p.get("note"))

    _act(request, None, action, "已登记整改情况，待另一名工作人员验收")
    return _finding_redirect(pk)


@capability_required(cap.CLOSE)
@require_POST
def finding_close(request, pk):
    p = request.POST
    accept = p.get("decision", "accept") == "accept"
    _act(request, None, lambda: services.close_finding(request.user, pk, accept=accept, note=p.get("note", "")),
         "整改验收通过，问题已销号" if accept else "已退回重改")  # fmt: skip
    return _finding_redirect(pk)


@capability_required(cap.VIEW)
def overdue(request):
    qs = services.overdue(request.user).order_by("deadline", "pk")
    return render(request, "supervision/overdue.html", {"page": page_of(request, qs, PAGE),
                                                        "today": services.today()})  # fmt: skip


# --- risks and complaints --------------------------------------------------------------------------------------


def _subject_back(request, default):
    kind, pk = request.POST.get("kind", ""), request.POST.get("subject", "")
    url = subjects.url_of(kind, pk) if pk.isdigit() else ""
    return redirect(url) if url else redirect(default)


@capability_required(cap.VIEW)
def risks(request):
    qs = _mine(Risk, request)
    if request.GET.get("open") != "0":
        qs = qs.filter(resolved_on__isnull=True)
    return render(request, "supervision/risks.html", {
        "page": page_of(request, qs, PAGE), "show_all": request.GET.get("open") == "0", "today": services.today(),
        "may_resolve": has_capability(request.user, cap.CLOSE)})  # fmt: skip


@capability_required(cap.INSPECT)
@require_POST
def risk_add(request):
    p = request.POST
    kind = subjects.get(p.get("kind", ""))
    services_call = lambda: services.add_risk(  # noqa: E731
        request.user, subject=(p.get("kind", ""), p.get("subject", "")), line=kind.line if kind else "",
        category=p.get("category", ""), level=p.get("level", ""), description=p.get("description"),
        identified_on=p.get("identified_on"))  # fmt: skip
    return _act(request, _subject_back(request, "supervision:risks"), services_call, "已登记安全风险")


@capability_required(cap.CLOSE)
@require_POST
def risk_resolve(request, pk):
    return _act(
        request,
        redirect("supervision:risks"),
        lambda: services.resolve_risk(request.user, pk, resolved_on=request.POST.get("resolved_on")),
        "已确认风险消除",
    )


@capability_required(cap.VIEW)
def complaints(request):
    qs = _mine(Complaint, request)
    return render(request, "supervision/complaints.html", {
        "page": page_of(request, qs, PAGE), "outcomes": [c for c in Complaint.Outcome.choices if c[0] != "open"],
        "may_handle": has_capability(request.user, cap.CLOSE)})  # fmt: skip


@capability_required(cap.RECTIFY)
@require_POST
def complaint_add(request):
    p = request.POST
    kind = subjects.get(p.get("kind", ""))
    call = lambda: services.add_complaint(  # noqa: E731
        request.user, subject=(p.get("kind", ""), p.get("subject", "")), line=kind.line if kind else "",
        received_on=p.get("received_on"), channel=p.get("channel", ""), content=p.get("content"))  # fmt: skip
    return _act(request, _subject_back(request, "supervision:complaints"), call, "已登记投诉")


@capability_required(cap.CLOSE)
@require_POST
def complaint_handle(request, pk):
    p = request.POST
    return _act(
        request,
        redirect("supervision:complaints"),
        lambda: services.handle_complaint(request.user, pk, outcome=p.get("outcome", ""), note=p.get("note")),
        "已登记投诉处理结果",
    )
