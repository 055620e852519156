"""Standards as effective-dated data: the seeds' figures from their inputs, the below-the-rule warning, lookup
by region, area and date, and the add service."""

import datetime
from decimal import Decimal

import pytest

from huimin.benefits import services, standards
from huimin.benefits.models import Standard
from huimin.core.access import Forbidden, NotInScope
from huimin.core.services import ServiceError
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1

ZHUMADIAN = "411700000000"
YANGQUAN = "140300000000"  # 阳泉市
D2020 = datetime.date(2020, 1, 1)


def _row(kind, region, value=None, *, area="all", period="month", base="", factor=None, den=1, start=D2020, **kw):
    return Standard.objects.create(
        kind=kind,
        region_id=region,
        area=area,
        period=period,
        value=value,
        base_kind=base,
        factor_num=factor,
        factor_den=den,
        effective_from=start,
        **kw,
    )


@pytest.mark.django_db
def test_zhumadian_2020_tekun_follows_from_dibao(seeded):
    _row("dibao", ZHUMADIAN, Decimal("570"), area="urban")
    _row("dibao", ZHUMADIAN, Decimal("4260"), area="rural", period="year")
    urban = _row("tekun_basic", ZHUMADIAN, area="urban", period="year", base="dibao", factor=Decimal("1.3"))
    rural = _row("tekun_basic", ZHUMADIAN, area="rural", period="year", base="dibao", factor=Decimal("1.3"))
    assert standards.effective_value(urban) == Decimal("8892.00")  # 570 × 12 × 1.3
    assert standards.effective_value(rural) == Decimal("5538.00")  # 4,260 × 1.3
    # and found for a village of 驻马店 on a 2020 day, by area
    found = standards.value_of("tekun_basic", VILLAGE_A1, datetime.date(2020, 6, 1), urban=False)
    assert found.value == Decimal("5538.00") and found.period == "year"


@pytest.mark.django_db
def test_yangquan_published_figure_is_flagged_only_below_the_rule(seeded):
    _row("dibao", YANGQUAN, Decimal("587"), area="urban")
    ok = _row(
        "tekun_basic", YANGQUAN, Decimal("9200"), area="urban", period="year", base="dibao", factor=Decimal("1.3")
    )
    assert standards.rule_value(ok) == Decimal("9157.20")
    assert standards.check(ok) is None  # 9,200 ≥ 587 × 12 × 1.3
    low = _row(
        "tekun_basic",
        YANGQUAN,
        Decimal("9100"),
        area="urban",
        period="year",
        base="dibao",
        factor=Decimal("1.3"),
        start=datetime.date(2020, 2, 1),
    )
    warning = standards.check(low)
    assert warning is not None and warning.rule == Decimal("9157.20") and "9100.00" in warning.message
    assert [w.row for w in standards.warnings([ok, low])] == [low]


@pytest.mark.django_db
def test_care_standards_as_fractions_of_minimum_wage_and_severe_disability(seeded):
    _row("min_wage", ZHUMADIAN, Decimal("1900"))
    _row("severe_care", ZHUMADIAN, Decimal("80"))
    full = _row("care_full", ZHUMADIAN, base="min_wage", factor=Decimal(1), den=3)
    half = _row("care_half", ZHUMADIAN, base="min_wage", factor=Decimal(1), den=6)
    self_care = _row("care_self", ZHUMADIAN, base="severe_care", factor=Decimal(1))
    assert standards.effective_value(full) == Decimal("633.33")
    assert standards.effective_value(half) == Decimal("316.67")
    assert standards.effective_value(self_care) == Decimal("80.00")
    published_low = _row(
        "care_full",
        ZHUMADIAN,
        Decimal("600"),
        base="min_wage",
        factor=Decimal(1),
        den=3,
        start=datetime.date(2020, 3, 1),
    )
    assert standards.check(published_low) is not None


@pytest.mark.django_db
def test_lookup_most_specific_region_then_area_then_latest_date(regions):
    city = _row("dibao", ZHUMADIAN, Decimal("600"))
    county = _row("dibao", COUNTY, Decimal("650"))
    county_urban = _row("dibao", COUNTY, Decimal("700"), area="urban")
    later = _row("dibao", COUNTY, Decimal("720"), area="urban", start=datetime.date(2021, 1, 1))
    day = datetime.date(2020, 7, 1)
    assert standards.find("dibao", VILLAGE_A1, day, urban=True) == county_urban
    assert standards.find("dibao", VILLAGE_A1, day, urban=False) == county
    assert standards.find("dibao", "411721001001", day, urban=True) == city  # another county: the city's row
    assert standards.find("dibao", VILLAGE_A1, datetime.date(2021, 2, 1), urban=True) == later
    assert standards.find("dibao", VILLAGE_A1, datetime.date(2019, 12, 31), urban=True) is None
    assert standards.find("dibao", "140300000000", day) is None  # 阳泉: nothing set there


@pytest.mark.django_db
def test_add_standard_keeps_history_and_warns(users):
    approver = users["approver"]
    services.add_standard(
        approver, kind="dibao", region_code=COUNTY, area="urban", value="600", effective_from=datetime.date(2026, 1, 1)
    )
    first, _ = services.add_standard(
        approver,
        kind="tekun_basic",
        region_code=COUNTY,
        area="urban",
        period="year",
        value="9360",
        base_kind="dibao",
        factor_num="1.3",
        effective_from=datetime.date(2026, 1, 1),
    )
    _, warning = services.add_standard(
        approver,
        kind="tekun_basic",
        region_code=COUNTY,
        area="urban",
        period="year",
        value="9000",
        base_kind="dibao",
        factor_num="1.3",
        effective_from=datetime.date(2026, 7, 1),
    )
    assert warning is not None and warning.rule == Decimal("9360.00")
    first.refresh_from_db()
    assert first.value == Decimal("9360") and first.effective_to is None  # never overwritten
    assert Standard.objects.filter(kind="tekun_basic").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"value": "-1"}, "不能为负数"),
        ({"value": "abc"}, "格式不正确"),
        ({"value": "", "base_kind": ""}, "请填写公布标准"),
        ({"base_kind": "dibao_floor"}, "同时填写"),
        ({"kind": "nonsense"}, "标准类别"),
    ],
)
def test_add_standard_refuses_bad_input_and_writes_nothing(users, kwargs, message):
    args = {
        "kind": "dibao",
        "region_code": COUNTY,
        "value": "600",
        "effective_from": datetime.date(2026, 1, 1),
    } | kwargs
    with pytest.raises(ServiceError, match=message):
        services.add_standard(users["approver"], **args)
    assert not Standard.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("region_code", [OTHER_COUNTY, "411700000000"])
def test_a_county_cannot_set_another_countys_or_the_citys_standard(users, region_code):
    """Outside one's subtree, a wider region included: 404 (the access layer), nothing written."""
    with pytest.raises(NotInScope):
        services.add_standard(users["approver"], kind="dibao", region_code=region_code, value="600",
                              effective_from=datetime.date(2026, 1, 1))  # fmt: skip
    assert not Standard.objects.exists()


@pytest.mark.django_db
def test_township_clerk_cannot_set_standards(users):
    with pytest.raises(Forbidden):
        services.add_standard(
            users["clerk_a"],
            kind="dibao",
            region_code="411702001000",
            value="1",
            effective_from=datetime.date(2026, 1, 1),
        )
