"""职责分离 (two people, not one) for the procedures outside the programme machinery: a provider's monthly
settlement, a correction of a marriage record, a decision on a social organisation, a funeral home's waiver
settlement …

An app registers each procedure once, in its ``AppConfig.ready``: its steps in order, how a refusal names doing
each step, and its default rules. The rules themselves are data (``core.models.DutyRule``): the defaults are
written when the database is migrated (``ensure_defaults``, on ``post_migrate``) and an approver of the
procedure's business line adds or ends rules on the page 「职责分离规则」, each change kept as history with its
audit entry. A machinery that serves several lines (supervision) names them all (``line`` a tuple): an approver
of any of them manages its rules. The pairs a procedure declares ``required`` cannot be ended: what changes money
or a decision keeps two people.

A service asks ``check(actor, procedure, step, done_by)`` before it writes, ``done_by`` saying who did the earlier
steps of this case (``{"compute": "zhang", "review": ""}``): a conflict refuses with
``core.duty_conflict`` and a message naming both steps. (The application workflow of the programmes keeps its own
rules per programme: ``assistance.DutySeparation``.)
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from huimin.core import audit
from huimin.core.access import BusinessRuleError, Forbidden
from huimin.core.roles import DUTIES_MANAGE, has_capability

DUTY_CONFLICT = "core.duty_conflict"
NOT_REGISTERED = "core.duty_procedure_unknown"


@dataclass(frozen=True)
class Procedure:
    code: str  # "<app>.<procedure>", e.g. "homecare.settlement"
    label: str  # 服务结算
    line: str | tuple[str, ...]  # the business line (or lines, for a machinery serving several) whose approver
    # manages its rules
    steps: dict[str, str]  # step code → label, in the procedure's order
    doing: dict[str, str]  # step code → how a refusal names doing it (审核结算)
    defaults: tuple[tuple[str, str, str], ...] = ()  # (first, second, basis)
    required: frozenset[frozenset[str]] = field(default_factory=frozenset)  # pairs that may not be ended

    @property
    def lines(self) -> tuple[str, ...]:
        return (self.line,) if isinstance(self.line, str) else tuple(self.line)

    def ordered(self, a: str, b: str) -> tuple[str, str]:
        order = list(self.steps)
        return (a, b) if order.index(a) < order.index(b) else (b, a)


PROCEDURES: dict[str, Procedure] = {}


def register(procedure: Procedure) -> Procedure:
    unknown = {s for pair in procedure.defaults for s in pair[:2]} - set(procedure.steps)
    if unknown or set(procedure.doing) != set(procedure.steps):
        raise ValueError(f"职责分离流程 {procedure.code} 的环节定义不完整：{sorted(unknown)}")
    PROCEDURES[procedure.code] = procedure
    return procedure


def procedure_of(code: str) -> Procedure:
    try:
        return PROCEDURES[code]
    except KeyError:
        raise BusinessRuleError(NOT_REGISTERED, f"未知的业务流程“{code}”") from None


def ensure_defaults(**_kwargs) -> int:
    """Write the default rules of every registered procedure that has never had a rule (a procedure whose rules
    someone ended keeps them ended). Runs after ``migrate``."""
    from huimin.core.models import DutyRule

    seen = set(DutyRule.objects.values_list("procedure", flat=True).distinct())
    rows = [
        DutyRule(procedure=p.code, first=first, second=second, basis=basis, created_by="系统默认")
        for p in PROCEDURES.values()
        if p.code not in seen
        for first, second, basis in p.defaults
    ]
    DutyRule.objects.bulk_create(rows)
    return len(rows)


def apart_from(procedure: str, step: str) -> set[str]:
    """The steps that the rules in force keep apart from ``step``."""
    from huimin.core.models import DutyRule

    rules = DutyRule.objects.filter(procedure=procedure, ended_at__isnull=True).values_list("first", "second")
    return {b if a == step else a for a, b in rules if step in (a, b)}


def conflict_message(p: Procedure, a: str, b: str) -> str:
    first, second = p.ordered(a, b)
    return (
        f"同一人不能既{p.doing[first]}又{p.doing[second]}（职责分离：“{p.label}”的"
        f"{p.steps[first]}与{p.steps[second]}须由不同工作人员办理）"
    )


def check(actor, procedure: str, step: str, done_by: Mapping[str, str | None]) -> None:
    """Refuse (``core.duty_conflict``, nothing written) when ``actor`` did, on this case, a step the rules in
    force keep apart from ``step``. ``done_by`` maps the case's earlier steps to the username who did them."""
    p = procedure_of(procedure)
    if step not in p.steps:
        raise ValueError(f"{procedure} 没有环节 {step}")
    username = getattr(actor, "username", "") or ""
    if not username:
        return
    for other in sorted(apart_from(procedure, step), key=list(p.steps).index):
        if done_by.get(other) == username:
            raise BusinessRuleError(DUTY_CONFLICT, conflict_message(p, step, other))


def _require_manager(actor, p: Procedure) -> None:
    if not any(has_capability(actor, DUTIES_MANAGE, line) for line in p.lines):
        raise Forbidden(f"您的角色不能设置“{p.label}”的职责分离规则（需该业务条线的审批人）")


@transaction.atomic
def add_rule(actor, procedure: str, first: str, second: str, basis: str = ""):
    from huimin.core.models import DutyRule

    p = procedure_of(procedure)
    _require_manager(actor, p)
    if first not in p.steps or second not in p.steps:
        raise BusinessRuleError(DUTY_CONFLICT, f"“{p.label}”没有所选的环节")
    if first == second:
        raise BusinessRuleError(DUTY_CONFLICT, "职责分离须在两个不同的环节之间设置")
    first, second = p.ordered(first, second)
    if DutyRule.objects.select_for_update().filter(procedure=procedure, first=first, second=second,
                                                   ended_at__isnull=True).exists():  # fmt: skip
        raise BusinessRuleError(DUTY_CONFLICT, f"“{p.label}”已有{p.steps[first]}与{p.steps[second]}的职责分离规则")
    rule = DutyRule.objects.create(procedure=procedure, first=first, second=second, basis=basis.strip()[:200],
                                   created_by=actor.username)  # fmt: skip
    audit.record("core.duty_rule.add", rule, after={"procedure": procedure, "first": first, "second": second})
    return rule


@transaction.atomic
def end_rule(actor, pk: int, reason: str):
    from huimin.core.models import DutyRule

    rule = DutyRule.objects.select_for_update().filter(pk=pk, ended_at__isnull=True).first()
    if rule is None or rule.procedure not in PROCEDURES:
        raise BusinessRuleError(DUTY_CONFLICT, "该规则不存在或已停用")
    p = PROCEDURES[rule.procedure]
    _require_manager(actor, p)
    if frozenset((rule.first, rule.second)) in p.required:
        raise BusinessRuleError(
            DUTY_CONFLICT,
            f"“{p.label}”的{p.steps[rule.first]}与{p.steps[rule.second]}涉及资金或决定，必须由两人办理，不能停用",
        )
    if not reason.strip():
        raise BusinessRuleError(DUTY_CONFLICT, "停用职责分离规则须填写理由")
    rule.ended_by, rule.ended_at, rule.end_reason = actor.username, timezone.now(), reason.strip()[:200]
    rule.save(update_fields=["ended_by", "ended_at", "end_reason"])
    audit.record("core.duty_rule.end", rule, detail=rule.end_reason)
    return rule
