"""Who may receive an allowance, and beside what: the overlap rules (OverlapRule rows, national defaults in
huimin.assistance.defaults, a region's own rows over them) applied to one person on one day. Every refusal is a
BusinessRuleError naming the rule and its 依据."""

import datetime
from decimal import Decimal

from django.db.models import Q

from huimin.assistance.error_codes import AssistanceErrorCode
from huimin.assistance.models import CURRENT_STATUSES, Enrolment, OverlapRule, Programme, ProgrammeKind
from huimin.core import regions
from huimin.core.access import BusinessRuleError
from huimin.registry.codes import DisabilityCategory

GRADE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
# The rule without which a programme has no condition at all: when none of its rows is in force at a place and
# day (a region ended its own and the national one too is ended), the application is refused, not let through.
CONDITION_RULES = {"disability_living": "living_low_income", "severe_care": "care_grade"}
CONFIGURE_HINT = "请县级以上残疾人福利审批人在「待遇衔接规则」页面设置"


def kind_label(kind: str) -> str:
    return ProgrammeKind(kind).label if kind in ProgrammeKind.values else kind


def kinds_text(kinds) -> str:
    return "、".join(kind_label(k) for k in kinds) or "（无）"


def rules_in_force(programme_kind: str, region_code: str, day: datetime.date) -> list[OverlapRule]:
    """The rules that govern ``programme_kind`` at ``region_code`` on ``day``: for each rule code, the row of the
    most specific region and then the latest effective date (core.regions.in_force)."""
    rows = (
        OverlapRule.objects.filter(programme_kind=programme_kind, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("code", "pk")
    )
    by_code: dict[str, list[OverlapRule]] = {}
    for row in rows:
        by_code.setdefault(row.code, []).append(row)
    chosen = [
        regions.in_force(
            group,
            region_code,
            region=lambda r: r.region_id,
            effective_from=lambda r: r.effective_from,
            tiebreak=lambda r: (r.pk,),
        )
        for group in by_code.values()
    ]
    return [rule for rule in chosen if rule is not None]


def current_enrolments(person, household, kinds, *, exclude_application_id=None):
    """The person's current enrolments of programme ``kinds``: as a covered member, as the person of a
    per-person enrolment, or through his household's enrolment."""
    qs = Enrolment.objects.filter(status__in=CURRENT_STATUSES, programme__kind__in=list(kinds)).filter(
        Q(members__person=person, members__removed_on__isnull=True)
        | Q(person=person)
        | Q(household=household, person__isnull=True)
    )
    if exclude_application_id:
        qs = qs.exclude(application_id=exclude_application_id)
    return qs.select_related("programme").distinct().order_by("pk")


def _cite(rule: OverlapRule) -> str:
    return f"（规则：{rule.name}；依据：{rule.basis}）"


def grade_qualifies(rule: OverlapRule, grade: int | None, category: str) -> bool:
    if grade is None:
        return False
    params = rule.params or {}
    if grade <= int(params.get("max_grade", 4)):
        return True
    extended = params.get("extended_categories") or []
    return category in extended and grade <= int(params.get("extended_max_grade", 0))


def grade_text(rule: OverlapRule) -> str:
    params = rule.params or {}
    text = f"残疾等级为一至{GRADE_NAMES.get(int(params.get('max_grade', 4)), '')[0]}级"
    extended = params.get("extended_categories") or []
    if extended and params.get("extended_max_grade"):
        names = "、".join(DisabilityCategory(c).label for c in extended if c in DisabilityCategory.values)
        text += f"，或{names}至{GRADE_NAMES.get(int(params['extended_max_grade']), '')}"
    return text


def check_eligible(
    programme: Programme,
    person,
    household,
    region_code: str,
    day: datetime.date,
    *,
    grade: int | None = None,
    category: str = "",
    exclude_application_id=None,
) -> None:
    """Refuse (BusinessRuleError, nothing written) unless ``person`` may receive ``programme`` by the rules in
    force: who qualifies (requires, grade) and what it may not stand beside (excludes). The ``higher_of`` rules
    need the amounts and are applied at approval (``higher_of``)."""
    order = [OverlapRule.Kind.EXCLUDES, OverlapRule.Kind.GRADE, OverlapRule.Kind.REQUIRES]  # most telling first
    in_force = rules_in_force(programme.kind, region_code, day)
    condition = CONDITION_RULES.get(programme.kind)
    if condition and not any(r.code == condition for r in in_force):
        raise BusinessRuleError(
            AssistanceErrorCode.RULE_NOT_CONFIGURED,
            f"本地区{day:%Y年%m月%d日}没有有效的“{programme.name}”享受条件规则，暂不能办理：{CONFIGURE_HINT}",
        )
    rules = [r for r in in_force if r.kind in order]
    for rule in sorted(rules, key=lambda r: order.index(r.kind)):
        if rule.kind == OverlapRule.Kind.GRADE and not grade_qualifies(rule, grade, category):
            shown = f"{GRADE_NAMES.get(grade, '无')}（{DisabilityCategory(category).label}）" if grade else "无有效等级"
            raise BusinessRuleError(
                AssistanceErrorCode.NOT_ELIGIBLE,
                f"{person.name}的残疾等级为{shown}，不符合{programme.name}的条件：须{grade_text(rule)}" + _cite(rule),
            )
        if rule.kind == OverlapRule.Kind.REQUIRES and not current_enrolments(person, household, rule.other_kinds):
            raise BusinessRuleError(
                AssistanceErrorCode.NOT_ELIGIBLE,
                f"{person.name}不符合{programme.name}的条件：须为{kinds_text(rule.other_kinds)}对象（在保）"
                + _cite(rule),
            )
        if rule.kind == OverlapRule.Kind.EXCLUDES:
            other = current_enrolments(
                person, household, rule.other_kinds, exclude_application_id=exclude_application_id
            ).first()
            if other is not None:
                raise BusinessRuleError(
                    AssistanceErrorCode.OVERLAP,
                    f"{person.name}正在享受“{other.programme.name}”，不能同时享受{programme.name}" + _cite(rule),
                )


def higher_of(
    programme: Programme, person, household, region_code: str, day: datetime.date, amount: Decimal
) -> list[Enrolment]:
    """The similar allowances ``person`` receives that approving ``programme`` at ``amount`` would replace (the
    higher is paid, not both); BusinessRuleError when one of them pays as much or more."""
    replaced = []
    for rule in rules_in_force(programme.kind, region_code, day):
        if rule.kind != OverlapRule.Kind.HIGHER_OF:
            continue
        for other in current_enrolments(person, household, rule.other_kinds):
            if other.monthly_amount >= amount:
                raise BusinessRuleError(
                    AssistanceErrorCode.OVERLAP,
                    f"{person.name}正在享受“{other.programme.name}”每月 {other.monthly_amount} 元，"
                    f"不低于{programme.name}每月 {amount} 元：两者就高发放、不重复享受，不能再批准{programme.name}"
                    + _cite(rule),
                )
            replaced.append((other, rule))
    return replaced
