"""The default warning rules (loaded by a data migration; a bureau edits them afterwards)."""

EXIT_CATS = ["dibao", "tekun"]
# days after which a closed 应退 warning whose condition still holds is raised again (WarningRule.reraise_days,
# set on every 应退 rule by migration; a bureau changes it per rule on 预警规则)
RERAISE_DAYS = 90
# 应保 rules watch the low-income households and — 主动发现 — every other registered household too
ENTER_CATS = ["edge", "expense", "registered"]

RULES = [
    dict(code="death_of_recipient", name="保障对象死亡", kind="death", sources=["deaths"], direction="exit",
         severity="high", deadline_days=5, params={"categories": EXIT_CATS},
         description="在保家庭成员出现死亡（医学死亡证明、火化或户籍注销）记录：核减保障人数或停止保障。"),
    dict(code="death_of_earner", name="家庭主要劳动力死亡", kind="death", sources=["deaths"], direction="enter",
         severity="high", deadline_days=10, params={"categories": ENTER_CATS, "min_members": 2},
         description="低保边缘、支出型困难家庭及其他登记家庭（两人及以上）成员死亡。对象库没有“主要劳动力”字段，任一成员死亡均预警，"
                     "由乡镇研判是否主动启动低保申请。"),
    dict(code="vehicle_registered", name="新登记机动车", kind="vehicle", sources=["vehicles"], direction="exit",
         severity="medium", deadline_days=10, params={"categories": EXIT_CATS, "lookback_days": 365,
                                                       "min_value_yuan": 10000,
                                                       "exclude_types": ["摩托", "三轮", "低速", "拖拉机"]},
         description="在保家庭成员名下一年内新登记正常状态机动车，价值达到下限（元），车辆类型不含所列关键词"
                     "（默认不含摩托车、三轮汽车、低速货车、拖拉机）。"),
    dict(code="property_registered", name="新购置住房", kind="property", sources=["real_estate"], direction="exit",
         severity="medium", deadline_days=10, params={"categories": EXIT_CATS, "lookback_days": 365,
                                                       "uses": ["住宅"], "min_area_m2": 0},
         description="在保家庭成员一年内新登记住宅不动产。"),
    dict(code="company_registered", name="新注册市场主体", kind="company", sources=["business"], direction="exit",
         severity="medium", deadline_days=10, params={"categories": EXIT_CATS, "lookback_days": 365,
                                                       "min_capital_yuan": 0},
         description="在保家庭成员一年内成为存续企业的法定代表人、股东或经营者。"),
    dict(code="wages_over_line", name="工资收入连续超过保障标准", kind="wages_over_line", sources=["wages"],
         direction="exit", severity="medium", deadline_days=15,
         params={"categories": ["dibao"], "months": 3, "line_multiple": 1.0},
         description="在保家庭近 12 个月中有 N 个月工资（应发减个税）合计超过保障标准×家庭人数：启动复核（可渐退）。"),
    dict(code="pension_over_line", name="养老金超过保障标准", kind="pension_over_line", sources=["social_insurance"],
         direction="exit", severity="medium", deadline_days=15,
         params={"categories": ["dibao"], "months": 3, "line_multiple": 1.0},
         description="在保家庭近 12 个月中有 N 个月养老金合计超过保障标准×家庭人数。"),
    dict(code="big_medical_bills", name="大额医疗自付费用", kind="medical", sources=["medical"], direction="enter",
         severity="high", deadline_days=10,
         params={"categories": ENTER_CATS, "lookback_days": 90, "min_self_paid_yuan": 30000,
                 "propose": ["temp_expense", "expense", "dibao"]},
         description="低收入家庭及其他登记家庭 90 天内个人自付医疗费用合计达到 3 万元：支出型困难风险，"
                     "主动告知并受理申请（主动发现）。"),
    dict(code="new_disability", name="新办重度残疾人证", kind="disability", sources=["disability"],
         direction="enter", severity="medium", deadline_days=15,
         params={"categories": ENTER_CATS, "lookback_days": 90, "max_grade": 2, "propose": ["dibao", "temp_urgent"]},
         description="低收入家庭及其他登记家庭成员 90 天内新办一、二级残疾人证（对象库无同级或更重的残疾记录）。"),
    dict(code="unemployment_registered", name="登记失业", kind="unemployment", sources=["unemployment"],
         direction="enter", severity="medium", deadline_days=15,
         params={"categories": ENTER_CATS, "lookback_days": 90, "propose": ["temp_urgent", "dibao"]},
         description="低收入家庭及其他登记家庭成员 90 天内进行失业登记。"),
    dict(code="moved_away", name="户籍迁出", kind="moved_away", sources=["hukou"], direction="exit",
         severity="medium", deadline_days=10, params={"categories": EXIT_CATS, "outside_digits": 6},
         description="在保对象户籍迁出本县（区）：核实实际居住地，转移或停止保障。"),
    dict(code="enrolled_twice", name="重复享受（两地或两项）", kind="enrolled_twice", sources=[],
         direction="exit", severity="high", deadline_days=5, params={"categories": EXIT_CATS},
         description="同一人（按 18 位身份证号，含 15 位旧号）同时在两个家庭或两个互斥项目中在保。"),
    dict(code="poverty_monitoring_medical", name="防返贫监测对象大额医疗支出", kind="medical", sources=["medical"],
         direction="enter", severity="medium", deadline_days=15,
         params={"categories": ["poverty_monitoring"], "lookback_days": 90, "min_self_paid_yuan": 30000,
                 "propose": ["temp_expense", "expense", "dibao"]},
         description="乡村振兴部门导入的防返贫监测对象 90 天内个人自付医疗费用达到 3 万元。"),
    dict(code="no_withdrawal", name="资金长期未支取", kind="no_withdrawal", sources=["benefit_account"],
         direction="exit", severity="medium", deadline_days=10, params={"categories": EXIT_CATS, "months": 6},
         description="代发银行月度对账显示在保家庭的救助资金账户连续 N 个月有入账、无任何支取（银行须报满 N 个月）："
                     "核实对象是否仍在本地居住、是否健在、是否仍需救助。"),
    dict(code="large_deposits", name="金融资产超过标准", kind="deposits", sources=["deposits"], direction="exit",
         severity="medium", deadline_days=10,
         params={"categories": EXIT_CATS, "products": ["存款", "理财", "证券"], "months": 24, "lookback_days": 366},
         description="在保家庭成员的存款、理财、证券余额（各账户最近一次、回看天数内的余额）合计超过 N 个月"
                     "保障标准×家庭人数：核实家庭财产，调整或停止保障。"),
    # 残疾人两项补贴 (困难残疾人生活补贴、重度残疾人护理补贴): 应享未享 and 应退未退 — docs/disability-data.md
    dict(code="subsidy_unclaimed", name="残疾人两项补贴应享未享", kind="subsidy_unclaimed", sources=["disability"],
         direction="enter", severity="medium", deadline_days=15,
         params={"categories": ["dibao", "tekun", "edge", "expense", "poverty_monitoring", "registered",
                                "disability_living", "severe_care"],
                 "max_grade": 2, "low_income_categories": ["dibao"],
                 "subsidy_categories": ["disability_living", "severe_care"]},
         description="残联数据中持有效残疾人证、残疾等级为一至二级，或所在家庭为低保家庭的残疾人，未享受困难残疾人生活补贴"
                     "或重度残疾人护理补贴中的任何一项：告知并受理补贴申请。"),
    dict(code="subsidy_recipient_died", name="残疾人补贴对象死亡", kind="death", sources=["deaths"],
         direction="exit", severity="high", deadline_days=5,
         params={"categories": ["disability_living", "severe_care"]},
         description="享受残疾人两项补贴的对象出现死亡记录（医学死亡证明、火化或户籍注销）：自死亡次月起停发。"),
    dict(code="subsidy_recipient_moved", name="残疾人补贴对象户籍迁出", kind="moved_away", sources=["hukou"],
         direction="exit", severity="medium", deadline_days=10,
         params={"categories": ["disability_living", "severe_care"], "outside_digits": 6},
         description="享受残疾人两项补贴的对象户籍迁出本县（区）：由迁入地申请，原户籍地次月起停发。"),
    dict(code="subsidy_certificate_lost", name="残疾人补贴对象残疾人证注销或过期", kind="certificate_lost",
         sources=["disability"], direction="exit", severity="high", deadline_days=5,
         params={"categories": ["disability_living", "severe_care"]},
         description="享受残疾人两项补贴的对象，残联数据中最新的残疾人证已注销或超过有效期：次月起停发。"),
    dict(code="subsidy_tekun_central", name="残疾人补贴对象纳入特困集中供养", kind="also_enrolled", sources=[],
         direction="exit", severity="medium", deadline_days=10,
         params={"categories": ["disability_living", "severe_care"], "programmes": ["tekun_central"]},
         description="享受残疾人两项补贴的对象同时纳入特困人员集中供养：由供养机构提供生活照料，核实后停发。"),
]  # fmt: skip

