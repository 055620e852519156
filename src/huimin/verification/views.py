"""Thin views of 核对: parse the request, call a service, render."""

from collections import Counter, defaultdict
from pathlib import Path

from django.contrib import messages
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import resolve, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tasks.base import TaskResultStatus

from huimin.core import audit, regions, workers
from huimin.core.access import show_refusal
from huimin.core.decorators import capability_required
from huimin.core.models import Region
from huimin.core.pagination import page_of
from huimin.core.roles import STATS_VIEW
from huimin.core.scope import in_scope, picked_region, scoped, starting_with, subtree
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import download, xlsx_download
from huimin.engine.sources import SOURCES
from huimin.registry.models import Household
from huimin.verification import applications as application_docs
from huimin.verification import rules, services
from huimin.verification.access import (
    access_assist_request_by_id,
    access_authorisation_by_id,
    access_batch_by_id,
    access_household_by_id,
    access_report_by_id,
    access_upload_by_id,
    visible_thresholds,
    visible_uploads,
)
from huimin.verification.capabilities import VERIFY_BATCH, VERIFY_DATA, VERIFY_REPORTS, VERIFY_RUN
from huimin.verification.forms import (
    AssistAnswerForm,
    AssistForm,
    AuthorisationForm,
    BatchForm,
    CheckForm,
    CountyBatchForm,
    ThresholdForm,
    UploadForm,
)
from huimin.verification.models import (
    AssistRequest,
    Authorisation,
    BatchRun,
    Conclusion,
    Report,
)

PAGE = 30


def _page(request, items, size=PAGE):
    return page_of(request, items, size)


def _household(request, pk):
    return access_household_by_id(request.user, pk)


# --- households, authorisations, single checks -----------------------------------------------------------------


@capability_required(VERIFY_RUN)
def households(request):
    q = request.GET.get("q", "").strip()
    qs = scoped(Household.objects.select_related("region", "head"), request.user, capability=VERIFY_RUN)
    qs = qs.filter(is_active=True).order_by("number")
    if q:
        qs = qs.filter(number__icontains=q) | qs.filter(head__name__icontains=q)
    return render(request, "verification/households.html", {"page": _page(request, qs), "q": q})


@capability_required(VERIFY_RUN)
def household(request, pk):
    hh = _household(request, pk)
    today = timezone.localdate()
    rows = services.authorisation_rows(hh, today)
    missing = [r["person"] for r in rows if r["adult"] and not r["authorisation"]]
    documents = application_docs.documents(hh.pk)
    signed_on = documents[0].lodged_on if documents else today
    context = {
        "household": hh,
        "rows": rows,
        "missing": missing,
        "covered": [r["person"] for r in rows if r["authorisation"]],
        "scope": Authorisation.SCOPE,
        "auth_form": AuthorisationForm(members=missing, documents=documents, initial={"signed_on": signed_on})
        if missing
        else None,
        "check_form": CheckForm(initial={"programme": request.GET.get("programme") or "dibao", "as_of": today}),
        "assist_form": AssistForm(auto_id="assist_%s"),
        "reports": Report.objects.filter(household=hh)[:20],
    }
    return render(request, "verification/household.html", context)


