"""探访关爱 at city scale: the month's 探访 coverage by village and the overdue list over ≈ 200,000 older people
(≈ 30,000 特殊困难), against the same computed person by person through the ORM.

Setup (not timed): a synthetic county at code 411794 (not a real code; 10 townships × 20 villages) under 驻马店,
with N older people COPY-loaded into the registry (born 1930–1965), S of them with a confirmed 独居 mark (重点关爱:
monthly) and S/10 of those 重残 (高风险: weekly), a visitor per village and every person assigned to it, and the
visits of the last months (most in time, one in seven late); reused while the county holds exactly N persons.

Huimin path (timed): ``elderly.visits.schedule`` of the county on the month's last day (tiers, frequencies, last
visit, assignment, due date for everybody, in a few bulk queries), ``visits.overdue`` on it and
``visits.coverage`` by village from the same schedule. Baseline: the same per person through the ORM (his
confirmed categories, latest assessment, override, last visit, assignment: one query each) on a sample,
extrapolated linearly to N. ``measure_visits(persons, special, sample)`` is the function the joined
``elderly`` scenario calls.
"""

import datetime
import os
import random
import sys
import time

from bench.scenarios.registry import _ids, _names, _peak_mb, _setup_django

SIZES = {"small": (20_000, 3_000, 300), "full": (200_000, 30_000, 1_000)}
TARGET_SECONDS = 2.0
COUNTY = "411794"
CITY = "411700000000"
TOWNSHIPS, VILLAGES = 10, 20
DAY = datetime.date(2026, 11, 30)  # the month measured: November 2026, on its last day
LATE_ONE_IN = 7


def _regions() -> list[str]:
    from huimin.core.models import Region

    county = f"{COUNTY}000000"
    Region.objects.get_or_create(code=county, defaults={"name": "基准县", "level": 3, "parent_id": CITY})
    villages = []
    for t in range(1, TOWNSHIPS + 1):
        town = f"{COUNTY}{t:03d}000"
        Region.objects.get_or_create(code=town, defaults={"name": f"基准镇{t}", "level": 4, "parent_id": county})
        for v in range(1, VILLAGES + 1):
            code = f"{COUNTY}{t:03d}{v:03d}"
            Region.objects.get_or_create(code=code, defaults={"name": f"基准镇{t}村{v}", "level": 5,
                                                              "parent_id": town})  # fmt: skip
            villages.append(code)
    return villages


