"""The 养老服务 programmes on the assistance machinery (高龄津贴 免申即享, 经济困难老年人养老服务补贴,
经济困难失能老年人护理补贴) and the national default 高龄津贴 rule, loaded by a data migration (which passes its
historical models)."""

import datetime

SUBSIDY_STAGES = ["accept", "review", "decision"]
SUBSIDY_DEADLINES = {"accept": 3, "review": 10, "decision": 10, "advance_file": 5}
SUBSIDY_DOCS = [
    {"code": "application", "name": "经济困难老年人补贴申请表"},
    {"code": "identity", "name": "申请人身份证明"},
    {"code": "assessment", "name": "老年人能力综合评估结果（护理补贴）"},
]
YEARLY = {"default_months": 12}
PROGRAMMES = [
    dict(
        code="aged_allowance",
        name="高龄津贴",
        kind="aged_allowance",
        scope="person",
        stages=["decision"],  # no application: the township confirms the registry's proposal (免申即享)
        deadlines={},
        publicity_days=0,
        review_cycle={},
        required_documents=[],
        exclusive_group="aged_allowance",
        business_line="elderly",
        means_tested=False,
        start_rule="next_month",
        sort=70,
    ),
    dict(
        code="elderly_service",
        name="经济困难老年人养老服务补贴",
        kind="elderly_service",
        scope="person",
        stages=SUBSIDY_STAGES,
        deadlines=SUBSIDY_DEADLINES,
        publicity_days=0,
        review_cycle=YEARLY,
        required_documents=SUBSIDY_DOCS[:2],
        exclusive_group="elderly_service",
        business_line="elderly",
        means_tested=False,
        start_rule="next_month",
        sort=71,
    ),
    dict(
        code="elderly_care",
        name="经济困难失能老年人护理补贴",
        kind="elderly_care",
        scope="person",
        stages=SUBSIDY_STAGES,
        deadlines=SUBSIDY_DEADLINES,
        publicity_days=0,
        review_cycle=YEARLY,
        required_documents=SUBSIDY_DOCS,
        exclusive_group="elderly_care",
        business_line="elderly",
        means_tested=False,
        start_rule="next_month",
        sort=72,
    ),
]
POLICY = dict(
    start_rule="next_month",
    auto_confirm=False,
    effective_from=datetime.date(2000, 1, 1),
    basis="全国默认：达到年龄段的次月起发放，乡镇逐月确认（各地按本地高龄津贴政策另行设置）",
    created_by="系统默认",
)


def load(programme_model, policy_model, duty_model=None) -> None:
    """The programmes (with the default 职责分离 rules where ``duty_model`` is given) and the national rule."""
    for row in PROGRAMMES:
        programme_model.objects.update_or_create(code=row["code"], defaults=row)
    if duty_model is not None:
        from huimin.assistance.defaults import load_duty_separation, load_write_off_separation

        load_duty_separation(programme_model, duty_model)
        load_write_off_separation(programme_model, duty_model)
    if not policy_model.objects.filter(region__isnull=True).exists():
        policy_model.objects.create(region=None, **POLICY)
