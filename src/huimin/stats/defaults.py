"""The default indicators and counting ages (seeded by data migrations; targets and ages are editable data)."""

from decimal import Decimal

# CountingAge rows: 老年人 from 60 (《老年人权益保障法》), 未成年人 under 18 (《未成年人保护法》).
AGES = {"elderly": 60, "adult": 18}

INDICATORS = [
    {
        "code": "dibao_rural_urban_ratio",
        "name": "农村低保标准占城市低保标准比例",
        "definition": "本区划适用的农村低保标准与城市低保标准之比（按月折算），反映城乡统筹程度。",
        "method": "dibao_rural_urban_ratio",
        "method_text": "统计月最后一天有效的农村低保标准（元/月）÷ 城市低保标准（元/月）× 100%，标准取自“保障标准”中"
        "对本区划最具体的有效记录（元/年的标准除以 12）。",
        "unit": "%",
        "direction": "ge",
        "default_target": Decimal("75"),
        "source": "驻马店市“十四五”民政事业发展规划：农村低保标准不低于城市低保标准的 75%",
        "sort": 10,
    },
    {
        "code": "tekun_dibao_ratio",
        "name": "特困人员基本生活标准与低保标准之比",
        "definition": "特困人员基本生活标准不低于当地低保标准的 1.3 倍。",
        "method": "tekun_dibao_ratio",
        "method_text": "统计月最后一天有效的特困人员基本生活标准 ÷ 低保标准（均按月折算），"
        "城市、农村分别计算，取较低者。",
        "unit": "倍",
        "direction": "ge",
        "default_target": Decimal("1.3"),
        "source": "驻马店、眉山、阳泉“十四五”规划：特困人员基本生活标准不低于当地低保标准的 1.3 倍",
        "sort": 20,
    },
    {
        "code": "review_on_time",
        "name": "审核审批按时办结率",
        "definition": "统计月内作出批准或不予批准决定的申请中，在规定时限内办结的比例。",
        "method": "review_on_time",
        "method_text": "统计月内批准、不予批准的申请中，从受理日到决定日的工作日数不超过该救助项目各办理环节时限之和的"
        "件数 ÷ 决定件数 × 100%。",
        "unit": "%",
        "direction": "ge",
        "default_target": Decimal("95"),
        "source": "默认目标值，由统计人员或县级民政部门按本地要求设置",
        "sort": 30,
    },
    {
        "code": "warning_closure",
        "name": "预警办结率",
        "definition": "截至统计月末已发出的动态监测预警中，已办结的比例。",
        "method": "warning_closure",
        "method_text": "统计月末以前发出的预警中，统计月末以前办结的条数 ÷ 发出条数 × 100%。",
        "unit": "%",
        "direction": "ge",
        "default_target": Decimal("90"),
        "source": "默认目标值，由统计人员或县级民政部门按本地要求设置",
        "sort": 40,
    },
    {
        "code": "disability_coverage",
        "name": "残疾人两项补贴覆盖率",
        "definition": "符合条件的残疾人中享受困难残疾人生活补贴或重度残疾人护理补贴的比例（应享尽享）。",
        "method": "disability_coverage",
        "method_text": "统计月末在世的登记人员中，持有效残疾人证（以残联数据最新记录为准，注销或超过有效期的不计；"
        "残联数据没有记录的按对象库登记的残疾等级），且残疾等级为一、二级或为低保在保成员的人数为应享人数；"
        "其中统计月享受两项补贴之一（未停保、未退出）的人数 ÷ 应享人数 × 100%。",
        "unit": "%",
        "direction": "ge",
        "default_target": Decimal("100"),
        "source": "驻马店市“十四五”民政事业发展规划：残疾人“两项补贴”覆盖率 100%（约束性）",
        "sort": 50,
    },
    {
        "code": "nursing_bed_share",
        "name": "养老机构护理型床位占比",
        "definition": "运营中的养老机构床位中护理型床位所占比例。",
        "method": "nursing_bed_share",
        "method_text": "统计月最后一天运营中（已备案、运营状态为运营中）养老机构的护理型床位数 ÷ 床位总数 × 100%。",
        "unit": "%",
        "direction": "ge",
        "default_target": Decimal("55"),
        "source": "“十四五”国家老龄事业发展和养老服务体系规划：到 2025 年养老机构护理型床位占比达到 55%",
        "sort": 60,
    },
    {
        "code": "beds_per_thousand",
        "name": "每千名老年人养老床位数",
        "definition": "运营中的养老机构床位数与老年人数之比（每千人）。",
        "method": "beds_per_thousand",
        "method_text": "统计月最后一天运营中养老机构的床位总数 ÷ 老年人名册中的老年人数（在世、达到起算年龄）× 1000。",
        "unit": "张",
        "direction": "ge",
        "default_target": None,
        "source": "各地养老服务体系规划；目标值由县级民政部门按本地规划设置",
        "sort": 70,
    },
    {
        "code": "institution_occupancy",
        "name": "养老机构入住率",
        "definition": "运营中的养老机构在住老人数与床位总数之比。",
        "method": "institution_occupancy",
        "method_text": "统计月最后一天运营中养老机构的在住老人数 ÷ 床位总数 × 100%。",
        "unit": "%",
        "direction": "ge",
        "default_target": None,
        "source": "反映床位使用情况，不设默认目标",
        "sort": 80,
    },
    {
        "code": "aged_allowance_coverage",
        "name": "高龄津贴覆盖率",
        "definition": "统计月处于本地高龄津贴年龄段的老年人中享受高龄津贴的比例（免申即享，应享尽享）。",
        "method": "aged_allowance_coverage",
        "method_text": "统计月按本地高龄津贴规则（达到年龄段的次月或当月起）处于最低年龄段及以上、在世、登记在户的"
        "人员为应享人数；其中统计月已纳入高龄津贴（起始月份不晚于统计月，未退出）的人数 ÷ 应享人数 × 100%。"
        "各月发放人数和金额见“资金发放”报表（按项目）。",
        "unit": "%",
        "direction": "ge",
        "default_target": Decimal("100"),
        "source": "驻马店市“十四五”民政事业发展规划：落实高龄津贴发放制度，优化发放流程（免申即享以应享尽享为目标）",
        "sort": 90,
    },
    {
        "code": "elderly_visit_rate",
        "name": "特殊困难老年人月探访率",
        "definition": "应每月至少探访一次的老年人（高风险、重点关爱等级）中，当月已探访的比例。",
        "method": "elderly_visit_rate",
        "method_text": "统计月最后一天在老年人名册中、按探访风险等级探访周期不超过 31 天的老年人为应探访人数；"
        "其中统计月内有探访记录的人数 ÷ 应探访人数 × 100%（风险等级按已确认的特殊困难类别、能力等级或乡镇调整确定）。",
        "unit": "%",
        "direction": "ge",
        "default_target": Decimal("100"),
        "source": "民政“十四五”规划：独居、留守、失能、重残等特殊困难老年人月探访率 100%",
        "sort": 100,
    },
    {
        "code": "relief_return_rate",
        "name": "流浪乞讨人员接送返回率",
        "definition": "身份已查明、统计月内结束救助的流浪乞讨人员中，经接收方确认交接、接送返回的比例。",
        "method": "relief_return_rate",
        "method_text": "统计月内结束救助（接送返回、自行离站或转介）且身份已查明的救助记录为应返回人数；"
        "其中接收方已确认交接（回执）的人数 ÷ 应返回人数 × 100%。身份未查明转介特困供养的不计入。",
        "unit": "%",
        "direction": "ge",
        "default_target": Decimal("100"),
        "source": "生活无着的流浪乞讨人员救助管理：查明身份的及时接送返回（目标 100%）",
        "sort": 110,
    },
]


def ensure(indicator_model=None) -> None:
    if indicator_model is None:
        from huimin.stats.models import Indicator as indicator_model
    for row in INDICATORS:
        indicator_model.objects.get_or_create(code=row["code"], defaults=row)


def ensure_ages(age_model=None) -> None:
    if age_model is None:
        from huimin.stats.models import CountingAge as age_model
    for code, age in AGES.items():
        age_model.objects.get_or_create(code=code, defaults={"age": age})
