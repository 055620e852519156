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
AGENCY_REVIEW = "assistance.agency_review"  # another department's review inside the workflow (县残联 审核)
FORWARD = "assistance.forward"  # 跨县通办: forward an application to the county of the person's 户籍

COUNTY, TOWNSHIP, VILLAGE = 3, 4, 5
NEXT = "next"

# Every stage a programme may use, in their only possible order; a programme lists the ones it uses.
STAGE_ORDER = [
    Stage.ACCEPT,
    Stage.VERIFY,
    Stage.VISIT,
    Stage.APPRAISAL,
    Stage.REVIEW,
    Stage.AGENCY_REVIEW,
    Stage.PUBLICITY,
    Stage.DECISION,
]
# Every programme has these; a means-tested one (Programme.means_tested) also 家庭经济状况核对 (逢进必核).
MANDATORY_STAGES = {Stage.ACCEPT, Stage.REVIEW, Stage.DECISION}
MEANS_TEST_STAGE = Stage.VERIFY


def mandatory_stages(means_tested: bool = True) -> set[str]:
    """The stages a programme cannot do without: 受理, 乡镇审核 and 审批 always, 核对 when it is means-tested."""
    return MANDATORY_STAGES | ({MEANS_TEST_STAGE} if means_tested else set())


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
        Action("forward", "转户籍地办理", (Stage.ACCEPT,), FORWARD, TOWNSHIP),
        Action("review", "乡镇审核通过", (Stage.REVIEW,), REVIEW, TOWNSHIP, NEXT),
        # the 县残联 verifies the 残疾人证 (category, grade) of its own county's applications
        Action("agency_review", "残联审核通过", (Stage.AGENCY_REVIEW,), AGENCY_REVIEW, COUNTY, NEXT),
        Action("refuse_agency", "残联审核不通过", (Stage.AGENCY_REVIEW,), AGENCY_REVIEW, COUNTY, Stage.REFUSED),
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


def validate_stages(stages: list[str], means_tested: bool = True) -> list[str]:
    """Problems of a programme's stage list (empty when it is usable)."""
    problems = [f"未知环节 {s}" for s in stages if s not in STAGE_ORDER]
    problems += [
        f"缺少必经环节 {Stage(s).label}" for s in STAGE_ORDER if s in mandatory_stages(means_tested) and s not in stages
    ]
    return problems


def allowed_actions(stage: str) -> list[Action]:
    return [a for a in ACTIONS.values() if stage in a.stages]
