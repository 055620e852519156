"""The departmental data sources 核对 reads, and their schemas.

This is the contract between the departments' feeds, the synthetic city (huimin.demo) that imitates them and the
engine that reads them, so it stands here, below both the engine's tables and the verification app (ingestion,
pages, API): the engine takes the schemas, never the app. Every record names the person by ID number; on ingestion
the number is replaced by its blind index (``person_key``) so the engine never handles plaintext identity. A column
with ``protect`` (a 残疾人证号 begins with the ID number; an account number is a bank account) is stored the same
way: as the keyed blind index of that kind, never in clear — equal numbers stay equal, nothing else is kept.

Money is 元 with two decimals; months are "YYYY-MM"; dates ISO "YYYY-MM-DD".
"""

import datetime
from dataclasses import dataclass

STR, DATE, MONTH, MONEY, INT, DECIMAL = "str", "date", "month", "money", "int", "decimal"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    label: str
    required: bool = True
    protect: str = ""  # a huimin.core.fields kind: the snapshot holds the value's blind index, not the value


@dataclass(frozen=True)
class Source:
    code: str
    name: str
    department: str
    columns: tuple[Column, ...]
    refresh_days: int = 31  # how often the department is expected to send a new extract
    # A monthly source (its records carry a "YYYY-MM" month): a month is complete — its records all in — from
    # ``complete_after_days`` days after its last day (0: on its last day). Windows over the source end at its last
    # complete month, never at a month still under way (a statement of December does not exist on 6 December).
    monthly: bool = False
    complete_after_days: int = 0

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _id():
    return Column("id_number", STR, "身份证号")


SOURCES: dict[str, Source] = {
    s.code: s
    for s in (
        Source("hukou", "户籍", "公安", (
            _id(), Column("name", STR, "姓名"), Column("region_code", STR, "户籍地区划代码"),
            Column("status", STR, "户籍状态（正常/迁出/死亡注销）"), Column("changed_on", DATE, "变动日期", False),
        )),
        Source("social_insurance", "社保缴纳与养老金", "人社", (
            _id(), Column("month", MONTH, "月份"), Column("kind", STR, "类别（缴费/养老金）"),
            Column("amount", MONEY, "金额（缴费基数或养老金月额）"),
        ), monthly=True),
        Source("housing_fund", "住房公积金", "住房公积金中心", (
            _id(), Column("month", MONTH, "月份"), Column("deposit", MONEY, "月缴存额"),
            Column("balance", MONEY, "账户余额", False),
        ), monthly=True),
        Source("wages", "工资与个人所得税", "税务", (
            _id(), Column("month", MONTH, "月份"), Column("employer", STR, "扣缴单位", False),
            Column("gross_wage", MONEY, "应发工资"), Column("tax", MONEY, "个税", False),
        ), monthly=True),
        Source("real_estate", "不动产登记", "自然资源（不动产登记中心）", (
            _id(), Column("cert_no", STR, "不动产权证号"), Column("use", STR, "用途（住宅/商业/其他）"),
            Column("area_m2", DECIMAL, "建筑面积（平方米）"), Column("value", MONEY, "评估价值", False),
            Column("registered_on", DATE, "登记日期"),
        )),
        Source("vehicles", "机动车登记", "公安（车管）", (
            _id(), Column("plate_no", STR, "号牌号码"), Column("vehicle_type", STR, "车辆类型"),
            Column("value", MONEY, "车辆价值"), Column("registered_on", DATE, "登记日期"),
            Column("status", STR, "状态（正常/注销）"),
        )),
        Source("business", "市场主体登记", "市场监管", (
            _id(), Column("credit_code", STR, "统一社会信用代码"), Column("company_name", STR, "企业名称"),
            Column("role", STR, "身份（法定代表人/股东/经营者）"),
            Column("registered_capital", MONEY, "注册资本", False),
            Column("established_on", DATE, "成立日期"), Column("status", STR, "状态（存续/注销/吊销）"),
        )),
        Source("deposits", "存款、理财与证券", "人民银行与金融机构", (
            _id(), Column("institution", STR, "机构"), Column("product", STR, "类别（存款/理财/证券）"),
            Column("balance", MONEY, "余额"), Column("as_of", DATE, "余额日期"),
        )),
        Source("medical", "医疗费用结算", "医保", (
            _id(), Column("settled_on", DATE, "结算日期"), Column("total_cost", MONEY, "总费用"),
            Column("self_paid", MONEY, "个人自付"), Column("diagnosis", STR, "诊断", False),
        )),
        Source("deaths", "死亡与殡葬", "卫健、公安、殡葬", (
            _id(), Column("death_date", DATE, "死亡日期"),
            Column("reporter", STR, "来源（医学死亡证明/火化/户籍注销）"),
        )),
        Source("disability", "残疾人证", "残联", (
            _id(), Column("cert_no", STR, "残疾人证号", protect="disability_cert_no"),
            Column("category", STR, "残疾类别"),
            Column("grade", INT, "残疾等级（1–4）"), Column("issued_on", DATE, "发证日期"),
            Column("status", STR, "状态（有效/注销）"),
            # the 第二代残疾人证 is valid for a term (有效期至); a change of the certificate — 注销 or a new grade
            # (降级/升级) — is dated and says why. Optional: an older extract without them still loads.
            Column("valid_until", DATE, "有效期至", False), Column("changed_on", DATE, "变更日期", False),
            Column("change_reason", STR, "注销/变更原因", False),
        )),
        Source("unemployment", "失业登记", "人社", (
            _id(), Column("registered_on", DATE, "登记日期"), Column("status", STR, "状态（失业/已就业）"),
            Column("ended_on", DATE, "结束日期", False),
        )),
        # The paying bank's monthly statement of each recipient's benefit account (社会救助资金代发账户): what
        # came in and what was taken out. 动态监测 reads it for 资金长期未支取 (no withdrawal for N months).
        Source("benefit_account", "救助资金账户收支", "代发银行", (
            _id(), Column("account_no", STR, "代发账号", False, protect="bank_account"), Column("month", MONTH, "月份"),
            Column("credited", MONEY, "当月入账（救助金）"), Column("withdrawn", MONEY, "当月支取"),
            Column("balance", MONEY, "月末余额", False),
        ), monthly=True),
    )
}  # fmt: skip


