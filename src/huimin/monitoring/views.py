"""Thin views of 动态监测: parse the request, call a service, render."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tasks.base import TaskResultStatus

from huimin.benefits.capabilities import VIEW as BENEFITS_VIEW
from huimin.benefits.models import Recovery
from huimin.core import audit, regions, workers
from huimin.core.access import can_write_region, show_refusal
from huimin.core.decorators import capability_required
from huimin.core.models import Region
from huimin.core.pagination import page_of
from huimin.core.parse import date_or_none
from huimin.core.roles import EXPORT, has_capability
from huimin.core.scope import in_scope, regions_of, scoped, user_prefixes
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.engine.sources import SOURCES
from huimin.monitoring import capabilities as cap
from huimin.monitoring import discovery, services
from huimin.monitoring.access import access_rule_by_id, access_warning_by_id, visible_rules
from huimin.monitoring.defaults import LABELS
from huimin.monitoring.models import (
    Category,
    Direction,
    Discovery,
    MonitoringRun,
    Warning,
    WarningEvent,
    WarningRule,
)
from huimin.registry.access import access_household_by_id
from huimin.verification.models import Report

PAGE = 30
# what the engine's ``value`` of a fact means, per rule kind: (label, "yuan" for 分 shown in 元, or "" as is)
VALUE_LABELS = {
    "vehicle": ("车辆价值", "yuan"),
    "property": ("评估价值", "yuan"),
    "company": ("注册资本", "yuan"),
    "wages_over_line": ("超标月份中最高的家庭月工资", "yuan"),
    "pension_over_line": ("超标月份中最高的家庭月养老金", "yuan"),
    "medical": ("期间个人自付医疗费用合计", "yuan"),
    "disability": ("残疾等级", ""),
    "enrolled_twice": ("在保家庭数", ""),
    "no_withdrawal": ("未支取期间入账合计", "yuan"),
    "subsidy_unclaimed": ("残疾等级", ""),
    "certificate_lost": ("残疾等级", ""),
}
# the application a 应保 warning leads to, by the household's monitoring category
APPLICATION_FOR = {"edge": "dibao", "expense": "dibao", "poverty_monitoring": "dibao"}


def _warnings(request):
    return scoped(
        Warning.objects.select_related("rule", "household", "person", "region", "township"),
        request.user,
        capability=cap.VIEW,
    )


def _townships(user):
    prefixes = user_prefixes(user)
    qs = Region.objects.filter(level=regions.TOWNSHIP).order_by("code")
    if not prefixes:
        return qs.none()
    if any(len(p) >= regions.PREFIX_LENGTH[regions.TOWNSHIP] for p in prefixes):
        return qs.filter(code__in=[regions.full_code(p[:9]) for p in prefixes])
    return regions_of(user, (regions.TOWNSHIP,))


def _township_choices(user) -> list[tuple[str, str]]:
    """(code, label) of the townships the user may filter by, each named with its county above the county level
    (core.regions.labels)."""
    codes = list(_townships(user).values_list("code", flat=True))
    names = regions.labels(codes, under=user.region_id)
    return [(code, names[code]) for code in codes]


def _filtered(request, qs):
    f = {k: request.GET.get(k, "").strip() for k in ("township", "rule", "direction", "severity", "status")}
    f["overdue"] = request.GET.get("overdue") == "1"
    if f["township"] and in_scope(request.user, f["township"]):
        qs = qs.filter(township_id=f["township"])
    if f["rule"]:
        qs = qs.filter(rule__code=f["rule"])
    if f["direction"] in Direction.values:
        qs = qs.filter(direction=f["direction"])
    if f["severity"] in WarningRule.Severity.values:
        qs = qs.filter(severity=f["severity"])
    if f["status"] == "open" or not f["status"]:
        qs = qs.filter(status__in=Warning.OPEN)
    elif f["status"] in Warning.Status.values:
        qs = qs.filter(status=f["status"])
    if f["overdue"]:
        qs = services.overdue(qs)
    return qs, f


def _list_context(request, qs, f, title):
    return {
        "title": title,
        "page": page_of(request, qs.order_by("due_on", "id"), PAGE),
        "filters": f,
        "townships": _township_choices(request.user),
        "rules": WarningRule.objects.all(),
        "directions": Direction.choices,
        "severities": WarningRule.Severity.choices,
        "statuses": Warning.Status.choices,
        "today": timezone.localdate(),
    }


def _export(request, qs):
    if not has_capability(request.user, EXPORT):
        raise Http404
    qs = qs.order_by("due_on", "id")
    audit.record("monitoring.export.warnings", detail=f"{qs.count()} 条")
    townships = regions.labels(qs.values_list("township_id", flat=True).distinct(), under=request.user.region_id)
    rows = (
        (w.pk, w.rule.name, w.get_direction_display(), w.get_severity_display(), w.get_status_display(),
         townships.get(w.township_id, w.township.name), w.region.name, w.household.number,
         w.person.name if w.person else "",
         w.get_category_display(), w.record_key, w.occurred_on, w.due_on, w.get_action_display(), w.note)
        for w in qs.iterator(chunk_size=2000)
    )  # fmt: skip
    headers = ["编号", "预警规则", "方向", "等级", "状态", "责任乡镇", "村（社区）", "户编号", "人员", "监测类别",
               "来源记录", "发生日期", "处置时限", "处置结果", "处置说明"]  # fmt: skip
    return xlsx_response("预警清单", "预警清单", headers, rows)


@capability_required(cap.VIEW)
def warning_list(request):
    qs, f = _filtered(request, _warnings(request))
    if request.GET.get("export") == "xlsx":
        return _export(request, qs)
    return render(request, "monitoring/warnings.html", _list_context(request, qs, f, "预警清单"))


@capability_required(cap.VIEW)
def overdue_list(request):
    qs, f = _filtered(request, services.overdue(_warnings(request)))
    f["overdue"] = True
    if request.GET.get("export") == "xlsx":
        return _export(request, qs)
    return render(request, "monitoring/warnings.html", _list_context(request, qs, f, "超期预警"))


def _warning(request, pk) -> Warning:
    return access_warning_by_id(request.user, pk)


def _value(w: Warning):
    label, unit = VALUE_LABELS.get(w.rule.kind, ("", ""))
    value = (w.detail or {}).get("value")
    if not label or value in (None, 0):
        return None
    return label, (f"{value / 100:,.2f} 元" if unit == "yuan" else str(value))


@capability_required(cap.VIEW)
def warning_detail(request, pk):
    w = _warning(request, pk)
    enrolment = services.enrolment_for(w)
    programme = APPLICATION_FOR.get(w.category, "dibao")
    return render(
        request,
        "monitoring/warning.html",
        {
            "w": w,
            "value": _value(w),
            "source_names": [SOURCES[c].name for c in w.rule.sources if c in SOURCES],
            "events": WarningEvent.objects.filter(warning=w),
            "enrolment": enrolment,
            "application_programme": programme,
            "actions": Warning.Action.choices,
            "change_actions": list(Warning.CHANGE_ACTIONS),
            "linkable": services.linkable_changes(w) if w.is_open else [],
            "reports": Report.objects.filter(household_id=w.household_id).order_by("-id")[:10],
            "is_death": w.rule.kind == "death" and w.person_id is not None,
            "person_deceased": bool(w.person and w.person.is_deceased),
            "recovery": _recovery_of(request, enrolment),
            "may_handle": has_capability(request.user, cap.HANDLE),
            "overdue": w.is_open and w.due_on < timezone.localdate(),
            "other_warnings": _warnings(request).filter(household_id=w.household_id).exclude(pk=w.pk)[:20],
            **_discovery_context(request, w),
        },
    )


def _discovery_context(request, w: Warning) -> dict:
    """主动发现 on a 应保 warning: the applications its rule proposes, the members to name, what was started."""
    from huimin.assistance.workflow import APPLY
    from huimin.registry.models import Person

    if w.direction != Direction.ENTER:
        return {}
    return {
        "proposals": discovery.proposals(w),
        "discovery": Discovery.objects.filter(warning=w).select_related("application__programme", "consent_by",
                                                                        "report").first(),
        "members": Person.objects.filter(household_id=w.household_id, merged_into__isnull=True,
                                         is_deceased=False).order_by("id"),
        "may_apply": has_capability(request.user, APPLY),
    }  # fmt: skip


@capability_required(cap.HANDLE)
@require_POST
def warning_discover(request, pk):
    w = _warning(request, pk)
    p = request.POST
    try:
        found = discovery.start_application(
            request.user, w, programme_code=p.get("programme", ""), applicant_id=p.get("applicant"),
            consent_by_id=p.get("consent_by"), consent_on=date_or_none(p.get("consent_on")),
            consent_note=p.get("consent_note", ""), reason=p.get("reason", ""),
            requested_amount=p.get("requested_amount") or None, beneficiary_id=p.get("beneficiary") or None,
        )  # fmt: skip
        messages.success(request, f"已核对并登记{found.application.programme.name}申请 {found.application.number}。")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("monitoring:warning", pk=w.pk)


def _recovery_of(request, enrolment):
    """The 追缴 of the enrolment, when the user may see it."""
    if enrolment is None or not has_capability(request.user, BENEFITS_VIEW):
        return None
    return Recovery.objects.filter(enrolment_id=enrolment.pk).first()


def _date(value):
    try:
        return datetime.date.fromisoformat((value or "").strip()) if (value or "").strip() else None
    except ValueError as exc:
        raise ServiceError("日期格式不正确，应为 YYYY-MM-DD") from exc


@capability_required(cap.HANDLE)
@require_POST
def warning_act(request, pk, action):
    w = _warning(request, pk)
    note = request.POST.get("note", "")
    try:
        if action == "confirm":
            services.confirm(request.user, w, note)
            messages.success(request, "预警已转入核实。")
        elif action == "confirm_death":
            services.confirm_death(request.user, w, note)
            messages.success(request, "已确认死亡，对象库已登记。请办理停止保障（自死亡次月起停发）。")
        elif action == "handle":
            upload = request.FILES.get("evidence_file")
            w = services.handle(
                request.user, w, request.POST.get("action", ""), note,
                change_id=request.POST.get("change_id") or None,
                monthly_amount=request.POST.get("monthly_amount") or None,
                evidence_file=upload, report_id=request.POST.get("report_id") or None,
                visit_on=_date(request.POST.get("visit_on")), visit_by=request.POST.get("visit_by", ""),
            )  # fmt: skip
            messages.success(request, f"已记录处置结果：{w.get_action_display()}。")
        elif action == "close":
            services.close(request.user, w, note)
            messages.success(request, "预警已办结。")
        else:
            raise Http404("没有这个操作")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("monitoring:warning", pk=w.pk)


# --- rules -----------------------------------------------------------------------------------------------------


@capability_required(cap.RULES)
def rule_list(request):
    stats = {s["rule"].pk: s for s in services.rule_statistics(_warnings(request))}
    rules = [(r, stats.get(r.pk)) for r in visible_rules(request.user).select_related("region")]
    names = {code: s.name for code, s in SOURCES.items()}
    rules = [(r, s, "、".join(names.get(c, c) for c in r.sources) or "对象库", _param_rows(r)) for r, s in rules]
    return render(request, "monitoring/rules.html", {"rules": rules})


def _param_rows(rule: WarningRule, values: dict | None = None):
    values = values if values is not None else rule.params
    rows = []
    for name, old in rule.params.items():
        value = values.get(name, old)
        shown = "，".join(services.value_names(name, value)) if isinstance(value, list) else value
        rows.append({"name": name, "label": LABELS.get(name, name), "value": shown, "is_list": isinstance(old, list)})
    return rows


@capability_required(cap.RULES)
def rule_edit(request, pk):
    rule = access_rule_by_id(request.user, pk)
    if request.method == "POST":
        try:
            params = services.parse_params(rule, request.POST)
            services.update_rule(
                request.user, rule, params=params, is_active=request.POST.get("is_active") == "on",
                severity=request.POST.get("severity", ""), deadline_days=_int(request.POST.get("deadline_days")),
                reraise_days=request.POST.get("reraise_days", ...) if rule.direction == Direction.EXIT else None,
            )  # fmt: skip
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已保存预警规则“{rule.name}”。")
            return redirect("monitoring:rule_edit", pk=rule.pk)
    return render(
        request,
        "monitoring/rule_edit.html",
        {
            "rule": rule,
            "params": _param_rows(rule),
            "severities": WarningRule.Severity.choices,
            "categories": Category.choices,
            "may_edit": request.user.region is not None
            and request.user.region.level <= services.COUNTY_LEVEL
            and can_write_region(request.user, rule.region),
        },
    )


def _int(raw) -> int:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError) as exc:
        raise ServiceError("处置时限应为整数（工作日）") from exc


@capability_required(cap.RULES)
@require_POST
def rule_dry_run(request, pk):
    rule = access_rule_by_id(request.user, pk)
    result, error = None, ""
    try:
        params = services.parse_params(rule, request.POST)
        result = services.dry_run(request.user, rule, params)
    except ServiceError as exc:
        error = str(exc)
    names = {}
    if result:
        codes = [code for code, _ in result["by_township"]]
        names = regions.labels(codes, under=request.user.region_id)
        result["by_township"] = [(names.get(code, code), n) for code, n in result["by_township"]]
    return render(request, "monitoring/_dry_run.html", {"rule": rule, "result": result, "error": error})


# --- runs ------------------------------------------------------------------------------------------------------


@capability_required(cap.RUN)
def runs(request):
    """Start a run (queued for the task worker, not run inside the request) and list the runs; a run whose process
    died shows 中断 with a rerun, not 运行中 forever."""
    if request.method == "POST":
        try:
            if "resume" in request.POST:  # 按县续跑: a stopped county-by-county run, from the counties not done
                result = services.start_resume(request.user, request.POST.get("resume"))
            else:
                result = services.start_run(request.user, request.POST.get("kind", ""))
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            if result.status == TaskResultStatus.SUCCESSFUL:  # the immediate backend ran it at once
                run = MonitoringRun.objects.get(pk=result.return_value)
                messages.success(
                    request, f"{run}完成：监测 {run.population} 人，命中 {run.facts} 条事实，新增预警 {run.raised} 条。"
                )
            elif result.status == TaskResultStatus.FAILED:
                messages.error(request, "监测运行未能完成，原因见下表。已生成的预警保留，重新运行不会重复。")
            else:
                messages.success(request, "监测运行已提交后台处理，完成后刷新本页查看结果。")
        return redirect("monitoring:runs")
    services.close_stale_runs()
    queued = services.queued_runs()
    return render(
        request,
        "monitoring/runs.html",
        {
            "page": page_of(request, MonitoringRun.objects.all(), PAGE),
            "kinds": MonitoringRun.Kind.choices,
            "queued": queued,
            "queue_notice": workers.queue_notice(request.user, services.queued_since()) if queued else None,
        },
    )


# --- feedback --------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def dashboard(request):
    qs = _warnings(request)
    table = services.dashboard(qs)
    names = regions.labels([r["code"] for r in table], under=request.user.region_id)
    for row in table:
        row["name"] = names.get(row["code"], row["name"])
    totals = {k: sum(r[k] for r in table) for k in ("high", "medium", "low", "total")}
    chart = {
        "townships": [r["name"] for r in table],
        "series": [
            {"name": label, "key": key, "data": [r[key] for r in table]} for key, label in WarningRule.Severity.choices
        ],
    }
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "table": table,
            "totals": totals,
            "chart": chart,
            "chart_height": max(240, 28 * len(table) + 60),
            "stats": services.rule_statistics(qs),
            "overdue": services.overdue(qs).count(),
        },
    )


@capability_required(cap.VIEW)
def household_panel(request, pk):
    household = access_household_by_id(request.user, pk, capability=cap.VIEW)
    warnings = _warnings(request).filter(household=household).order_by("-raised_at", "-id")[:50]
    return render(request, "monitoring/_household_panel.html", {"household": household, "warnings": warnings})
