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
