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


# --- 残疾人两项补贴 (the 残疾人福利 line) ---------------------------------------------------------------------
# The national chain (国发〔2015〕52号; 民发〔2021〕70号): application by the person, a family member or the 村(居)
# on their behalf → 乡镇 受理 and 初审 → 县残联 审核 → 县民政 审批, paid from the month of application. No 核对 of
# their own: 生活补贴 rests on the 低保 enrolment, 护理补贴 on the grade; both on the 第二代残疾人证.
SUBSIDY_STAGES = ["accept", "review", "agency_review", "decision"]
SUBSIDY_DOCS = [
    {"code": "application", "name": "残疾人两项补贴申请审批表"},
    {"code": "identity", "name": "申请人及残疾人身份证明"},
    {"code": "certificate", "name": "第二代残疾人证"},
]
SUBSIDY_DEADLINES = {"accept": 3, "review": 10, "agency_review": 10, "decision": 10, "advance_file": 5}
DISABILITY_PROGRAMMES = [
    dict(
        code="disability_living",
        name="困难残疾人生活补贴",
        kind="disability_living",
        scope="person",
        stages=SUBSIDY_STAGES,
        review_cycle=YEARLY,
        required_documents=SUBSIDY_DOCS,
        exclusive_group="disability_living",
        business_line="disability",
        means_tested=False,
        start_rule="application_month",
        sort=60,
    ),
    dict(
        code="severe_care",
        name="重度残疾人护理补贴",
        kind="severe_care",
        scope="person",
        stages=SUBSIDY_STAGES,
        review_cycle=YEARLY,
        required_documents=SUBSIDY_DOCS,
        exclusive_group="severe_care",
        business_line="disability",
        means_tested=False,
        start_rule="application_month",
        sort=61,
    ),
]
NATIONAL = "国发〔2015〕52号《关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"
REFINED = "民发〔2021〕70号《关于进一步完善困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"
# The national defaults of who may receive which subsidy beside what (OverlapRule). A city or county widens or
# narrows one by a row of the same code for its region (e.g. 生活补贴 for 低保边缘 households too, 护理补贴 for
# grade 3–4 智力/精神 disability).
OVERLAP_RULES = [
    dict(
        code="living_low_income",
        name="生活补贴限低保家庭中的残疾人",
        programme_kind="disability_living",
        kind="requires",
        other_kinds=["dibao"],
        params={},
        basis=f"{NATIONAL}：补贴对象为低保家庭中的残疾人，有条件的地方可扩大到低收入残疾人及其他困难残疾人",
    ),
    dict(
        code="living_not_tekun",
        name="特困供养、孤儿及事实无人抚养儿童不享受生活补贴",
        programme_kind="disability_living",
        kind="excludes",
        other_kinds=["tekun", "orphan", "orphan_institution", "de_facto_child"],
        params={},
        basis=f"{REFINED}：纳入特困人员救助供养或享受孤儿、事实无人抚养儿童基本生活保障的残疾人，不享受困难残疾人"
        "生活补贴，可享受重度残疾人护理补贴",
    ),
    dict(
        code="care_grade",
        name="护理补贴限一、二级重度残疾人",
        programme_kind="severe_care",
        kind="grade",
        other_kinds=[],
        params={"max_grade": 2, "extended_categories": [], "extended_max_grade": 0},
        basis=f"{NATIONAL}：补贴对象为残疾等级被评定为一级、二级且需要长期照护的重度残疾人，有条件的地方可扩大到"
        "非重度智力、精神残疾人",
    ),
    dict(
        code="care_higher_of_elderly",
        name="护理补贴与失能老年人护理补贴就高享受",
        programme_kind="severe_care",
        kind="higher_of",
        other_kinds=["elderly_care"],
        params={},
        basis=f"{REFINED}：既符合重度残疾人护理补贴条件，又符合其他同类护理补贴条件的，择高享受其中一项，不重复享受",
    ),
]
OVERLAP_FROM = datetime.date(2016, 1, 1)  # 国发〔2015〕52号 took effect on 1 January 2016


def load_disability(programme_model, overlap_model, duty_model=None) -> None:
    """The two subsidies and the national overlap rules (the migrations pass their historical models)."""
    for row in DISABILITY_PROGRAMMES:
        programme_model.objects.update_or_create(
            code=row["code"],
            defaults={**row, "deadlines": SUBSIDY_DEADLINES, "publicity_days": 0},
        )
    for row in OVERLAP_RULES:
        overlap_model.objects.get_or_create(
            code=row["code"], region=None, effective_from=OVERLAP_FROM, defaults={**row, "created_by": "系统默认"}
        )
    if duty_model is not None:
        load_duty_separation(programme_model, duty_model)


def load(programme_model=None, policy_model=None, duty_model=None) -> None:
    """Create or refresh the defaults (the migrations pass their historical models)."""
    current = programme_model is None
    if current:
        programme_model, policy_model = models.Programme, models.RegionPolicy
        duty_model = models.DutySeparation
        load_disability(programme_model, models.OverlapRule)
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