# Closed value lists of coded columns, as the labels above name them; ingestion rejects anything else.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("hukou", "status"): ("正常", "迁出", "死亡注销"),
    ("social_insurance", "kind"): ("缴费", "养老金"),
    ("real_estate", "use"): ("住宅", "商业", "其他"),
    ("vehicles", "status"): ("正常", "注销"),
    ("business", "role"): ("法定代表人", "股东", "经营者"),
    ("business", "status"): ("存续", "注销", "吊销"),
    ("deposits", "product"): ("存款", "理财", "证券"),
    ("deaths", "reporter"): ("医学死亡证明", "火化", "户籍注销"),
    ("disability", "status"): ("有效", "注销"),
    ("unemployment", "status"): ("失业", "已就业"),
}
INT_RANGES: dict[tuple[str, str], tuple[int, int]] = {("disability", "grade"): (1, 4)}


def get(code: str) -> Source:
    return SOURCES[code]


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def last_complete_month(code: str, as_of: datetime.date) -> str:
    """The last month of monthly source ``code`` whose records are all in on ``as_of`` ("YYYY-MM"): the month of
    ``as_of`` once ``complete_after_days`` have passed since its last day, otherwise an earlier one."""
    source = SOURCES[code]
    if not source.monthly:
        raise ValueError(f"{code} is not a monthly source")
    index = _month_index(as_of)
    while True:
        year, month = divmod(index + 1, 12)
        last_day = datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
        if as_of >= last_day + datetime.timedelta(days=source.complete_after_days):
            return _month_text(index)
        index -= 1


def month_window(code: str, as_of: datetime.date, months: int = 12) -> tuple[str, str]:
    """The ``months`` calendar months ending with the source's last complete month, as "YYYY-MM" bounds, both
    inclusive: a 12-month record ending with that month is counted whole."""
    last = last_complete_month(code, as_of)
    end = int(last[:4]) * 12 + int(last[5:]) - 1
    return _month_text(end - max(1, months) + 1), last
