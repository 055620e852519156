"""Thin views of 收养登记 and 家庭寄养: parse the request, call huimin.children.adoption, render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.children import adoption as svc
from huimin.children import capabilities as cap
from huimin.children.models import Adoption, FamilyAssessmentItem, FosterFamily, FosterPlacement, RegisterEntry
from huimin.children.services import LINE, today
from huimin.children.views import _person_by_id_number
from huimin.core.access import show_refusal
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.parse import date_or_none as _date
from huimin.core.roles import has_capability
from huimin.core.services import ServiceError

PAGE = 30


def _int(value, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _yes_no(value) -> bool | None:
    return {"1": True, "0": False}.get(str(value or ""))


def _item_answers(post, kind: str) -> dict:
    return {
        i.code: {"pass": post.get(f"item_{i.code}", ""), "note": post.get(f"note_{i.code}", "")}
        for i in FamilyAssessmentItem.objects.filter(kind=kind)
    }


# --- 收养登记 --------------------------------------------------------------------------------------------------------


@capability_required(cap.ADOPTION)
def adoptions(request):
    qs = svc.visible_adoptions(request.user).select_related("child", "adopter", "region")
    status = request.GET.get("status", "").strip()
    if status in Adoption.Status.values:
        qs = qs.filter(status=status)
    pending = request.GET.get("registry") == "pending"
    if pending:
        qs = svc.registry_pending(request.user).select_related("child", "adopter", "region")
    return render(request, "children/adoptions.html", {
        "page": page_of(request, qs, PAGE), "statuses": Adoption.Status.choices, "status": status,
        "office": svc.is_office(request.user),
    })  # fmt: skip


@capability_required(cap.ADOPTION)
def adoption_apply(request):
    entered = {}
    if request.method == "POST":
        entered = request.POST
        p = request.POST
        try:
            child = _person_by_id_number(request.user, p.get("child_id_number"))
            adopter = _person_by_id_number(request.user, p.get("adopter_id_number"))
            spouse = _person_by_id_number(request.user, p.get("spouse_id_number")) if p.get(
                "spouse_id_number", "").strip() else None  # fmt: skip
            adoption = svc.apply(
                request.user, child, adopter, situation=p.get("situation", ""), sender=p.get("sender", ""),
                sender_name=p.get("sender_name", ""), has_spouse=p.get("has_spouse") == "1", spouse=spouse,
                existing_children=_int(p.get("existing_children"), -1), child_disabled=p.get("child_disabled") == "1",
                child_consents=p.get("child_consents") == "1", surname=p.get("surname", "keep"),
                new_name=p.get("new_name", ""),
            )  # fmt: skip
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"已受理收养登记申请 {adoption.number}")
            return redirect("children:adoption", adoption.pk)
    return render(request, "children/adoption_apply.html", {
        "situations": Adoption.Situation.choices, "senders": Adoption.Sender.choices, "entered": entered,
        "surnames": Adoption.Surname.choices,
    }, status=400 if entered else 200)  # fmt: skip


@capability_required(cap.ADOPTION)
def adoption_detail(request, pk):
    adoption = svc.access_adoption_by_id(request.user, pk)
    day = today()
    items = list(FamilyAssessmentItem.objects.filter(kind=FamilyAssessmentItem.Kind.ADOPTION))
    answers = adoption.answers or {}
    rows = [(i, answers.get(i.code)) for i in items]
    try:
        reasons = svc.conditions(adoption, day) if adoption.status == Adoption.Status.ASSESSED else []
    except ServiceError as exc:  # e.g. the adopter's birth date missing
        reasons = [str(exc)]
    return render(request, "children/adoption.html", {
        "a": adoption, "rows": rows, "reasons": reasons, "office": svc.is_office(request.user), "today": day,
        "adopter_age": svc.adopter_age(adoption, day), "history": svc.history(adoption.child),
        "placements": [(v, label) for v, label in RegisterEntry.Placement.choices if v != "adopted"],
    })  # fmt: skip


ADOPTION_ACTIONS = {
    "assess": lambda u, a, p: svc.assess(
        u,
        a,
        _item_answers(p, FamilyAssessmentItem.Kind.ADOPTION),
        home_visit_on=_date(p.get("home_visit_on")),
        home_visit_note=p.get("home_visit_note", ""),
        police_clear=_yes_no(p.get("police_clear")),
        police_reference=p.get("police_reference", ""),
        health_clear=_yes_no(p.get("health_clear")),
        health_reference=p.get("health_reference", ""),
        child_consents=p.get("child_consents") == "1",
    ),
    "submit": lambda u, a, p: svc.submit(u, a),
    "approve": lambda u, a, p: svc.decide(u, a, True, p.get("note", "")),
    "refuse": lambda u, a, p: svc.decide(u, a, False, p.get("note", "")),
    "dissolve": lambda u, a, p: svc.dissolve(
        u, a, p.get("kind", ""), p.get("reason", ""), back_to=p.get("back_to", "institution")
    ),  # fmt: skip
}
ADOPTION_DONE = {"assess": "已登记收养评估", "submit": "已提交登记审批", "approve": "已准予登记，收养登记证已生成",
                 "refuse": "已决定不予登记", "dissolve": "已办理解除收养登记"}  # fmt: skip


@capability_required(cap.ADOPTION)
@require_POST
def adoption_act(request, pk, action):
    if action not in ADOPTION_ACTIONS:
        raise Http404
    adoption = svc.access_adoption_by_id(request.user, pk)
    try:
        ADOPTION_ACTIONS[action](request.user, adoption, request.POST)
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, ADOPTION_DONE[action])
    return redirect("children:adoption", adoption.pk)


@capability_required(cap.ADOPTION)
def adoption_certificate(request, pk):
    adoption = svc.access_adoption_by_id(request.user, pk)
    if not adoption.certificate_number:
        raise Http404
    return render(request, "children/adoption_certificate.html", {"a": adoption})


# --- 家庭寄养 --------------------------------------------------------------------------------------------------------


@capability_required(cap.ADOPTION)
def foster(request):
    from huimin.core.scope import scoped

    families = scoped(FosterFamily.objects.all(), request.user, "region", cap.ADOPTION).select_related(
        "carer", "region"
    )
    placements = scoped(FosterPlacement.objects.filter(status=FosterPlacement.Status.ACTIVE), request.user,
                        "family__region", cap.ADOPTION).select_related("child", "family__carer")  # fmt: skip
    return render(request, "children/foster.html", {
        "page": page_of(request, families, PAGE), "placements": placements, "today": today(),
        "due": svc.foster_visits_due(request.user).count(),
    })  # fmt: skip


@capability_required(cap.ADOPTION)
def foster_apply(request):
    entered = {}
    if request.method == "POST":
        entered = request.POST
        try:
            carer = _person_by_id_number(request.user, request.POST.get("id_number"))
            family = svc.apply_family(request.user, carer, address=request.POST.get("address", ""),
                                      phone=request.POST.get("phone", ""))  # fmt: skip
        except ServiceError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, "已登记寄养家庭申请，请入户评估")
            return redirect("children:foster_family", family.pk)
    return render(request, "children/foster_apply.html", {"entered": entered}, status=400 if entered else 200)


@capability_required(cap.ADOPTION)
def foster_family(request, pk):
    family = svc.access_family_by_id(request.user, pk)
    items = list(FamilyAssessmentItem.objects.filter(kind=FamilyAssessmentItem.Kind.FOSTER))
    answers = family.answers or {}
    return render(request, "children/foster_family.html", {
        "f": family, "rows": [(i, answers.get(i.code)) for i in items], "today": today(),
        "placements": family.placements.select_related("child").prefetch_related("visits__by"),
    })  # fmt: skip


@capability_required(cap.ADOPTION)
@require_POST
def foster_family_act(request, pk, action):
    family = svc.access_family_by_id(request.user, pk)
    p = request.POST
    try:
        if action == "assess":
            svc.assess_family(request.user, family, _item_answers(p, FamilyAssessmentItem.Kind.FOSTER),
                              p.get("home_visit_note", ""))  # fmt: skip
            done = "已登记寄养家庭评估"
        elif action == "place":
            child = _person_by_id_number(request.user, p.get("child_id_number"))
            svc.place_in_family(
                request.user,
                family,
                child,
                institution=p.get("institution", ""),
                started_on=_date(p.get("started_on")),
                term_months=_int(p.get("term_months"), 0),
            )
            done = "已签订家庭寄养协议"
        else:
            raise Http404
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect("children:foster_family", family.pk)


@capability_required(cap.VIEW)
@require_POST
def foster_placement_act(request, pk, action):
    placement = svc.access_placement_by_id(request.user, pk)
    try:
        if action == "visit":
            svc.record_foster_visit(request.user, placement, _date(request.POST.get("visited_on")),
                                    request.POST.get("note", ""))  # fmt: skip
            done = "已登记寄养回访"
        elif action == "end":
            svc.end_placement(request.user, placement, request.POST.get("reason", ""))
            done = "已结束家庭寄养"
        else:
            raise Http404
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, done)
    if has_capability(request.user, cap.ADOPTION, LINE):
        return redirect("children:foster_family", placement.family_id)
    entry = RegisterEntry.objects.filter(person=placement.child, status=RegisterEntry.Status.ACTIVE).first()
    return redirect("children:entry", entry.pk) if entry else redirect("children:register")
