"""Benefit calculators: pure functions, no database. Each takes the inputs and the standard figures in force
(looked up by huimin.benefits.standards) and returns a ``Result``: the amount in 元 (Decimal, 2 places) and its
explanation — the inputs, the standards used and the formula in words — so every yuan can be explained.

Money is Decimal 元 at the edges; rounding is half-up to the 分, once, at the end of each formula.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from huimin.registry.codes import DisabilityCategory

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONTHS = Decimal(12)


def yuan(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StandardValue:
    """A figure in force: its value, its unit (month/year/rate) and where it came from (a Standard row id and
    label, or a description for figures given directly)."""

    value: Decimal
    period: str = "month"
    label: str = ""
    row_id: int | None = None

    @property
    def monthly(self) -> Decimal:
        value = Decimal(self.value)
        return value / MONTHS if self.period == "year" else value

    @property
    def yearly(self) -> Decimal:
        value = Decimal(self.value)
        return value if self.period == "year" else value * MONTHS

    @property
    def shown(self) -> str:
        """The figure with its unit as a person reads it: "740 元/月", "12000 元/年", a rate as the number."""
        unit = {"month": " 元/月", "year": " 元/年"}.get(self.period, "")  # a rate: its label says what of
        return f"{Decimal(self.value).normalize():f}{unit}"

    @property
    def source(self) -> str:
        """Where the figure comes from, in words."""
        if self.row_id:
            return f"「保障标准」页面第 {self.row_id} 号设置"
        return "直接给定"

    def describe(self) -> dict:
        return {"标准": self.label, "数值": self.shown, "标准记录": self.row_id}


@dataclass(frozen=True)
class Result:
    amount: Decimal
    formula: str
    inputs: dict = field(default_factory=dict)
    standards: list = field(default_factory=list)
    parts: list = field(default_factory=list)

    @property
    def explanation(self) -> dict:
        return {
            "金额": f"{self.amount}",
            "公式": self.formula,
            "输入": {k: str(v) for k, v in self.inputs.items()},
            "标准": [s.describe() for s in self.standards],
            "明细": self.parts,
        }


class CalculationError(ValueError):
    """Inputs a calculator cannot use (negative members, a missing standard …), with a Chinese message."""


def _non_negative(value, label) -> Decimal:
    value = Decimal(str(value))
    if value < 0:
        raise CalculationError(f"{label}不能为负数")
    return value


# --- 低保 -------------------------------------------------------------------------------------------------

EXTRA_GROUPS = {
    "elderly": "老年人",
    "minor": "未成年人",
    "severe_disability": "重度残疾人",
    "serious_illness": "重病患者",
}


def dibao(
    *,
    standard: StandardValue,
    income_per_head,
    members: int,
    floor: StandardValue | None = None,
    extra_rate: StandardValue | None = None,
    classified: dict[str, int] | None = None,
) -> Result:
    """低保 difference: (标准 − 家庭月人均收入) × 保障人数; where the difference per head is below the floor, the
    floor per head is paid; members in the classified groups get ``extra_rate`` × 标准 each (once per person,
    counted by the caller under one group). A household whose income per head is not below the standard gets 0.
    """
    income = _non_negative(income_per_head, "家庭月人均收入")
    if members < 1:
        raise CalculationError("保障人数至少为 1")
    classified = {k: int(v) for k, v in (classified or {}).items() if int(v)}
    unknown = set(classified) - set(EXTRA_GROUPS)
    if unknown:
        raise CalculationError("分类施保对象类别不正确")
    if any(v < 0 for v in classified.values()) or sum(classified.values()) > members:
        raise CalculationError("分类施保人数不能为负，也不能超过保障人数")
    std = standard.monthly
    used = [standard]
    inputs = {"家庭月人均收入": income, "保障人数": members}
    if income >= std:
        return Result(ZERO, "家庭月人均收入不低于低保标准，不符合差额发放条件", inputs, used)
    gap = std - income
    parts = [f"差额 {yuan(gap)} = 标准 {yuan(std)} − 人均收入 {yuan(income)}"]
    per_head = gap
    if floor is not None:
        used.append(floor)
        if gap < floor.monthly:
            per_head = floor.monthly
            parts.append(f"差额低于最低保障金额 {yuan(floor.monthly)}，按最低保障金额发放")
    base = per_head * members
    extra = ZERO
    if classified:
        if extra_rate is None:
            raise CalculationError("未设置分类施保加发比例，不能计算加发金额")
        used.append(extra_rate)
        each = std * Decimal(extra_rate.value)
        count = sum(classified.values())
        extra = each * count
        for group, n in classified.items():
            inputs[f"分类施保·{EXTRA_GROUPS[group]}"] = n
        parts.append(f"分类施保加发 {count} 人 × 标准 {yuan(std)} × {Decimal(extra_rate.value).normalize():f}")
    amount = yuan(base + extra)
    formula = "（低保标准 − 家庭月人均收入）× 保障人数" + ("，差额不足按最低保障金额" if floor else "")
    if classified:
        formula += " + 分类施保人数 × 低保标准 × 加发比例"
    return Result(amount, formula, inputs, used, parts)


# --- 特困 -------------------------------------------------------------------------------------------------

CARE_GRADES = {"full": "全护理", "half": "半护理", "self": "全自理"}


def tekun(*, basic: StandardValue, care: StandardValue | None, grade: str) -> Result:
    """特困 monthly: 基本生活标准 (per month) + 照料护理标准 of the person's self-care grade."""
    if grade not in CARE_GRADES:
        raise CalculationError("生活自理能力等级不正确（全护理、半护理、全自理）")
    if care is None:
        raise CalculationError(f"未设置{CARE_GRADES[grade]}照料护理标准")
    amount = yuan(basic.monthly + care.monthly)
    return Result(
        amount,
        "基本生活标准（月） + 照料护理标准（按自理能力等级）",
        {"自理能力等级": CARE_GRADES[grade]},
        [basic, care],
        [f"基本生活 {yuan(basic.monthly)} + {CARE_GRADES[grade]} {yuan(care.monthly)}"],
    )


