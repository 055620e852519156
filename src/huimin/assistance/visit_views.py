"""The 入户调查 round: the township's cases awaiting a home visit, with one visit form that works offline (a phone
in a village without signal). A record entered offline is submitted once when the network returns
(core.idempotency); a case whose record someone else saved meanwhile is held as a conflict for the person to decide
(core.offline). Submitting the finished visit to the next stage stays on the case page, online."""

from django.db.models import Max
from django.shortcuts import render

from huimin.assistance import services, workflow
from huimin.assistance.access import access_application_by_id, of_my_lines
from huimin.assistance.models import Application, ApplicationEvent, CareGrade, Stage
from huimin.core import idempotency, offline
from huimin.core.decorators import capability_required
from huimin.core.parse import date_or_none
from huimin.core.scope import scoped

ROUND_LIMIT = 200  # a township's open visits; more would not fit a phone's page


def _cases(request):
    qs = Application.objects.filter(stage=Stage.VISIT).select_related("programme", "applicant", "region")
    qs = of_my_lines(scoped(qs, request.user, "region", capability=workflow.VISIT), request.user, workflow.VISIT)
    cases = list(qs.defer("applicant__id_number", "applicant__phone", "applicant__bank_account")
                 .order_by("region_id", "created_at")[:ROUND_LIMIT])  # fmt: skip
    versions = dict(
        ApplicationEvent.objects.filter(application__in=cases, action="record_visit")
        .values("application").annotate(latest=Max("id")).values_list("application", "latest")
    )  # fmt: skip
    for app in cases:
        app.version = versions.get(app.pk, "")
        app.problems = services.visit_problems(app, services.current_visit(app))
    return cases


def _record(request):
    post = request.POST
    app = access_application_by_id(request.user, post.get("application") or 0, capability=workflow.VISIT)
    return services.record_visit(
        request.user, app, visit_date=date_or_none(post.get("visit_date")), visitors=post.get("visitors", ""),
        findings=post.get("findings", ""), photos=request.FILES.getlist("photos"), members=post.get("members", ""),
        care_grade=post.get("care_grade", ""), key=idempotency.key_from(request),
        known_version=post.get("known_version"), confirm_conflict=post.get("confirm_conflict") == "1",
    )  # fmt: skip


@capability_required(workflow.VISIT)
def visit_round(request):
    if request.method == "POST":
        return offline.answer(
            request, lambda: _record(request),
            lambda visit: f"已保存{visit.application.applicant.name}的入户调查（{visit.visit_date:%Y-%m-%d}），"
            "请在申请页面核对后提交", "assistance:visit_round",
        )  # fmt: skip
    return render(request, "assistance/visit_round.html", {
        "cases": _cases(request), "today": services.today(), "care_grades": CareGrade.choices,
        "limit": ROUND_LIMIT,
    })  # fmt: skip
