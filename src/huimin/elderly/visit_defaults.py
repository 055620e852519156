"""Default rows of 探访关爱, loaded by a data migration (``ensure``): the risk tiers and the city-wide visit
frequencies (high risk weekly and within 24 h of an event, key cases monthly, everybody else quarterly). A region
sets its own frequencies as more specific rows (``VisitFrequency.region``)."""

import datetime

# (code, name, rank, confirmed categories, min ability level rank) — the tier without conditions is the default
TIERS = [
    ("high", "高风险", 3, ["severe_disability"], 3),  # 重残, or 重度/完全失能
    ("key", "重点关爱", 2, ["living_alone", "left_behind", "dependent", "family_planning", "dibao_tekun"], 2),
    ("general", "一般", 1, [], None),
]
# tier → (period days, hours after an event)
FREQUENCIES = {"high": (7, 24), "key": (30, None), "general": (90, None)}
EFFECTIVE_FROM = datetime.date(2020, 1, 1)


def ensure(apps=None) -> None:
    from django.apps import apps as global_apps

    apps = apps or global_apps
    RiskTier = apps.get_model("elderly", "RiskTier")
    VisitFrequency = apps.get_model("elderly", "VisitFrequency")
    for code, name, rank, categories, level in TIERS:
        tier, _ = RiskTier.objects.get_or_create(
            code=code, defaults={"name": name, "rank": rank, "categories": categories, "min_level_rank": level}
        )
        period, hours = FREQUENCIES[code]
        VisitFrequency.objects.get_or_create(tier=tier, region=None, effective_from=EFFECTIVE_FROM,
                                             defaults={"period_days": period, "event_hours": hours})  # fmt: skip
