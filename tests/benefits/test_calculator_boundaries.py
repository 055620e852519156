"""Each calculator's boundaries on both sides and its whole explanation, exactly (docs/testing.md: these kill the
mutants of money, dates and the words that explain every yuan)."""

import datetime
from decimal import Decimal

import pytest

from huimin.benefits import calculators as calc
from huimin.benefits.calculators import CalculationError, StandardValue

D = datetime.date
STD = StandardValue(Decimal("740"), "month", "低保标准（城市）", 1)
FLOOR = StandardValue(Decimal("74"), "month", "最低保障金额", 2)
RATE = StandardValue(Decimal("0.10"), "rate", "分类施保加发比例", 3)
YEARLY = StandardValue(Decimal("9000"), "year", "年标准", 4)


def test_a_standard_by_the_year_is_a_twelfth_a_month_and_describes_itself():
    assert YEARLY.monthly == Decimal(750) and YEARLY.yearly == Decimal(9000)
    assert STD.monthly == Decimal(740) and STD.yearly == Decimal(8880)
    assert YEARLY.describe() == {"标准": "年标准", "数值": "9000 元/年", "标准记录": 4}
    assert STD.describe() == {"标准": "低保标准（城市）", "数值": "740 元/月", "标准记录": 1}
    assert RATE.describe() == {"标准": "分类施保加发比例", "数值": "0.1", "标准记录": 3}


def test_yuan_rounds_half_up_to_the_fen():
    assert calc.yuan("0.005") == Decimal("0.01") and calc.yuan("0.0049") == Decimal("0.00")
    assert calc.yuan("2.675") == Decimal("2.68")


def test_dibao_explains_every_yuan():
    r = calc.dibao(standard=STD, income_per_head="300", members=3, floor=FLOOR, extra_rate=RATE,
                   classified={"elderly": 1, "minor": 0})  # fmt: skip
    assert r.explanation == {
        "金额": "1394.00",
        "公式": "（低保标准 − 家庭月人均收入）× 保障人数，差额不足按最低保障金额 + 分类施保人数 × 低保标准 × 加发比例",
        "输入": {"家庭月人均收入": "300", "保障人数": "3", "分类施保·老年人": "1"},
        "标准": [STD.describe(), FLOOR.describe(), RATE.describe()],
        "明细": ["差额 440.00 = 标准 740.00 − 人均收入 300.00", "分类施保加发 1 人 × 标准 740.00 × 0.1"],
    }
    plain = calc.dibao(standard=STD, income_per_head="300", members=3)
    assert plain.formula == "（低保标准 − 家庭月人均收入）× 保障人数" and plain.standards == [STD]


def test_dibao_income_one_fen_below_the_standard_pays_one_fen_a_head_and_at_it_nothing():
    assert calc.dibao(standard=STD, income_per_head="739.99", members=2).amount == Decimal("0.02")
    at = calc.dibao(standard=STD, income_per_head="740", members=2)
    assert at.amount == 0 and at.formula == "家庭月人均收入不低于低保标准，不符合差额发放条件"
    assert at.inputs == {"家庭月人均收入": Decimal("740"), "保障人数": 2} and at.standards == [STD]


def test_dibao_floor_applies_below_it_not_at_it():
    at = calc.dibao(standard=STD, income_per_head="666", members=2, floor=FLOOR)  # gap 74 = floor
    assert at.amount == Decimal("148.00") and len(at.parts) == 1
    below = calc.dibao(standard=STD, income_per_head="666.01", members=2, floor=FLOOR)  # gap 73.99
    assert below.amount == Decimal("148.00")
    assert below.parts[1] == "差额低于最低保障金额 74.00，按最低保障金额发放"
    above = calc.dibao(standard=STD, income_per_head="665.99", members=2, floor=FLOOR)  # gap 74.01
    assert above.amount == Decimal("148.02")


