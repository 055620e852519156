"""The defaults of 儿童福利, every one a row a city changes as data.

Categories: 孤儿 (民发〔2010〕54号: both parents dead or declared missing), 事实无人抚养儿童 (民发〔2019〕62号: both
parents in one of the listed situations, or one dead/missing and the other in a listed situation), 困境儿童
(国发〔2016〕36号: disability, serious illness, or a guardian unable to care), 农村留守儿童 (国发〔2016〕13号: both
parents, or one with the other unable to care, out working; a rural child under 16). Deadlines are procedural
defaults: 应急处置 within 24 hours (未成年人保护法 §81 强制报告 → 及时处置), assessment within 7 days, plan within 15,
approvals within 5, a referral answered within 10, visits monthly.
"""

DE_FACTO_STATUSES = ["imprisoned", "compulsory", "severe_disability", "serious_illness", "deprived", "deported",
                     "uncontactable"]  # fmt: skip

CATEGORIES = [
    dict(
        code="orphan",
        name="孤儿",
        criteria=[{"kind": "parents_all", "statuses": ["dead", "missing"]}],
        description="父母均死亡或被人民法院宣告失踪（死亡）的未满18周岁儿童",
        basis="民发〔2010〕54号《关于加强孤儿保障工作的意见》",
        allowance=["orphan_scattered", "orphan_institution"],
        order=10,
    ),
    dict(
        code="de_facto",
        name="事实无人抚养儿童",
        criteria=[{"kind": "de_facto", "statuses": DE_FACTO_STATUSES, "lost": ["dead", "missing"]}],
        description="父母双方均符合重残、重病、服刑在押、强制隔离戒毒、被执行其他限制人身自由的措施、失联情形之一，"
        "或一方符合上述情形、另一方死亡或失踪的儿童",
        basis="民发〔2019〕62号《关于进一步加强事实无人抚养儿童保障工作的意见》",
        allowance=["de_facto_child"],
        order=20,
    ),
    dict(
        code="distressed",
        name="困境儿童",
        criteria=[{"kind": "any_of", "conditions": ["child_disabled", "child_ill", "guardian_unable"]}],
        description="因家庭贫困、自身残疾或重病、监护缺失或不当导致生存、发展、安全困境的儿童",
        basis="国发〔2016〕36号《关于加强困境儿童保障工作的意见》",
        allowance=[],
        order=30,
    ),
    dict(
        code="left_behind",
        name="农村留守儿童",
        criteria=[
            {"kind": "max_age", "age": 16},
            {"kind": "rural"},
            {"kind": "parents_away", "statuses": ["migrant"], "unable": ["dead", "missing", *DE_FACTO_STATUSES]},
        ],
        description="父母双方外出务工或一方外出务工另一方无监护能力、不满16周岁的农村户籍未成年人",
        basis="国发〔2016〕13号《关于加强农村留守儿童关爱保护工作的意见》",
        allowance=[],
        order=40,
    ),
]

PARAMETERS = {
    "adult_age": 18,
    "transition_days": 90,
    "visit_days": 30,
    "emergency_hours": 24,
    "assessment_days": 7,
    "plan_days": 15,
    "approval_days": 5,
    "referral_days": 10,
    "followup_days": 30,
}

# 监护风险评估 (the items a 儿童督导员 scores; 0 = no concern)
RISK_ITEMS = [
    ("safety", "人身安全（遭受或面临侵害的风险）", [(0, "无风险"), (3, "存在隐患"), (6, "正在遭受侵害")]),
    ("care", "生活照料（衣食住、有人看护）", [(0, "照料良好"), (2, "照料不足"), (4, "无人照料")]),
    ("guardian", "监护人履责能力与意愿", [(0, "能够履责"), (2, "能力或意愿不足"), (4, "无法或拒绝履责")]),
    ("health", "健康与就医", [(0, "健康或已就医"), (1, "需要就医"), (3, "急需救治")]),
    ("education", "就学", [(0, "正常就学"), (1, "学习困难"), (2, "辍学或失学")]),
    ("psychology", "心理与行为", [(0, "良好"), (1, "需要关注"), (3, "需要干预")]),
]
RISK_LEVELS = [("low", "低风险", 0, 0), ("medium", "中风险", 5, 1), ("high", "高风险", 10, 2)]