# the codes a parameter's values are (监测类别, programmes), shown and typed as their Chinese names on the rules page
CATEGORY_NAMES = {"dibao": "低保", "tekun": "特困", "edge": "低保边缘", "expense": "支出型困难",
                  "poverty_monitoring": "防返贫监测", "registered": "其他登记人口",
                  "disability_living": "困难残疾人生活补贴", "severe_care": "重度残疾人护理补贴"}  # fmt: skip

LABELS = {
    "categories": "监测类别",
    "periods": "连续未探访周期数",
    "tiers": "探访风险等级（high 高风险、key 重点关爱、general 一般）",
    "lookback_days": "回看天数",
    "min_value_yuan": "最低价值（元）",
    "uses": "用途",
    "min_area_m2": "最小面积（平方米）",
    "min_capital_yuan": "最低注册资本（元）",
    "months": "月数 N",
    "line_multiple": "标准倍数",
    "min_self_paid_yuan": "自付费用下限（元）",
    "max_grade": "最高残疾等级",
    "outside_digits": "迁出范围（6 县 / 4 市）",
    "min_members": "最少家庭人数",
    "exclude_types": "不预警的车辆类型（关键词）",
    "products": "资产类别",
    "propose": "建议启动的救助申请",
    "low_income_categories": "视为低保家庭的类别",
    "subsidy_categories": "残疾人补贴类别",
    "programmes": "同时在保的项目",
}


def ensure() -> None:
    """Load the default rules when the table is empty (after a flush in tests, or a hand-made database)."""
    from huimin.monitoring.models import WarningRule

    if not WarningRule.objects.exists():
        for row in RULES:
            WarningRule.objects.create(**row, reraise_days=RERAISE_DAYS if row["direction"] == "exit" else None)
