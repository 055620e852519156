"""Thin views of 养老服务: parse the request, call a service, render."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core import audit, regions
from huimin.core.access import show_refusal
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.roles import EXPORT, has_capability
from huimin.core.scope import in_scope, regions_of, subtree
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.elderly import capabilities as cap
from huimin.elderly import rules, services
from huimin.elderly.access import access_assessment_by_id, access_elderly_person_by_id
from huimin.elderly.models import Adjustment, Assessment, Category, CategoryMark, Domain, Item
from huimin.registry.access import access_household_by_id
from huimin.registry.models import Person

PAGE = 30
STATUS_FILTERS = {"any": "已确认或待确认", "confirmed": "已确认", "proposed": "待确认"}  # the first is the default


def _regions(user):
    """Townships and villages inside the user's subtree, for the region filter."""
    return regions_of(user, (regions.TOWNSHIP, regions.VILLAGE))


def _filtered(request):
    day = services.today()
    f = {k: request.GET.get(k, "").strip() for k in ("category", "status", "region", "age")}
    qs = services.register(request.user, day).select_related("region", "household")
    if f["region"] and in_scope(request.user, f["region"]):
        qs = qs.filter(subtree("region", regions.prefix_of(f["region"])))
    if f["age"] in rules.AGE_BANDS:
        qs = qs.filter(rules.age_band_q(f["age"], day))
    if f["category"]:
        statuses = {"confirmed": [CategoryMark.Status.CONFIRMED], "proposed": [CategoryMark.Status.PROPOSED]}.get(
            f["status"], [CategoryMark.Status.CONFIRMED, CategoryMark.Status.PROPOSED]
        )
        marked = CategoryMark.objects.filter(category__code=f["category"], status__in=statuses).values("person_id")
        qs = qs.filter(pk__in=marked)
    qs = qs.annotate(latest_assessment=services.latest_assessments())
    return qs.order_by("region_id", "birth_date", "pk"), f, day


def _with_marks_and_levels(persons, day) -> list:
    persons = list(persons)
    marks: dict[int, list] = {}
    for m in (
        CategoryMark.objects.filter(
            person__in=persons, status__in=(CategoryMark.Status.CONFIRMED, CategoryMark.Status.PROPOSED)
        )
        .select_related("category")
        .order_by("category__order")
    ):
        marks.setdefault(m.person_id, []).append(m)
    latest = {a.pk: a for a in Assessment.objects.filter(
        pk__in=[p.latest_assessment for p in persons if getattr(p, "latest_assessment", None)]
    ).select_related("level")}  # fmt: skip
    for p in persons:
        p.marks = marks.get(p.pk, [])
        p.assessment = latest.get(getattr(p, "latest_assessment", None))
        p.age = p.age_on(day)
    return persons


@capability_required(cap.VIEW)
def register_list(request):
    qs, f, day = _filtered(request)
    if request.GET.get("export") == "xlsx":
        return _export(request, qs, day)
    page = page_of(request, qs, PAGE)
    page.object_list = _with_marks_and_levels(page.object_list, day)
    return render(request, "elderly/register.html", {
        "page": page, "filters": f, "today": day, "categories": Category.objects.all(),
        "statuses": STATUS_FILTERS.items(), "regions": _regions(request.user),
        "age_bands": [(k, v[0]) for k, v in rules.AGE_BANDS.items()],
        "may_derive": has_capability(request.user, cap.CONFIRM),
    })  # fmt: skip


def _export(request, qs, day):
    if not has_capability(request.user, EXPORT):
        raise Http404
    from huimin.core.masking import mask

    count = qs.count()
    audit.record("elderly.export.register", detail=f"{count} 人")
    rows = []
    for start in range(0, count, 2000):
        for p in _with_marks_and_levels(qs[start : start + 2000], day):
            rows.append((
                p.name, mask("id_number", p.id_number), p.get_sex_display(), p.birth_date, p.age,
                p.region.name, p.household.number if p.household_id else "",
                "、".join(f"{m.category.name}{'' if m.status == 'confirmed' else '（待确认）'}" for m in p.marks),
                p.assessment.level.name if p.assessment else "", p.assessment.next_due if p.assessment else "",
            ))  # fmt: skip
    headers = ["姓名", "身份证号", "性别", "出生日期", "年龄", "居住地", "户编号", "特殊困难类别", "能力等级",
               "复评到期日"]  # fmt: skip
    return xlsx_response("老年人名册", "老年人名册", headers, rows)


@capability_required(cap.CONFIRM)
@require_POST
def derive(request):
    try:
        result = services.do_derive(request.user, request.POST.get("region", "").strip())
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, result.message())
    return redirect("elderly:register")