def load(category_model=None, parameter_model=None, item_model=None, level_model=None) -> None:
    from huimin.children import models

    category_model = category_model or models.Category
    parameter_model = parameter_model or models.Parameter
    item_model = item_model or models.RiskItem
    level_model = level_model or models.RiskLevel
    for row in CATEGORIES:
        category_model.objects.get_or_create(code=row["code"], defaults=row)
    for code, value in PARAMETERS.items():
        parameter_model.objects.get_or_create(code=code, defaults={"value": value})
    for order, (code, name, options) in enumerate(RISK_ITEMS):
        item_model.objects.get_or_create(
            code=code,
            defaults={"name": name, "order": order, "options": [{"score": s, "label": label} for s, label in options]},
        )
    for code, name, low, rank in RISK_LEVELS:
        level_model.objects.get_or_create(code=code, defaults={"name": name, "min_total": low, "rank": rank})


def ensure() -> None:
    """Load the defaults when the tables are empty (after a flush in tests, or a hand-made database)."""
    from huimin.children.models import Category, FamilyAssessmentItem

    if not FamilyAssessmentItem.objects.exists():
        load_assessment_items(FamilyAssessmentItem)
    if not Category.objects.exists():
        load()
        from django.apps import apps

        get = apps.get_model  # benefits lies beside children: its fund table is reached by name
        load_programmes(get("assistance", "Programme"), get("assistance", "DutySeparation"),
                        get("benefits", "ProgrammeFund"))  # fmt: skip
        load_foster_programme(get("assistance", "Programme"), get("assistance", "DutySeparation"),
                              get("benefits", "ProgrammeFund"))  # fmt: skip


# --- 基本生活费 on the programme machinery (assistance.Programme rows on the 儿童福利 line) -------------------------
# 申请 by the guardian (or the 村(居) on the child's behalf) → 乡镇 受理 and 审核 → 县民政 审批, paid monthly from the
# month after approval; the amount is the region's standard (benefits.Standard: 散居孤儿, 机构养育孤儿, 事实无人抚养
# 儿童 基本生活费标准); the allowance stops from the month after the 18th birthday (huimin.children.services.daily).
ALLOWANCE_STAGES = ["accept", "review", "decision"]
ALLOWANCE_DEADLINES = {"accept": 3, "review": 10, "decision": 10, "advance_file": 5}
ALLOWANCE_DOCS = [
    {"code": "application", "name": "儿童基本生活保障申请表"},
    {"code": "identity", "name": "儿童及监护人身份证明"},
    {"code": "circumstance", "name": "父母死亡、失踪或事实无人抚养情形的证明材料"},
]
ALLOWANCE_PROGRAMMES = [
    dict(code="orphan_scattered", name="散居孤儿基本生活费", kind="orphan", sort=70),
    dict(code="orphan_institution", name="机构养育孤儿基本生活费", kind="orphan_institution", sort=71),
    dict(code="de_facto_child", name="事实无人抚养儿童基本生活费", kind="de_facto_child", sort=72),
]
CHILD_FUND = "孤儿和事实无人抚养儿童基本生活保障资金"
DUTIES = [("accept", "review"), ("review", "approve"), ("write_off_request", "write_off_approve")]