@capability_required(VERIFY_RUN)
@require_POST
def authorisation_add(request, pk):
    hh = _household(request, pk)
    members = services.living_members(hh)
    documents = application_docs.documents(hh.pk)
    form = AuthorisationForm(request.POST, request.FILES, members=members, documents=documents)
    if not form.is_valid():
        messages.error(request, "授权书信息不完整：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("verification:household", pk=hh.pk)
    person = next(p for p in members if p.pk == form.cleaned_data["person"])
    data = form.cleaned_data
    try:
        services.record_authorisation(
            request.user, hh, person, data["signed_on"], data["scan"], valid_until=data["valid_until"],
            document=data.get("document") or None,
        )  # fmt: skip
        messages.success(request, f"已登记 {person.name} 的核对授权书，以后的核对在有效期内沿用。")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("verification:household", pk=hh.pk)


@capability_required(VERIFY_RUN)
@require_POST
def authorisation_revoke(request, pk):
    auth = access_authorisation_by_id(request.user, pk)
    try:
        services.revoke_authorisation(request.user, auth, request.POST.get("reason", ""))
        messages.success(request, f"已撤回 {auth.person.name} 的核对授权书；以后的核对须重新登记授权书。")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("verification:household", pk=auth.person.household_id or auth.household_id)


@capability_required(VERIFY_RUN)
def authorisation_scan(request, pk):
    auth = access_authorisation_by_id(request.user, pk)
    if not auth.scan or not auth.scan.storage.exists(auth.scan.name):
        raise Http404("授权书扫描件不存在")
    audit.record("verification.authorisation.view", auth, region_code=auth.household.region_id)
    return FileResponse(auth.scan.open("rb"), filename=Path(auth.scan.name).name)


@capability_required(VERIFY_RUN)
@require_POST
def check(request, pk):
    hh = _household(request, pk)
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写救助项目和核对基准日")
        return redirect("verification:household", pk=hh.pk)
    try:
        report = services.check_household(request.user, hh, form.cleaned_data["programme"], form.cleaned_data["as_of"])
    except ServiceError as exc:
        show_refusal(request, exc)
        return redirect("verification:household", pk=hh.pk)
    return redirect("verification:report", pk=report.pk)


# --- reports ---------------------------------------------------------------------------------------------------


def _report(request, pk):
    return access_report_by_id(request.user, pk)


@capability_required(VERIFY_REPORTS)
def reports(request):
    qs = scoped(Report.objects.select_related("household", "region"), request.user, capability=VERIFY_REPORTS)
    conclusion = request.GET.get("conclusion", "")
    if conclusion in Conclusion.values:
        qs = qs.filter(conclusion=conclusion)
    return render(
        request,
        "verification/reports.html",
        {"page": _page(request, qs), "conclusion": conclusion, "conclusions": Conclusion.choices},
    )


@capability_required(VERIFY_REPORTS)
def report(request, pk):
    r = _report(request, pk)
    return render(request, "verification/report.html", {"report": r})


@capability_required(VERIFY_REPORTS)
def report_pdf(request, pk):
    from weasyprint import HTML

    r = _report(request, pk)
    html = render_to_string("verification/report_print.html", {"report": r, "printed_at": timezone.localtime()})
    pdf = HTML(string=html).write_pdf()
    audit.record("verification.report.print", r, region_code=r.region_id)
    return download(pdf, f"核对报告-{r.pk}.pdf", "application/pdf", inline=True)


# --- departmental data -----------------------------------------------------------------------------------------


@capability_required(VERIFY_DATA)
def sources(request):
    form = UploadForm(request.POST or None, request.FILES or None, initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            upload = services.ingest_file(
                request.user,
                form.cleaned_data["source"],
                f.read(),
                f.name,
                form.cleaned_data["as_of"],
                valid_only=form.cleaned_data["valid_only"],
                by_county=form.cleaned_data["by_county"],
            )
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            return redirect("verification:upload", pk=upload.pk)
    context = {
        "form": form,
        "freshness": services.freshness(region_code=request.user.region_id),
        "uploads": visible_uploads(request.user)[:20],
    }
    return render(request, "verification/sources.html", context)


@capability_required(VERIFY_DATA)
def upload(request, pk):
    u = access_upload_by_id(request.user, pk)
    return render(request, "verification/upload.html", {"upload": u, "source": SOURCES[u.source]})


@capability_required(VERIFY_DATA)
def upload_errors(request, pk):
    u = access_upload_by_id(request.user, pk)
    if not u.error_report or not Path(u.error_report).exists():
        raise Http404("没有错误报告")
    return FileResponse(open(u.error_report, "rb"), as_attachment=True, filename=f"errors-{u.pk}.csv")  # noqa: SIM115


@csrf_exempt
@require_POST
def api_upload(request, source):
    """The departments' first upload address, kept as an alias of the API operation ``upload_feed``
    (POST /api/verification/feeds/<source>): the same API client tokens, grants, audit, rate limit and answers."""
    match = resolve(reverse("api:upload_feed", kwargs={"source": source}))
    return match.func(request, *match.args, **match.kwargs)


@capability_required(VERIFY_DATA)
def thresholds(request):
    form = ThresholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_threshold(request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, "已新增核对规则阈值。")
            return redirect("verification:thresholds")
    rows = visible_thresholds(request.user).select_related("region")
    return render(request, "verification/thresholds.html", {"form": form, "page": _page(request, rows)})


# --- batch -----------------------------------------------------------------------------------------------------


def _batch(request, pk):
    return access_batch_by_id(request.user, pk)


@capability_required(VERIFY_BATCH)
def batches(request):
    """The batch runs, and 开始复核: a whole run queued for the task worker (not run in the request)."""
    form = BatchForm(request.POST or None, initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.start_batch(request.user, data["programme"], data["as_of"], data["region_prefix"],
                                          data["backend"], enrolled_only=data["enrolled_only"])  # fmt: skip
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            run = _queued_message(request, result, WHOLE)
            return redirect("verification:batch", pk=run.pk) if run else redirect("verification:batches")
    services.close_stale_runs()  # a run whose process died shows 中断 (with a rerun), not 运行中 forever
    runs = scoped(BatchRun.objects.select_related("region"), request.user, capability=VERIFY_BATCH)
    waiting = services.queued_runs()  # everyone's, oldest first: the notice counts them all
    page = _page(request, runs)
    context = {
        "form": form,
        "county_form": CountyBatchForm(initial={"as_of": timezone.localdate()}),
        "page": page,
        "queued": len(waiting),
        "queued_runs": [q for q in waiting if in_scope(request.user, q.region_code)] if page.number == 1 else [],
        "queue_notice": workers.queue_notice(request.user, waiting[0].enqueued_at) if waiting else None,
    }
    return render(request, "verification/batches.html", context)


# what the page calls each kind of run it queues; after it, how one that failed is taken up again
WHOLE = ("批量复核", "可重新运行")
BY_COUNTY = ("按县复核", "已完成的县（区）的结果已保存，可按县续跑")
RESUMED = ("按县续跑", "已完成的县（区）的结果已保存，可按县续跑")


def _queued_message(request, result, kind: tuple[str, str]) -> BatchRun | None:
    """What the page says of a batch run it queued (``kind``: WHOLE, BY_COUNTY or RESUMED); the run when the task
    already ran (the immediate backend of the tests and the demo without a worker)."""
    what, again = kind
    if result.status == TaskResultStatus.SUCCESSFUL:
        run = BatchRun.objects.get(pk=result.return_value)
        counties = f"{run.counties_done} 个县（区），" if run.by_county else ""
        messages.success(request, f"{what}完成：{counties}{run.households} 户。")
        return run
    if result.status == TaskResultStatus.FAILED:
        messages.error(request, f"{what}未能完成，原因见批量复核列表；{again}。")
        return None
    messages.success(request, f"{what}已提交后台处理，完成后刷新本页查看进度和结果。")
    return None


@capability_required(VERIFY_BATCH)
@require_POST
def batch_by_county(request):
    """Queue a county-by-county run over the application's own data for the task worker (not run in the
    request)."""
    form = CountyBatchForm(request.POST)
    if not form.is_valid():
        errors = "；".join(f"{form.fields[name].label}：{e}" for name, errs in form.errors.items() for e in errs)
        messages.error(request, "按县复核的参数有误：" + errors)
        return redirect("verification:batches")
    data = form.cleaned_data
    try:
        result = services.start_batch_by_county(request.user, data["programme"], data["as_of"], data["region_prefix"])
    except ServiceError as exc:
        show_refusal(request, exc)
        return redirect("verification:batches")
    run = _queued_message(request, result, BY_COUNTY)
    return redirect("verification:batch", pk=run.pk) if run else redirect("verification:batches")


@capability_required(VERIFY_BATCH)
@require_POST
def batch_resume(request, pk):
    """Queue the resume of an interrupted or failed county-by-county run: its unfinished counties only."""
    run = _batch(request, pk)
    try:
        result = services.start_resume(request.user, run)
    except ServiceError as exc:
        show_refusal(request, exc)
        return redirect("verification:batch", pk=run.pk)
    _queued_message(request, result, RESUMED)
    return redirect("verification:batch", pk=run.pk)


@capability_required(VERIFY_BATCH)
def batch(request, pk):
    run = _batch(request, pk)
    if run.status == BatchRun.Status.RUNNING and services.close_stale_runs():
        run.refresh_from_db()
    rows = services.review_rows(run, only_changed=request.GET.get("changed") == "1") if run.results_path else []
    return render(
        request,
        "verification/batch.html",
        {"run": run, "page": _page(request, rows), "changed_only": request.GET.get("changed") == "1"},
    )


@capability_required(VERIFY_BATCH)
def batch_xlsx(request, pk):
    run = _batch(request, pk)
    return xlsx_download(services.review_xlsx(request.user, run), f"核对复核清单-{run.pk}")


# --- 协查 ------------------------------------------------------------------------------------------------------


@capability_required(VERIFY_RUN)
def assist_list(request):
    qs = scoped(AssistRequest.objects.select_related("household", "region"), request.user, capability=VERIFY_RUN)
    return render(request, "verification/assist_list.html", {"page": _page(request, qs), "form": AssistAnswerForm()})


@capability_required(VERIFY_RUN)
@require_POST
def assist_create(request, pk):
    hh = _household(request, pk)
    form = AssistForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写救助项目、核对基准日和协查对象")
        return redirect("verification:household", pk=hh.pk)
    try:
        req = services.create_assist_request(
            request.user, hh, form.cleaned_data["programme"], form.cleaned_data["as_of"], form.cleaned_data["target"]
        )
    except ServiceError as exc:
        show_refusal(request, exc)
        return redirect("verification:household", pk=hh.pk)
    messages.success(request, f"已生成协查请求 #{req.pk}，请下载请求文件发送给{req.target}。")
    return redirect("verification:assist_list")


@capability_required(VERIFY_RUN)
def assist_file(request, pk):
    req = access_assist_request_by_id(request.user, pk)
    data = services.assist_request_xlsx(req)
    audit.record("verification.assist.export", req, region_code=req.region_id, detail="导出含身份证号的协查请求文件")
    return xlsx_download(data, f"协查请求-{req.pk}")


@capability_required(VERIFY_RUN)
@require_POST
def assist_answer(request, pk):
    req = access_assist_request_by_id(request.user, pk)
    form = AssistAnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择数据源、数据日期和回复文件")
        return redirect("verification:assist_list")
    f = form.cleaned_data["file"]
    try:
        rep = services.import_assist_answer(
            request.user, req, form.cleaned_data["source"], f.read(), f.name, form.cleaned_data["as_of"]
        )
    except ServiceError as exc:
        show_refusal(request, exc)
        return redirect("verification:assist_list")
    return redirect("verification:report", pk=rep.pk)


# --- statistics ------------------------------------------------------------------------------------------------


@capability_required(STATS_VIEW)
def stats(request):
    base = picked_region(request) or request.user.region
    qs = scoped(Report.objects.all(), request.user, capability=STATS_VIEW)
    qs = qs.filter(subtree("region", base.prefix))
    child_level = min(base.level + 1, regions.VILLAGE)
    cut = regions.PREFIX_LENGTH[child_level]
    table: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in (
        qs.annotate(month=TruncMonth("created_at")).values("month", "region_id", "conclusion").annotate(n=Count("id"))
    ):
        key = (row["month"].strftime("%Y-%m"), row["region_id"][:cut])
        table[key][row["conclusion"]] += row["n"]
    names = {r.code[:cut]: r.name for r in Region.objects.filter(starting_with("code", base.prefix), level=child_level)}
    rows = [
        {"month": m, "region": names.get(code, code), "total": sum(c.values()), **{k: c.get(k, 0) for k in Conclusion}}
        for (m, code), c in sorted(table.items(), reverse=True)
    ]
    reasons = Counter()
    for reason_list in qs.values_list("reasons", flat=True).iterator():
        for reason in reason_list:
            code = reason.get("code", "")
            reasons[rules.REASON_LABELS.get(code, code)] += 1
    return render(
        request,
        "verification/stats.html",
        {"region": base, "rows": rows, "reasons": reasons.most_common(), "total": qs.count()},
    )
