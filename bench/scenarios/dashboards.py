"""The statistics dashboard of a city: its data computed from the materialised monthly figures, against
computing the same figures live from the operational tables.

Setup (not timed): ``huimin demo generate`` (small 20,000 persons, full 1,000,000) copied into PostgreSQL under a
synthetic city 4198 (the generated codes 4117… moved to 4198…, not real codes; ids from 900,000,000 so nothing
collides with other scenarios): regions, households, persons (no ID numbers), and for the generated 低保 and 特困
households an approved application, the enrolment (start months spread over 24 months, one in 17 stopped) and
its members; one locked payroll month per county with a line per enrolment in 保. Reused while the city has
exactly that many enrolments.

Huimin path (timed): ``stats.compute.materialise`` of the latest month (the whole database, grouped aggregates),
then the dashboard's data (``stats.views._dashboard_data``: totals, 12-month trend, composition, urban/rural,
sub-regions) for the city and one county, with the 12 months already materialised (median of 5 runs).
Baseline: without materialisation, a dashboard would compute its 12 months live: 12 × the month computation
(``compute.figures_for``) — timed once for one month and multiplied by 12.
"""

import datetime
import json
import statistics
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
from django.db import connection, transaction
from django.utils import timezone

SIZES = {"small": 20_000, "full": 1_000_000}
TARGET_SECONDS = 3
CITY = "4198"
ID_BASE = 900_000_000
AS_OF = datetime.date(2026, 10, 31)
MONTH = datetime.date(2026, 10, 1)


def _code(code: str) -> str:
    return CITY + code[4:] if code.startswith("4117") else code


def _default(field, now):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    value = field.get_default()
    return json.dumps(value) if isinstance(value, dict | list) else value


def _copy(model, rows) -> None:
    """COPY the dicts of ``rows`` into ``model``'s table; unnamed columns get the field defaults."""
    now = timezone.now()
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and "id" not in first)]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    base = [_default(f, now) for f in fields]
    position = {f.attname: k for k, f in enumerate(fields)}
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in _chain(first, rows):
            values = base.copy()
            for name, value in row.items():
                values[position[name]] = value
            copy.write_row(values)


def _chain(first, rest):
    yield first
    yield from rest


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _wipe() -> None:
    ours = f"BETWEEN {ID_BASE} AND {ID_BASE + 50_000_000}"
    like = f"'{CITY}%%'"
    with connection.cursor() as c:
        c.execute(f"DELETE FROM benefits_payrollline WHERE region_id LIKE {like}")  # noqa: S608 - constants
        c.execute(f"DELETE FROM benefits_payrollmonth WHERE region_id LIKE {like}")  # noqa: S608
        c.execute(f"DELETE FROM assistance_enrolmentmember WHERE enrolment_id {ours}")  # noqa: S608
        c.execute(f"DELETE FROM assistance_enrolment WHERE id {ours}")  # noqa: S608
        c.execute(f"DELETE FROM assistance_application WHERE id {ours}")  # noqa: S608
        c.execute(f"UPDATE registry_household SET head_id = NULL WHERE id {ours}")  # noqa: S608
        c.execute(f"DELETE FROM registry_person WHERE id {ours}")  # noqa: S608
        c.execute(f"DELETE FROM registry_household WHERE id {ours}")  # noqa: S608
        c.execute(f"DELETE FROM stats_monthlyfigure WHERE region_id LIKE {like}")  # noqa: S608


