"""Materialise a month's figures: grouped aggregates in the database (portable ORM, PostgreSQL or the demo's
SQLite), one MonthlyFigure row per village × urban/rural × programme, replaced as a whole in one transaction.

What "in a month" means, always from dated data (never an enrolment's current status):

- 在保 (households): an enrolment that started on or before the month (``start_month``) and has not ended before
  it (``ended_on`` empty or within/after the month: a stop decided in a month still pays that month and ends
  from the next, as huimin.assistance.services does).
- 在保人数: a covered member added on or before the month and not removed by its end (``removed_on`` is the first
  month without cover); 老年人/未成年人 by age at the month's last day against the ages of ``CountingAge`` (data);
  残疾人 by a recorded disability grade.
- 新增: ``start_month`` (households) or ``added_on`` (persons) is the month; 退出: ``ended_on`` in the month
  (households), ``removed_on`` the next month (persons).
- 发放金额: lines of locked payroll months for the month (补发 and 追回 included: what was paid in the month).
- 申请: received by ``created_at``, decided (批准/不予批准) by ``decided_at``; days taken are calendar days from
  receipt to decision; on time when the working days taken are within the sum of the programme's stage deadlines.
- 核对: reports by their date (verification.Report created, ManualVerification report_date), by conclusion.
- 预警: raised by ``raised_at``, closed by ``closed_at``.

Urban or rural: the region's 城乡分类代码 (1xx 城镇, 2xx 乡村) or, where the region has none, the household
head's registered attribute — the rule huimin.engine.export uses.
"""

import datetime
import time
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import BooleanField, Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from huimin.assistance.models import Application, Enrolment, EnrolmentMember, ManualVerification, Stage
from huimin.benefits.models import PayrollLine, PayrollMonth
from huimin.core import workdays
from huimin.core.conclusions import Conclusion
from huimin.monitoring.models import Warning
from huimin.stats import defaults
from huimin.stats.models import FIGURES, CountingAge, MonthlyFigure, MonthRun
from huimin.verification.models import Report


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def urban_expression(region_path: str, household_path: str):
    """True when the row's region is 城镇 (1xx), False when 乡村 (2xx), else the household head's attribute."""
    return Case(
        When(**{f"{region_path}__urban_rural_code__startswith": "1"}, then=Value(True)),
        When(**{f"{region_path}__urban_rural_code__startswith": "2"}, then=Value(False)),
        default=Coalesce(F(f"{household_path}__head__is_urban"), Value(False)),
        output_field=BooleanField(),
    )


def _allowed_workdays(stages: list, deadlines: dict) -> int:
    return sum(int(deadlines.get(stage) or 0) for stage in stages)