# --- children, disability, elderly -----------------------------------------------------------------------


def flat(*, standard: StandardValue, what: str) -> Result:
    """A flat monthly standard per person (孤儿, 事实无人抚养儿童 基本生活费)."""
    amount = yuan(standard.monthly)
    return Result(amount, f"{what}：按标准发放", {}, [standard])


def child_living(*, standard: StandardValue, status: str) -> Result:
    labels = {"orphan_scattered": "散居孤儿基本生活费", "orphan_institution": "机构养育孤儿基本生活费",
              "de_facto": "事实无人抚养儿童基本生活费", "foster": "家庭寄养费"}  # fmt: skip
    if status not in labels:
        raise CalculationError("儿童类别不正确")
    return flat(standard=standard, what=labels[status])


def disability_subsidies(
    *,
    grade: int | None,
    category: str = "",
    low_income: bool,
    living: StandardValue | None,
    care: StandardValue | None,
    extend_care_to_grade_3_4_intellectual_mental: bool = False,
    only: str = "",
) -> Result:
    """残疾人两项补贴: 困难残疾人生活补贴 for disabled people of 低保 (or other low-income) households;
    重度残疾人护理补贴 for grade 1–2 (and grade 3–4 intellectual/mental where the region extends it).
    ``category`` is the 残疾人证's category, by name ("intellectual") or by its code ("5"); ``only`` ("living" or
    "care") gives one of the two subsidies, each paid as its own programme."""
    if grade is None or grade not in (1, 2, 3, 4):
        return Result(ZERO, "无有效残疾等级，不享受残疾人两项补贴", {"残疾等级": grade or "无"})
    inputs = {"残疾等级": grade, "残疾类别": _CATEGORY_LABELS.get(category, category) or "—"}
    if only != "care":  # the 护理补贴 alone does not depend on the household's income: not shown as an input
        inputs["低保或低收入家庭"] = "是" if low_income else "否"
    total, used, parts = ZERO, [], []
    if low_income and only != "care":
        if living is None:
            raise CalculationError("未设置困难残疾人生活补贴标准")
        total += living.monthly
        used.append(living)
        parts.append(f"生活补贴 {yuan(living.monthly)}")
    extended_categories = ("intellectual", "mental", "5", "6")
    severe = grade <= 2 or (extend_care_to_grade_3_4_intellectual_mental and category in extended_categories)
    if severe and only != "living":
        if care is None:
            raise CalculationError("未设置重度残疾人护理补贴标准")
        total += care.monthly
        used.append(care)
        parts.append(f"护理补贴 {yuan(care.monthly)}")
    formula = {
        "living": "困难残疾人生活补贴（低保/低收入家庭残疾人）",
        "care": "重度残疾人护理补贴（重度残疾人）",
    }.get(only, "生活补贴（低保/低收入家庭残疾人）+ 护理补贴（重度残疾人）")
    return Result(yuan(total), formula, inputs, used, parts)


