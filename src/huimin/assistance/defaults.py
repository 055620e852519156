"""The default programmes and policy figures. Every figure here is a default a county changes as data.

渐退: the plans require it (000 "落实低保渐退制度", "给予已就业的低保对象一定时间的渐退期"; 003 "完善低保渐退期政策")
but name no number of months; 6 months is the project's default until a region sets its own RegionPolicy row.
Review cycles follow 000: 特困 and stable 低保 yearly, unstable income with members able to work half-yearly.
公示 7 days is "the usual rule" (docs/domain.md). Deadlines (working days per stage) are procedural defaults, to be set
to the local 审核确认办法.
"""

import datetime

from huimin.assistance import models

COMMON_DOCS = [
    {"code": "application", "name": "救助申请书"},
    {"code": "identity", "name": "申请人及家庭成员身份证明"},
    {"code": "authorization", "name": "家庭经济状况核对授权书"},
]
SINGLE_DOCS = COMMON_DOCS + [{"code": "illness_disability", "name": "重病诊断证明或残疾人证"}]
TEMP_DOCS = [
    {"code": "application", "name": "救助申请书"},
    {"code": "identity", "name": "申请人身份证明"},
    {"code": "hardship", "name": "困难情况说明"},
]
EXPENSE_DOCS = TEMP_DOCS + [{"code": "expense_receipts", "name": "医疗、教育等刚性支出票据"}]

FULL = ["accept", "verify", "visit", "review", "publicity", "decision"]
NO_PUBLICITY = ["accept", "verify", "visit", "review", "decision"]
DEADLINES = {
    "accept": 3,
    "verify": 10,
    "visit": 10,
    "appraisal": 5,
    "review": 5,
    "publicity": 10,
    "decision": 10,
    "advance_file": 5,
}
# 职责分离 of every programme: (earlier step, later step) that one person may not both do on an application.
# 受理, 核对 and the visit are checked by someone else at the 乡镇审核, and the 审核 by someone else at the 审批
# (the procedure's 审核 and 审批 are separate checks; a township that confirms on the county's delegation
# confirms with another person than the one who reviewed).
DUTY_SEPARATION = [("accept", "review"), ("verify", "review"), ("visit", "review"), ("review", "approve")]
# 追缴: whoever asks to write an overpayment off does not approve the write-off (huimin.benefits.recovery)
WRITE_OFF_SEPARATION = ("write_off_request", "write_off_approve")
WRITE_OFF_BASIS = "默认：追缴款核销的申请与审批须由不同工作人员办理"
DUTY_BASIS = "默认：受理、核对、入户调查与乡镇审核分离，审核与审批分离（各地可按本地审核确认办法调整）"
HALF_YEARLY_IF_UNSTABLE = {"default_months": 12, "unstable_able_months": 6}
YEARLY = {"default_months": 12}

