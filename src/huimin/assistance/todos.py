"""Assistance's to-dos on the 工作台 (registered in AssistanceConfig.ready): the open applications waiting at the
stages the actor moves on (a township clerk's 受理, 核对, 入户调查 …; a county approver's 审批), with those past or
near their stage deadline."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse

from huimin.assistance import workflow
from huimin.assistance.access import of_my_lines
from huimin.assistance.models import Application, Enrolment, Stage
from huimin.core.roles import has_capability
from huimin.core.scope import scoped
from huimin.core.todos import DUE_SOON_DAYS, Todo

LABELS = {
    Stage.ACCEPT: "申请待受理",
    Stage.VERIFY: "申请待核对",
    Stage.VISIT: "待入户调查",
    Stage.APPRAISAL: "待民主评议",
    Stage.REVIEW: "申请待乡镇审核",
    Stage.AGENCY_REVIEW: "申请待残联审核",
    Stage.PUBLICITY: "公示期满待审批",
    Stage.DECISION: "申请待审批",
}
_MOVES_ON = (workflow.NEXT, Stage.ENROLLED)
REVIEW_HORIZON_DAYS = 30  # as the 到期复核 page lists by default


def stages_of(actor) -> list[str]:
    """The stages whose forward step the actor takes: held capability, and the level the step belongs to (a county
    account sees the county's steps, a township account the township's)."""
    region = getattr(actor, "region", None)
    if region is None:
        return []
    own_level = max(region.level, workflow.COUNTY)
    return [
        stage
        for stage in workflow.STAGE_ORDER
        if any(
            action.to in _MOVES_ON and action.max_level == own_level and has_capability(actor, action.capability)
            for action in workflow.allowed_actions(stage)
        )
    ]


def applications_at_my_stages(actor, day):
    stages = stages_of(actor)
    if not stages:
        return []
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    rows = (
        of_my_lines(scoped(Application.objects.filter(stage__in=stages), actor, capability=workflow.VIEW), actor)
        .order_by()
        .values("stage")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=Q(stage_due_on__lt=day)),
            soon=Count("id", filter=Q(stage_due_on__gte=day, stage_due_on__lte=soon)),
        )
    )
    counts = {row["stage"]: row for row in rows}
    todos = []
    for stage in stages:
        row = counts.get(stage, {"total": 0, "overdue": 0, "soon": 0})
        url = reverse("assistance:applications") + f"?stage={stage}"
        todos.append(Todo("assistance", LABELS[stage], row["total"], url, row["overdue"], row["soon"]))
    return todos


def reviews_due(actor, day):
    """Enrolments in the actor's region whose periodic 复核 (a home visit) falls within the next month, for those
    who make the visits."""
    if not has_capability(actor, workflow.VISIT):
        return []
    due = scoped(
        of_my_lines(Enrolment.objects, actor).filter(
            status=Enrolment.Status.ACTIVE, next_review_on__lte=day + datetime.timedelta(days=REVIEW_HORIZON_DAYS)
        ),
        actor,
        capability=workflow.VIEW,
    )
    counts = due.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(next_review_on__lt=day)),
        soon=Count(
            "id", filter=Q(next_review_on__gte=day, next_review_on__lte=day + datetime.timedelta(days=DUE_SOON_DAYS))
        ),
    )
    url = reverse("assistance:reviews_due")
    return [Todo("assistance", "到期复核（入户）", counts["total"], url, counts["overdue"], counts["soon"])]
