"""The registry's to-dos on the 工作台 (registered in RegistryConfig.ready)."""

from django.urls import reverse

from huimin.core.roles import PEOPLE_BANK_CONFIRM, has_capability
from huimin.core.todos import Todo
from huimin.registry import bank_accounts


def bank_changes(actor, day):
    """Bank-account changes in the actor's region that the actor may confirm (another account requested them)."""
    if not has_capability(actor, PEOPLE_BANK_CONFIRM):
        return []
    changes = bank_accounts.pending_for(actor).exclude(requested_by=actor)
    return [Todo("registry", "银行账号变更待确认", changes.count(), reverse("registry:bank_changes"))]
