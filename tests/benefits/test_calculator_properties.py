"""More properties of the benefit calculators for any input (hypothesis), beside those in test_calculators:
the 低保 amount is the sum of its members' shares, classified extras only add, and every other calculator is
never negative and grows the way its formula says."""

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from huimin.benefits import calculators as calc
from huimin.benefits.calculators import StandardValue

cents = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
standards = st.decimals(min_value=1, max_value=3000, places=2).map(lambda v: StandardValue(v, "month"))
rate = StandardValue(Decimal("0.10"), "rate")


@given(standard=standards, income=cents, members=st.integers(1, 12), floor=st.decimals(0, 300, places=2))
def test_dibao_is_the_sum_of_its_members_shares(standard, income, members, floor):
    """Paid per head, so n members get exactly n times what one member gets (money in whole 分 in, no rounding)."""
    one = calc.dibao(standard=standard, income_per_head=income, members=1, floor=StandardValue(floor)).amount
    many = calc.dibao(standard=standard, income_per_head=income, members=members, floor=StandardValue(floor)).amount
    assert many == one * members and many >= 0


@given(standard=standards, income=cents, members=st.integers(1, 12), extras=st.integers(0, 12))
def test_dibao_classified_extras_only_add(standard, income, members, extras):
    extras = min(extras, members)
    plain = calc.dibao(standard=standard, income_per_head=income, members=members).amount
    more = calc.dibao(
        standard=standard, income_per_head=income, members=members, extra_rate=rate, classified={"minor": extras}
    ).amount
    assert more >= plain >= 0
    if income >= standard.value:
        assert more == 0  # not eligible: no extras either


@given(basic=standards, care=standards, grade=st.sampled_from(sorted(calc.CARE_GRADES)))
def test_tekun_is_basic_plus_care(basic, care, grade):
    r = calc.tekun(basic=basic, care=care, grade=grade)
    assert r.amount == calc.yuan(basic.value + care.value) > 0


@given(
    grade=st.one_of(st.none(), st.integers(0, 6)),
    low_income=st.booleans(),
    living=standards,
    care=standards,
    category=st.sampled_from(["", "physical", "intellectual", "mental"]),
)
def test_disability_subsidies_never_negative_and_never_more_than_both(grade, low_income, living, care, category):
    r = calc.disability_subsidies(grade=grade, category=category, low_income=low_income, living=living, care=care)
    assert 0 <= r.amount <= calc.yuan(living.value + care.value)
    if grade in (1, 2):
        assert r.amount >= calc.yuan(care.value)


@given(need_a=cents, need_b=cents, months=st.integers(1, 12), members=st.integers(1, 6), standard=standards)
def test_temporary_is_monotone_in_need(need_a, need_b, months, members, standard):
    low, high = sorted((need_a, need_b))
    cap = StandardValue(Decimal(months), "rate")

    def amount(need):
        return calc.temporary(need=need, dibao_standard=standard, cap_months=cap, members=members).amount

    assert 0 <= amount(low) <= amount(high)


@given(
    rises=st.lists(st.decimals(-5, 10, places=1), min_size=0, max_size=12),
    persons=st.integers(0, 50),
    per_person=st.decimals(0, 200, places=2),
)
def test_price_subsidy_is_linear_in_persons(rises, persons, per_person):
    indices = {datetime.date(2026, i + 1, 1): v for i, v in enumerate(rises)}
    threshold, amount = StandardValue(Decimal("3.5"), "rate"), StandardValue(per_person, "month")
    total = calc.price_subsidy(indices=indices, threshold=threshold, amount=amount, persons=persons).amount
    one = calc.price_subsidy(indices=indices, threshold=threshold, amount=amount, persons=1).amount
    assert total == one * persons >= 0
    assert total == calc.yuan(per_person * sum(1 for v in rises if v > Decimal("3.5")) * persons)