def load_programmes(programme_model, duty_model, fund_model) -> None:
    """The three allowances, their separation of duties and their fund row (migrations pass historical models)."""
    import datetime

    for row in ALLOWANCE_PROGRAMMES:
        programme, created = programme_model.objects.get_or_create(code=row["code"], defaults={
            **row, "scope": "person", "stages": ALLOWANCE_STAGES, "deadlines": ALLOWANCE_DEADLINES,
            "publicity_days": 0, "review_cycle": {"default_months": 12}, "required_documents": ALLOWANCE_DOCS,
            "exclusive_group": "child_living", "business_line": "children", "means_tested": False,
            "start_rule": "next_month",
        })  # fmt: skip
        if created:
            for first, second in DUTIES:
                duty_model.objects.create(programme=programme, first=first, second=second, created_by="系统默认",
                                          basis="默认：受理与乡镇审核分离，审核与审批分离")  # fmt: skip
        if not fund_model.objects.filter(programme_id=programme.pk).exists():
            fund_model.objects.create(programme_id=programme.pk, region=None, fund_name=CHILD_FUND,
                                      effective_from=datetime.date(2010, 1, 1),
                                      source="国家默认（各地按本地资金渠道另行配置）")  # fmt: skip


# --- 收养评估 and 寄养家庭评估 items (民政部《收养评估办法（试行）》第六条; 《家庭寄养管理办法》第八条) ---
ASSESSMENT_ITEMS = {
    "adoption": [
        ("motive", "收养动机"),
        ("conduct", "道德品行"),
        ("education", "受教育程度"),
        ("health", "健康状况"),
        ("economy", "经济及住房条件"),
        ("marriage", "婚姻家庭关系"),
        ("household", "共同生活家庭成员意愿"),
        ("plan", "育儿计划"),
        ("neighbourhood", "邻里关系与社区环境"),
        ("attitude", "对被收养人的态度与融合情况"),
    ],
    "foster": [
        ("residence", "有当地户籍与稳定住所，人均居住面积不低于当地平均水平"),
        ("income", "经济收入稳定，家庭人均收入不低于当地平均水平"),
        ("members", "家庭成员无犯罪记录、无不良嗜好、关系和睦"),
        ("health", "家庭成员无传染病、精神疾病等"),
        ("carer", "主要照料人有照料儿童的能力、经验，初中以上文化程度"),
        ("consent", "共同生活的家庭成员同意寄养"),
    ],
}


def load_assessment_items(item_model) -> None:
    for kind, items in ASSESSMENT_ITEMS.items():
        for order, (code, name) in enumerate(items):
            item_model.objects.get_or_create(kind=kind, code=code, defaults={"name": name, "order": order})


# 家庭寄养费 on the programme machinery: paid monthly to the foster family for the child (benefits.Standard of kind
# 家庭寄养费标准), applied for on the ordinary assistance pages like the 基本生活费
FOSTER_PROGRAMME = dict(code="foster_care", name="家庭寄养费", kind="foster_care", sort=73)
FOSTER_DOCS = [
    {"code": "agreement", "name": "家庭寄养协议"},
    {"code": "identity", "name": "寄养儿童及主要照料人身份证明"},
]
FOSTER_FUND = "儿童福利机构家庭寄养经费"


def load_foster_programme(programme_model, duty_model, fund_model) -> None:
    import datetime

    row = FOSTER_PROGRAMME
    programme, created = programme_model.objects.get_or_create(code=row["code"], defaults={
        **row, "scope": "person", "stages": ALLOWANCE_STAGES, "deadlines": ALLOWANCE_DEADLINES,
        "publicity_days": 0, "review_cycle": {"default_months": 12}, "required_documents": FOSTER_DOCS,
        "exclusive_group": "", "business_line": "children", "means_tested": False, "start_rule": "next_month",
    })  # fmt: skip
    if created:
        for first, second in DUTIES:
            duty_model.objects.create(programme=programme, first=first, second=second, created_by="系统默认",
                                      basis="默认：受理与乡镇审核分离，审核与审批分离")  # fmt: skip
    if not fund_model.objects.filter(programme_id=programme.pk).exists():
        fund_model.objects.create(programme_id=programme.pk, region=None, fund_name=FOSTER_FUND,
                                  effective_from=datetime.date(2014, 1, 1),
                                  source="国家默认（各地按本地资金渠道另行配置）")  # fmt: skip
