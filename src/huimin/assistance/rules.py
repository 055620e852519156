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


def workday_overrides(region_code: str) -> dict[datetime.date, bool]:
    """The local calendar changes that apply to a region, day by day the most specific region's row
    (core.regions.in_force)."""
    rows = WorkdayOverride.objects.values_list("region_id", "day", "is_workday", "pk")
    by_day: dict[datetime.date, list] = {}
    for row in rows:
        by_day.setdefault(row[1], []).append(row)
    chosen = {
        day: regions.in_force(
            day_rows, region_code, region=lambda r: r[0], effective_from=lambda r: r[1], tiebreak=lambda r: (r[3],)
        )
        for day, day_rows in sorted(by_day.items())
    }
    return {day: row[2] for day, row in chosen.items() if row is not None}


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
    best = regions.in_force(
        rows,
        region_code,
        region=lambda row: row.region_id,
        effective_from=lambda row: row.effective_from,
        narrower=lambda row: (row.programme_id is not None,),
        tiebreak=lambda row: (row.pk,),
    )
    return best.value if best else None


def grace_months(region_code: str, day: datetime.date, programme: Programme) -> int:
    value = policy_value("grace_months", region_code, day, programme)
    if value is None:
        raise LookupError("grace_months")
    return int(value)


DEATH_STOP_MONTHS_DEFAULT = 1  # national rule: benefits stop from the month after death


def death_stop_month(region_code: str, death_date: datetime.date, programme: Programme | None = None):
    """The first month not paid after a death: the region's RegionPolicy "death_stop_months" (months after the
    month of death) in force on the day of death, the national default (the month after) where none is set."""
    value = policy_value("death_stop_months", region_code, death_date, programme)
    months = int(value) if value is not None else DEATH_STOP_MONTHS_DEFAULT
    return add_months(month_start(death_date), max(months, 1))


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


# --- delegation -----------------------------------------------------------------------------------------


def active_delegation(programme: Programme, household_region_code: str, day: datetime.date):
    """The delegation that lets the household's township confirm ``programme`` on ``day``, if any."""
    if not programme.delegable:
        return None
    county = regions.ancestor_code(household_region_code, regions.COUNTY)
    township = regions.ancestor_code(household_region_code, regions.TOWNSHIP)
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
