"""Pages of bank-account changes (maker–checker): the pending list for those who confirm, and their decision."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core.access import access_by_id
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.roles import PEOPLE_BANK_CONFIRM
from huimin.core.services import ServiceError
from huimin.registry import bank_accounts
from huimin.registry.models import BankAccountChange


@capability_required(PEOPLE_BANK_CONFIRM)
def bank_change_list(request):
    return render(
        request, "registry/bank_changes.html", {"page": page_of(request, bank_accounts.pending_for(request.user))}
    )


@capability_required(PEOPLE_BANK_CONFIRM)
@require_POST
def bank_change_decide(request, pk):
    change = access_by_id(
        BankAccountChange.objects.select_related("person", "requested_by"),
        request.user,
        pk,
        capability=PEOPLE_BANK_CONFIRM,
        region_field="person__region",
    )
    action, note = request.POST.get("action"), request.POST.get("note", "")
    try:
        if action == "confirm":
            bank_accounts.confirm(request.user, change, note=note)
            messages.success(request, f"已确认 {change.person.name} 的银行账号变更，自下次生成发放起按新账号发放")
        elif action == "reject":
            bank_accounts.reject(request.user, change, note=note)
            messages.success(request, f"已退回 {change.person.name} 的银行账号变更")
        else:
            raise Http404("未知操作")
    except ServiceError as exc:
        messages.error(request, str(exc))
    if request.POST.get("next") == "person":
        return redirect("registry:person", pk=change.person_id)
    return redirect("registry:bank_changes")
