"""婚姻登记 statistics in the actor's region: registrations by month, office and type; the average age at first
marriage; cooling-off withdrawals and lapses; appointment use and no-shows. A few GROUP BY queries."""

import datetime

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth

from huimin.core.scope import scoped
from huimin.marriage import capabilities as cap
from huimin.marriage.models import Appointment, DivorceApplication, Kind, Record, Refusal


def _avg_age(qs, side: str) -> float | None:
    rows = qs.filter(**{f"first_marriage_{side}": True, f"{side}_birth_date__isnull": False}).values_list(
        "registered_on", f"{side}_birth_date"
    )
    total = n = 0
    for registered, born in rows.iterator(chunk_size=5000):
        total += (registered - born).days / 365.2425
        n += 1
    return round(total / n, 1) if n else None


def year_figures(actor, year: int) -> dict:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    records = scoped(
        Record.objects.filter(registered_on__range=(start, end), source=Record.Source.REGISTERED),
        actor,
        capability=cap.VIEW,
    )
    by_month = {m: {"marriage": 0, "divorce": 0} for m in range(1, 13)}
    for row in records.annotate(m=ExtractMonth("registered_on")).values("m", "kind").annotate(n=Count("id")):
        by_month[row["m"]][row["kind"]] = row["n"]
    by_office = list(
        records.values(name=F("office_name"))
        .annotate(marriage=Count("id", filter=Q(kind="marriage")), divorce=Count("id", filter=Q(kind="divorce")))
        .order_by("name")
    )
    marriages = records.filter(kind="marriage")
    apps = scoped(DivorceApplication.objects.filter(received_on__range=(start, end)), actor, "office__region", cap.VIEW)
    app_counts = dict(apps.values_list("status").annotate(n=Count("id")))
    appts = scoped(Appointment.objects.filter(day__range=(start, end)), actor, "office__region", cap.VIEW)
    appt_counts = dict(appts.values_list("status").annotate(n=Count("id")))
    refusals = scoped(Refusal.objects.filter(day__range=(start, end)), actor, "office__region", cap.VIEW).count()
    booked = (
        sum(n for s, n in appt_counts.items() if s != Appointment.Status.CANCELLED) - appts.filter(walk_in=True).count()
    )
    no_shows = appt_counts.get(Appointment.Status.NO_SHOW, 0)
    return {
        "year": year,
        "by_month": [{"month": m, **v} for m, v in by_month.items()],
        "by_office": by_office,
        "totals": {
            "marriage": marriages.count(),
            "divorce": records.filter(kind="divorce").count(),
            "refusals": refusals,
        },
        "first_age": {"male": _avg_age(marriages, "male"), "female": _avg_age(marriages, "female")},
        "applications": {s.label: app_counts.get(s.value, 0) for s in DivorceApplication.Status},
        "appointments": {s.label: appt_counts.get(s.value, 0) for s in Appointment.Status},
        "appointment_kinds": {Kind(k).label: n for k, n in appts.values_list("kind").annotate(n=Count("id"))},
        "walk_ins": appts.filter(walk_in=True).count(),
        "no_show_rate": round(100 * no_shows / booked, 1) if booked else None,
    }
