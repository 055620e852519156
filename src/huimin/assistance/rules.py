"""Policy logic of social assistance: the figures come from data rows (Programme, RegionPolicy, Delegation,
WorkdayOverride), the shapes of the rules live here."""

import datetime
from decimal import Decimal

from django.db.models import Q

from huimin.assistance.models import (
    CURRENT_STATUSES,
    Delegation,
    EnrolmentMember,
    Programme,
    RegionPolicy,
    WorkdayOverride,
)
from huimin.core import regions, workdays
from huimin.registry.codes import LabourAbility

# --- calendar -------------------------------------------------------------------------------------------


def _applies(region_code: str | None, target_code: str) -> bool:
    if region_code is None:
        return True
    level = regions.level_of(region_code)
    return target_code.startswith(regions.prefix_of(region_code, level))


def workday_overrides(region_code: str) -> dict[datetime.date, bool]:
    """The local calendar changes that apply to a region: national rows first, then more specific ones."""
    rows = WorkdayOverride.objects.order_by("day").values_list("region_id", "day", "is_workday")
    ranked = sorted(
        (r for r in rows if _applies(r[0], region_code)), key=lambda r: 0 if r[0] is None else len(r[0].rstrip("0"))
    )
    return {day: is_workday for _, day, is_workday in ranked}


def due_date(start: datetime.date, working_days: int | None, region_code: str) -> datetime.date | None:
    if working_days is None:
        return None
    return workdays.add_workdays(start, working_days, workday_overrides(region_code))


def workdays_left(today: datetime.date, due: datetime.date, region_code: str) -> int:
    return workdays.workdays_between(today, due, workday_overrides(region_code))


# --- policy figures -------------------------------------------------------------------------------------


def policy_value(key: str, region_code: str, day: datetime.date, programme: Programme | None = None):
    """The figure in force for ``key`` at ``region_code`` on ``day``: the most specific region wins, then a
    programme-specific row over a general one, then the latest effective date. None when nothing is set."""
    rows = (
        RegionPolicy.objects.filter(key=key, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .filter(Q(programme__isnull=True) | Q(programme=programme))
    )
    best = None
    for row in rows:
        if not _applies(row.region_id, region_code):
            continue
        rank = (
            len(regions.prefix_of(row.region_id, regions.level_of(row.region_id))) if row.region_id else 0,
            1 if row.programme_id else 0,
            row.effective_from,
        )
        if best is None or rank > best[0]:
            best = (rank, row)
    return best[1].value if best else None


def grace_months(region_code: str, day: datetime.date, programme: Programme) -> int:
    value = policy_value("grace_months", region_code, day, programme)
    if value is None:
        raise LookupError("grace_months")
    return int(value)


# --- months and review cycles ---------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    return datetime.date(year, month % 12 + 1, 1)


def next_month(day: datetime.date) -> datetime.date:
    return add_months(month_start(day), 1)


def has_member_able_to_work(persons) -> bool:
    return any(p.labour_ability == LabourAbility.ABLE for p in persons)


def review_months(programme: Programme, income_unstable: bool, persons) -> int | None:
    """特困 and stable households: the default cycle (yearly in the plans); unstable income with a member able
    to work: the shorter one (half-yearly). None for one-off help."""
    cycle = programme.review_cycle or {}
    if not cycle:
        return None
    if income_unstable and "unstable_able_months" in cycle and has_member_able_to_work(persons):
        return int(cycle["unstable_able_months"])
    return int(cycle["default_months"])


# --- one programme at a time ----------------------------------------------------------------------------


def conflicting_memberships(programme: Programme, person_ids, exclude_enrolment_id=None):
    """Current enrolment memberships that forbid enrolling ``person_ids`` in ``programme`` (same exclusive
    group, e.g. 低保 and 特困)."""
    if not programme.exclusive_group:
        return EnrolmentMember.objects.none()
    qs = EnrolmentMember.objects.filter(
        person_id__in=list(person_ids),
        removed_on__isnull=True,
        enrolment__programme__exclusive_group=programme.exclusive_group,
        enrolment__status__in=CURRENT_STATUSES,
    )
    if exclude_enrolment_id:
        qs = qs.exclude(enrolment_id=exclude_enrolment_id)
    return qs.select_related("person", "enrolment__programme")


def ancestor_code(code12: str, level: int) -> str:
    return regions.prefix_of(code12, level).ljust(12, "0")


# --- delegation -----------------------------------------------------------------------------------------


def active_delegation(programme: Programme, household_region_code: str, day: datetime.date):
    """The delegation that lets the household's township confirm ``programme`` on ``day``, if any."""
    if not programme.delegable:
        return None
    county = ancestor_code(household_region_code, regions.COUNTY)
    township = ancestor_code(household_region_code, regions.TOWNSHIP)
    return (
        Delegation.objects.filter(programme=programme, county_id=county, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .filter(Q(township__isnull=True) | Q(township_id=township))
        .order_by("-effective_from", "-id")
        .first()
    )


def within_delegation(delegation, amount: Decimal | None) -> bool:
    if delegation is None:
        return False
    if delegation.max_amount is None or amount is None:
        return True
    return amount <= delegation.max_amount
