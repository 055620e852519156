"""Thin views: parse the request, call a service, render. Every query goes through huimin.core.scope."""

import datetime

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from huimin.assistance import documents, duties, overlaps, rules, services, verification_link, workflow
from huimin.assistance.access import access_application_by_id, access_enrolment_by_id, of_my_lines
from huimin.assistance.actions.agency import county_name
from huimin.assistance.models import (
    OPEN_STAGES,
    Application,
    ApplicationDocument,
    CareGrade,
    Channel,
    Conclusion,
    Delegation,
    DutySeparation,
    DutyStep,
    Enrolment,
    Forwarding,
    ManualVerification,
    NearRelative,
    Objection,
    OverlapRule,
    Programme,
    ProgrammeKind,
    RegionPolicy,
    Stage,
    VisitPhoto,
    WorkdayOverride,
)
from huimin.assistance.verification_link import verification_record
from huimin.core import audit, masking, regions, workdays
from huimin.core.access import by_line, visible_configuration
from huimin.core.decorators import capability_required
from huimin.core.models import Region
from huimin.core.pagination import page_of
from huimin.core.parse import date_or_none
from huimin.core.roles import EXPORT, BusinessLine, has_capability
from huimin.core.scope import in_scope, scoped, starting_with, subtree
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import download, xlsx_response
from huimin.registry import search as registry_search
from huimin.registry.access import access_household_by_id
from huimin.registry.codes import DisabilityCategory
from huimin.registry.models import Household, Membership, Person

PAGE_SIZE = 30
DUE_SOON_WORKDAYS = 3


def _page(request, qs):
    return page_of(request, qs, PAGE_SIZE)


def _id(value) -> int:
    """A posted row id; anything but digits is 0 (no such row), never a 500."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 18 else 0


# Lists never show the protected fields; deferring them spares a decryption per row (they load when a page asks).
PROTECTED_DEFER = (
    "applicant__id_number", "applicant__phone", "applicant__bank_account", "applicant__disability_cert_no"
)  # fmt: skip


def _applications(request):
    return of_my_lines(
        scoped(
            Application.objects.select_related("programme", "applicant", "region", "household").defer(*PROTECTED_DEFER),
            request.user,
            "region",
            capability=workflow.VIEW,
        ),
        request.user,
    )


def _enrolments(request):
    return of_my_lines(
        scoped(
            Enrolment.objects.select_related("programme", "household__head", "person", "region"),
            request.user,
            "region",
            capability=workflow.VIEW,
        ),
        request.user,
    )


def _wants_export(request) -> bool:
    if request.GET.get("export") != "xlsx":
        return False
    if not has_capability(request.user, EXPORT):
        raise Http404
    return True


def _region_filter(request, qs):
    code = request.GET.get("region", "").strip()
    if code and in_scope(request.user, code):
        qs = qs.filter(subtree("region", regions.prefix_of(code)))
    return qs


# --- applications ---------------------------------------------------------------------------------------


@capability_required(workflow.VIEW)
def application_list(request):
    qs = _region_filter(request, _applications(request))
    stage = request.GET.get("stage", "")
    if stage == "open":
        qs = qs.filter(stage__in=OPEN_STAGES)
    elif stage in Stage.values:
        qs = qs.filter(stage=stage)
    programme = request.GET.get("programme", "")
    if programme:
        qs = qs.filter(programme__code=programme)
    if request.GET.get("flagged"):
        qs = qs.filter(near_relative_flag=True)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(applicant__name__icontains=q) | Q(household__number=q))
    qs = qs.order_by("-created_at")
    if _wants_export(request):
        audit.record("assistance.export.applications", detail=f"{qs.count()} 条")
        return xlsx_response(
            "救助申请",
            "救助申请",
            ["申请编号", "救助项目", "申请人", "户编号", "村（社区）", "环节", "进入环节日期", "办结时限", "近亲属"],
            (
                [a.number, a.programme.name, a.applicant.name, a.household.number, a.region.name,
                 a.get_stage_display(), a.stage_entered_on, a.stage_due_on, "是" if a.near_relative_flag else ""]
                for a in qs.iterator()
            ),
        )  # fmt: skip
    return render(
        request,
        "assistance/applications.html",
        {
            "page": _page(request, qs),
            "stages": Stage.choices,
            "programmes": Programme.objects.filter(is_active=True),
            "filters": request.GET,
        },
    )


HOUSEHOLD_CHOICES = 20  # households a search on the application form lists at most


def _chosen_household(request) -> Household | None:
    """The household the form is for: ``household_id`` (the household page's 申请救助 link and the form itself;
    outside the actor's region 404), or a 户编号 in ``household`` (a 动态监测 warning's link)."""
    data = request.POST if request.method == "POST" else request.GET
    pk = (data.get("household_id") or "").strip()
    if pk:
        household = access_household_by_id(request.user, _id(pk) or -1, capability=workflow.APPLY)
        return household if household.is_active else None
    number = (data.get("household") or "").strip()
    if number:
        household = (
            scoped(Household.objects.select_related("region", "head"), request.user, capability=workflow.APPLY)
            .filter(number=number, is_active=True)
            .first()
        )
        if household is None:
            messages.error(request, f"户编号 {number} 不存在，或不在您的管辖范围内")
        return household
    return None


def _household_search(request) -> tuple[str, list[Household] | None]:
    """A search for the household by 户主 or member name, ID number or its last six characters (posted, so an ID
    number never stands in a URL), inside the actor's region."""
    if request.method != "POST" or "find" not in request.POST:
        return "", None
    q = request.POST.get("find", "").strip()
    if not q:
        messages.error(request, "请输入姓名、身份证号或身份证号后6位")
        return q, None
    found = scoped(registry_search.households(request.user, q=q), request.user, capability=workflow.APPLY)
    shown = "" if registry_search.looks_like_id_number(q) else q  # a full ID number is not echoed back
    return shown, list(found[:HOUSEHOLD_CHOICES])