PROGRAMMES = [
    dict(
        code="dibao",
        name="最低生活保障",
        kind="dibao",
        scope="household",
        stages=FULL,
        review_cycle=HALF_YEARLY_IF_UNSTABLE,
        required_documents=COMMON_DOCS,
        exclusive_group="basic_living",
        delegable=True,
        sort=10,
    ),
    dict(
        code="dibao_single",
        name="最低生活保障（单人户）",
        kind="dibao",
        scope="person",
        stages=FULL,
        review_cycle=YEARLY,
        required_documents=SINGLE_DOCS,
        exclusive_group="basic_living",
        delegable=True,
        sort=11,
    ),
    dict(
        code="tekun_scattered",
        name="特困人员救助供养（分散供养）",
        kind="tekun",
        scope="person",
        stages=FULL,
        review_cycle=YEARLY,
        required_documents=COMMON_DOCS,
        exclusive_group="basic_living",
        delegable=True,
        sort=20,
    ),
    dict(
        code="tekun_central",
        name="特困人员救助供养（集中供养）",
        kind="tekun",
        scope="person",
        stages=FULL,
        review_cycle=YEARLY,
        required_documents=COMMON_DOCS,
        exclusive_group="basic_living",
        delegable=True,
        sort=21,
    ),
    dict(
        code="temp_urgent",
        name="临时救助（急难型）",
        kind="temporary",
        scope="household",
        stages=NO_PUBLICITY,
        review_cycle={},
        required_documents=TEMP_DOCS,
        delegable=True,
        one_off=True,
        advance_allowed=True,
        sort=30,
    ),
    dict(
        code="temp_expense",
        name="临时救助（支出型）",
        kind="temporary",
        scope="household",
        stages=NO_PUBLICITY,
        review_cycle={},
        required_documents=EXPENSE_DOCS,
        delegable=True,
        one_off=True,
        sort=31,
    ),
    dict(
        code="edge",
        name="低保边缘家庭",
        kind="edge",
        scope="household",
        stages=NO_PUBLICITY,
        review_cycle=YEARLY,
        required_documents=COMMON_DOCS,
        exclusive_group="edge",
        sort=40,
    ),
    dict(
        code="expense",
        name="支出型困难家庭",
        kind="expense",
        scope="household",
        stages=NO_PUBLICITY,
        review_cycle=YEARLY,
        required_documents=COMMON_DOCS + [{"code": "expense_receipts", "name": "刚性支出票据"}],
        exclusive_group="expense",
        sort=50,
    ),
]


def load(programme_model=None, policy_model=None, duty_model=None) -> None:
    """Create or refresh the defaults (the migrations pass their historical models)."""
    if programme_model is None:
        programme_model, policy_model = models.Programme, models.RegionPolicy
        duty_model = models.DutySeparation
    for row in PROGRAMMES:
        programme_model.objects.update_or_create(
            code=row["code"], defaults={**row, "deadlines": DEADLINES, "publicity_days": 7}
        )
    if duty_model is not None:
        load_duty_separation(programme_model, duty_model)
    policy_model.objects.get_or_create(
        key="grace_months",
        region=None,
        programme=None,
        effective_from=datetime.date(2021, 1, 1),
        defaults={"value": 6, "source": "默认值：规划（000、003）要求落实低保渐退制度，未给出月数；各地按本地政策设置"},
    )
    load_death_stop(policy_model)
    if duty_model is not None:
        load_write_off_separation(programme_model, duty_model)


def load_death_stop(policy_model) -> None:
    """The national rule: benefits stop from the month after death (a region sets its own row)."""
    policy_model.objects.get_or_create(
        key="death_stop_months",
        region=None,
        programme=None,
        effective_from=datetime.date(2000, 1, 1),
        defaults={"value": 1, "source": "全国默认：保障对象死亡的，自死亡次月起停发"},
    )


def load_write_off_separation(programme_model, duty_model) -> None:
    """The write-off rule of 追缴 for every programme that has never had it (a rule a city ended stays ended)."""
    first, second = WRITE_OFF_SEPARATION
    configured = set(duty_model.objects.filter(first=first, second=second).values_list("programme_id", flat=True))
    duty_model.objects.bulk_create(
        [
            duty_model(programme=p, first=first, second=second, basis=WRITE_OFF_BASIS, created_by="系统默认")
            for p in programme_model.objects.exclude(pk__in=configured)
        ]
    )


def load_duty_separation(programme_model, duty_model) -> None:
    """The default 职责分离 rules for every programme that has never had any (a rule a city ended stays ended)."""
    configured = set(duty_model.objects.values_list("programme_id", flat=True))
    duty_model.objects.bulk_create(
        [
            duty_model(programme=programme, first=first, second=second, basis=DUTY_BASIS, created_by="系统默认")
            for programme in programme_model.objects.exclude(pk__in=configured)
            for first, second in DUTY_SEPARATION
        ]
    )


def ensure() -> None:
    """Load the defaults when the tables are empty (after a flush in tests, or a hand-made database)."""
    if not models.Programme.objects.exists():
        load()