def test_dibao_members_and_classified_counts_on_both_sides():
    assert calc.dibao(standard=STD, income_per_head="0", members=1).amount == Decimal("740.00")
    with pytest.raises(CalculationError, match=r"^保障人数至少为 1$"):
        calc.dibao(standard=STD, income_per_head="0", members=0)
    full = calc.dibao(standard=STD, income_per_head="700", members=2, extra_rate=RATE,
                      classified={"elderly": 1, "severe_disability": 1})  # fmt: skip
    assert full.amount == Decimal("228.00")  # 40 × 2 + 2 × 74
    with pytest.raises(CalculationError, match=r"^分类施保人数不能为负，也不能超过保障人数$"):
        calc.dibao(standard=STD, income_per_head="700", members=2, extra_rate=RATE,
                   classified={"elderly": 2, "minor": 1})  # fmt: skip
    with pytest.raises(CalculationError, match=r"^分类施保人数不能为负，也不能超过保障人数$"):
        calc.dibao(standard=STD, income_per_head="700", members=2, extra_rate=RATE, classified={"elderly": -1})
    with pytest.raises(CalculationError, match=r"^分类施保对象类别不正确$"):
        calc.dibao(standard=STD, income_per_head="700", members=2, extra_rate=RATE, classified={"veteran": 1})
    with pytest.raises(CalculationError, match=r"^未设置分类施保加发比例，不能计算加发金额$"):
        calc.dibao(standard=STD, income_per_head="700", members=2, classified={"elderly": 1})
    assert calc.dibao(standard=STD, income_per_head="0", members=1, classified={"elderly": 0}).amount == 740
    with pytest.raises(CalculationError, match=r"^家庭月人均收入不能为负数$"):
        calc.dibao(standard=STD, income_per_head="-0.01", members=1)


def test_tekun_explains_the_grade():
    basic = StandardValue(Decimal("12000"), "year", "特困基本生活标准", 5)
    care = StandardValue(Decimal("300"), "month", "全护理", 6)
    r = calc.tekun(basic=basic, care=care, grade="full")
    assert r.explanation == {
        "金额": "1300.00", "公式": "基本生活标准（月） + 照料护理标准（按自理能力等级）",
        "输入": {"自理能力等级": "全护理"},
        "标准": [basic.describe(), care.describe()], "明细": ["基本生活 1000.00 + 全护理 300.00"],
    }  # fmt: skip
    with pytest.raises(CalculationError, match=r"^未设置半护理照料护理标准$"):
        calc.tekun(basic=basic, care=None, grade="half")
    with pytest.raises(CalculationError, match=r"^生活自理能力等级不正确（全护理、半护理、全自理）$"):
        calc.tekun(basic=basic, care=care, grade="none")


@pytest.mark.parametrize(
    ("status", "words"),
    [("orphan_scattered", "散居孤儿"), ("orphan_institution", "机构养育孤儿"), ("de_facto", "事实无人抚养儿童")],
)
def test_child_living_names_the_childs_status(status, words):
    std = StandardValue(Decimal("1400.5"), "month", "孤儿基本生活费", 7)
    r = calc.child_living(standard=std, status=status)
    assert (r.amount, r.formula) == (Decimal("1400.50"), f"{words}基本生活费：按标准发放")
    assert (r.inputs, r.standards, r.parts) == ({}, [std], [])


def test_child_living_refuses_an_unknown_status():
    with pytest.raises(CalculationError, match=r"^儿童类别不正确$"):
        calc.child_living(standard=STD, status="other")


LIVING = StandardValue(Decimal("90"), "month", "困难残疾人生活补贴", 8)
CARE = StandardValue(Decimal("80"), "month", "重度残疾人护理补贴", 9)


def test_disability_subsidies_explained_and_grades_on_both_sides():
    r = calc.disability_subsidies(grade=2, category="physical", low_income=True, living=LIVING, care=CARE)
    assert r.explanation == {
        "金额": "170.00", "公式": "生活补贴（低保/低收入家庭残疾人）+ 护理补贴（重度残疾人）",
        "输入": {"残疾等级": "2", "残疾类别": "physical", "低保或低收入家庭": "是"},
        "标准": [LIVING.describe(), CARE.describe()], "明细": ["生活补贴 90.00", "护理补贴 80.00"],
    }  # fmt: skip
    grade3 = calc.disability_subsidies(grade=3, low_income=False, living=None, care=CARE)
    assert grade3.amount == 0 and grade3.inputs == {"残疾等级": 3, "残疾类别": "—", "低保或低收入家庭": "否"}
    assert calc.disability_subsidies(grade=1, low_income=False, living=None, care=CARE).amount == Decimal("80.00")
    assert calc.disability_subsidies(grade=4, low_income=True, living=LIVING, care=None).amount == Decimal("90.00")
    for grade in (0, 5, None):
        none = calc.disability_subsidies(grade=grade, low_income=True, living=LIVING, care=CARE)
        assert none.amount == 0 and none.formula == "无有效残疾等级，不享受残疾人两项补贴"
        assert none.inputs == {"残疾等级": grade or "无"}


