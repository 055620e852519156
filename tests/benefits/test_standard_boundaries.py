"""Standards by rule on both sides of their lines (docs/testing.md): half a 分 rounds up, a published figure equal
to its rule raises no warning and one 分 below does, the place's area passes down a chain of rules."""

import datetime
from decimal import Decimal

import pytest

from huimin.benefits import standards
from huimin.benefits.models import Standard

pytestmark = pytest.mark.django_db
YANGQUAN = "140300000000"  # 阳泉市
D2020 = datetime.date(2020, 1, 1)


def _row(kind, value=None, *, area="all", period="month", base="", factor=None, den=1):
    return Standard.objects.create(kind=kind, region_id=YANGQUAN, area=area, period=period, value=value,
                                   base_kind=base, factor_num=factor, factor_den=den, effective_from=D2020)  # fmt: skip


def test_a_rule_rounds_half_a_fen_up(seeded):
    _row("dibao", Decimal("740.25"), area="urban")
    half = _row("tekun_basic", area="urban", base="dibao", factor=Decimal("1"), den=2)
    assert standards.rule_value(half) == Decimal("370.13")  # 370.125: half-up, not to the even 370.12


def test_a_published_figure_equal_to_its_rule_is_no_warning_one_fen_below_is(seeded):
    _row("dibao", Decimal("600"), area="urban")
    at = _row("tekun_basic", Decimal("780.00"), area="urban", base="dibao", factor=Decimal("1.3"))
    assert standards.rule_value(at) == Decimal("780.00") and standards.check(at) is None
    at.value = Decimal("779.99")
    warning = standards.check(at)
    assert (warning.published, warning.rule) == (Decimal("779.99"), Decimal("780.00"))


def test_the_area_passes_down_a_chain_of_rules(seeded):
    _row("dibao", Decimal("600"), area="urban")
    _row("dibao", Decimal("400"), area="rural")
    _row("tekun_basic", area="all", base="dibao", factor=Decimal("1.3"))
    care = _row("care_full", area="all", base="tekun_basic", factor=Decimal("1"), den=2)
    assert standards.rule_value(care, urban=True) == Decimal("390.00")  # 600 × 1.3 ÷ 2
    assert standards.rule_value(care, urban=False) == Decimal("260.00")  # 400 × 1.3 ÷ 2
    urban_care = _row("care_full", area="urban", base="tekun_basic", factor=Decimal("1"), den=2)
    assert standards.rule_value(urban_care) == Decimal("390.00")  # the row's own area when none is asked


def test_a_row_without_a_factor_or_without_a_base_has_no_rule(seeded):
    _row("dibao", Decimal("600"), area="urban")
    unsaved = {"kind": "tekun_basic", "region_id": YANGQUAN, "area": "urban", "period": "month",
               "value": Decimal("700"), "effective_from": D2020}  # fmt: skip
    assert standards.rule_value(Standard(**unsaved, base_kind="dibao", factor_num=None)) is None
    assert standards.rule_value(Standard(**unsaved, base_kind="", factor_num=Decimal("1.3"))) is None


# --- written against mutmut's survivors of 2026-12-06 (docs/testing.md) ------------------------------------------


def test_a_rule_converts_its_base_between_months_and_years(seeded):
    _row("dibao", Decimal("600"), area="urban")
    yearly = _row("tekun_basic", area="urban", period="year", base="dibao", factor=Decimal("1.3"))
    assert standards.rule_value(yearly) == Decimal("9360.00")  # 600 × 12 × 1.3
    _row("min_wage", Decimal("7800"), area="urban", period="year")
    monthly = _row("care_full", area="urban", base="min_wage", factor=Decimal("1"))
    assert standards.rule_value(monthly) == Decimal("650.00")  # 7,800 ÷ 12, not ÷ 13 nor × 12
    rate = _row("dibao_extra_rate", area="urban", period="rate", base="dibao", factor=Decimal("1"), den=10)
    assert standards.rule_value(rate) == Decimal("60.00")  # a rate is not converted


def test_value_of_passes_the_area_and_the_age_down(seeded):
    _row("dibao", Decimal("600"), area="urban")
    _row("dibao", Decimal("400"), area="rural")
    _row("tekun_basic", area="all", base="dibao", factor=Decimal("1.3"))
    assert standards.value_of("tekun_basic", YANGQUAN, D2020, urban=True).value == Decimal("780.00")
    assert standards.value_of("tekun_basic", YANGQUAN, D2020, urban=False).value == Decimal("520.00")
    for (low, high), amount in {(80, 89): "100", (90, 99): "200"}.items():
        Standard.objects.create(kind="aged_allowance", region_id=YANGQUAN, value=Decimal(amount), age_from=low,
                                age_to=high, effective_from=D2020)  # fmt: skip
    assert standards.value_of("aged_allowance", YANGQUAN, D2020, age=89).value == Decimal("100")
    assert standards.value_of("aged_allowance", YANGQUAN, D2020, age=90).value == Decimal("200")
    assert standards.value_of("orphan_scattered", YANGQUAN, D2020) is None  # nothing set


