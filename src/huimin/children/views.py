"""Thin views of 儿童福利: parse the request, call a service, render."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.children import capabilities as cap
from huimin.children import reports, services
from huimin.children.access import access_case_by_id, access_entry_by_id
from huimin.children.models import (
    Assignment,
    Case,
    Category,
    FosterPlacement,
    Guardian,
    GuardianshipAction,
    GuardianStatus,
    Intervention,
    PlacementRecord,
    Plan,
    Referral,
    RegisterEntry,
    RiskItem,
)
from huimin.core import audit
from huimin.core.access import NotInScope, show_refusal
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.parse import date_or_none
from huimin.core.roles import EXPORT, has_capability
from huimin.core.scope import in_scope
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.registry.dedup import find_by_id_number

PAGE = 30
LINE = services.LINE


def _person_by_id_number(user, number: str):
    person = find_by_id_number((number or "").strip().upper()) if number else None
    if person is None or not in_scope(user, person.region_id):
        raise ServiceError("未找到该身份证号的人员（或不在您的管辖范围内），请先在人员信息中登记")
    return person


@capability_required(cap.VIEW)
def register_list(request):
    qs = services.register(request.user).select_related("person", "category", "region", "director")
    f = {k: request.GET.get(k, "").strip() for k in ("category", "status")}
    if f["category"]:
        qs = qs.filter(category__code=f["category"])
    qs = qs.filter(status=f["status"] or RegisterEntry.Status.ACTIVE)
    qs = qs.order_by("region_id", "person__birth_date", "pk")
    if request.GET.get("export") == "xlsx":
        if not has_capability(request.user, EXPORT):
            raise Http404
        from huimin.core.masking import mask

        audit.record("children.export.register", detail=f"{qs.count()} 条")
        rows = [
            (
                e.person.name,
                mask("id_number", e.person.id_number),
                e.person.birth_date,
                e.category.name,
                e.get_placement_display(),
                e.region.name,
                e.director.full_name,
                e.next_visit_due,
            )
            for e in qs
        ]
        return xlsx_response("儿童名册", "儿童名册", ["姓名", "身份证号", "出生日期", "名册", "安置方式", "居住地",
                                                      "儿童主任", "下次走访"], rows)  # fmt: skip
    return render(request, "children/register.html", {
        "page": page_of(request, qs, PAGE), "filters": f, "categories": Category.objects.all(),
        "statuses": RegisterEntry.Status.choices, "today": services.today(),
        "may_register": has_capability(request.user, cap.REGISTER, LINE),
    })  # fmt: skip


GUARDIAN_ROWS = (("father", "父亲"), ("mother", "母亲"), ("other", "其他监护人"))


@capability_required(cap.REGISTER)
def enter(request):
    entered = {}
    if request.method == "POST":
        entered = request.POST
        try:
            person = _person_by_id_number(request.user, request.POST.get("id_number"))
            guardians = []
            for key, _label in GUARDIAN_ROWS:
                status = request.POST.get(f"{key}_status", "")
                if not status:
                    continue
                relation = key if key != "other" else request.POST.get("other_relation") or "other"
                gid = request.POST.get(f"{key}_id_number", "").strip()
                gperson = _person_by_id_number(request.user, gid) if gid else None
                guardians.append(
                    services.GuardianInput(
                        relation=relation,
                        status=status,
                        name=request.POST.get(f"{key}_name", ""),
                        person_id=gperson.pk if gperson else None,
                        since=date_or_none(request.POST.get(f"{key}_since")),
                    )
                )
            director = get_user_model().objects.filter(pk=request.POST.get("director") or None).first()
            evidence = [{"name": n, "reference": r} for n, r in zip(request.POST.getlist("evidence_name"),
                        request.POST.getlist("evidence_reference"), strict=False) if n.strip()]  # fmt: skip
            entry = services.register_child(request.user, person, request.POST.get("category", ""),
                                            guardians=guardians, director=director, evidence=evidence,
                                            placement=request.POST.get("placement", "kin"),
                                            note=request.POST.get("note", ""))  # fmt: skip
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已将{entry.person.name}纳入{entry.category.name}名册")
            return redirect("children:entry", entry.pk)
    from huimin.core.roles import Role

    directors = get_user_model().objects.filter(role_assignments__line=LINE, role_assignments__role=Role.ASSISTANT,
                                                is_active=True).distinct()  # fmt: skip
    directors = [d for d in directors if in_scope(request.user, d.region_id)]
    return render(request, "children/enter.html", {
        "categories": Category.objects.all(), "statuses": GuardianStatus.choices, "rows": GUARDIAN_ROWS,
        "relations": Guardian.Relation.choices, "placements": RegisterEntry.Placement.choices,
        "directors": directors, "entered": entered,
    }, status=400 if entered else 200)  # fmt: skip


@capability_required(cap.VIEW)
def transitions(request):
    rows = services.transitions(request.user)
    return render(request, "children/transitions.html", {"rows": rows, "today": services.today(),
                                                          "days": services.parameter("transition_days")})  # fmt: skip


@capability_required(cap.VIEW)
def entry_detail(request, pk):
    entry = access_entry_by_id(request.user, pk)
    return render(request, "children/entry.html", {
        "entry": entry, "guardians": entry.guardians.all(), "evidence": entry.evidence.all(),
        "visits": entry.visits.select_related("by"), "today": services.today(),
        "others": RegisterEntry.objects.filter(person=entry.person).exclude(pk=entry.pk).select_related("category"),
        "history": PlacementRecord.objects.filter(child=entry.person).order_by("-started_on", "-id"),
        "fosters": FosterPlacement.objects.filter(child=entry.person, status=FosterPlacement.Status.ACTIVE)
        .select_related("family__carer").prefetch_related("visits__by"),
    })  # fmt: skip


@capability_required(cap.VIEW)
@require_POST
def entry_visit(request, pk):
    entry = access_entry_by_id(request.user, pk)
    try:
        services.record_register_visit(request.user, entry, date_or_none(request.POST.get("visited_on")),
                                       request.POST.get("note", ""))  # fmt: skip
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已登记走访")
    return redirect("children:entry", entry.pk)


# --- cases ---------------------------------------------------------------------------------------------------


@capability_required(cap.CASE_REPORT)
def case_list(request):
    cases = services.visible_cases(request.user).select_related("child", "region", "risk_level")
    status = request.GET.get("status", "").strip()
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    overdue_only = request.GET.get("overdue") == "1"
    return render(request, "children/cases.html", {
        "page": page_of(request, cases, PAGE), "statuses": Case.Status.choices, "status": status,
        "tasks": services.task_list(request.user, overdue_only=overdue_only), "overdue_only": overdue_only,
        "sees_all": services.sees_all(request.user),
        "received": reports.pending(request.user)[:100] if has_capability(request.user, cap.CASE_SUPERVISE, LINE)
        else None,
    })  # fmt: skip


@capability_required(cap.CASE_REPORT)
def report(request):
    entered = {}
    if request.method == "POST":
        entered = request.POST
        users = get_user_model().objects
        try:
            child = _person_by_id_number(request.user, request.POST.get("id_number"))
            supervisor = users.filter(pk=request.POST.get("supervisor") or None).first()
            case = services.report_case(
                request.user, child, source=request.POST.get("source", ""), concern=request.POST.get("concern", ""),
                anonymous=request.POST.get("anonymous") == "1", reporter_name=request.POST.get("reporter_name", ""),
                reporter_contact=request.POST.get("reporter_contact", ""), supervisor=supervisor)  # fmt: skip
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已登记发现报告，个案 {case.number}")
            if services.sees_all(request.user) or services.role_on(request.user, case):
                return redirect("children:case", case.pk)
            return redirect("children:cases")
    supervisors = [u for u in services._users_on_line(cap.CASE_SUPERVISE) if in_scope(request.user, u.region_id)
                   or request.user.region_id.startswith(u.region_id.rstrip("0"))]  # fmt: skip
    return render(request, "children/report.html", {"sources": Case.Source.choices, "supervisors": supervisors,
                                                     "entered": entered}, status=400 if entered else 200)  # fmt: skip


@capability_required(cap.CASE_REPORT)
def case_detail(request, pk):
    case = access_case_by_id(request.user, pk)
    user = request.user
    role = services.role_on(user, case)
    plan = case.plans.order_by("-submitted_at", "-id").first()
    return render(request, "children/case.html", {
        "case": case, "role": role, "sees_all": services.sees_all(user),
        "may_work": has_capability(user, cap.CASE_WORK, LINE),
        "may_supervise": has_capability(user, cap.CASE_SUPERVISE, LINE)
        and (role == Assignment.Role.SUPERVISOR or services.sees_all(user)),
        "assignments": case.assignments.filter(ended_at__isnull=True).select_related("user"),
        "assessments": case.assessments.select_related("level", "by"), "items": RiskItem.objects.all(),
        "plan": plan, "interventions": plan.interventions.all() if plan else [],
        "referrals": case.referrals.all(), "actions": case.guardianship_actions.all(),
        "followups": case.followups.select_related("by"), "tasks": services.tasks_of(case),
        "agencies": Referral.Agency.choices, "kinds": GuardianshipAction.Kind.choices,
        "today": services.today(), "roles": Assignment.Role.choices,
        "candidates": [u for u in services._users_on_line(cap.CASE_WORK) if in_scope(u, case.region_id)
                       or case.region_id.startswith(u.region_id[:9])],
    })  # fmt: skip


def _interventions(post) -> list[dict]:
    rows = []
    for n in range(1, 6):
        row = {k: post.get(f"i{n}_{k}", "") for k in ("service", "provider", "goal", "due_on", "success_measure")}
        if any(str(v).strip() for v in row.values()):
            rows.append(row)
    return rows


ACTIONS = {
    "respond": lambda u, c, p: services.respond(u, c, p.get("action", "")),
    "assess": lambda u, c, p: services.assess(
        u, c, {i.code: p.get(f"item_{i.code}") for i in RiskItem.objects.all()}, p.get("needs", "")
    ),
    "plan": lambda u, c, p: services.submit_plan(u, c, p.get("goal", ""), _interventions(p)),
    "plan_approve": lambda u, c, p: services.decide_plan(u, _plan(c, p), True, p.get("note", "")),
    "plan_return": lambda u, c, p: services.decide_plan(u, _plan(c, p), False, p.get("note", "")),
    "refer": lambda u, c, p: services.refer(
        u, c, agency=p.get("agency", ""), agency_name=p.get("agency_name", ""), reason=p.get("reason", "")
    ),
    "referral_accept": lambda u, c, p: services.answer_referral(
        u, _referral(c, p), accepted=True, response=p.get("response", "")
    ),
    "referral_reject": lambda u, c, p: services.answer_referral(
        u, _referral(c, p), accepted=False, response=p.get("response", "")
    ),
    "service_done": lambda u, c, p: services.complete_intervention(u, _intervention(c, p), p.get("result", "")),
    "intervene": lambda u, c, p: services.intervene(u, c, kind=p.get("kind", ""), note=p.get("note", "")),
    "follow_up": lambda u, c, p: services.follow_up(
        u, c, visited_on=date_or_none(p.get("visited_on")), note=p.get("note", "")
    ),
    "closure_request": lambda u, c, p: services.request_closure(u, c, p.get("reason", "")),
    "closure_approve": lambda u, c, p: services.decide_closure(u, c, True, p.get("note", "")),
    "closure_return": lambda u, c, p: services.decide_closure(u, c, False, p.get("note", "")),
    "assign": lambda u, c, p: services.assign(
        u, c, get_user_model().objects.filter(pk=p.get("user") or None).first(), p.get("role", "")
    ),
}
DONE = {"respond": "已登记应急处置", "assess": "已登记评估", "plan": "已提交帮扶计划", "plan_approve": "已批准帮扶计划",
        "plan_return": "已退回帮扶计划", "refer": "已转介", "referral_accept": "已登记转介接收",
        "referral_reject": "已登记转介拒绝", "service_done": "已登记服务完成", "intervene": "已登记监护干预",
        "follow_up": "已登记回访", "closure_request": "已申请结案", "closure_approve": "已批准结案",
        "closure_return": "已退回结案申请", "assign": "已指派"}  # fmt: skip


def _plan(case, post) -> Plan:
    plan = Plan.objects.filter(case=case, pk=post.get("plan") or None).first()
    if plan is None:
        raise NotInScope("帮扶计划不存在")
    return plan


def _referral(case, post) -> Referral:
    row = Referral.objects.filter(case=case, pk=post.get("referral") or None).first()
    if row is None:
        raise NotInScope("转介不存在")
    return row


def _intervention(case, post) -> Intervention:
    row = Intervention.objects.filter(plan__case=case, pk=post.get("intervention") or None).first()
    if row is None:
        raise NotInScope("帮扶措施不存在")
    return row


@capability_required(cap.CASE_REPORT)
@require_POST
def case_act(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    case = access_case_by_id(request.user, pk)
    try:
        ACTIONS[action](request.user, case, request.POST)
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, DONE[action])
    return redirect("children:case", case.pk)


@capability_required(cap.CASE_REPORT)
def kpis(request):
    return render(request, "children/kpis.html", {"k": services.kpis(request.user), "today": services.today()})