@pytest.mark.parametrize(("category", "extended", "paid"), [
    ("intellectual", True, Decimal("80.00")), ("mental", True, Decimal("80.00")), ("physical", True, Decimal(0)),
    ("intellectual", False, Decimal(0)),
])  # fmt: skip
def test_care_for_grade_3_and_4_only_where_the_region_extends_it(category, extended, paid):
    r = calc.disability_subsidies(grade=3, category=category, low_income=False, living=None, care=CARE,
                                  extend_care_to_grade_3_4_intellectual_mental=extended)  # fmt: skip
    assert r.amount == paid


def test_care_for_grade_3_intellectual_is_not_extended_unless_the_region_says_so():
    assert calc.disability_subsidies(grade=3, category="intellectual", low_income=False, living=None,
                                     care=CARE).amount == 0  # fmt: skip


def test_disability_subsidies_without_a_standard_name_the_missing_one():
    with pytest.raises(CalculationError, match=r"^未设置困难残疾人生活补贴标准$"):
        calc.disability_subsidies(grade=3, low_income=True, living=None, care=CARE)
    with pytest.raises(CalculationError, match=r"^未设置重度残疾人护理补贴标准$"):
        calc.disability_subsidies(grade=2, low_income=False, living=None, care=None)


def test_age_turns_on_the_birthday_not_the_day_before():
    assert calc.age_on(D(1946, 3, 15), D(2026, 3, 15)) == 80
    assert calc.age_on(D(1946, 3, 15), D(2026, 3, 14)) == 79
    assert calc.age_on(D(1946, 3, 15), D(2026, 2, 28)) == 79
    assert calc.age_on(D(1946, 3, 15), D(2026, 4, 1)) == 80


BANDS = [
    (90, None, StandardValue(Decimal("300"), "month", "90岁以上", 11)),
    (80, 89, StandardValue(Decimal("100"), "month", "80–89岁", 10)),
]


