"""Monitoring's to-dos on the 工作台 (registered in MonitoringConfig.ready)."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse

from huimin.core.roles import has_capability
from huimin.core.scope import scoped
from huimin.core.todos import DUE_SOON_DAYS, Todo
from huimin.monitoring import capabilities as cap
from huimin.monitoring.models import Warning


def warnings_to_triage(actor, day):
    """Warnings in the actor's region still waiting to be judged (待研判), with those past or near their deadline."""
    if not has_capability(actor, cap.HANDLE):
        return []
    pending = scoped(Warning.objects.filter(status=Warning.Status.PENDING), actor, capability=cap.HANDLE)
    counts = pending.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(due_on__lt=day)),
        soon=Count("id", filter=Q(due_on__gte=day, due_on__lte=day + datetime.timedelta(days=DUE_SOON_DAYS))),
    )
    url = reverse("monitoring:warnings") + f"?status={Warning.Status.PENDING}"
    return [Todo("monitoring", "预警待研判", counts["total"], url, counts["overdue"], counts["soon"])]
