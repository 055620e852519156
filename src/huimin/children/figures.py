"""The figures of 儿童福利, computed once for every reader: the case KPIs of Primero (caseload per worker, report →
first response, opening → closure, open cases with an approved plan, follow-up visits done vs due) for the
个案工作指标 page (``services.kpis``: the cases an actor sees, by township) and for the statistics (the ``stats``
indicators of a region and month, through ``huimin.stats.indicators``), and the counts of the four registers and of
收养登记. Counts and means only: no child, reporter or adopter is named (the statistician reads them).

Everything is read from dated data, so a past period gives the same figures later: a case is open at a moment when it
was reported before it and not closed by then; a plan counts when it was approved before it; a follow-up visit is
due on the date it was due (``FollowUp.due_on``, or the open case's ``next_visit_due``) and done when it was made by
the period's end. A period is [start, end): a case reported on the last day of a month is the month's.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from huimin.children.models import Adoption, Assignment, Case, FollowUp, Plan, RegisterEntry
from huimin.core import regions
from huimin.core.scope import subtree

HUNDRED = Decimal(100)


def aware(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the local time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class CaseFigures:
    cases: int = 0  # reported before the period's end
    reported: int = 0  # reported within the period
    open: int = 0  # open at the period's end
    open_with_plan: int = 0  # of those, with a plan approved before the end
    response_hours: list = field(default_factory=list)  # cases first responded to within the period
    closure_days: list = field(default_factory=list)  # cases closed within the period: days from the report
    visits_due: int = 0  # follow-up visits due within the period
    visits_done: int = 0  # of those, made by the period's end
    caseload: dict = field(default_factory=dict)  # worker (user id) → open cases at the end

    @staticmethod
    def _mean(values: list) -> Decimal | None:
        return _q(Decimal(sum(values)) / len(values)) if values else None

    @property
    def mean_response_hours(self) -> Decimal | None:
        return self._mean(self.response_hours)

    @property
    def mean_closure_days(self) -> Decimal | None:
        return self._mean(self.closure_days)

    @property
    def plan_share(self) -> Decimal | None:
        return _q(Decimal(self.open_with_plan) / self.open * HUNDRED) if self.open else None

    @property
    def visit_rate(self) -> Decimal | None:
        return _q(Decimal(self.visits_done) / self.visits_due * HUNDRED) if self.visits_due else None

    @property
    def caseload_per_worker(self) -> Decimal | None:
        workers = len(self.caseload)
        return _q(Decimal(sum(self.caseload.values())) / workers) if workers else None


def case_figures(cases, *, start: datetime.date | None, end: datetime.date, level: int | None = None) -> dict:
    """The KPIs of ``cases`` (a queryset) for the period [start, end) (``start`` None: since the first case), by the
    region prefix of ``level`` (None: one total under the key ""). Six queries whatever the number of cases."""
    end_at = aware(end)
    start_at = aware(start) if start is not None else None
    rows = list(
        cases.filter(reported_at__lt=end_at).values_list(
            "pk", "region_id", "reported_at", "first_response_at", "closed_at", "next_visit_due"
        )
    )
    out: dict[str, CaseFigures] = {}
    key_of = {}
    open_ids = []
    for pk, region_id, reported, responded, closed, next_due in rows:
        key = regions.prefix_of(region_id, level) if level is not None else ""
        key_of[pk] = key
        f = out.setdefault(key, CaseFigures())
        f.cases += 1
        f.reported += start_at is None or reported >= start_at
        if closed is None or closed >= end_at:
            f.open += 1
            open_ids.append(pk)
        if responded is not None and responded < end_at and (start_at is None or responded >= start_at):
            f.response_hours.append(Decimal((responded - reported).total_seconds()) / 3600)
        if closed is not None and closed < end_at and (start_at is None or closed >= start_at):
            f.closure_days.append((closed - reported).days)
        # a visit still pending (the case not closed since): due within the period, not made
        if next_due is not None and closed is None and next_due < end and (start is None or next_due >= start):
            f.visits_due += 1
    ids = list(key_of)
    planned = set(
        Plan.objects.filter(case_id__in=open_ids, status=Plan.Status.APPROVED, decided_at__lt=end_at)
        .values_list("case_id", flat=True)
        .distinct()
    )
    for pk in planned:
        out[key_of[pk]].open_with_plan += 1
    visits = FollowUp.objects.filter(case_id__in=ids, due_on__lt=end)
    if start is not None:
        visits = visits.filter(due_on__gte=start)
    for case_id, visited_on in visits.values_list("case_id", "visited_on"):
        f = out[key_of[case_id]]
        f.visits_due += 1
        f.visits_done += visited_on < end
    workers = Assignment.objects.filter(case_id__in=open_ids, role=Assignment.Role.WORKER, assigned_at__lt=end_at)
    workers = workers.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end_at))
    for case_id, user_id in workers.values_list("case_id", "user_id").distinct():
        load = out[key_of[case_id]].caseload
        load[user_id] = load.get(user_id, 0) + 1
    return out


def total(cases, *, start: datetime.date | None, end: datetime.date) -> CaseFigures:
    return case_figures(cases, start=start, end=end).get("", CaseFigures())


def region_cases(prefix: str):
    """Every case of a region's subtree (the statistics: counts only)."""
    return Case.objects.filter(subtree("region", prefix))


# --- registers and 收养登记 ------------------------------------------------------------------------------------------


def register_count(prefix: str, category_code: str, day: datetime.date) -> int:
    """Children in the register ``category_code`` on ``day`` (entered by then, not ended by then) in the subtree."""
    return (
        RegisterEntry.objects.filter(subtree("region", prefix), category__code=category_code, entered_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .values("person_id")
        .distinct()
        .count()
    )


def adoption_counts(prefix: str, day: datetime.date) -> tuple[int, int]:
    """收养登记 registered and 解除收养 registered from 1 January of ``day``'s year to ``day`` (the region is the
    child's place, where the registration is made)."""
    year_start = datetime.date(day.year, 1, 1)
    qs = Adoption.objects.filter(subtree("region", prefix))
    registered = qs.filter(registered_on__gte=year_start, registered_on__lte=day).count()
    dissolved = qs.filter(dissolved_on__gte=year_start, dissolved_on__lte=day).count()
    return registered, dissolved
