"""Standards in force: lookup (most specific region, then the area, then the latest effective date), the
value a row's rule gives, and the warnings for published figures below their rule."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from huimin.benefits.calculators import CENT, StandardValue
from huimin.benefits.models import Area, Period, Standard
from huimin.core import regions


def find(
    kind: str, region_code: str, day: datetime.date, urban: bool | None = None, age: int | None = None, rows=None
) -> Standard | None:
    """The row in force for ``kind`` at ``region_code`` on ``day``. A row of the exact area beats a 城乡统一
    row of the same region; a more specific region beats both. ``rows`` lets callers pass a preloaded list."""
    if rows is None:
        rows = Standard.objects.filter(kind=kind, effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )
    area = None if urban is None else (Area.URBAN if urban else Area.RURAL)

    def fits(row) -> bool:
        if row.kind != kind or row.effective_from > day or (row.effective_to and row.effective_to < day):
            return False
        if row.area != Area.ALL and row.area != area:
            return False
        return age is None or not (
            (row.age_from is not None and age < row.age_from) or (row.age_to is not None and age > row.age_to)
        )

    return regions.in_force(
        (row for row in rows if fits(row)),
        region_code,
        region=lambda row: row.region_id,
        effective_from=lambda row: row.effective_from,
        narrower=lambda row: (row.area != Area.ALL,),
        tiebreak=lambda row: (row.pk or 0,),
    )


def _convert(value: Decimal, from_period: str, to_period: str) -> Decimal:
    if from_period == to_period or Period.RATE in (from_period, to_period):
        return value
    return value * 12 if to_period == Period.YEAR else value / 12


def rule_value(row: Standard, *, urban: bool | None = None, _depth: int = 0) -> Decimal | None:
    """What the row's rule gives (base standard in force at the row's region/area/date × factor, in the row's
    period), rounded half-up to the 分; None when the row has no rule or its base is not set."""
    if not row.base_kind or row.factor_num is None:
        return None
    if _depth > 5:
        raise ValueError("标准公式循环引用")
    if urban is None and row.area != Area.ALL:
        urban = row.area == Area.URBAN
    base = find(row.base_kind, row.region_id, row.effective_from, urban)
    if base is None:
        return None
    base_value = effective_value(base, urban=urban, _depth=_depth + 1)
    if base_value is None:
        return None
    converted = _convert(base_value, base.period, row.period)
    return (converted * row.factor_num / row.factor_den).quantize(CENT, rounding=ROUND_HALF_UP)


def effective_value(row: Standard, *, urban: bool | None = None, _depth: int = 0) -> Decimal | None:
    """The published figure, or the rule's value when nothing was published."""
    if row.value is not None:
        return row.value
    return rule_value(row, urban=urban, _depth=_depth)


def as_value(row: Standard, urban: bool | None = None) -> StandardValue:
    value = effective_value(row, urban=urban)
    if value is None:
        raise LookupError(f"{row} 没有公布值，其公式的参照标准也未设置")
    return StandardValue(
        Decimal(value),
        row.period,
        f"{row.get_kind_display()}（{row.region.name if row.region_id else ''}{row.get_area_display()}）",
        row.pk,
    )


def value_of(
    kind: str, region_code: str, day: datetime.date, urban: bool | None = None, age=None
) -> StandardValue | None:
    row = find(kind, region_code, day, urban, age)
    return as_value(row, urban) if row else None


def monthly_value(
    kind: str, region_code: str, day: datetime.date, urban: bool | None = None, rows=None
) -> Decimal | None:
    """The figure in force for ``kind`` at a place and day in 元 per month (a yearly figure divided by 12), or None
    when nothing is set. ``rows`` lets a caller looking up many places pass a preloaded list."""
    row = find(kind, region_code, day, urban, rows=rows)
    if row is None:
        return None
    value = effective_value(row, urban=urban)
    return None if value is None else _convert(Decimal(value), row.period, Period.MONTH)


def in_effect(kind: str, day: datetime.date):
    """The rows of ``kind`` in effect on ``day`` (to pass as ``rows`` to ``find`` or ``monthly_value``)."""
    return list(
        Standard.objects.filter(kind=kind, effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )
    )


@dataclass(frozen=True)
class Warning:
    row: Standard
    published: Decimal
    rule: Decimal

    @property
    def message(self) -> str:
        return (
            f"{self.row.get_kind_display()}公布值 {self.published} 低于按规则计算的 {self.rule}"
            f"（{self.row.get_base_kind_display()} × {self.row.factor_num.normalize():f}"
            f"{'' if self.row.factor_den == 1 else f' / {self.row.factor_den}'}）"
        )


def check(row: Standard) -> Warning | None:
    """A warning when a published figure is below its rule; nothing when it is at or above the rule."""
    if row.value is None:
        return None
    rule = rule_value(row)
    if rule is not None and row.value.quantize(CENT) < rule:
        return Warning(row, row.value.quantize(CENT), rule)
    return None


def warnings(rows) -> list[Warning]:
    return [w for w in (check(r) for r in rows) if w is not None]
