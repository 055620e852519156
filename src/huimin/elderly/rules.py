"""Policy logic of 养老服务 over data rows: who is an older person, which categories the data suggests, and the
level of an assessment (GB/T 42195-2022). Pure functions where possible; the rows come from the caller."""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from huimin.registry.models import Person

AGE_BANDS = {  # code → (label, lowest age, highest age or None)
    "60-69": ("60–69 岁", 60, 69),
    "70-79": ("70–79 岁", 70, 79),
    "80-89": ("80–89 岁", 80, 89),
    "90-99": ("90–99 岁", 90, 99),
    "100+": ("100 岁及以上", 100, None),
}


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier; 29 February falls back to 28 February in a common year."""
    year = day.year - years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return datetime.date(year, 2, 28)
    return day.replace(year=year)


def born_by(day: datetime.date, age: int) -> datetime.date:
    """The latest birth date of someone aged at least ``age`` on ``day`` (birthdays on 29 February count on 1
    March in a common year, as Person.age_on does)."""
    year = day.year - age
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year) and calendar.isleap(year):
        return datetime.date(year, 2, 28)
    return years_before(day, age)


def age_band_q(code: str, day: datetime.date) -> Q:
    """Persons whose age on ``day`` lies in the band ``code`` (an unknown code selects everyone)."""
    if code not in AGE_BANDS:
        return Q()
    _, low, high = AGE_BANDS[code]
    condition = Q(birth_date__lte=born_by(day, low))
    if high is not None:
        condition &= Q(birth_date__gt=born_by(day, high + 1))
    return condition


def elderly_q(day: datetime.date, register_age: int, prefix: str = "") -> Q:
    """Living, not merged persons aged ``register_age`` or more on ``day`` (birth date known)."""
    return Q(
        **{f"{prefix}birth_date__lte": born_by(day, register_age), f"{prefix}is_deceased": False,
           f"{prefix}merged_into__isnull": True}
    )  # fmt: skip


def is_elderly(person: Person, day: datetime.date, register_age: int) -> bool:
    age = person.age_on(day)
    return age is not None and age >= register_age and not person.is_deceased and person.merged_into_id is None


# --- 特殊困难老年人: what the data suggests ---------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the registry (and the other businesses, through hooks) says about one older person on one day."""

    age: int
    others_in_household: list[int | None]  # ages of the other living members of the household (None = unknown)
    has_household: bool
    special_statuses: frozenset[str]
    disability_grade: int | None
    programmes: frozenset[str]  # live programme codes of the household ("assistance:dibao" …)
    assessment_level: str = ""  # code of the latest assessment's level


def _alone(facts: Facts, rule: dict, register_age: int) -> str:
    if facts.has_household and not facts.others_in_household:
        return "户内无其他在世成员"
    return ""


def _empty_nest(facts: Facts, rule: dict, register_age: int) -> str:
    others = facts.others_in_household
    if facts.has_household and others and all(a is not None and a >= register_age for a in others):
        return f"户内其他 {len(others)} 名成员均为 {register_age} 周岁以上老年人"
    return ""


def _special_status(facts: Facts, rule: dict, register_age: int) -> str:
    from huimin.registry.codes import SPECIAL_STATUSES

    found = [s for s in rule.get("statuses", []) if s in facts.special_statuses]
    return "人员特殊身份：" + "、".join(SPECIAL_STATUSES.get(s, s) for s in found) if found else ""


def _disability(facts: Facts, rule: dict, register_age: int) -> str:
    grade = facts.disability_grade
    if grade is not None and grade <= int(rule.get("max_grade", 2)):
        return f"残疾等级 {grade} 级"
    return ""


def _age(facts: Facts, rule: dict, register_age: int) -> str:
    return f"年满 {facts.age} 周岁" if facts.age >= int(rule.get("min_age", 80)) else ""


def _programme(facts: Facts, rule: dict, register_age: int) -> str:
    found = [p for p in rule.get("programmes", []) if p in facts.programmes]
    return "家庭在保：" + "、".join(found) if found else ""


def _assessment(facts: Facts, rule: dict, register_age: int) -> str:
    return "最近一次能力评估为失能等级" if facts.assessment_level in rule.get("levels", []) else ""


DERIVATIONS = {
    "alone": _alone,
    "empty_nest": _empty_nest,
    "special_status": _special_status,
    "disability": _disability,
    "age": _age,
    "programme": _programme,
    "assessment": _assessment,
}


def suggested(categories: Iterable, facts: Facts, register_age: int) -> dict[str, str]:
    """category code → the basis the data gives for it (only categories the data suggests)."""
    out = {}
    for category in categories:
        bases = [DERIVATIONS[r["kind"]](facts, r, register_age) for r in category.rules if r.get("kind") in DERIVATIONS]
        bases = [b for b in bases if b]
        if bases:
            out[category.code] = "；".join(bases)[:200]
    return out


# --- 老年人能力综合评估 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    domain_totals: dict[str, int]
    total: int
    base_level: object  # Level row by total score
    level: object  # Level row after the standard's changes (昏迷, and one level up for an adjustment)


def level_for_total(total: int, levels: list) -> object | None:
    for level in levels:
        if level.min_total <= total <= level.max_total:
            return level
    return None


def assess(items: list, scores: dict[str, int], levels: list, *, coma: bool, adjusted: bool) -> Result:
    """``items`` all Item rows (with their domain), ``scores`` item code → score (already checked complete and
    valid), ``levels`` all Level rows. 昏迷 → the most dependent level; else any adjustment raises the level by one
    (never beyond the most dependent)."""
    domain_totals: dict[str, int] = {}
    for item in items:
        domain_totals[item.domain.code] = domain_totals.get(item.domain.code, 0) + scores[item.code]
    total = sum(domain_totals.values())
    by_rank = sorted(levels, key=lambda lv: lv.rank)
    base = level_for_total(total, by_rank)
    if coma:
        level = by_rank[-1]
    elif adjusted:
        level = by_rank[min(by_rank.index(base) + 1, len(by_rank) - 1)]
    else:
        level = base
    return Result(domain_totals, total, base, level)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
