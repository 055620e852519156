"""The 儿童主任's visit round: the registered children he looks after, soonest due first, with one visit form that
works offline (core.offline): a visit entered without signal is sent once when the network returns, and a visit
someone else recorded meanwhile is shown to him to decide, never added silently."""

from django.db.models import Max
from django.shortcuts import render

from huimin.children import capabilities as cap
from huimin.children import services
from huimin.children.access import access_entry_by_id
from huimin.children.models import RegisterEntry, RegisterVisit
from huimin.core import idempotency, offline
from huimin.core.decorators import capability_required
from huimin.core.parse import date_or_none

ROUND_LIMIT = 200


def _entries(request):
    qs = services.register(request.user).filter(status=RegisterEntry.Status.ACTIVE)
    mine = qs.filter(director=request.user)
    entries = list((mine if mine.exists() else qs).select_related("person", "region", "category")
                   .order_by("next_visit_due", "pk")[:ROUND_LIMIT])  # fmt: skip
    latest = dict(RegisterVisit.objects.filter(entry__in=entries).values("entry").annotate(last=Max("id"))
                  .values_list("entry", "last"))  # fmt: skip
    today = services.today()
    for entry in entries:
        entry.latest_visit = latest.get(entry.pk, "")
        entry.is_overdue = entry.next_visit_due < today
    return entries


def _record(request):
    post = request.POST
    entry = access_entry_by_id(request.user, post.get("entry") or 0)
    return services.record_register_visit(
        request.user, entry, date_or_none(post.get("visited_on")), post.get("note", ""),
        key=idempotency.key_from(request), known_last=post.get("known_last"),
        confirm_conflict=post.get("confirm_conflict") == "1",
    )  # fmt: skip


@capability_required(cap.VIEW)
def visit_round(request):
    if request.method == "POST":
        return offline.answer(
            request, lambda: _record(request),
            lambda visit: f"已登记{visit.entry.person.name}于 {visit.visited_on:%Y-%m-%d} 的走访",
            "children:visit_round",
        )  # fmt: skip
    entries = _entries(request)
    return render(request, "children/visit_round.html",
                  {"entries": entries, "today": services.today(), "limit": ROUND_LIMIT})  # fmt: skip