def _clear(cursor) -> None:
    like = f"{COUNTY}%"
    for sql in (
        "DELETE FROM elderly_visit WHERE region_id LIKE %s",
        "DELETE FROM elderly_visitassignment WHERE person_id IN "
        "(SELECT id FROM registry_person WHERE region_id LIKE %s)",
        "DELETE FROM elderly_visitor_villages WHERE region_id LIKE %s",
        "DELETE FROM elderly_visitor WHERE township_id LIKE %s",
        "DELETE FROM elderly_categorymark WHERE person_id IN (SELECT id FROM registry_person WHERE region_id LIKE %s)",
        "DELETE FROM registry_person WHERE region_id LIKE %s",
    ):
        cursor.execute(sql, [like])


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def setup(persons: int, special: int) -> None:
    """The synthetic county's older people, marks, visitors, assignments and visits (COPY; reused when present)."""
    from functools import lru_cache

    from django.db import connection, transaction
    from django.utils import timezone

    from huimin.core import crypto
    from huimin.elderly.models import Category
    from huimin.registry import persons as person_names
    from huimin.registry.models import Person

    villages = _regions()
    if Person.objects.filter(region__code__startswith=COUNTY).count() == persons:
        return
    rng = random.Random(20261206)
    pinyin = lru_cache(maxsize=None)(person_names.pinyin_of)
    names = _names(rng, 5000)
    now = timezone.now()
    columns = ["name", "name_pinyin", "name_initials", "id_number", "id_number_bidx", "id_number_sfx",
               "disability_cert_no_bidx", "no_id_reason", "sex", "birth_date", "ethnicity", "region_id",
               "has_residence_permit", "is_urban", "urban_rural_overridden", "phone", "phone_bidx", "bank_account",
               "bank_name", "labour_ability", "health", "serious_illness", "disability_category",
               "disability_cert_no", "marital_status", "education", "special_statuses", "is_deceased", "created_at",
               "updated_at"]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        _clear(cursor)

        def person_rows():
            for k, (number, birth) in enumerate(_ids(COUNTY, persons, datetime.date(1930, 1, 1))):
                if birth > datetime.date(1965, 12, 31):  # keep everybody ≥ 60 on DAY
                    birth = birth.replace(year=birth.year - 40)
                name = names[k % len(names)]
                full, initials = pinyin(name)
                yield (name, full, initials, crypto.encrypt(number), crypto.blind_index("id_number", number),
                       crypto.suffix_index("id_number", number, 6), "", "", "1" if k % 2 else "2", birth, "01",
                       villages[k % len(villages)], False, False, False, "", "", "", "", "able", "healthy", "", "",
                       "", "20", "", "[]", False, now, now)  # fmt: skip

        _copy(cursor, "registry_person", columns, person_rows())
        ids = list(Person.objects.filter(region__code__startswith=COUNTY).order_by("pk").values_list("pk", "region_id"))
        alone, severe = Category.objects.get(code="living_alone").pk, Category.objects.get(code="severe_disability").pk
        marked = ids[:: max(1, len(ids) // special)][:special]
        mark_rows = [(pk, alone) for pk, _ in marked] + [(pk, severe) for pk, _ in marked[::10]]
        _copy(cursor, "elderly_categorymark", ["person_id", "category_id", "status", "source", "basis", "source_date",
                                               "note"],
              ((pk, c, "confirmed", "township", "基准", DAY, "") for pk, c in mark_rows))  # fmt: skip
        visitor_of = {}
        for code in villages:
            cursor.execute(
                "INSERT INTO elderly_visitor (name, kind, phone, township_id, is_active) "
                "VALUES (%s, 'cadre', '', %s, true) RETURNING id", [f"{code}探访员", code[:9] + "000"],
            )  # fmt: skip
            visitor_of[code] = cursor.fetchone()[0]
            cursor.execute("INSERT INTO elderly_visitor_villages (visitor_id, region_id) VALUES (%s, %s)",
                           [visitor_of[code], code])  # fmt: skip
        since = DAY - datetime.timedelta(days=400)
        _copy(cursor, "elderly_visitassignment", ["person_id", "visitor_id", "since"],
              ((pk, visitor_of[v], since) for pk, v in ids))  # fmt: skip
        user_id = _user()
        special_ids = {pk for pk, _ in marked}

        def visit_rows():
            for pk, village in ids:
                period = 30 if pk in special_ids else 90
                back = period + period // 2 + pk % 5 if pk % LATE_ONE_IN == 0 else pk % (period - 2)
                yield (pk, village, visitor_of[village], DAY - datetime.timedelta(days=back), True, "good", "good", "",
                       "", "", user_id, False, now)  # fmt: skip

        _copy(cursor, "elderly_visit", ["person_id", "region_id", "visitor_id", "visited_on", "seen_in_person",
                                        "living", "health", "needs", "note", "photo", "recorded_by_id", "offline",
                                        "created_at"], visit_rows())  # fmt: skip
        for table in ("registry_person", "elderly_visit", "elderly_visitassignment", "elderly_categorymark"):
            cursor.execute(f"ANALYZE {table}")


def _user() -> int:
    from huimin.core.models import User

    user, _ = User.objects.get_or_create(username="bench_visits", defaults={"full_name": "基准探访录入"})
    return user.pk


def _per_person(pk: int, village: str, day: datetime.date, age: int, tiers, freq_rows) -> tuple:
    """The ORM baseline: one person's due date, one query per fact."""
    from django.db.models import Max

    from huimin.elderly import visits
    from huimin.elderly.models import Assessment, CategoryMark, TierOverride, Visit, VisitAssignment

    marks = set(CategoryMark.objects.filter(person_id=pk, status="confirmed").values_list("category__code", flat=True))
    latest = Assessment.objects.filter(person_id=pk).order_by("-assessed_on", "-id").select_related("level").first()
    override = TierOverride.objects.filter(person_id=pk, ended_on__isnull=True).first()
    tier = override.tier if override else visits.derive_tier(marks, latest.level.rank if latest else None, tiers)
    freq = visits.frequency_for(tier.pk, village, freq_rows)
    last = Visit.objects.filter(person_id=pk, visited_on__lte=day).aggregate(m=Max("visited_on"))["m"]
    assigned = VisitAssignment.objects.filter(person_id=pk, ended_on__isnull=True).first()
    base = last or (assigned.since if assigned else day)
    due = visits.due_on(base, freq.period_days)
    return pk, due, day > due


def measure_visits(persons: int = 200_000, special: int = 30_000, sample: int = 1_000) -> dict:
    """Set up (untimed) and time the month's coverage by village and the overdue list, beside the ORM baseline."""
    from huimin.elderly import services, visits
    from huimin.registry.models import Person

    started = time.perf_counter()
    setup(persons, special)
    setup_s = round(time.perf_counter() - started, 2)
    age = services.register_age()
    prefix = COUNTY
    started = time.perf_counter()
    rows = visits.schedule(prefix, DAY, age)
    late = visits.overdue(rows, DAY, now=datetime.datetime.combine(DAY, datetime.time(23, 59), datetime.UTC))
    by_village = visits.coverage(prefix, DAY, age, rows=rows)
    huimin_s = round(time.perf_counter() - started, 3)
    tiers, freq_rows = visits.tiers(), visits.frequencies(DAY)
    picked = list(Person.objects.filter(region__code__startswith=COUNTY).order_by("pk").values_list("pk", "region_id")
                  [:: max(1, persons // sample)][:sample])  # fmt: skip
    started = time.perf_counter()
    baseline = [_per_person(pk, v, DAY, age, tiers, freq_rows) for pk, v in picked]
    sample_s = time.perf_counter() - started
    projected = round(sample_s / len(picked) * persons, 2)
    # the two paths agree on the sample
    fast = {d.person_id: d.due for d in rows}
    agree = all(fast.get(pk) == due for pk, due, _ in baseline)
    due_monthly = sum(c.due for c in by_village)
    return {
        "sizes": {"older_people": persons, "special": special, "villages": len(by_village), "baseline_sample": sample},
        "timings_s": {
            "setup_copy_s": setup_s,
            "coverage_and_overdue_s": huimin_s,
            "baseline_per_person_projected_s": projected,
        },  # fmt: skip
        "ratios": {"baseline / huimin": round(projected / huimin_s, 1) if huimin_s else None},
        "results": {
            "overdue": len(late),
            "due_monthly": due_monthly,
            "visited_monthly": sum(c.visited for c in by_village),
            "baseline_agrees": agree,
        },  # fmt: skip
        "targets": {f"coverage_and_overdue_lt_{TARGET_SECONDS:g}s": huimin_s < TARGET_SECONDS},
    }


def run(size: str, workdir) -> dict:
    _setup_django()
    persons, special, sample = SIZES[size]
    result = {"scenario": "elderly_visits", **measure_visits(persons, special, sample)}
    result["peak_memory_mb"] = _peak_mb()
    result["notes"] = (
        f"synthetic county {COUNTY} ({TOWNSHIPS} townships × {VILLAGES} villages), COPY-loaded and reused; timed: "
        "elderly.visits.schedule + overdue + coverage by village from one schedule; baseline: one ORM query per "
        f"fact per person on a sample of {sample}, extrapolated linearly; {os.cpu_count()} cores shared with "
        "other work."
    )
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "small", None), ensure_ascii=False, default=str))
