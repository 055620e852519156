"""Reading the materialised figures: any region's month as a sum over its code prefix, broken down by
sub-region, programme or urban/rural, and trends over months. Every read goes through the user's scope."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.db.models.functions import Substr

from huimin.assistance.models import Programme
from huimin.core import regions
from huimin.core.models import Region
from huimin.core.roles import STATS_VIEW
from huimin.core.scope import scoped, subtree
from huimin.stats.compute import add_months
from huimin.stats.models import FIGURES, MonthlyFigure

CENT = Decimal("0.01")
AREA_LABELS = {True: "城市", False: "农村"}


def _sums():
    return {name: Sum(name) for name in FIGURES}


def _clean(row: dict) -> dict:
    out = {name: row.get(name) or 0 for name in FIGURES}
    for name in ("amount_paid", "amount_approved"):
        out[name] = Decimal(out[name]).quantize(CENT)
    return with_derived(out)


def with_derived(row: dict) -> dict:
    """Adds 月人均 (amount paid per person in 保) and 平均办结天数 (days per decided application)."""
    persons = row.get("persons") or 0
    row["per_person"] = (Decimal(row["amount_paid"]) / persons).quantize(CENT, ROUND_HALF_UP) if persons else None
    decided = (row.get("apps_approved") or 0) + (row.get("apps_refused") or 0)
    row["avg_days"] = (Decimal(row["apps_days"]) / decided).quantize(Decimal("0.1"), ROUND_HALF_UP) if decided else None
    row["decided"] = decided
    return row


def visible(queryset, user):
    """The rows ``user`` may see for statistics; with no user, all of them (the stored indicator board, computed for
    a region alone: a page only opens a region in its user's scope)."""
    return queryset if user is None else scoped(queryset, user, capability=STATS_VIEW)


def base(user, region: Region, months, programme: str = "", urban: bool | None = None):
    """The figures of ``region`` for ``months`` that ``user`` may see (``visible``)."""
    qs = visible(MonthlyFigure.objects.all(), user).filter(subtree("region", region.prefix), month__in=list(months))
    if programme:
        qs = qs.filter(programme=programme)
    if urban is not None:
        qs = qs.filter(is_urban=urban)
    return qs


def latest_paid_month(user, region: Region, not_after: datetime.date) -> datetime.date | None:
    """The latest month up to ``not_after`` in which something was paid in ``region`` (None when nothing was); with
    no user, the region's (the daily job storing the boards the dashboard opens on)."""
    paid = visible(MonthlyFigure.objects.all(), user).filter(
        subtree("region", region.prefix), month__lte=not_after, amount_paid__gt=0
    )
    return paid.order_by("-month").values_list("month", flat=True).first()


def total(user, region, month, **filters) -> dict:
    return _clean(base(user, region, [month], **filters).aggregate(**_sums()))


def child_level(region: Region) -> int:
    return min(region.level + 1, regions.VILLAGE)


def by_child(user, region, month, **filters) -> list[dict]:
    """One row per sub-region (county → townships …), with its name and code; a row of data recorded at the
    region itself (no sub-region) is labelled 本级. A township below a county the user does not stand in is named
    with its county (core.regions.labels: "驿城区 城关镇")."""
    level = child_level(region)
    cut = regions.PREFIX_LENGTH[level]
    rows = (
        base(user, region, [month], **filters)
        .annotate(key=Substr("region_id", 1, cut))
        .values("key")
        .annotate(**_sums())
        .order_by("key")
    )
    codes = [regions.full_code(r["key"]) for r in rows]
    names = regions.labels(codes, under=getattr(user, "region_id", None))
    out = []
    for row in rows:
        code = regions.full_code(row["key"])
        leaf = code == region.code or level == region.level
        out.append(
            {"code": code, "name": names.get(code, code) + ("（本级）" if leaf else ""), "drill": not leaf
             and level < regions.VILLAGE, **_clean(row)}
        )  # fmt: skip
    return out


def programme_names() -> dict[str, str]:
    return dict(Programme.objects.values_list("code", "name"))


def programme_order() -> list[str]:
    return list(Programme.objects.order_by("sort", "code").values_list("code", flat=True))


def by_programme(user, region, month, urban: bool | None = None) -> list[dict]:
    """One row per programme (in the programmes' order), with urban and rural sub-rows when both occur."""
    names, order = programme_names(), programme_order()
    rows = (
        base(user, region, [month], urban=urban)
        .exclude(programme="")
        .values("programme", "is_urban")
        .annotate(**_sums())
        .order_by("programme", "is_urban")
    )
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["programme"], []).append(row)
    out = []
    for code in sorted(grouped, key=lambda c: (order.index(c) if c in order else len(order), c)):
        parts = grouped[code]
        totals = _clean({name: sum((p[name] or 0) for p in parts) for name in FIGURES})
        out.append(
            {
                "code": code,
                "name": names.get(code, code),
                "area": "合计" if urban is None else AREA_LABELS[urban],
                "is_total": True,
                **totals,
            }
        )
        if urban is None:
            for part in sorted(parts, key=lambda p: not p["is_urban"]):
                out.append(
                    {"code": code, "name": "", "area": AREA_LABELS[part["is_urban"]], "is_total": False, **_clean(part)}
                )
    return out


def months_back(month: datetime.date, count: int) -> list[datetime.date]:
    return [add_months(month, -i) for i in range(count - 1, -1, -1)]


def trend(user, region, months: list[datetime.date], **filters) -> dict:
    """Per month: households, persons, amount paid, and persons per programme."""
    totals = {
        r["month"]: r
        for r in base(user, region, months, **filters).values("month").annotate(**_sums()).order_by("month")
    }
    per_programme: dict[str, dict] = {}
    for r in (
        base(user, region, months, **filters)
        .exclude(programme="")
        .values("month", "programme")
        .annotate(persons=Sum("persons"), households=Sum("households"))
        .order_by("month")
    ):
        per_programme.setdefault(r["programme"], {})[r["month"]] = r
    return {
        "months": months,
        "totals": [_clean(totals.get(m, {})) for m in months],
        "programmes": {
            code: [(per_programme[code].get(m) or {}).get("persons") or 0 for m in months] for code in per_programme
        },
    }


def by_area(user, region, month, **filters) -> dict[bool, dict]:
    rows = base(user, region, [month], **filters).values("is_urban").annotate(**_sums())
    return {r["is_urban"]: _clean(r) for r in rows}