def _named(found: dict[str, str]) -> dict[str, str]:
    names = dict(Category.objects.values_list("code", "name"))
    return {names.get(code, code): basis for code, basis in found.items()}


@capability_required(cap.VIEW)
def person_detail(request, pk):
    person = access_elderly_person_by_id(request.user, pk)
    day = services.today()
    age = services.register_age()
    marks = (
        CategoryMark.objects.filter(person=person).select_related("category", "decided_by").order_by("category__order")
    )
    assessments = (Assessment.objects.filter(person=person).select_related("level", "base_level", "assessor")
                   .order_by("-assessed_on", "-id"))  # fmt: skip
    return render(request, "elderly/person.html", {
        "person": person, "age": person.age_on(day), "is_elderly": rules.is_elderly(person, day, age),
        "register_age": age, "marks": marks, "assessments": assessments,
        "suggestions": _named(services.suggestions_for(person, day)) if rules.is_elderly(person, day, age) else {},
        "categories": Category.objects.all(), "today": day,
        "may_confirm": has_capability(request.user, cap.CONFIRM),
        "may_assess": has_capability(request.user, cap.ASSESS),
    })  # fmt: skip


@capability_required(cap.CONFIRM)
@require_POST
def mark_decide(request, pk, decision):
    try:
        mark = services.do_decide(request.user, pk, decision, request.POST.get("note", ""))
    except ServiceError as exc:
        show_refusal(request, exc)
        mark = CategoryMark.objects.filter(pk=pk).first()
        if mark is None:
            return redirect("elderly:register")
    else:
        messages.success(request, f"已{mark.get_status_display().removeprefix('已')}「{mark.category.name}」")
    return redirect("elderly:person", mark.person_id)


@capability_required(cap.CONFIRM)
@require_POST
def mark_add(request, pk):
    person = access_elderly_person_by_id(request.user, pk, capability=cap.CONFIRM)
    try:
        mark = services.do_add(
            request.user,
            person.pk,
            request.POST.get("category", ""),
            request.POST.get("basis", ""),
            services._parse_date(request.POST.get("source_date")),
        )
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"已认定「{mark.category.name}」")
    return redirect("elderly:person", person.pk)


def _domains():
    return Domain.objects.prefetch_related(Prefetch("items", queryset=Item.objects.order_by("order")))


@capability_required(cap.ASSESS)
def assess(request, pk):
    person = access_elderly_person_by_id(request.user, pk, capability=cap.ASSESS)
    entered = {}
    if request.method == "POST":
        data = {
            "assessed_on": request.POST.get("assessed_on", ""), "reason": request.POST.get("reason", ""),
            "scores": {k.removeprefix("item_"): v for k, v in request.POST.items() if k.startswith("item_")},
            "coma": request.POST.get("coma") == "1", "adjustments": request.POST.getlist("adjustments"),
            "second_assessor": request.POST.get("second_assessor", ""), "note": request.POST.get("note", ""),
        }  # fmt: skip
        try:
            assessment = services.do_assessment(request.user, person.pk, data)
        except ServiceError as exc:
            show_refusal(request, exc)
            entered = data
        else:
            messages.success(request, f"已登记能力评估：总分 {assessment.total}，{assessment.level.name}")
            return redirect("elderly:assessment", assessment.pk)
    return render(request, "elderly/assess.html", {
        "person": person, "domains": _domains(), "adjustments": Adjustment.objects.all(),
        "reasons": Assessment.Reason.choices, "entered": entered, "today": services.today(),
    }, status=400 if entered else 200)  # fmt: skip


@capability_required(cap.VIEW)
def assessment_detail(request, pk):
    a = access_assessment_by_id(request.user, pk)
    scores = {s.item_id: s.score for s in a.scores.all()}
    domains = []
    for domain in _domains():
        rows = [(item, scores.get(item.pk)) for item in domain.items.all()]
        domains.append((domain, rows, a.domain_totals.get(domain.code)))
    return render(request, "elderly/assessment.html", {"a": a, "domains": domains,
                                                       "adjustments": a.adjustments.all()})  # fmt: skip


@capability_required(cap.VIEW)
def household_panel(request, pk):
    household = access_household_by_id(request.user, pk, capability=cap.VIEW)
    day = services.today()
    members = Person.objects.filter(services.rules.elderly_q(day, services.register_age()), household=household)
    members = _with_marks_and_levels(
        members.annotate(latest_assessment=services.latest_assessments()).order_by("pk"), day
    )
    return render(request, "elderly/_household_panel.html", {"household": household, "members": members,
                                                             "today": day})  # fmt: skip
