"""Pages of 探访关爱: the visitor's round (the offline visit form), a person's visits, the township's overdue list,
the county's 月探访率, visitors and their assignments, a visit with its referrals."""

import dataclasses
import datetime
from types import SimpleNamespace

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from huimin.core import audit, idempotency, offline, regions
from huimin.core.access import access_by_id, show_refusal
from huimin.core.decorators import capability_required
from huimin.core.models import Region
from huimin.core.pagination import page_of
from huimin.core.roles import EXPORT, has_capability
from huimin.core.scope import in_scope, scoped, user_prefixes
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.elderly import capabilities as cap
from huimin.elderly import services, visits
from huimin.elderly.access import access_elderly_person_by_id
from huimin.elderly.models import Referral, RiskTier, TierOverride, Visit, VisitAssignment, VisitEvent, Visitor
from huimin.registry import panels
from huimin.registry.models import Person

PAGE = 30


def _prefix(request) -> str:
    """The region the list is for: the chosen one inside the user's subtree, else his own (the first)."""
    chosen = request.GET.get("region", "").strip()
    if chosen and in_scope(request.user, chosen):
        return regions.prefix_of(chosen)
    prefixes = user_prefixes(request.user)
    return prefixes[0] if prefixes else "-"


def _regions(request):
    from huimin.elderly.views import _regions as regions_of

    return regions_of(request.user)


def access_visit_by_id(actor, pk, *, capability=cap.VIEW) -> Visit:
    qs = Visit.objects.select_related("person", "region", "visitor", "recorded_by")
    return access_by_id(qs, actor, pk, capability=capability, what="探访记录")


def access_referral_by_id(actor, pk, *, capability=cap.MANAGE_VISITS) -> Referral:
    qs = Referral.objects.select_related("visit", "person", "region")
    return access_by_id(qs, actor, pk, capability=capability, what="探访转介")


def access_visitor_by_id(actor, pk, *, capability=cap.VIEW) -> Visitor:
    return access_by_id(Visitor.objects.select_related("township", "user"), actor, pk, capability=capability,
                        region_field="township", what="探访人员")  # fmt: skip


# --- the round: the visit form that works offline ------------------------------------------------------------------


def _visit_data(request) -> dict:
    post = request.POST
    return {
        "person": post.get("person"), "visitor": post.get("visitor"),
        "visited_on": services._parse_date(post.get("visited_on")),
        "seen_in_person": post.get("seen_in_person") == "1", "living": post.get("living"),
        "health": post.get("health"), "needs": post.get("needs", ""), "note": post.get("note", ""),
        "photo": request.FILES.get("photo"), "known_last": post.get("known_last"),
        "confirm_conflict": post.get("confirm_conflict") == "1", "offline": post.get("offline") == "1",
    }  # fmt: skip


def _round_people(request, visitor: Visitor | None, day):
    """The visitor's older people with their schedule and the id of their latest visit (for conflict detection)."""
    if visitor is None:
        return []
    current = VisitAssignment.objects.filter(visitor=visitor, ended_on__isnull=True)
    ids = list(current.values_list("person_id", flat=True))
    due = {d.person_id: d for d in visits.schedule("", day, services.register_age(), person_ids=ids)}
    latest = {}
    for pid, vid in (
        Visit.objects.filter(person_id__in=ids).order_by("person_id", "created_at", "id").values_list("person_id", "id")
    ):
        latest[pid] = vid
    people = list(scoped(Person.objects.filter(pk__in=due), request.user, capability=cap.VIEW)
                  .select_related("region").order_by("region_id", "name"))  # fmt: skip
    now = timezone.now()
    for p in people:
        p.due = due[p.pk]
        p.is_overdue = p.due.overdue_on(day, now)
        p.latest_visit = latest.get(p.pk, "")
    return sorted(people, key=lambda p: (not p.is_overdue, p.due.due or day, p.name))


@capability_required(cap.VISIT)
def visit_round(request):
    visitor = visits.visitor_of(request.user)
    if request.method == "POST":
        key = idempotency.key_from(request)
        return offline.answer(
            request, lambda: visits.do_visit(request.user, _visit_data(request), key),
            lambda visit: f"已登记{visit.person.name}于 {visit.visited_on:%Y-%m-%d} 的探访", "elderly:visit_round",
        )  # fmt: skip
    day = visits.today()
    chosen = None
    if visitor is None:
        chosen_id = visits._int(request.GET.get("visitor"))
        if chosen_id:
            chosen = access_visitor_by_id(request.user, chosen_id)
    people = _round_people(request, visitor or chosen, day)
    return render(request, "elderly/visit_round.html", {
        "visitor": visitor, "chosen": chosen, "people": people, "today": day,
        "visitors": scoped(Visitor.objects.filter(is_active=True), request.user, "township", cap.VIEW)
        if visitor is None else [],
        "conditions": Visit.Condition.choices,
    })  # fmt: skip


