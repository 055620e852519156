"""Thin views of 区划地名: parse the request, call a service, render."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core import regions
from huimin.core.access import can_write_region, show_refusal, visible_configuration
from huimin.core.decorators import capability_required
from huimin.core.models import Region
from huimin.core.pagination import page_of
from huimin.core.roles import has_capability
from huimin.core.scope import regions_of, scoped, user_prefixes
from huimin.core.services import ServiceError
from huimin.places import capabilities as cap
from huimin.places import changes, rules, services
from huimin.places.access import access_place_by_id, access_proposal_by_id, access_sign_by_id
from huimin.places.models import AddressLink, NamingRule, PlaceKind, Proposal, RegionChange, Sign

PAGE = 30


def _regions(user, levels):
    return regions_of(user, levels).filter(is_active=True)


def _label(rows) -> None:
    labels = regions.labels([r.region_id for r in rows])
    for r in rows:
        r.region_label = labels.get(r.region_id, r.region_id)


# --- place names ---------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def place_list(request):
    f = {k: request.GET.get(k, "").strip() for k in ("q", "kind")}
    qs = services.places(request.user).filter(is_active=True).annotate(sign_count=Count("signs"))
    if f["q"]:
        qs = qs.filter(Q(name__contains=f["q"]) | Q(pinyin__icontains=f["q"]) | Q(history__name__contains=f["q"]))
    if f["kind"] in PlaceKind.values:
        qs = qs.filter(kind=f["kind"])
    page = page_of(request, qs.distinct().order_by("kind", "name"), PAGE)
    _label(page)
    return render(request, "places/list.html", {"page": page, "f": f, "kinds": PlaceKind.choices})


@capability_required(cap.VIEW)
def place_detail(request, pk):
    place = access_place_by_id(request.user, pk)
    return render(
        request,
        "places/place.html",
        {
            "place": place,
            "region_label": regions.label(place.region_id),
            "history": place.history.all(),
            "signs": place.signs.all(),
            "addresses": place.addresses.select_related("household").order_by("household__number"),
            "proposals": place.proposals.order_by("-proposed_at"),
            "sign_kinds": Sign.Kind.choices,
            "may_propose": has_capability(request.user, cap.PROPOSE),
        },
    )


@capability_required(cap.PROPOSE)
@require_POST
def place_act(request, pk, action):
    place = access_place_by_id(request.user, pk, capability=cap.PROPOSE)
    try:
        if action == "rename":
            p = services.propose(request.user, Proposal.Type.RENAME, request.POST, place_pk=place.pk)
            messages.success(request, f"已申报更名（{p.number}），待审批")
        elif action == "sign":
            services.add_sign(request.user, place.pk, request.POST)
            messages.success(request, "已登记地名标志")
        elif action == "address":
            link = services.link_address(request.user, place.pk, request.POST.get("household", ""),
                                         request.POST.get("detail", ""))  # fmt: skip
            messages.success(request, f"已将户 {link.household.number} 的住址关联为“{link.household.address}”")
        else:
            raise Http404
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("places:place", place.pk)


# --- proposals -----------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def proposal_list(request):
    status = request.GET.get("status", "")
    qs = scoped(Proposal.objects.select_related("region", "proposed_by"), request.user, "region", cap.VIEW)
    if status in Proposal.Status.values:
        qs = qs.filter(status=status)
    context = {"page": page_of(request, qs, PAGE), "status": status, "statuses": Proposal.Status.choices}
    return render(request, "places/proposals.html", context)


@capability_required(cap.PROPOSE)
def propose(request):
    data, found = {}, None
    if request.method == "POST":
        data = request.POST
        if request.POST.get("step") == "check":  # the naming rules and the pinyin shown before submitting
            kind = data.get("kind", "")
            region = data.get("region", "")
            name = data.get("name", "").strip()
            checkable = kind in PlaceKind.values and _regions(
                request.user, (regions.COUNTY, regions.TOWNSHIP, regions.VILLAGE)
            ).filter(code=region)
            found = {
                "pinyin": rules.standard_pinyin(name) if name else "",
                "violations": services.violations(name, kind, region[:6]) if checkable else [],
            }  # fmt: skip
        else:
            try:
                p = services.propose(request.user, Proposal.Type.NEW, data)
                messages.success(request, f"已申报命名“{p.name}”（{p.number}），待审批")
                return redirect("places:proposal", p.pk)
            except ServiceError as exc:
                show_refusal(request, exc)
    return render(
        request,
        "places/propose.html",
        {"data": data, "found": found, "kinds": PlaceKind.choices,
         "regions": _regions(request.user, (regions.COUNTY, regions.TOWNSHIP, regions.VILLAGE))},
    )  # fmt: skip


@capability_required(cap.VIEW)
def proposal_detail(request, pk):
    proposal = access_proposal_by_id(request.user, pk)
    return render(
        request,
        "places/proposal.html",
        {
            "proposal": proposal,
            "region_label": regions.label(proposal.region_id),
            "violations": services.violations(proposal.name, proposal.kind, proposal.region_id[:6],
                                              except_place=proposal.place_id)
            if proposal.status == Proposal.Status.SUBMITTED else [],
            "may_decide": has_capability(request.user, cap.APPROVE),
        },
    )  # fmt: skip


@capability_required(cap.APPROVE)
@require_POST
def proposal_decide(request, pk):
    proposal = access_proposal_by_id(request.user, pk, capability=cap.APPROVE)
    try:
        approve = request.POST.get("decision") == "approve"
        p = services.decide(request.user, proposal.pk, approve, request.POST.get("document", ""),
                            request.POST.get("note", ""))  # fmt: skip
        messages.success(request, f"已批准“{p.name}”" if approve else f"已决定不予批准“{p.name}”")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("places:proposal", proposal.pk)


# --- signs ---------------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def sign_list(request):
    condition = request.GET.get("condition", "")
    qs = scoped(Sign.objects.select_related("place"), request.user, "place__region", cap.VIEW)
    if condition in Sign.Condition.values:
        qs = qs.filter(condition=condition)
    return render(
        request,
        "places/signs.html",
        {"page": page_of(request, qs.order_by("place__name", "pk"), PAGE), "condition": condition,
         "conditions": Sign.Condition.choices, "may_check": has_capability(request.user, cap.PROPOSE)},
    )  # fmt: skip


@capability_required(cap.PROPOSE)
@require_POST
def sign_check(request, pk):
    sign = access_sign_by_id(request.user, pk, capability=cap.PROPOSE)
    try:
        s = services.check_sign(request.user, sign.pk, request.POST.get("condition", ""),
                                request.POST.get("checked_on", ""), request.POST.get("note", ""),
                                replaced=request.POST.get("replaced") == "1")  # fmt: skip
        messages.success(request, f"已登记检查：{s.location} {s.get_condition_display()}")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("places:signs")


# --- naming rules --------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def rule_list(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.CONFIGURE):
            from huimin.core.access import Forbidden

            raise Forbidden("您的角色不能设置地名命名规则")
        try:
            services.add_rule(request.user, request.POST.get("kind", ""), request.POST.get("value", ""),
                              request.POST.get("region", ""), request.POST.get("basis", ""))  # fmt: skip
            messages.success(request, "已添加命名规则")
            return redirect("places:rules")
        except ServiceError as exc:
            show_refusal(request, exc)
    qs = visible_configuration(NamingRule.objects.filter(ended_at__isnull=True), request.user).select_related("region")
    rows = list(qs)
    for r in rows:
        r.writable = can_write_region(request.user, r.region_id)
    return render(
        request,
        "places/rules.html",
        {"rules": rows, "kinds": NamingRule.Kind.choices, "may_configure": has_capability(request.user, cap.CONFIGURE),
         "regions": _regions(request.user, (regions.CITY, regions.COUNTY)),
         "may_write_everywhere": can_write_region(request.user, None)},
    )  # fmt: skip


@capability_required(cap.CONFIGURE)
@require_POST
def rule_end(request, pk):
    try:
        services.end_rule(request.user, pk)
        messages.success(request, "已停用该规则")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("places:rules")


# --- region changes ------------------------------------------------------------------------------------------------


@capability_required(cap.VIEW)
def change_list(request):
    if request.method == "POST":
        if not has_capability(request.user, cap.REGIONS):
            from huimin.core.access import Forbidden

            raise Forbidden("您的角色不能办理行政区划变更")
        p = request.POST
        try:
            if p.get("kind") == "rename":
                c = changes.rename_region(request.user, p.get("region", ""), p.get("new_name", ""),
                                          p.get("document", ""), p.get("effective_on", ""))  # fmt: skip
            else:
                c = changes.merge_township(request.user, p.get("region", ""), p.get("into", ""),
                                           p.get("document", ""), p.get("effective_on", ""))  # fmt: skip
            messages.success(request, f"已办理：{c}")
            return redirect("places:change", c.pk)
        except ServiceError as exc:
            show_refusal(request, exc)
    qs = scoped(RegionChange.objects.all(), request.user, "new_region", cap.VIEW)
    code = request.GET.get("code", "").strip()
    resolved = None
    if code:
        resolved = {"code": code, "old": Region.objects.filter(code=code).first(), "now": changes.resolve(code)}
        if resolved["now"] is not None and not any(resolved["now"].code.startswith(p)
                                                   for p in user_prefixes(request.user)):  # fmt: skip
            resolved = {"code": code, "old": None, "now": None}
    return render(
        request,
        "places/changes.html",
        {"page": page_of(request, qs, PAGE), "code": code, "resolved": resolved,
         "may_change": has_capability(request.user, cap.REGIONS),
         "townships": _regions(request.user, (regions.TOWNSHIP,))},
    )  # fmt: skip


@capability_required(cap.VIEW)
def change_detail(request, pk):
    from huimin.core.access import access_by_id

    change = access_by_id(RegionChange.objects.select_related("old_region", "new_region"), request.user, pk,
                          capability=cap.VIEW, region_field="new_region", what="区划变更")  # fmt: skip
    mappings = change.mappings.select_related("old_region", "new_region").order_by("old_region_id")
    return render(request, "places/change.html", {"change": change, "mappings": mappings,
                                                  "moved": changes.moved_rows(change.moved)})  # fmt: skip


# --- the public search ---------------------------------------------------------------------------------------------


def public_search(request):
    """标准地名查询 for everyone: the standard names in force, their pinyin, kind, region and former names."""
    q = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    results = services.public_search(q, kind)
    page = page_of(request, results.order_by("kind", "name"), PAGE)
    _label(page)
    return render(
        request, "places/public_search.html", {"page": page, "q": q, "kind": kind, "kinds": PlaceKind.choices}
    )


# --- the household page's panel and the statistics ----------------------------------------------------------------


@capability_required(cap.VIEW)
def household_panel(request, pk):
    """The household page's 标准地名 section: the standard name its address uses (loaded with htmx)."""
    from huimin.registry.access import access_household_by_id

    household = access_household_by_id(request.user, pk, capability=cap.VIEW)
    link = AddressLink.objects.select_related("place").filter(household=household).first()
    return render(request, "places/_household_panel.html", {"household": household, "link": link})


