"""The page 「职责分离规则」: the procedures registered by the apps (core.duties), their rules in force and ended, and
the forms an approver of the procedure's line uses to add or end one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core import duties
from huimin.core.access import show_refusal
from huimin.core.decorators import capability_required
from huimin.core.models import DutyRule
from huimin.core.roles import DUTIES_MANAGE, lines_with
from huimin.core.services import ServiceError


def _my_procedures(user) -> list[duties.Procedure]:
    lines = lines_with(user, DUTIES_MANAGE)
    return [p for p in duties.PROCEDURES.values() if lines is None or lines.intersection(p.lines)]


@capability_required(DUTIES_MANAGE)
def duty_rules(request):
    procedures = _my_procedures(request.user)
    rows = DutyRule.objects.filter(procedure__in=[p.code for p in procedures]).order_by("procedure", "-created_at")
    by_code: dict[str, list] = {}
    for rule in rows:
        by_code.setdefault(rule.procedure, []).append(rule)
    groups = []
    for p in sorted(procedures, key=lambda p: (p.lines, p.code)):
        rules = by_code.get(p.code, [])
        for rule in rules:
            rule.first_label, rule.second_label = (
                p.steps.get(rule.first, rule.first),
                p.steps.get(rule.second, rule.second),
            )
            rule.required = frozenset((rule.first, rule.second)) in p.required
        groups.append({"procedure": p, "rules": rules, "steps": list(p.steps.items())})
    return render(request, "core/duty_rules.html", {"groups": groups})


@capability_required(DUTIES_MANAGE)
@require_POST
def duty_rule_add(request):
    p = request.POST
    try:
        duties.add_rule(
            request.user, p.get("procedure", ""), p.get("first", ""), p.get("second", ""), p.get("basis", "")
        )
        messages.success(request, "已增加职责分离规则")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("core:duty_rules")


@capability_required(DUTIES_MANAGE)
@require_POST
def duty_rule_end(request, pk):
    try:
        duties.end_rule(request.user, pk, request.POST.get("reason", ""))
        messages.success(request, "已停用该职责分离规则，历史记录保留")
    except ServiceError as exc:
        show_refusal(request, exc)
    return redirect("core:duty_rules")