# --- a person's visits, tier, events -------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def person_visits(request, pk):
    person = access_elderly_person_by_id(request.user, pk)
    day = visits.today()
    rows = visits.schedule("", day, services.register_age(), person_ids=[person.pk])
    due = rows[0] if rows else None
    tier = RiskTier.objects.filter(pk=due.tier_id).first() if due else None
    return render(request, "elderly/visit_person.html", {
        "person": person, "due": due, "tier": tier, "today": day,
        "overdue": due.overdue_on(day) if due else False,
        "visits": Visit.objects.filter(person=person).select_related("visitor").order_by("-visited_on", "-id")[:50],
        "override": TierOverride.objects.filter(person=person, ended_on__isnull=True).select_related("tier").first(),
        "events": VisitEvent.objects.filter(person=person).order_by("-occurred_at")[:10],
        "assignment": VisitAssignment.objects.filter(person=person, ended_on__isnull=True)
        .select_related("visitor").first(),
        "tiers": RiskTier.objects.all(),
        "may_manage": has_capability(request.user, cap.MANAGE_VISITS),
        "may_visit": has_capability(request.user, cap.VISIT),
    })  # fmt: skip


@capability_required(cap.MANAGE_VISITS)
@require_POST
def person_tier(request, pk):
    person = access_elderly_person_by_id(request.user, pk, capability=cap.MANAGE_VISITS)
    try:
        row = visits.do_override(request.user, person.pk, request.POST.get("tier", ""), request.POST.get("reason", ""))
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"已将探访风险等级调整为「{row.tier.name}」" if row else "已恢复按数据推定的风险等级")
    return redirect("elderly:person_visits", person.pk)


@capability_required(cap.VISIT)
@require_POST
def person_event(request, pk):
    person = access_elderly_person_by_id(request.user, pk, capability=cap.VISIT)
    at = None
    raw = request.POST.get("occurred_at", "").strip()
    if raw:
        try:
            at = timezone.make_aware(datetime.datetime.fromisoformat(raw))
        except ValueError:
            at = None
    try:
        visits.do_event(request.user, person.pk, request.POST.get("what", ""), at)
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已登记突发情况：高风险老年人须在规定时限内探访")
    return redirect("elderly:person_visits", person.pk)


# --- township: overdue today; county: 月探访率 -------------------------------------------------------------------


@capability_required(cap.VIEW)
def visits_overdue(request):
    day = visits.today()
    prefix = _prefix(request)
    rows = visits.overdue(visits.schedule(prefix, day, services.register_age()), day)
    tier_names = dict(RiskTier.objects.values_list("pk", "name"))
    visitor_names = dict(Visitor.objects.filter(pk__in={d.visitor_id for d in rows if d.visitor_id})
                         .values_list("pk", "name"))  # fmt: skip
    if request.GET.get("export") == "xlsx":
        if not has_capability(request.user, EXPORT):
            raise Http404
        persons = Person.objects.in_bulk([d.person_id for d in rows])
        audit.record("elderly.export.overdue", detail=f"{len(rows)} 人")
        names = regions.labels({d.region_id for d in rows})
        return xlsx_response("探访逾期", "探访逾期", ["姓名", "村（社区）", "风险等级", "末次探访", "应探访日期",
                             "逾期天数", "探访人员"], [
            (persons[d.person_id].name, names.get(d.region_id, d.region_id), tier_names.get(d.tier_id, ""),
             d.last_visited or "从未探访", d.due or "", d.days_overdue(day), visitor_names.get(d.visitor_id, "未分配"))
            for d in rows])  # fmt: skip
    page = page_of(request, rows, PAGE)
    persons = Person.objects.select_related("region").in_bulk([d.person_id for d in page.object_list])
    page.object_list = [
        SimpleNamespace(**dataclasses.asdict(d), person=persons[d.person_id], tier_name=tier_names.get(d.tier_id, ""),
                        visitor_name=visitor_names.get(d.visitor_id, ""), late=d.days_overdue(day))
        for d in page.object_list
    ]  # fmt: skip
    return render(request, "elderly/visit_overdue.html", {"page": page, "today": day, "total": len(rows),
                                                          "regions": _regions(request),
                                                          "region": request.GET.get("region", "")})  # fmt: skip