def figures_for(month: datetime.date) -> dict[tuple[str, bool, str], dict]:
    """The month's figures keyed by (region code, is urban, programme code)."""
    month = month_start(month)
    following = add_months(month, 1)
    last_day = month_end(month)
    start_dt, end_dt = _aware(month), _aware(following)
    out: dict[tuple[str, bool, str], dict] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))

    def add(rows, region, programme, mapping):
        for row in rows:
            key = (row[region], bool(row["urban"]), row[programme] if programme else "")
            figures = out[key]
            for target, source in mapping.items():
                figures[target] += row[source] or 0

    enrolments = (
        Enrolment.objects.filter(start_month__lte=month)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=month))
        .annotate(urban=urban_expression("region", "household"))
        .values("region_id", "urban", "programme__code")
        .annotate(
            h=Count("household_id", distinct=True),
            new=Count("household_id", distinct=True, filter=Q(start_month=month)),
            stopped=Count("household_id", distinct=True, filter=Q(ended_on__gte=month, ended_on__lt=following)),
        )
        .order_by()
    )
    add(enrolments, "region_id", "programme__code", {"households": "h", "new_households": "new",
                                                     "stopped_households": "stopped"})  # fmt: skip

    ages = {**defaults.AGES, **dict(CountingAge.objects.values_list("code", "age"))}  # a missing row: the seed
    elderly_born_by = years_before(last_day, ages["elderly"])
    minors_born_after = years_before(last_day, ages["adult"])
    members = (
        EnrolmentMember.objects.filter(added_on__lte=month, enrolment__start_month__lte=month)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=month))
        .annotate(urban=urban_expression("enrolment__region", "enrolment__household"))
        .values("enrolment__region_id", "urban", "enrolment__programme__code")
        .annotate(
            p=Count("person_id", distinct=True),
            new=Count("person_id", distinct=True, filter=Q(added_on=month)),
            stopped=Count("person_id", distinct=True, filter=Q(removed_on=following)),
            elderly=Count("person_id", distinct=True, filter=Q(person__birth_date__lte=elderly_born_by)),
            minors=Count("person_id", distinct=True, filter=Q(person__birth_date__gt=minors_born_after)),
            disabled=Count("person_id", distinct=True, filter=Q(person__disability_grade__isnull=False)),
        )
        .order_by()
    )
    add(members, "enrolment__region_id", "enrolment__programme__code", {
        "persons": "p", "new_persons": "new", "stopped_persons": "stopped", "elderly": "elderly",
        "minors": "minors", "disabled": "disabled"})  # fmt: skip

    paid = (
        PayrollLine.objects.filter(payroll__status=PayrollMonth.Status.LOCKED, payroll__month=month)
        .annotate(urban=urban_expression("region", "enrolment__household"))
        .values("region_id", "urban", "programme_code")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    add(paid, "region_id", "programme_code", {"amount_paid": "total"})

    received = (
        Application.objects.filter(created_at__gte=start_dt, created_at__lt=end_dt)
        .annotate(urban=urban_expression("region", "household"))
        .values("region_id", "urban", "programme__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    add(received, "region_id", "programme__code", {"apps_received": "n"})

    decided = (
        Application.objects.filter(
            stage__in=[Stage.ENROLLED, Stage.REFUSED], decided_at__gte=start_dt, decided_at__lt=end_dt
        )
        .annotate(urban=urban_expression("region", "household"))
        .values_list(
            "region_id",
            "urban",
            "programme__code",
            "stage",
            "created_at",
            "decided_at",
            "approved_amount",
            "programme__one_off",
            "programme__stages",
            "programme__deadlines",
        )  # fmt: skip
    )
    for region, urban, code, stage, created, decided_at, amount, one_off, stages, deadlines in decided.iterator():
        figures = out[(region, bool(urban), code)]
        received_on, decided_on = timezone.localdate(created), timezone.localdate(decided_at)
        figures["apps_approved" if stage == Stage.ENROLLED else "apps_refused"] += 1
        figures["apps_days"] += max((decided_on - received_on).days, 0)
        if workdays.workdays_between(received_on, decided_on) <= _allowed_workdays(stages, deadlines):
            figures["apps_on_time"] += 1
        if stage == Stage.ENROLLED and one_off and amount:
            figures["amount_approved"] += amount

    conclusions = {Conclusion.ELIGIBLE: "verif_eligible", Conclusion.NOT_ELIGIBLE: "verif_not_eligible",
                   Conclusion.NEEDS_VISIT: "verif_needs_visit"}  # fmt: skip
    reports = (
        Report.objects.filter(created_at__gte=start_dt, created_at__lt=end_dt)
        .annotate(urban=urban_expression("region", "household"))
        .values("region_id", "urban", "programme", "conclusion")
        .annotate(n=Count("id"))
        .order_by()
    )
    manual = (
        ManualVerification.objects.filter(report_date__gte=month, report_date__lt=following)
        .exclude(status__in=[ManualVerification.Status.PENDING, ManualVerification.Status.REJECTED])
        .annotate(urban=urban_expression("application__region", "application__household"))
        .values("application__region_id", "urban", "application__programme__code", "conclusion")
        .annotate(n=Count("id"))
        .order_by()
    )
    for rows, region, programme in ((reports, "region_id", "programme"),
                                    (manual, "application__region_id", "application__programme__code")):  # fmt: skip
        for row in rows:
            field = conclusions.get(row["conclusion"])
            if field:
                out[(row[region], bool(row["urban"]), row[programme])][field] += row["n"]

    for field, column in (("warnings_raised", "raised_at"), ("warnings_closed", "closed_at")):
        rows = (
            Warning.objects.filter(**{f"{column}__gte": start_dt, f"{column}__lt": end_dt})
            .annotate(urban=urban_expression("region", "household"))
            .values("region_id", "urban")
            .annotate(n=Count("id"))
            .order_by()
        )
        add(rows, "region_id", None, {field: "n"})
    return out


def materialise(month: datetime.date, actor: str = "") -> MonthRun:
    """Recompute one month's figures for the whole database and replace the stored ones (atomically)."""
    month = month_start(month)
    started = time.perf_counter()
    figures = figures_for(month)
    rows = [
        MonthlyFigure(month=month, region_id=region, is_urban=urban, programme=programme, **values)
        for (region, urban, programme), values in figures.items()
        if any(values.values())
    ]
    for row in rows:
        row.amount_paid = Decimal(row.amount_paid).quantize(Decimal("0.01"))
        row.amount_approved = Decimal(row.amount_approved).quantize(Decimal("0.01"))
    with transaction.atomic():
        MonthlyFigure.objects.filter(month=month).delete()
        MonthlyFigure.objects.bulk_create(rows, batch_size=2000)
        run, _ = MonthRun.objects.update_or_create(
            month=month,
            defaults={
                "computed_at": timezone.now(),
                "computed_by": actor,
                "rows": len(rows),
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
    return run


# A month is settled once it has been computed this long after its end: later payroll locks, reports or
# closures dated in it are then unlikely; until then a stored month older than REFRESH is recomputed on view.
SETTLE_DAYS = 10
REFRESH = datetime.timedelta(minutes=10)


def is_stale(run: MonthRun | None, month: datetime.date, now: datetime.datetime | None = None) -> bool:
    if run is None:
        return True
    now = now or timezone.now()
    settled = timezone.localtime(run.computed_at).date() >= month_end(month) + datetime.timedelta(days=SETTLE_DAYS)
    return not settled and now - run.computed_at > REFRESH


def ensure(months: list[datetime.date]) -> None:
    """Materialise the months that were never computed or are stale (see ``is_stale``)."""
    runs = {r.month: r for r in MonthRun.objects.filter(month__in=months)}
    now = timezone.now()
    for month in months:
        if is_stale(runs.get(month), month, now):
            materialise(month, actor="system")