def _masked_head_id(household: Household) -> str:
    return masking.mask("id_number", household.head.id_number) if household.head_id else ""


@capability_required(workflow.APPLY)
def application_create(request):
    household = _chosen_household(request)
    find, found = _household_search(request)
    members = (
        Membership.objects.filter(household=household, ended_on__isnull=True).select_related("person")
        if household
        else []
    )
    programmes = by_line(Programme.objects.filter(is_active=True), request.user, workflow.APPLY, "business_line")
    if request.method == "POST" and household is not None and "find" not in request.POST:
        programme = programmes.filter(pk=_id(request.POST.get("programme"))).first()
        member_ids = {m.person_id for m in members}
        applicant = Person.objects.filter(pk=_id(request.POST.get("applicant")), pk__in=member_ids).first()
        beneficiary = Person.objects.filter(pk=_id(request.POST.get("beneficiary")), pk__in=member_ids).first()
        try:
            if programme is None or applicant is None:
                raise ServiceError("请选择救助项目和申请人")
            app = services.create_application(
                request.user,
                programme=programme,
                household=household,
                applicant=applicant,
                beneficiary=beneficiary,
                channel=request.POST.get("channel") or Channel.WINDOW,
                reason=request.POST.get("reason", ""),
                documents=request.POST.getlist("documents"),
                requested_amount=request.POST.get("requested_amount") or None,
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记申请 {app.number}")
            return redirect("assistance:application_detail", app.pk)
    post = request.POST if "find" not in request.POST else {}
    if request.method != "POST" and request.GET.get("programme"):  # preselected, e.g. from a 动态监测 warning
        chosen = programmes.filter(code=request.GET["programme"]).first()
        post = {"programme": str(chosen.pk)} if chosen else post
    return render(
        request,
        "assistance/application_create.html",
        {"household": household, "head_id": _masked_head_id(household) if household else "", "members": members,
         "programmes": programmes, "channels": Channel.choices, "post": post, "find": find,
         "found": [(h, _masked_head_id(h)) for h in found] if found is not None else None},
    )  # fmt: skip


def _get_application(request, pk) -> Application:
    return access_application_by_id(request.user, pk, queryset=_applications(request))


@capability_required(workflow.VIEW)
def application_detail(request, pk):
    app = _get_application(request, pk)
    day = timezone.localdate()
    actions = {a.code for a in workflow.allowed_actions(app.stage)}
    calculation, calc_error, file_inputs = None, "", {}
    if "approve" in actions and not app.programme.one_off:
        # the calculation from the file's inputs (the approver's changes with their reason on 按标准计算), not saved
        file_inputs = services.file_inputs(app)
        try:
            calculation, _, _ = services.calculated_amount(app, request.GET if request.GET.get("calc") else {})
            if calculation is None and file_inputs:
                calc_error = "该项目或该地区未设置可用的保障标准，请按核定结果填写月保障金额及其依据"
        except ServiceError as exc:
            calc_error = str(exc)
    return render(
        request,
        "assistance/application_detail.html",
        {
            "calculation": calculation,
            "calc_error": calc_error,
            "file_inputs": file_inputs,
            "input_rows": [
                (name, f, (request.GET.get(name) if request.GET.get("calc") else None) or f.value or "")
                for name, f in file_inputs.items()
            ],
            "care_grades": CareGrade.choices,
            "calc_q": request.GET,
            "app": app,
            "events": app.events.all(),
            **_means_test_context(request, app, day),
            **_visit_context(app, actions),
            "objections": app.objections.all(),
            "notifications": app.notifications.all(),
            "missing": services.missing_documents(app),
            "documents": app.programme.document_names(),
            "actions": actions,
            "conclusions": Conclusion.choices,
            "publicity_over": bool(app.publicity_end and day > app.publicity_end),
            "forms": documents.available_forms(app),
            "today": day,
            "delegation": rules.active_delegation(app.programme, app.region_id, day),
            "enrolment": Enrolment.objects.filter(application=app).first(),
            **_certificate_context(app),
        },
    )


def _means_test_context(request, app: Application, day: datetime.date) -> dict:
    """The 核对 and 入户调查 sections: shown for a programme whose stages have them (or a file that has them
    anyway); a programme without them (the disability subsidies) is not told that 逢进必核 blocks its approval."""
    verification, history = verification_record(app)
    visits = list(app.visits.prefetch_related("photos"))
    stages = app.programme.stages or []
    means_tested = Stage.VERIFY in stages or bool(verification or history)
    return {
        "means_tested": means_tested,
        "verification": verification,
        "verification_history": history,
        "verification_url": (
            verification_link.household_page(request.user, app.household_id, app.programme.code)
            if means_tested
            else None
        ),
        "authorisations": verification_link.authorisations(app.household_id, day) if means_tested else None,
        "pending_verifications": app.manual_verifications.filter(status=ManualVerification.Status.PENDING),
        "visited": Stage.VISIT in stages or bool(visits),
        "visits": visits,
    }


def _visit_context(app: Application, actions: set[str]) -> dict:
    """The present 入户调查 record (the form edits it), what keeps it from being submitted, and the stage a
    submission leads to (the button names it: 提交乡镇审核 or 提交民主评议)."""
    if "record_visit" not in actions:
        return {}
    visit = services.current_visit(app)
    following = workflow.target(workflow.ACTIONS["submit_visit"], app.programme.stages, app.stage)
    return {
        "current_visit": visit,
        "visit_problems": services.visit_problems(app, visit),
        "visit_next": Stage(following).label,
    }


def _certificate_context(app: Application) -> dict:
    """The 残疾人证 as read on application and as the 县残联 verified it, and the forwardings (跨县通办)."""

    def labelled(values):
        if not values:
            return None
        category = values.get("category", "")
        label = DisabilityCategory(category).label if category in DisabilityCategory.values else ""
        return {**values, "category_label": label}

    return {
        "certificate": labelled(app.details.get("certificate")),
        "agency": labelled(app.details.get("agency")),
        "disability_categories": DisabilityCategory.choices,
        "forwardings": app.forwardings.select_related("from_region", "to_region"),
    }


def _run_action(request, app: Application, action: str):
    p, user = request.POST, request.user
    if action == "accept":
        services.accept(user, app, documents=p.getlist("documents"))
        return "已受理"
    if action == "not_accept":
        services.not_accept(user, app, p.get("reasons", ""))
        return "已作出不予受理决定，并生成告知书"
    if action == "refuse":
        services.refuse(user, app, p.get("reasons", ""))
        return "已作出不予批准决定，并生成通知书"
    if action == "record_verification":
        services.record_verification(
            user, app, report_number=p.get("report_number", ""), report_date=date_or_none(p.get("report_date")),
            conclusion=p.get("conclusion", ""), reasons=p.get("reasons", ""),
            report_file=request.FILES.get("report_file"), income_per_head=p.get("income_per_head", ""),
        )  # fmt: skip
        return "已录入核对结果"
    if action == "check_verification":
        services.check_verification(
            user, app, _id(p.get("record")), confirmed=p.get("confirmed") == "1", note=p.get("note", "")
        )
        return "已复核确认核对结论" if p.get("confirmed") == "1" else "已复核，不予确认该核对结论"
    if action == "finish_verification":
        services.finish_verification(user, app)
        return "核对环节已完成"
    if action == "record_visit":
        services.record_visit(
            user, app, visit_date=date_or_none(p.get("visit_date")), visitors=p.get("visitors", ""),
            findings=p.get("findings", ""), photos=request.FILES.getlist("photos"),
            members=p.get("members", ""), care_grade=p.get("care_grade", ""),
        )  # fmt: skip
        problems = services.visit_problems(app, services.current_visit(app))
        return "已保存入户调查" + ("；提交前还需：" + "；".join(problems) if problems else "，可以提交")
    if action == "submit_visit":
        app = services.submit_visit(user, app)
        return f"入户调查已提交，进入{app.get_stage_display()}环节"
    if action == "record_appraisal":
        services.record_appraisal(
            user, app, held_on=date_or_none(p.get("held_on")), participants=p.get("participants", ""),
            result=p.get("result", ""),
        )  # fmt: skip
        return "已记录民主评议"
    if action == "review":
        services.review(user, app, p.get("opinion", ""))
        return "审核通过"
    if action == "agency_review":
        passed = p.get("passed") == "1"
        services.agency_review(
            user, app, passed=passed, opinion=p.get("opinion", ""), grade=p.get("disability_grade", ""),
            category=p.get("category", ""), cert_no=p.get("cert_no", ""),
        )  # fmt: skip
        return "残联审核通过，已转县级民政部门审批" if passed else "残联审核不通过，已生成不予批准通知书"
    if action == "forward":
        services.forward(user, app, p.get("reasons", ""))
        return "已转户籍地办理"
    if action == "approve":
        basis = {
            "income_per_head": p.get("income_per_head", ""),
            "members": p.get("members", ""),
            "standard": p.get("standard", ""),
            "note": p.get("basis_note", ""),
            "grade": p.get("grade", ""),
            "input_reason": p.get("input_reason", ""),
        }
        basis |= {group: p.get(group, "") for group in ("elderly", "minor", "severe_disability", "serious_illness")}
        services.approve(
            user, app, monthly_amount=p.get("amount", ""), basis=basis,
            income_unstable=bool(p.get("income_unstable")), reasons=p.get("reasons", ""),
            override_reason=p.get("override_reason", ""),
        )  # fmt: skip
        return "已批准"
    if action == "advance":
        services.record_advance(user, app, amount=p.get("amount", ""), paid_on=date_or_none(p.get("paid_on")))
        return "已记录先行救助"
    if action == "case_by_case":
        services.record_case_by_case(
            user, app, held_on=date_or_none(p.get("held_on")), participants=p.get("participants", ""),
            conclusion=p.get("conclusion", ""),
        )  # fmt: skip
        return "已记录一事一议"
    if action == "document":
        upload = request.FILES.get("file")
        if upload is None:
            raise ServiceError("请选择要上传的文件")
        services.attach_document(user, app, p.get("code", ""), upload)
        return "已上传材料"
    raise Http404


@capability_required(workflow.VIEW)
@require_POST
def application_act(request, pk, action):
    app = _get_application(request, pk)
    try:
        message = _run_action(request, app, action)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
        if action == "forward":  # it now belongs to the 户籍 county
            return redirect("assistance:applications")
    return redirect("assistance:application_detail", app.pk)


@capability_required(workflow.VIEW)
@require_POST
def objection_resolve(request, pk, objection_pk):
    app = _get_application(request, pk)
    objection = get_object_or_404(Objection, pk=objection_pk, application=app)
    try:
        services.resolve_objection(
            request.user, objection, upheld=request.POST.get("upheld") == "1", resolution=request.POST.get("resolution")
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "异议已处理")
    return redirect("assistance:application_detail", app.pk)


@capability_required(workflow.VIEW)
def application_file(request, pk, kind, file_pk):
    """An uploaded material, 核对 report or visit photo of a case in the user's scope (never a public media URL)."""
    app = _get_application(request, pk)
    if kind == "document":
        stored = get_object_or_404(ApplicationDocument, pk=file_pk, application=app).file
    elif kind == "report":
        stored = get_object_or_404(ManualVerification, pk=file_pk, application=app).report_file
    elif kind == "photo":
        stored = get_object_or_404(VisitPhoto, pk=file_pk, visit__application=app).image
    else:
        raise Http404
    if not stored:
        raise Http404
    audit.record("assistance.application.file", app, detail=f"{kind} {file_pk}")
    return FileResponse(stored.open("rb"), filename=stored.name.rsplit("/", 1)[-1])


@capability_required(workflow.VIEW)
def application_pdf(request, pk, form):
    app = _get_application(request, pk)
    if form not in dict(documents.available_forms(app)):
        raise Http404
    title, pdf = documents.render_pdf(app, form)
    audit.record("assistance.application.print", app, detail=title)
    return download(pdf, f"{app.number}-{form}.pdf", "application/pdf", inline=True)


# --- deadlines and 公示 ------------------------------------------------------------------------------------


@capability_required(workflow.VIEW)
def deadline_list(request):
    day = timezone.localdate()
    # Due within DUE_SOON_WORKDAYS working days is at most a few weeks away even across the longest holiday.
    qs = _region_filter(request, _applications(request)).filter(
        stage__in=OPEN_STAGES, stage_due_on__isnull=False, stage_due_on__lte=day + datetime.timedelta(days=21)
    )
    calendars: dict[str, dict] = {}
    counted: dict[tuple[str, datetime.date], int] = {}  # (township, due date) → working days left
    rows = []
    for app in qs.order_by("stage_due_on"):
        township = regions.ancestor_code(app.region_id, regions.TOWNSHIP)
        if township not in calendars:
            calendars[township] = rules.workday_overrides(app.region_id)
        key = (township, app.stage_due_on)
        if key not in counted:
            counted[key] = workdays.workdays_between(day, app.stage_due_on, calendars[township])
        if counted[key] <= DUE_SOON_WORKDAYS:
            rows.append((app, counted[key]))
    kind = request.GET.get("kind", "")
    if kind == "overdue":
        rows = [r for r in rows if r[1] < 0]
    elif kind == "soon":
        rows = [r for r in rows if r[1] >= 0]
    by_township: dict[str, list[int]] = {}
    for app, left in rows:
        township = regions.ancestor_code(app.region_id, regions.TOWNSHIP)
        counts = by_township.setdefault(township, [0, 0])
        counts[0 if left < 0 else 1] += 1
    names = dict(Region.objects.filter(code__in=by_township).values_list("code", "name"))
    summary = [(names.get(code, code), c[0], c[1]) for code, c in sorted(by_township.items())]
    if _wants_export(request):
        return xlsx_response(
            "办理时限",
            "办理时限",
            ["申请编号", "救助项目", "申请人", "村（社区）", "环节", "办结时限", "剩余工作日"],
            ([a.number, a.programme.name, a.applicant.name, a.region.name, a.get_stage_display(), a.stage_due_on, n]
             for a, n in rows),
        )  # fmt: skip
    advances = (
        _region_filter(request, _applications(request))
        .filter(advance_paid_on__isnull=False, stage__in=[Stage.ACCEPT, Stage.VERIFY, Stage.VISIT])
        .order_by("file_due_on")
    )
    return render(
        request,
        "assistance/deadlines.html",
        {"page": page_of(request, rows, PAGE_SIZE), "summary": summary, "kind": kind,
         "advances": advances[:100], "today": day},
    )  # fmt: skip


@capability_required(workflow.VIEW)
def publicity_list(request):
    qs = (
        _region_filter(request, _applications(request))
        .filter(stage=Stage.PUBLICITY)
        .annotate(open_objections=Count("objections", filter=Q(objections__status=Objection.Status.OPEN)))
    )
    qs = qs.order_by("publicity_end")
    if _wants_export(request):
        return xlsx_response(
            "公示",
            "公示",
            ["申请编号", "救助项目", "申请人", "村（社区）", "公示开始", "公示结束", "待处理异议"],
            ([a.number, a.programme.name, a.applicant.name, a.region.name, a.publicity_start, a.publicity_end,
              a.open_objections] for a in qs),
        )  # fmt: skip
    return render(request, "assistance/publicity.html", {"page": _page(request, qs), "today": timezone.localdate()})


# --- enrolments -----------------------------------------------------------------------------------------


@capability_required(workflow.VIEW)
def enrolment_list(request):
    qs = _region_filter(request, _enrolments(request))
    status = request.GET.get("status", "current")
    if status == "current":
        qs = qs.filter(status__in=["active", "grace", "suspended"])
    elif status in Enrolment.Status.values:
        qs = qs.filter(status=status)
    programme = request.GET.get("programme", "")
    if programme:
        qs = qs.filter(programme__code=programme)
    qs = qs.order_by("region_id", "household__number")
    if _wants_export(request):
        audit.record("assistance.export.enrolments", detail=f"{qs.count()} 条")
        return xlsx_response(
            "在保对象",
            "在保对象",
            ["户编号", "户主/对象", "救助项目", "村（社区）", "状态", "月保障金额（元）", "起始月份", "下次复核"],
            ([e.household.number, (e.person or e.household.head or "").__str__(), e.programme.name, e.region.name,
              e.get_status_display(), e.monthly_amount, e.start_month, e.next_review_on] for e in qs.iterator()),
        )  # fmt: skip
    return render(
        request,
        "assistance/enrolments.html",
        {"page": _page(request, qs), "programmes": Programme.objects.filter(one_off=False), "filters": request.GET,
         "statuses": Enrolment.Status.choices},
    )  # fmt: skip


@capability_required(workflow.VIEW)
def reviews_due(request):
    day = timezone.localdate()
    horizon = day + datetime.timedelta(days=int(request.GET.get("days") or 30) if request.GET.get("days", "").isdigit()
                                       else 30)  # fmt: skip
    qs = _region_filter(request, _enrolments(request)).filter(
        status=Enrolment.Status.ACTIVE, next_review_on__lte=horizon
    )
    qs = qs.order_by("next_review_on")
    if _wants_export(request):
        return xlsx_response(
            "到期复核",
            "到期复核",
            ["户编号", "救助项目", "村（社区）", "月保障金额（元）", "复核日期"],
            ([e.household.number, e.programme.name, e.region.name, e.monthly_amount, e.next_review_on] for e in qs),
        )
    return render(request, "assistance/reviews.html", {"page": _page(request, qs), "today": day})


def _get_enrolment(request, pk) -> Enrolment:
    return access_enrolment_by_id(request.user, pk, queryset=_enrolments(request))


@capability_required(workflow.VIEW)
def enrolment_detail(request, pk):
    enr = _get_enrolment(request, pk)
    members = enr.members.select_related("person").order_by("removed_on", "person__birth_date")
    current_ids = set(members.filter(removed_on__isnull=True).values_list("person_id", flat=True))
    household_members = Membership.objects.filter(household=enr.household, ended_on__isnull=True).select_related(
        "person"
    )
    return render(
        request,
        "assistance/enrolment_detail.html",
        {
            "enr": enr,
            "members": members,
            "changes": enr.changes.all(),
            "addable": [m.person for m in household_members if m.person_id not in current_ids],
            "removable": [m.person for m in members if m.removed_on is None],
        },
    )


@capability_required(workflow.VIEW)
@require_POST
def enrolment_act(request, pk, action):
    enr = _get_enrolment(request, pk)
    p, user = request.POST, request.user
    basis = {"income_per_head": p.get("income_per_head", ""), "members": p.get("members", ""),
             "standard": p.get("standard", ""), "note": p.get("basis_note", "")}  # fmt: skip
    reasons = p.get("reasons", "")
    try:
        if action == "adjust":
            services.adjust(user, enr, monthly_amount=p.get("amount", ""), basis=basis, reasons=reasons)
        elif action in ("member_add", "member_remove"):
            ids = {m.person_id for m in Membership.objects.filter(household=enr.household)}
            person = Person.objects.filter(pk=p.get("person") or 0, pk__in=ids).first()
            if person is None:
                raise ServiceError("请选择家庭成员")
            fn = services.add_member if action == "member_add" else services.remove_member
            fn(user, enr, person, reasons)
        elif action == "suspend":
            services.suspend(user, enr, reasons)
        elif action == "resume":
            services.resume(user, enr, reasons)
        elif action == "grace":
            services.start_grace(user, enr, reasons)
        elif action == "stop":
            services.stop(user, enr, reasons)
        elif action == "review":
            services.review_enrolment(
                user, enr, outcome=p.get("outcome", ""), reasons=reasons, monthly_amount=p.get("amount"), basis=basis
            )
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已办理")
    return redirect("assistance:enrolment_detail", enr.pk)


# --- 近亲属备案, delegation -------------------------------------------------------------------------------


@capability_required(workflow.VIEW)
def relatives(request):
    if request.method == "POST":
        try:
            services.declare_near_relative(
                request.user, id_number=request.POST.get("id_number", ""), relation=request.POST.get("relation", "")
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已备案")
            return redirect("assistance:relatives")
    mine = NearRelative.objects.filter(staff=request.user, withdrawn_at__isnull=True).select_related("person")
    flagged = _applications(request).filter(near_relative_flag=True).order_by("-created_at")
    return render(
        request,
        "assistance/relatives.html",
        {"mine": mine, "flagged": _page(request, flagged), "post": request.POST},
    )


@capability_required(workflow.VIEW)
def delegations(request):
    user = request.user
    prefix = user.region.prefix if user.region else "-"
    rows = Delegation.objects.filter(subtree("county", prefix[:6])).select_related("programme", "county", "township")
    if request.method == "POST":
        programme = Programme.objects.filter(pk=request.POST.get("programme") or 0).first()
        try:
            if programme is None:
                raise ServiceError("请选择救助项目")
            services.set_delegation(
                user,
                programme=programme,
                county_code=regions.ancestor_code(user.region_id, regions.COUNTY) if user.region else "",
                township_code=request.POST.get("township") or None,
                effective_from=date_or_none(request.POST.get("effective_from")),
                max_amount=request.POST.get("max_amount") or None,
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已下放确认权限")
            return redirect("assistance:delegations")
    townships = Region.objects.filter(starting_with("code", prefix), level=4).order_by("code") if user.region else []
    return render(
        request,
        "assistance/delegations.html",
        {"rows": rows, "programmes": Programme.objects.filter(delegable=True), "townships": townships,
         "today": timezone.localdate(), "can_delegate": has_capability(user, workflow.DELEGATE)},
    )  # fmt: skip


@capability_required(workflow.DELEGATE)
@require_POST
def delegation_end(request, pk):
    delegation = get_object_or_404(Delegation, pk=pk)
    try:
        services.end_delegation(
            request.user, delegation, date_or_none(request.POST.get("effective_to")) or timezone.localdate()
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已收回确认权限")
    return redirect("assistance:delegations")


@capability_required(workflow.CONFIGURE)
def settings_page(request):
    user = request.user
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("form") == "duty_add":
                programme = Programme.objects.filter(pk=_id(p.get("programme"))).first()
                if programme is None:
                    raise ServiceError("请选择救助项目")
                duties.add_rule(
                    user, programme=programme, first=p.get("first", ""), second=p.get("second", ""),
                    basis=p.get("basis", ""),
                )  # fmt: skip
            elif p.get("form") == "duty_end":
                duties.end_rule(user, get_object_or_404(DutySeparation, pk=_id(p.get("rule"))), p.get("reason", ""))
            elif p.get("form") == "policy":
                services.set_policy(
                    user, key=p.get("key", ""), value=p.get("value", ""), region_code=p.get("region", ""),
                    effective_from=date_or_none(p.get("effective_from")),
                    programme=Programme.objects.filter(pk=p.get("programme") or 0).first(), source=p.get("source", ""),
                )  # fmt: skip
            else:
                services.set_workday(
                    user, day=date_or_none(p.get("day")), is_workday=p.get("is_workday") == "1",
                    region_code=p.get("region", ""), note=p.get("note", ""),
                )  # fmt: skip
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已保存")
            return redirect("assistance:settings")
    code = user.region_id or ""
    policies = [
        r for r in RegionPolicy.objects.select_related("region", "programme").order_by("key", "-effective_from")
        if r.region_id is None or in_scope(user, r.region_id) or code.startswith(r.region.prefix)
    ]  # fmt: skip
    overrides = WorkdayOverride.objects.filter(
        Q(region__isnull=True) | subtree("region", user.region.prefix if user.region else "-")
    ).select_related("region")
    regions_choice = Region.objects.filter(starting_with("code", user.region.prefix), level__lte=4)
    regions_choice = regions_choice.order_by("code")[:500]
    return render(
        request,
        "assistance/settings.html",
        {"policies": policies, "overrides": overrides.order_by("-day")[:200], "keys": RegionPolicy.KEYS,
         "regions_choice": regions_choice, "programmes": Programme.objects.all(), "today": timezone.localdate(),
         "duty_rules": DutySeparation.objects.filter(ended_at__isnull=True).select_related("programme"),
         "duty_history": DutySeparation.objects.filter(ended_at__isnull=False).select_related("programme")
                         .order_by("-ended_at")[:200],
         "duty_steps": DutyStep.choices,
         "can_set_duties": bool(user.region and user.region.level <= regions.CITY)},
    )  # fmt: skip


# --- the household's assistance panel -------------------------------------------------------------------


def _panel_context(request, pk):
    household = access_household_by_id(request.user, pk, capability=workflow.VIEW)
    return {
        "household": household,
        "panel_enrolments": Enrolment.objects.filter(household=household).select_related("programme", "person"),
        "panel_applications": Application.objects.filter(household=household).select_related("programme"),
    }


@capability_required(workflow.VIEW)
def household_panel(request, pk):
    """The fragment the registry's household page includes (htmx ``hx-get`` or ``{% include %}``)."""
    return render(request, "assistance/_household_panel.html", _panel_context(request, pk))


@capability_required(workflow.VIEW)
def household_assistance(request, pk):
    return render(request, "assistance/household.html", _panel_context(request, pk))


# --- the overlap rules (待遇衔接规则) ---------------------------------------------------------------------


def _can_set_overlap_rules(user) -> bool:
    region = getattr(user, "region", None)
    return bool(
        region
        and regions.CITY <= region.level <= regions.COUNTY
        and has_capability(user, workflow.CONFIGURE, BusinessLine.DISABILITY)
    )


@capability_required(workflow.VIEW)
def overlap_rules(request):
    """The rules in force and their history as configuration rows are shown (national, the actor's region and
    above, his subtree); the 残疾人福利 approver of a county or city adds his region's row or ends one."""
    user = request.user
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("form") == "end":
                rule = get_object_or_404(visible_configuration(OverlapRule.objects.all(), user), pk=_id(p.get("rule")))
                services.end_overlap_rule(user, rule, effective_to=date_or_none(p.get("effective_to")),
                                          reason=p.get("reason", ""))  # fmt: skip
            else:
                services.add_overlap_rule(
                    user, code=p.get("code", ""), region_code=p.get("region", ""),
                    effective_from=date_or_none(p.get("effective_from")), basis=p.get("basis", ""),
                    name=p.get("name", ""),
                    other_kinds=p.getlist("other_kinds"), max_grade=p.get("max_grade"),
                    extended_categories=p.getlist("extended_categories"),
                    extended_max_grade=p.get("extended_max_grade"),
                )  # fmt: skip
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已保存")
            return redirect("assistance:overlap_rules")
    today = timezone.localdate()
    rows = list(
        visible_configuration(OverlapRule.objects.select_related("region"), user).order_by(
            "programme_kind", "code", "region_id", "-effective_from", "-pk"
        )
    )
    for row in rows:
        row.other_text = overlaps.kinds_text(row.other_kinds) if row.other_kinds else ""
        row.grade_text = overlaps.grade_text(row) if row.kind == OverlapRule.Kind.GRADE else ""
    # in force for the actor's own region today: the row each code resolves to there
    here = user.region_id or ""
    in_force_ids = {
        r.pk for kind in {r.programme_kind for r in rows} for r in overlaps.rules_in_force(kind, here, today)
    } if here else set()  # fmt: skip
    current = [r for r in rows if r.pk in in_force_ids]
    history = [r for r in rows if r.pk not in in_force_ids]
    can_set = _can_set_overlap_rules(user)
    writable = (
        Region.objects.filter(starting_with("code", user.region.prefix), level__in=(regions.CITY, regions.COUNTY))
        .order_by("code")[:200]
        if can_set else []
    )  # fmt: skip
    return render(
        request,
        "assistance/overlap_rules.html",
        {"current": current, "history": history, "can_set": can_set, "regions_choice": writable,
         "templates": OverlapRule.objects.filter(region__isnull=True).order_by("programme_kind", "code"),
         "kind_labels": [label for _, label in ProgrammeKind.choices], "categories": DisabilityCategory.choices,
         "today": today, "ended_ids": {r.pk for r in rows if r.effective_to is not None},
         "writable_ids": {r.pk for r in rows if r.region_id and in_scope(user, r.region_id)} if can_set else set()},
    )  # fmt: skip


# --- 跨县通办: the applications a county forwarded away ----------------------------------------------------------


FORWARDED_HEADERS = ["转办日期", "申请编号", "救助项目", "申请人", "受理地", "转至", "转办人", "转办说明", "当前环节"]


@capability_required(workflow.VIEW)
def forwarded_list(request):
    """已转出申请: the Forwarding rows whose sending place lies in the actor's region, of his lines. The sending
    county keeps only these rows: the list shows what they hold (the applicant's name masked, the county it went
    to, who forwarded it) and the application's stage, never the receiving county's file."""
    user = request.user
    qs = by_line(
        scoped(Forwarding.objects.all(), user, "from_region", capability=workflow.VIEW),
        user,
        workflow.VIEW,
        "application__programme__business_line",
    ).select_related("application__programme", "application__applicant", "from_region", "to_region")
    qs = qs.defer(*(f"application__{f}" for f in PROTECTED_DEFER))
    since, until = date_or_none(request.GET.get("from")), date_or_none(request.GET.get("to"))
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    qs = qs.order_by("-at", "-pk")

    def row(f):
        app = f.application
        return [
            timezone.localtime(f.at).date(), app.number, app.programme.name, masking.mask("name", app.applicant.name),
            f.from_region.name, f"{county_name(f.to_region_id)}（{f.to_region.name}）", f.actor, f.reasons,
            app.get_stage_display(),
        ]  # fmt: skip

    if _wants_export(request):
        audit.record("assistance.export.forwarded", detail=f"{qs.count()} 条")
        return xlsx_response("已转出申请", "已转出申请", FORWARDED_HEADERS, (row(f) for f in qs.iterator()))
    page = _page(request, qs)
    return render(
        request,
        "assistance/forwarded.html",
        {"page": page, "rows": [row(f) for f in page], "headers": FORWARDED_HEADERS, "filters": request.GET,
         "can_export": has_capability(user, EXPORT)},
    )  # fmt: skip