@capability_required(cap.VIEW)
def visits_coverage(request):
    day = visits.today()
    month = services._parse_date((request.GET.get("month") or "").strip() + "-01") if request.GET.get("month") else None
    if month is None:
        month = day.replace(day=1)
    prefix = _prefix(request)
    age = services.register_age()
    by_township = visits.coverage(prefix, month, age, level=regions.TOWNSHIP)
    by_village = visits.coverage(prefix, month, age)
    names = regions.labels({c.region_id for c in by_township + by_village})
    for c in by_township + by_village:
        c.name = names.get(c.region_id, c.region_id)
    total = visits.Coverage("", sum(c.due for c in by_township), sum(c.visited for c in by_township))
    return render(request, "elderly/visit_coverage.html", {
        "by_township": by_township, "by_village": by_village, "total": total, "month": month,
        "regions": _regions(request), "region": request.GET.get("region", ""),
    })  # fmt: skip


# --- visitors ------------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def visitor_list(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.MANAGE_VISITS):
            raise Http404
        data = {k: request.POST.get(k, "") for k in ("name", "kind", "phone", "username")}
        data["villages"] = request.POST.getlist("villages")
        try:
            visitor = visits.do_visitor(request.user, data)
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已登记探访人员{visitor.name}")
            return redirect("elderly:visitor", visitor.pk)
    qs = scoped(Visitor.objects.select_related("township", "user").prefetch_related("villages"), request.user,
                "township", cap.VIEW).order_by("township_id", "name")  # fmt: skip
    page = page_of(request, qs, PAGE)
    return render(request, "elderly/visit_visitors.html", {
        "page": page, "kinds": Visitor.Kind.choices,
        "villages": [r for r in _regions(request) if r.level == regions.VILLAGE],
        "may_manage": has_capability(request.user, cap.MANAGE_VISITS),
    })  # fmt: skip


@capability_required(cap.VIEW)
def visitor_detail(request, pk):
    visitor = access_visitor_by_id(request.user, pk)
    if request.method == "POST":
        if not has_capability(request.user, cap.MANAGE_VISITS):
            raise Http404
        try:
            n = visits.do_assign(request.user, request.POST.getlist("persons"), visitor.pk)
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已将 {n} 名老年人分配给{visitor.name}")
        return redirect("elderly:visitor", visitor.pk)
    day = visits.today()
    villages = list(visitor.villages.values_list("code", flat=True))
    assigned = VisitAssignment.objects.filter(visitor=visitor, ended_on__isnull=True).values("person_id")
    current = Person.objects.filter(pk__in=assigned).select_related("region").order_by("region_id", "name")
    unassigned = (services.register(request.user, day).filter(region_id__in=villages)
                  .exclude(pk__in=VisitAssignment.objects.filter(ended_on__isnull=True).values("person_id"))
                  .select_related("region").order_by("region_id", "name"))  # fmt: skip
    return render(request, "elderly/visit_visitor.html", {
        "visitor": visitor, "villages": Region.objects.filter(code__in=villages), "current": current,
        "unassigned": page_of(request, unassigned, 100), "may_manage": has_capability(request.user, cap.MANAGE_VISITS),
    })  # fmt: skip


# --- a visit and its referrals -------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def visit_detail(request, pk):
    visit = access_visit_by_id(request.user, pk)
    if request.method == "POST":
        if not has_capability(request.user, cap.VISIT):
            raise Http404
        try:
            ref = visits.do_refer(request.user, visit, request.POST.get("kind", ""), request.POST.get("need", ""))
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已转介：{ref.get_kind_display()}")
        return redirect("elderly:visit", visit.pk)
    household = visit.person.household
    return render(request, "elderly/visit_detail.html", {
        "visit": visit, "referrals": visit.referrals.order_by("id"), "kinds": Referral.Kind.choices,
        "actions": panels.actions_for(request, household) if household else [],
        "may_visit": has_capability(request.user, cap.VISIT),
        "may_manage": has_capability(request.user, cap.MANAGE_VISITS),
    })  # fmt: skip


@capability_required(cap.VIEW)
def visit_photo(request, pk):
    visit = access_visit_by_id(request.user, pk)
    if not visit.photo:
        raise Http404
    audit.record("elderly.visit.photo_read", visit)
    return FileResponse(visit.photo.open("rb"), filename=visit.photo.name.rsplit("/", 1)[-1])


@capability_required(cap.MANAGE_VISITS)
@require_POST
def referral_close(request, pk):
    ref = access_referral_by_id(request.user, pk)
    try:
        visits.do_close_referral(request.user, ref, request.POST.get("status", ""), request.POST.get("outcome", ""),
                                 request.POST.get("target", ""))  # fmt: skip
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "转介已办结")
    return redirect("elderly:visit", ref.visit_id)