def _setup(persons: int, workdir: Path) -> tuple[float, int]:
    from huimin.assistance.models import Application, Enrolment, EnrolmentMember, Programme
    from huimin.benefits.models import PayrollLine, PayrollMonth
    from huimin.core.models import Region, RoleAssignment, User
    from huimin.demo import generator
    from huimin.registry.models import Household, Person

    data = workdir / f"city-{persons}"
    if not (data / "manifest.json").exists():
        generator.generate(data, persons, 7, AS_OF)
    households = pq.read_table(
        data / "households.parquet",
        columns=["household_id", "village_code", "county_code", "head_person_id", "programme", "monthly_amount"],
    ).to_pydict()
    enrolled = [
        i for i, p in enumerate(households["programme"]) if p in ("dibao", "tekun_scattered", "tekun_concentrated")
    ]
    if Enrolment.objects.filter(region__code__startswith=CITY).count() == len(enrolled):
        return 0.0, len(enrolled)
    started = time.perf_counter()
    regions_rows = pq.read_table(data / "regions.parquet").to_pylist()
    people = pq.read_table(
        data / "persons.parquet",
        columns=["person_id", "household_id", "birth_date", "disability_grade", "village_code", "is_urban"],
    ).to_pydict()
    with transaction.atomic():
        _wipe()
        Region.objects.get_or_create(
            code=f"{CITY}00000000", defaults={"name": "基准测试市", "level": 2, "parent_id": "410000000000"}
        )
        for county in sorted({r["parent"] for r in regions_rows if r["level"] == 4}):
            Region.objects.get_or_create(
                code=_code(county),
                defaults={"name": f"基准县{county[4:6]}", "level": 3, "parent_id": f"{CITY}00000000"},
            )
        for r in sorted(regions_rows, key=lambda r: r["level"]):
            Region.objects.get_or_create(
                code=_code(r["code"]),
                defaults={
                    "name": r["name"],
                    "level": r["level"],
                    "parent_id": _code(r["parent"]),
                    "urban_rural_code": r["urban_rural_code"] or "",
                },
            )
        user, created = User.objects.get_or_create(username="bench_stats", defaults={"region_id": f"{CITY}00000000"})
        if created:
            RoleAssignment.objects.create(user=user, role="approver", line="assistance")
        n_h = len(households["household_id"])
        _copy(
            Household,
            (
                {
                    "id": ID_BASE + households["household_id"][i],
                    "number": f"BS{households['household_id'][i]}",
                    "region_id": _code(households["village_code"][i]),
                }
                for i in range(n_h)
            ),
        )
        _copy(
            Person,
            (
                {
                    "id": ID_BASE + people["person_id"][i],
                    "name": "基准",
                    "no_id_reason": "基准测试合成",
                    "region_id": _code(people["village_code"][i]),
                    "household_id": ID_BASE + people["household_id"][i],
                    "birth_date": people["birth_date"][i],
                    "disability_grade": people["disability_grade"][i] or None,
                    "is_urban": people["is_urban"][i],
                }
                for i in range(len(people["person_id"]))
            ),
        )
        with connection.cursor() as c:
            c.execute(
                f"UPDATE registry_household h SET head_id = p.id FROM (SELECT DISTINCT ON (household_id) id, "  # noqa: S608
                f"household_id FROM registry_person WHERE id BETWEEN {ID_BASE} AND {ID_BASE + 50_000_000} "
                "ORDER BY household_id, id) p WHERE h.id = p.household_id"
            )
        programmes = {p.code: p for p in Programme.objects.all()}
        code_of = {"dibao": "dibao", "tekun_scattered": "tekun_scattered", "tekun_concentrated": "tekun_central"}
        members_of: dict[int, list[int]] = {}
        for pid, hid in zip(people["person_id"], people["household_id"], strict=True):
            members_of.setdefault(hid, []).append(pid)
        apps, enrolments, members, lines = [], [], [], []
        months = {}
        for i in enrolled:
            hid = households["household_id"][i]
            programme = programmes[code_of[households["programme"][i]]]
            start = _add_months(MONTH, -(1 + hid % 24))
            ended = _add_months(MONTH, -(hid % 5)) + datetime.timedelta(days=9) if hid % 17 == 0 else None
            decided = timezone.make_aware(
                datetime.datetime.combine(start - datetime.timedelta(days=10), datetime.time(10))
            )
            region = _code(households["village_code"][i])
            amount = Decimal(households["monthly_amount"][i])
            covered = [households["head_person_id"][i]] if programme.scope == "person" else members_of.get(hid, [])
            apps.append(
                {
                    "id": ID_BASE + hid,
                    "number": f"BS{hid}",
                    "programme_id": programme.pk,
                    "household_id": ID_BASE + hid,
                    "applicant_id": ID_BASE + covered[0],
                    "region_id": region,
                    "channel": "window",
                    "reason": "基准",
                    "stage": "enrolled",
                    "stage_entered_on": decided.date(),
                    "approved_amount": amount,
                    "public_token": uuid.uuid4(),
                    "created_by_id": user.pk,
                    "decided_at": decided,
                    "created_at": decided - datetime.timedelta(days=20),
                }
            )
            enrolments.append(
                {
                    "id": ID_BASE + hid,
                    "programme_id": programme.pk,
                    "household_id": ID_BASE + hid,
                    "application_id": ID_BASE + hid,
                    "region_id": region,
                    "monthly_amount": amount,
                    "status": "stopped" if ended else "active",
                    "start_month": start,
                    "ended_on": ended,
                    "person_id": ID_BASE + covered[0] if programme.scope == "person" else None,
                }
            )
            removed = _add_months(ended, 1) if ended else None
            members += [
                {"enrolment_id": ID_BASE + hid, "person_id": ID_BASE + p, "added_on": start, "removed_on": removed}
                for p in covered
            ]
            if ended is None or ended >= MONTH:
                county = _code(households["county_code"][i])
                if county not in months:
                    months[county] = PayrollMonth.objects.create(region_id=county, month=MONTH, status="locked")
                lines.append(
                    {
                        "payroll_id": months[county].pk,
                        "enrolment_id": ID_BASE + hid,
                        "service_month": MONTH,
                        "kind": "regular",
                        "amount": amount,
                        "programme_code": programme.code,
                        "region_id": region,
                        "payee_id": ID_BASE + covered[0],
                    }
                )
        _copy(Application, apps)
        _copy(Enrolment, enrolments)
        _copy(EnrolmentMember, members)
        _copy(PayrollLine, lines)
    with connection.cursor() as c:
        for table in (
            "registry_person",
            "registry_household",
            "assistance_application",
            "assistance_enrolment",
            "assistance_enrolmentmember",
            "benefits_payrollline",
        ):
            c.execute(f"ANALYZE {table}")
    return time.perf_counter() - started, len(enrolled)