# the 残疾人证's category codes by their names, as a person reads them (names given as names are shown as given)
_CATEGORY_LABELS = dict(DisabilityCategory.choices)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def aged_allowance(
    *, birth_date: datetime.date, month: datetime.date, bands: list[tuple[int, int | None, StandardValue]]
) -> Result:
    """高龄津贴: the band (age_from, age_to inclusive or None for open) containing the age at the end of the month."""
    next_first = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    age = age_on(birth_date, next_first - datetime.timedelta(days=1))
    for low, high, std in sorted(bands, key=lambda b: b[0]):
        if age >= low and (high is None or age <= high):
            return Result(
                yuan(std.monthly),
                f"高龄津贴：{low}{'岁以上' if high is None else f'–{high}岁'}档",
                {"年龄": age},
                [std],
            )
    return Result(ZERO, "年龄未达到高龄津贴的任何年龄段", {"年龄": age})


# --- 养老服务: 经济困难老年人养老服务补贴 and 护理补贴 ------------------------------------------------------------

ABILITY_LEVELS = {"intact": "能力完好", "mild": "轻度失能", "moderate": "中度失能", "severe": "重度失能",
                  "complete": "完全失能"}  # fmt: skip
CARE_LEVELS = ("moderate", "severe", "complete")  # the levels the 护理补贴 pays (by its standard per level)


def elderly_subsidy(
    *, kind: str, level: str, low_income: bool, service: StandardValue | None = None, care: StandardValue | None = None
) -> Result:
    """经济困难老年人养老服务补贴 (``kind`` "service": a flat standard for an older person of a 低保/特困 household)
    or 护理补贴 (``kind`` "care": the standard of his latest 能力评估 level, 中度 to 完全失能, same condition)."""
    inputs = {
        "能力等级": ABILITY_LEVELS.get(level, level or "未评估"),
        "经济困难（低保、特困）": "是" if low_income else "否",
    }
    if not low_income:
        return Result(ZERO, "不属于经济困难老年人（低保、特困家庭），不享受", inputs)
    if kind == "service":
        if service is None:
            raise CalculationError("未设置经济困难老年人养老服务补贴标准")
        return Result(yuan(service.monthly), "经济困难老年人养老服务补贴：按标准发放", inputs, [service])
    if level not in CARE_LEVELS:
        return Result(ZERO, "能力评估等级未达中度失能，不享受护理补贴", inputs)
    if care is None:
        raise CalculationError(f"未设置{ABILITY_LEVELS[level]}护理补贴标准")
    return Result(yuan(care.monthly), f"护理补贴：按{ABILITY_LEVELS[level]}标准发放", inputs, [care])


# --- 临时救助 ----------------------------------------------------------------------------------------------


def temporary(*, need, dibao_standard: StandardValue, cap_months: StandardValue, members: int = 1) -> Result:
    """临时救助 by the region's rule: the assessed need, capped at ``cap_months`` × 低保月标准 × 家庭人数."""
    need = _non_negative(need, "核定困难金额")
    if members < 1:
        raise CalculationError("家庭人数至少为 1")
    cap = dibao_standard.monthly * Decimal(cap_months.value) * members
    amount = yuan(min(need, cap))
    months = Decimal(cap_months.value).normalize()
    parts = [f"上限 {yuan(cap)} = 低保标准 {yuan(dibao_standard.monthly)} × {months:f} 个月 × {members} 人"]
    if need > cap:
        parts.append("核定困难金额超过上限，按上限发放（超过部分可按“一事一议”研究）")
    return Result(
        amount,
        "min（核定困难金额，低保月标准 × 月数 × 人数）",
        {"核定困难金额": need, "家庭人数": members},
        [dibao_standard, cap_months],
        parts,
    )


# --- 价格临时补贴 ------------------------------------------------------------------------------------------


def price_subsidy(
    *, indices: dict[datetime.date, Decimal], threshold: StandardValue, amount: StandardValue, persons: int
) -> Result:
    """价格临时补贴: for each month whose entered CPI rise exceeds the threshold, the per-person amount for each
    person in the covered groups."""
    if persons < 0:
        raise CalculationError("人数不能为负数")
    months = sorted(m for m, v in indices.items() if Decimal(v) > Decimal(threshold.value))
    total = yuan(Decimal(amount.monthly) * len(months) * persons)
    return Result(
        total,
        "启动月数 × 覆盖人数 × 每人每月补贴标准",
        {"启动月份": "、".join(f"{m:%Y-%m}" for m in months) or "无", "覆盖人数": persons},
        [threshold, amount],
        [f"{m:%Y-%m} CPI 涨幅 {indices[m]}% > {threshold.value}%" for m in months],
    )
