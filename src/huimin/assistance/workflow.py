"""The application state machine as a pure table: which action is allowed at which stage, the capability and
the region level (1 省 … 5 村) it needs, and where it leads. huimin.assistance.services executes it."""

from dataclasses import dataclass

from huimin.assistance.models import Stage

# Capabilities (added to roles in AssistanceConfig.ready).
VIEW = "assistance.view"
APPLY = "assistance.apply"
ACCEPT = "assistance.accept"
VERIFY = "assistance.verify"
VISIT = "assistance.visit"
REVIEW = "assistance.review"
APPROVE = "assistance.approve"
CONFIRM_DELEGATED = "assistance.confirm_delegated"
DELEGATE = "assistance.delegate"
MANAGE = "assistance.manage"
CONFIGURE = "assistance.configure"  # local policy figures and the working-day calendar

COUNTY, TOWNSHIP, VILLAGE = 3, 4, 5
NEXT = "next"

# Every stage a programme may use, in their only possible order; a programme lists the ones it uses.
STAGE_ORDER = [Stage.ACCEPT, Stage.VERIFY, Stage.VISIT, Stage.APPRAISAL, Stage.REVIEW, Stage.PUBLICITY, Stage.DECISION]
MANDATORY_STAGES = {Stage.ACCEPT, Stage.VERIFY, Stage.REVIEW, Stage.DECISION}


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    stages: tuple[str, ...]
    capability: str
    max_level: int  # the actor's region level must be at most this (3 = county or above)
    to: str | None = None  # NEXT, a stage, or None (stays)
    delegable: bool = False  # a township holding CONFIRM_DELEGATED may act where the county delegated


_TOWN_STAGES = (Stage.VERIFY, Stage.VISIT, Stage.APPRAISAL, Stage.REVIEW)

ACTIONS: dict[str, Action] = {
    a.code: a
    for a in [
        Action("accept", "受理", (Stage.ACCEPT,), ACCEPT, TOWNSHIP, NEXT),
        Action("not_accept", "不予受理", (Stage.ACCEPT,), ACCEPT, TOWNSHIP, Stage.NOT_ACCEPTED),
        Action("record_verification", "录入核对结果", (Stage.VERIFY, Stage.VISIT, Stage.REVIEW), VERIFY, TOWNSHIP),
        # a manual 核对 conclusion that differs from the system's counts once a second person confirms it
        Action("check_verification", "复核人工核对结论", (Stage.VERIFY, Stage.VISIT, Stage.REVIEW), REVIEW, TOWNSHIP),
        Action("finish_verification", "核对完成", (Stage.VERIFY,), VERIFY, TOWNSHIP, NEXT),
        # saving the visit keeps the case at 入户调查 (photos added, the record completed); submitting moves it on
        Action("record_visit", "入户调查", (Stage.VISIT,), VISIT, TOWNSHIP),
        Action("submit_visit", "提交入户调查", (Stage.VISIT,), VISIT, TOWNSHIP, NEXT),
        Action("record_appraisal", "民主评议", (Stage.APPRAISAL,), VISIT, TOWNSHIP, NEXT),
        Action("review", "乡镇审核通过", (Stage.REVIEW,), REVIEW, TOWNSHIP, NEXT),
        Action("refuse_town", "不予批准（乡镇）", _TOWN_STAGES, REVIEW, TOWNSHIP, Stage.REFUSED),
        Action("refuse", "不予批准", (Stage.PUBLICITY, Stage.DECISION), APPROVE, COUNTY, Stage.REFUSED, True),
        Action("resolve_objection", "处理公示异议", (Stage.PUBLICITY,), REVIEW, TOWNSHIP),
        Action("approve", "审批/确认", (Stage.PUBLICITY, Stage.DECISION), APPROVE, COUNTY, Stage.ENROLLED, True),
        Action("advance", "先行救助", tuple(STAGE_ORDER), REVIEW, TOWNSHIP),
        Action("case_by_case", "一事一议", (Stage.REVIEW, Stage.DECISION), APPROVE, COUNTY),
    ]
}


def next_stage(programme_stages: list[str], current: str) -> str:
    """The stage after ``current`` among those the programme uses."""
    stages = [s for s in STAGE_ORDER if s in programme_stages]
    index = stages.index(current)
    return stages[index + 1] if index + 1 < len(stages) else Stage.DECISION


def target(action: Action, programme_stages: list[str], current: str) -> str:
    if action.to == NEXT:
        return next_stage(programme_stages, current)
    return action.to or current


def validate_stages(stages: list[str]) -> list[str]:
    """Problems of a programme's stage list (empty when it is usable)."""
    problems = [f"未知环节 {s}" for s in stages if s not in STAGE_ORDER]
    problems += [f"缺少必经环节 {Stage(s).label}" for s in MANDATORY_STAGES if s not in stages]
    return problems


def allowed_actions(stage: str) -> list[Action]:
    return [a for a in ACTIONS.values() if stage in a.stages]
