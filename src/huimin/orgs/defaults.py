"""Default rows of 社会组织管理, loaded by a data migration: the reasons of the credit lists with their rules, the
charity spending ratios, and the documents each filing needs."""

CREDIT_RULES = [
    {
        "code": "not_filed",
        "list": "abnormal",
        "label": "未按规定报送年度工作报告",
        "order": 1,
        "basis": "《社会组织信用信息管理办法》第十条",
        "entry_workdays": 5,
        "move_after_years": 2,
        "exit_on_correction": "补报该年度工作报告后，由登记管理机关决定移出",
    },
    {
        "code": "unreachable",
        "list": "abnormal",
        "label": "通过登记的住所无法与社会组织取得联系",
        "order": 2,
        "basis": "《社会组织信用信息管理办法》第十条",
        "entry_workdays": 5,
        "move_after_years": 2,
        "exit_on_correction": "恢复与登记管理机关联系并说明情况后移出",
    },
    {
        "code": "no_activity",
        "list": "abnormal",
        "label": "未按规定开展活动或活动不正常",
        "order": 3,
        "basis": "《社会组织信用信息管理办法》第十条",
        "entry_workdays": 5,
        "move_after_years": 2,
        "exit_on_correction": "整改完成并经登记管理机关核实后移出",
    },
    {
        "code": "inspection_overdue",
        "list": "abnormal",
        "label": "抽查发现问题逾期未整改",
        "order": 4,
        "basis": "《社会组织信用信息管理办法》第十条；双随机抽查",
        "entry_workdays": 5,
        "move_after_years": 2,
        "exit_on_correction": "问题整改完成并经验收销号后，由登记管理机关决定移出",
    },
    {
        "code": "from_abnormal",
        "list": "serious",
        "label": "被列入活动异常名录满2年仍未移出",
        "order": 1,
        "basis": "《社会组织信用信息管理办法》第十四条",
        "entry_workdays": 5,
        "move_after_years": None,
        "exit_on_correction": "列入满5年且未再发生违法行为，经申请由登记管理机关决定移出",
    },
    {
        "code": "serious_penalty",
        "list": "serious",
        "label": "受到限期停止活动、撤销登记等行政处罚",
        "order": 2,
        "basis": "《社会组织信用信息管理办法》第十四条",
        "entry_workdays": 5,
        "move_after_years": None,
        "exit_on_correction": "列入满5年且未再发生违法行为，经申请由登记管理机关决定移出",
    },
]

CHARITY_RATIOS = [
    {
        "fundraising": True,
        "min_spending_pct": "70",
        "max_admin_pct": "10",
        "basis": "《慈善法》第六十一条：年度慈善活动支出不得低于上一年总收入的百分之七十，"
        "管理费用不得超过当年总支出的百分之十",
    },
    {
        "fundraising": False,
        "min_spending_pct": "6",
        "max_admin_pct": "13",
        "basis": "《关于慈善组织开展慈善活动年度支出和管理费用的规定》：不具有公开募捐资格的（净资产 800 万元以上）",
    },
]

# The documents a filing needs (申请材料), by filing type.
DOCUMENTS = {
    "register": ["登记申请书", "章程草案", "验资报告", "住所使用证明", "法定代表人身份证明"],
    "change": ["变更登记申请书", "会员（代表）大会或理事会决议", "变更事项证明"],
    "cancel": ["注销登记申请书", "清算报告", "业务主管单位意见（直接登记的除外）"],
}


def ensure(apps=None) -> None:
    """Write the default rows that are missing (a data migration, and tests that empty the tables)."""
    if apps is None:
        from django.apps import apps
    CreditRule = apps.get_model("orgs", "CreditRule")
    CharityRatio = apps.get_model("orgs", "CharityRatio")
    for row in CREDIT_RULES:
        CreditRule.objects.get_or_create(code=row["code"], defaults=row)
    for row in CHARITY_RATIOS:
        CharityRatio.objects.get_or_create(fundraising=row["fundraising"], defaults=row)
