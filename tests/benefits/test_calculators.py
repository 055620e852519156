"""Every calculator edge, and properties that must hold for any input (hypothesis)."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huimin.benefits import calculators as calc
from huimin.benefits.calculators import CalculationError, StandardValue

STD = StandardValue(Decimal("740"), "month", "低保标准（城市）", 1)
FLOOR = StandardValue(Decimal("74"), "month", "最低保障金额", 2)
RATE = StandardValue(Decimal("0.10"), "rate", "分类施保加发比例", 3)


def test_dibao_difference_times_members():
    r = calc.dibao(standard=STD, income_per_head="300", members=3)
    assert r.amount == Decimal("1320.00")  # (740 − 300) × 3
    assert r.explanation["输入"]["保障人数"] == "3" and r.explanation["标准"][0]["标准记录"] == 1


def test_dibao_income_at_or_above_the_standard_pays_nothing():
    assert calc.dibao(standard=STD, income_per_head="740", members=2, floor=FLOOR).amount == 0
    r = calc.dibao(standard=STD, income_per_head="900", members=2, floor=FLOOR)
    assert r.amount == 0 and "不低于" in r.formula


def test_dibao_floor_lifts_a_small_difference():
    r = calc.dibao(standard=STD, income_per_head="700", members=2, floor=FLOOR)
    assert r.amount == Decimal("148.00")  # difference 40 < floor 74 → 74 × 2
    assert any("最低保障金额" in p for p in r.parts)
    assert calc.dibao(standard=STD, income_per_head="600", members=2, floor=FLOOR).amount == Decimal("280.00")


def test_dibao_classified_extras_are_a_share_of_the_standard():
    r = calc.dibao(
        standard=STD,
        income_per_head="300",
        members=3,
        extra_rate=RATE,
        classified={"elderly": 1, "severe_disability": 1},
    )
    assert r.amount == Decimal("1468.00")  # 1,320 + 2 × 74
    assert r.explanation["输入"]["分类施保·老年人"] == "1"


def test_dibao_yearly_standard_is_converted_to_months():
    yearly = StandardValue(Decimal("4260"), "year", "低保标准（农村）")
    assert calc.dibao(standard=yearly, income_per_head="155", members=1).amount == Decimal("200.00")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"income_per_head": "-1"}, "不能为负数"),
        ({"members": 0}, "至少为 1"),
        ({"classified": {"elderly": 3}}, "不能超过保障人数"),
        ({"classified": {"pilot": 1}}, "类别不正确"),
        ({"classified": {"elderly": 1}}, "加发比例"),
    ],
)
def test_dibao_refuses_impossible_inputs(kwargs, message):
    args = {"standard": STD, "income_per_head": "100", "members": 2} | kwargs
    with pytest.raises(CalculationError, match=message):
        calc.dibao(**args)


def test_tekun_basic_plus_care_by_grade():
    basic = StandardValue(Decimal("8892"), "year", "特困基本生活标准")
    full = StandardValue(Decimal("633.33"), "month", "全护理")
    r = calc.tekun(basic=basic, care=full, grade="full")
    assert r.amount == Decimal("1374.33")  # 741 + 633.33
    with pytest.raises(CalculationError):
        calc.tekun(basic=basic, care=None, grade="half")
    with pytest.raises(CalculationError):
        calc.tekun(basic=basic, care=full, grade="bedridden")


def test_children_and_disability_subsidies():
    orphan = StandardValue(Decimal("950"), "month", "散居孤儿")
    assert calc.child_living(standard=orphan, status="orphan_scattered").amount == Decimal("950.00")
    living = StandardValue(Decimal("90"), "month", "生活补贴")
    care = StandardValue(Decimal("80"), "month", "护理补贴")
    assert calc.disability_subsidies(grade=1, low_income=True, living=living, care=care).amount == Decimal("170.00")
    assert calc.disability_subsidies(grade=3, low_income=True, living=living, care=care).amount == Decimal("90.00")
    assert calc.disability_subsidies(grade=2, low_income=False, living=living, care=care).amount == Decimal("80.00")
    assert calc.disability_subsidies(
        grade=3,
        category="intellectual",
        low_income=False,
        living=living,
        care=care,
        extend_care_to_grade_3_4_intellectual_mental=True,
    ).amount == Decimal("80.00")
    assert calc.disability_subsidies(grade=None, low_income=True, living=living, care=care).amount == 0


def test_aged_allowance_by_band_at_the_end_of_the_month():
    bands = [
        (80, 89, StandardValue(Decimal("50"))),
        (90, 99, StandardValue(Decimal("100"))),
        (100, None, StandardValue(Decimal("300"))),
    ]
    month = datetime.date(2026, 3, 1)
    assert calc.aged_allowance(birth_date=datetime.date(1946, 3, 31), month=month, bands=bands).amount == Decimal(
        "50.00"
    )
    assert calc.aged_allowance(birth_date=datetime.date(1946, 4, 1), month=month, bands=bands).amount == 0
    assert calc.aged_allowance(birth_date=datetime.date(1920, 1, 1), month=month, bands=bands).amount == Decimal(
        "300.00"
    )


def test_temporary_assistance_capped_by_the_regions_months():
    months = StandardValue(Decimal("3"), "rate", "临时救助月数")
    assert calc.temporary(need="1000", dibao_standard=STD, cap_months=months).amount == Decimal("1000.00")
    r = calc.temporary(need="9000", dibao_standard=STD, cap_months=months, members=2)
    assert r.amount == Decimal("4440.00") and any("一事一议" in p for p in r.parts)


def test_price_subsidy_counts_only_months_above_the_threshold():
    threshold = StandardValue(Decimal("3.5"), "rate", "启动条件")
    per_person = StandardValue(Decimal("30"), "month", "每人每月")
    indices = {
        datetime.date(2026, 1, 1): Decimal("3.2"),
        datetime.date(2026, 2, 1): Decimal("3.6"),
        datetime.date(2026, 3, 1): Decimal("4.0"),
    }
    r = calc.price_subsidy(indices=indices, threshold=threshold, amount=per_person, persons=3)
    assert r.amount == Decimal("180.00") and r.inputs["启动月份"] == "2026-02、2026-03"
    assert (
        calc.price_subsidy(
            indices={datetime.date(2026, 1, 1): Decimal("3.5")}, threshold=threshold, amount=per_person, persons=3
        ).amount
        == 0
    )


money = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


@given(income=money, members=st.integers(1, 10), floor=st.decimals(0, 200, places=2), extras=st.integers(0, 10))
def test_dibao_never_negative_never_below_floor_when_eligible(income, members, floor, extras):
    extras = min(extras, members)
    r = calc.dibao(
        standard=STD,
        income_per_head=income,
        members=members,
        floor=StandardValue(floor),
        extra_rate=RATE,
        classified={"elderly": extras},
    )
    assert r.amount >= 0
    assert r.amount == r.amount.quantize(Decimal("0.01"))
    if income < STD.value:
        assert r.amount >= calc.yuan(floor * members)
    else:
        assert r.amount == 0


@given(a=money, b=money, members=st.integers(1, 8))
def test_dibao_monotone_in_income(a, b, members):
    low, high = sorted((a, b))
    first = calc.dibao(standard=STD, income_per_head=low, members=members, floor=FLOOR).amount
    second = calc.dibao(standard=STD, income_per_head=high, members=members, floor=FLOOR).amount
    assert first >= second


@given(need=money, months=st.integers(1, 12), members=st.integers(1, 6))
def test_temporary_never_above_need_or_cap(need, months, members):
    r = calc.temporary(
        need=need, dibao_standard=STD, cap_months=StandardValue(Decimal(months), "rate"), members=members
    )
    assert 0 <= r.amount <= calc.yuan(need) and r.amount <= STD.value * months * members