@capability_required(cap.VIEW)
def stats(request):
    """Per township (the county's own rows on a line of their own): standard names by kind, signs needing work,
    proposals pending and approved this year, former names."""
    year = services.today().year
    names = services.places(request.user).filter(is_active=True)
    signs = scoped(Sign.objects.all(), request.user, "place__region", cap.VIEW)
    proposals = scoped(Proposal.objects.all(), request.user, "region", cap.VIEW)
    rows: dict[str, dict] = {}

    def row(code):
        town = code if regions.level_of(code) < regions.TOWNSHIP else regions.ancestor_code(code, regions.TOWNSHIP)
        return rows.setdefault(town, {"kinds": {}, "signs": 0, "bad": 0, "pending": 0, "approved": 0, "history": 0})

    for code, kind, n in names.values_list("region_id", "kind").annotate(n=Count("pk")).order_by():
        r = row(code)
        r["kinds"][kind] = r["kinds"].get(kind, 0) + n
    for code, condition, n in signs.values_list("place__region_id", "condition").annotate(n=Count("pk")).order_by():
        row(code)["signs"] += n
        if condition != Sign.Condition.GOOD:
            row(code)["bad"] += n
    for code, status, n in (proposals.filter(proposed_at__year=year).values_list("region_id", "status")
                            .annotate(n=Count("pk")).order_by()):  # fmt: skip
        if status == Proposal.Status.SUBMITTED:
            row(code)["pending"] += n
        elif status == Proposal.Status.APPROVED:
            row(code)["approved"] += n
    for code, n in names.values_list("region_id").annotate(n=Count("history")).order_by():
        row(code)["history"] += n
    labels = regions.labels(rows, under=request.user.region_id)
    kinds = [(k, label) for k, label in PlaceKind.choices if any(k in r["kinds"] for r in rows.values())]
    table = [
        {"label": labels.get(code, code), "kinds": [r["kinds"].get(k, 0) for k, _ in kinds],
         "total": sum(r["kinds"].values()), **{k: r[k] for k in ("signs", "bad", "pending", "approved", "history")}}
        for code, r in sorted(rows.items())
    ]  # fmt: skip
    totals = {k: sum(t[k] for t in table) for k in ("total", "signs", "bad", "pending", "approved", "history")}
    totals["kinds"] = [sum(t["kinds"][i] for t in table) for i in range(len(kinds))]
    return render(request, "places/stats.html", {"table": table, "kinds": kinds, "totals": totals, "year": year})