@pytest.mark.parametrize(
    ("birth", "month", "amount", "formula"),
    [
        (D(1946, 2, 28), D(2026, 2, 1), "100.00", "高龄津贴：80–89岁档"),  # 80 on the month's last day (February)
        (D(1946, 3, 1), D(2026, 2, 1), "0.00", "年龄未达到高龄津贴的任何年龄段"),  # 80 the day after it
        (D(1936, 12, 31), D(2026, 12, 1), "300.00", "高龄津贴：90岁以上档"),  # 90 on 31 December
        (D(1937, 1, 1), D(2026, 12, 1), "100.00", "高龄津贴：80–89岁档"),  # still 89
        (D(1946, 4, 30), D(2026, 4, 1), "100.00", "高龄津贴：80–89岁档"),  # a 30-day month
        (D(1946, 1, 31), D(2026, 1, 1), "100.00", "高龄津贴：80–89岁档"),  # a 31-day month
    ],
)
def test_aged_allowance_counts_the_age_at_the_end_of_the_month(birth, month, amount, formula):
    r = calc.aged_allowance(birth_date=birth, month=month, bands=BANDS)
    assert (str(r.amount), r.formula) == (amount, formula)
    assert r.standards == {"100.00": [BANDS[1][2]], "300.00": [BANDS[0][2]], "0.00": []}[amount] and r.parts == []
    assert r.inputs == {"年龄": calc.age_on(birth, (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
                                          - datetime.timedelta(days=1))}  # fmt: skip


def test_aged_allowance_in_a_leap_february():
    assert calc.aged_allowance(birth_date=D(1948, 2, 29), month=D(2028, 2, 1), bands=BANDS).amount == 100


DIBAO_STD = StandardValue(Decimal("600"), "month", "低保标准", 12)
CAP = StandardValue(Decimal("3"), "rate", "临时救助月数上限", 13)


def test_temporary_pays_the_need_up_to_the_cap_and_says_when_it_is_capped():
    at = calc.temporary(need="3600", dibao_standard=DIBAO_STD, cap_months=CAP, members=2)
    assert at.explanation == {
        "金额": "3600.00", "公式": "min（核定困难金额，低保月标准 × 月数 × 人数）",
        "输入": {"核定困难金额": "3600", "家庭人数": "2"},
        "标准": [DIBAO_STD.describe(), CAP.describe()], "明细": ["上限 3600.00 = 低保标准 600.00 × 3 个月 × 2 人"],
    }  # fmt: skip
    over = calc.temporary(need="3600.01", dibao_standard=DIBAO_STD, cap_months=CAP, members=2)
    assert over.amount == Decimal("3600.00") and over.parts[1].startswith("核定困难金额超过上限，按上限发放")
    under = calc.temporary(need="3599.99", dibao_standard=DIBAO_STD, cap_months=CAP, members=2)
    assert under.amount == Decimal("3599.99") and len(under.parts) == 1
    assert calc.temporary(need="5000", dibao_standard=DIBAO_STD, cap_months=CAP).amount == Decimal("1800.00")
    with pytest.raises(CalculationError, match=r"^家庭人数至少为 1$"):
        calc.temporary(need="1", dibao_standard=DIBAO_STD, cap_months=CAP, members=0)
    with pytest.raises(CalculationError, match=r"^核定困难金额不能为负数$"):
        calc.temporary(need="-1", dibao_standard=DIBAO_STD, cap_months=CAP)


def test_price_subsidy_counts_the_months_above_the_threshold_not_at_it():
    threshold = StandardValue(Decimal("3.5"), "rate", "价格补贴启动条件", 14)
    each = StandardValue(Decimal("20"), "month", "价格临时补贴标准", 15)
    indices = {D(2026, 3, 1): Decimal("3.6"), D(2026, 1, 1): Decimal("3.51"), D(2026, 2, 1): Decimal("3.5")}
    r = calc.price_subsidy(indices=indices, threshold=threshold, amount=each, persons=3)
    assert r.explanation == {
        "金额": "120.00", "公式": "启动月数 × 覆盖人数 × 每人每月补贴标准",
        "输入": {"启动月份": "2026-01、2026-03", "覆盖人数": "3"},
        "标准": [threshold.describe(), each.describe()],
        "明细": ["2026-01 CPI 涨幅 3.51% > 3.5%", "2026-03 CPI 涨幅 3.6% > 3.5%"],
    }  # fmt: skip
    none = calc.price_subsidy(indices={D(2026, 2, 1): Decimal("3.5")}, threshold=threshold, amount=each, persons=0)
    assert none.amount == 0 and none.inputs["启动月份"] == "无"
    with pytest.raises(CalculationError, match=r"^人数不能为负数$"):
        calc.price_subsidy(indices={}, threshold=threshold, amount=each, persons=-1)


def test_aged_allowance_bands_starting_at_the_same_age_keep_the_order_they_were_given():
    narrow = StandardValue(Decimal("100"), "month", "80–89岁", 10)
    open_ended = StandardValue(Decimal("300"), "month", "80岁以上", 11)
    bands = [(80, 89, narrow), (80, None, open_ended)]
    assert calc.aged_allowance(birth_date=D(1940, 1, 1), month=D(2026, 1, 1), bands=bands).amount == 100
    assert calc.aged_allowance(birth_date=D(1930, 1, 1), month=D(2026, 1, 1), bands=bands).amount == 300


def test_each_subsidy_alone_explains_itself_with_the_category_named():
    """Each subsidy is its own programme: the 护理补贴's explanation does not show the household's income (an
    approver read 低保或低收入家庭：否 for a 低保 household's holder), and the category is its name, not its code."""
    care = calc.disability_subsidies(grade=1, category="4", low_income=False, living=None, care=CARE, only="care")
    assert care.formula == "重度残疾人护理补贴（重度残疾人）"
    assert care.inputs == {"残疾等级": 1, "残疾类别": "肢体残疾"} and care.amount == Decimal("80.00")
    living = calc.disability_subsidies(grade=3, category="5", low_income=True, living=LIVING, care=None, only="living")
    assert living.formula == "困难残疾人生活补贴（低保/低收入家庭残疾人）"
    assert living.inputs == {"残疾等级": 3, "残疾类别": "智力残疾", "低保或低收入家庭": "是"}
    assert living.amount == Decimal("90.00")