def test_as_value_names_its_row_and_refuses_a_rule_without_a_base(seeded):
    row = _row("dibao", Decimal("600"), area="urban")
    value = standards.as_value(row)
    assert (value.value, value.period, value.label, value.row_id) == (
        Decimal("600"), "month", "低保标准（阳泉市城市）", row.pk)  # fmt: skip
    orphan = _row("tekun_basic", area="urban", base="min_wage", factor=Decimal("1"))
    with pytest.raises(LookupError) as refused:
        standards.as_value(orphan)
    assert str(refused.value) == f"{orphan} 没有公布值，其公式的参照标准也未设置"


def test_monthly_value_divides_a_yearly_figure_and_reads_preloaded_rows(seeded):
    _row("min_wage", Decimal("7800"), area="all", period="year")
    _row("dibao", Decimal("600"), area="urban")
    day = datetime.date(2026, 6, 1)
    assert standards.monthly_value("min_wage", YANGQUAN, day) == Decimal("650")
    assert standards.monthly_value("dibao", YANGQUAN, day, urban=True) == Decimal("600")
    assert standards.monthly_value("dibao", YANGQUAN, day, urban=False) is None  # no rural row
    rows = standards.in_effect("min_wage", day)
    assert standards.monthly_value("min_wage", YANGQUAN, day, rows=rows) == Decimal("650")
    assert standards.monthly_value("orphan_scattered", YANGQUAN, day) is None
    _row("care_full", area="all", base="orphan_scattered", factor=Decimal("1"))  # a rule whose base is unset
    assert standards.monthly_value("care_full", YANGQUAN, day) is None


def test_in_effect_on_the_first_and_the_last_day(seeded):
    row = _row("price_subsidy", Decimal("50"))
    row.effective_to = datetime.date(2020, 12, 31)
    row.save()
    assert standards.in_effect("price_subsidy", D2020) == [row]  # the first day
    assert standards.in_effect("price_subsidy", datetime.date(2020, 12, 31)) == [row]  # the last day
    assert standards.in_effect("price_subsidy", datetime.date(2021, 1, 1)) == []
    assert standards.in_effect("price_subsidy", datetime.date(2019, 12, 31)) == []


def _band(low, high, amount):
    return Standard.objects.create(kind="aged_allowance", region_id=YANGQUAN, value=Decimal(amount), age_from=low,
                                   age_to=high, effective_from=D2020)  # fmt: skip


def test_find_age_bands_include_both_ends_and_an_open_band(seeded):
    eighty, ninety, hundred = _band(80, 89, "100"), _band(90, 99, "200"), _band(100, None, "500")
    young = _band(None, 79, "0")
    cases = {79: young, 80: eighty, 89: eighty, 90: ninety, 99: ninety, 100: hundred, 120: hundred}
    for age, row in cases.items():
        assert standards.find("aged_allowance", YANGQUAN, D2020, age=age) == row, age
    assert standards.find("aged_allowance", YANGQUAN, D2020) is not None  # no age asked: a row of the kind


def test_find_in_preloaded_rows_checks_kind_and_both_ends_of_the_period(seeded):
    row = _row("dibao", Decimal("600"))
    row.effective_to = datetime.date(2020, 12, 31)
    row.save()
    other = _row("tekun_basic", Decimal("780"))
    rows = [row, other]  # preloaded without any filter
    assert standards.find("dibao", YANGQUAN, datetime.date(2020, 12, 31), rows=rows) == row  # the last day
    assert standards.find("dibao", YANGQUAN, datetime.date(2021, 1, 1), rows=rows) is None
    assert standards.find("dibao", YANGQUAN, datetime.date(2019, 12, 31), rows=rows) is None
    assert standards.find("orphan_scattered", YANGQUAN, D2020, rows=rows) is None  # no row of the kind


def test_find_area_latest_date_and_creation_order(seeded):
    rural = _row("dibao", Decimal("400"), area="rural")
    assert standards.find("dibao", YANGQUAN, D2020) is None  # no area asked: an area's own row does not fit
    assert standards.find("dibao", YANGQUAN, D2020, urban=False) == rural
    both = _row("dibao", Decimal("500"), area="all")
    assert standards.find("dibao", YANGQUAN, D2020, urban=False) == rural  # the exact area beats 城乡统一
    assert standards.find("dibao", YANGQUAN, D2020, urban=True) == both
    newer = Standard.objects.create(kind="dibao", region_id=YANGQUAN, area="all", value=Decimal("550"),
                                    effective_from=datetime.date(2022, 1, 1))  # fmt: skip
    assert standards.find("dibao", YANGQUAN, datetime.date(2023, 1, 1), urban=True) == newer
    again = _row("dibao", Decimal("560"), area="all")  # the same day as ``both``: the later row decides
    assert standards.find("dibao", YANGQUAN, datetime.date(2021, 1, 1), urban=True) == again


def test_find_the_later_dated_row_wins_whatever_the_order_of_entry(seeded):
    newer = Standard.objects.create(kind="dibao", region_id=YANGQUAN, area="all", value=Decimal("550"),
                                    effective_from=datetime.date(2022, 1, 1))  # fmt: skip
    _row("dibao", Decimal("500"), area="all")  # dated 2020, entered after
    assert standards.find("dibao", YANGQUAN, datetime.date(2023, 1, 1)) == newer