def run(size: str, workdir) -> dict:
    from huimin.core.models import Region, User
    from huimin.stats import compute, figures
    from huimin.stats.views import _dashboard_data

    persons = SIZES[size]
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    setup_s, enrolled = _setup(persons, workdir)
    user = User.objects.get(username="bench_stats")
    user.role_pairs = (("statistician", "assistance"),)  # in memory: the dashboards as the city's statistician
    user.region_id = f"{CITY}00000000"
    city = Region.objects.get(code=f"{CITY}00000000")
    county = Region.objects.filter(code__startswith=CITY, level=3).order_by("code").first()

    t0 = time.perf_counter()
    run_row = compute.materialise(MONTH, actor="bench")
    materialise_s = time.perf_counter() - t0
    for m in figures.months_back(MONTH, 12)[:-1]:
        compute.materialise(m, actor="bench")
    city_times, county_times = [], []
    for _ in range(5):
        t = time.perf_counter()
        data = _dashboard_data(user, city, MONTH)
        city_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        _dashboard_data(user, county, MONTH)
        county_times.append(time.perf_counter() - t)
    t = time.perf_counter()
    live = compute.figures_for(MONTH)
    live_month_s = time.perf_counter() - t
    city_s, county_s = statistics.median(city_times), statistics.median(county_times)
    baseline_s = live_month_s * 12
    total = data["total"]
    mine = sum(v["persons"] for k, v in live.items() if k[0].startswith(CITY))
    return {
        "scenario": "dashboards",
        "sizes": {
            "persons": persons,
            "enrolments": enrolled,
            "persons_in_bao": total["persons"],
            "figure_rows_per_month": run_row.rows,
        },
        "timings_s": {
            "setup_not_timed": round(setup_s, 1),
            "materialise_month": round(materialise_s, 3),
            "dashboard_city": round(city_s, 3),
            "dashboard_county": round(county_s, 3),
            "dashboard_city_runs": [round(x, 3) for x in city_times],
            "baseline_live_one_month": round(live_month_s, 3),
            "baseline_live_12_months": round(baseline_s, 3),
        },
        "ratios": {"live_over_materialised": round(baseline_s / city_s, 1)},
        "peak_memory_mb": None,
        "targets": {f"dashboard data for {persons:,} persons < {TARGET_SECONDS} s": city_s < TARGET_SECONDS},
        "notes": (
            f"{enrolled:,} enrolments of the generated city; {total['persons']:,} persons in 保 in {MONTH:%Y-%m} "
            f"(live computation agrees: {mine == total['persons']}). Dashboard: median of 5 runs over the 12 "
            "materialised months (the first view of a never-computed month also materialises it: "
            f"{materialise_s:.2f} s per month here). Baseline: the same 12 months computed live "
            "(one month timed × 12). How busy the machine was: load_average. "
            + ("Setup reused." if not setup_s else f"Setup (generate + COPY) took {setup_s:.0f} s, not timed.")
        ),
    }
