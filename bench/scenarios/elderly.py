"""养老服务 on a city of N persons (≈ 20 % aged 60 or more): the measures of issue 17, each its own function.

Setup (``setup``, not timed): a synthetic city 4198 (not a real code; 10 counties × 10 townships × 20 villages)
with N persons in households of three, inserted with COPY and reused while it holds exactly N persons. Ages: one
person in five is 60 or over (60–69 50 %, 70–79 30 %, 80–89 15 %, 90–99 4.5 %, 100+ 0.5 %), a few of them dead;
the city's 高龄津贴 bands (80–89 50 元, 90–99 100 元, 100+ 300 元) and half of those aged 80 or more already
enrolled (some at an old amount: a band change; some paid by another county: a move within the city; some died
since: a stop).

Measures (each ``measure_*(ctx) -> dict`` adds its sizes, timings, baseline and target; ``run`` calls them all, so
a later measure — 探访 coverage by village and the overdue list — plugs in as one more function):

- ``measure_allowance``: next month's 高龄津贴 proposal for the whole city (``huimin.elderly.allowance.proposal``:
  who enters a band, who is in one and not enrolled, band changes, stops and moves) — target < 5 s. Baseline: the
  per-person ORM path — for each older person, load him, ask whether he is enrolled, look up his band's standard
  and the region's rule — on a sample, extrapolated to every person aged 60 or more.
"""

import datetime
import json
import time
import uuid
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q

from bench.scenarios import payroll as base
from huimin.assistance.models import Application, Enrolment, EnrolmentChange, EnrolmentMember, Programme
from huimin.benefits import standards
from huimin.benefits.models import Standard
from huimin.core.models import Region, RoleAssignment, User
from huimin.elderly import allowance
from huimin.elderly.models import AllowancePolicy
from huimin.registry.models import Household, Membership, Person

SIZES = {"small": (100_000, 500), "full": (1_000_000, 1_000)}  # persons, baseline sample
CITY = "4198"
CITY_CODE = f"{CITY}00000000"
COUNTIES, TOWNS, VILLAGES = 10, 10, 20
ID_BASE = 900_000_000
MONTH = datetime.date(2026, 3, 1)  # the proposal's month (the ages on 28 February 2026 decide it)
REF = datetime.date(2026, 2, 28)
BANDS = ((80, 89, 50), (90, 99, 100), (100, None, 300))
TARGET_ALLOWANCE_S = 5.0
# (share of older persons out of 200, lowest age, years in the bucket)
AGE_BUCKETS = ((100, 60, 10), (60, 70, 10), (30, 80, 10), (9, 90, 10), (1, 100, 5))


def _regions() -> list[str]:
    Region.objects.get_or_create(code=CITY_CODE, defaults={"name": "基准市", "level": 2, "parent_id": "410000000000"})
    rows, villages = [], []
    for c in range(1, COUNTIES + 1):
        county = f"{CITY}{c:02d}"
        rows.append(Region(code=f"{county}000000", name=f"基准县{c}", level=3, parent_id=CITY_CODE))
        for t in range(1, TOWNS + 1):
            town = f"{county}{t:03d}"
            rows.append(Region(code=f"{town}000", name=f"基准乡{c}-{t}", level=4, parent_id=f"{county}000000"))
            for v in range(1, VILLAGES + 1):
                code = f"{town}{v:03d}"
                villages.append(code)
                rows.append(Region(code=code, name=f"基准村{c}-{t}-{v}", level=5, parent_id=f"{town}000",
                                   urban_rural_code="220"))  # fmt: skip
    Region.objects.bulk_create(rows, ignore_conflicts=True)
    return villages


def _birth(i: int) -> tuple[datetime.date, bool]:
    """The birth date of person ``i`` (deterministic) and whether he is one of the older fifth."""
    if i % 5:
        return datetime.date(1967, 1, 1) + datetime.timedelta(days=(i * 7919) % (58 * 365)), False
    j = i // 5
    slot, low = j % 200, 0
    for share, start, years in AGE_BUCKETS:
        if slot < low + share:
            age = start + (j // 200) % years
            break
        low += share
    return REF.replace(year=REF.year - age - 1) + datetime.timedelta(days=1 + (j * 31) % 364), True


def _user() -> User:
    user, created = User.objects.get_or_create(
        username="bench_elderly", defaults={"full_name": "基准养老服务审批人", "region_id": CITY_CODE}
    )
    if created:
        RoleAssignment.objects.create(user=user, role="approver", line="elderly")
    return user


def _wipe() -> None:
    ours = f"BETWEEN {ID_BASE} AND {ID_BASE + 10_000_000}"
    with connection.cursor() as c:
        enrolments = f"SELECT id FROM assistance_enrolment WHERE person_id {ours}"  # noqa: S608 - constants
        c.execute(f"DELETE FROM assistance_enrolmentchange WHERE enrolment_id IN ({enrolments})")  # noqa: S608
        c.execute(f"DELETE FROM assistance_enrolmentmember WHERE enrolment_id IN ({enrolments})")  # noqa: S608
        c.execute(enrolments.replace("SELECT id", "DELETE"))
        c.execute(f"DELETE FROM assistance_application WHERE applicant_id {ours}")  # noqa: S608
        c.execute(f"DELETE FROM registry_membership WHERE person_id {ours}")  # noqa: S608
        c.execute(f"UPDATE registry_household SET head_id = NULL WHERE id {ours}")  # noqa: S608
        c.execute(f"DELETE FROM registry_person WHERE id {ours}")  # noqa: S608
        c.execute(f"DELETE FROM registry_household WHERE id {ours}")  # noqa: S608


def _people(n: int, villages: list[str]) -> None:
    households = -(-n // 3)

    def village(h):
        return villages[h % len(villages)]

    base._copy(Household, households, lambda h: {"id": ID_BASE + h, "number": f"LN{h:08d}", "region_id": village(h)})

    def person(i):
        birth, older = _birth(i)
        dead = older and i % 997 == 0
        return {"id": ID_BASE + i, "name": f"基准{i}", "birth_date": birth, "region_id": village(i // 3),
                "household_id": None if dead else ID_BASE + i // 3, "is_deceased": dead,
                "death_date": REF - datetime.timedelta(days=20) if dead else None,
                "no_id_reason": "基准测试"}  # fmt: skip

    base._copy(Person, n, person)
    base._copy(Membership, n, lambda i: {"household_id": ID_BASE + i // 3, "person_id": ID_BASE + i,
                                         "relation": "02" if i % 3 else "01",
                                         "started_on": datetime.date(2000, 1, 1)})  # fmt: skip


def _bands(user) -> None:
    for low, high, value in BANDS:
        Standard.objects.get_or_create(kind="aged_allowance", region_id=CITY_CODE, age_from=low, age_to=high,
                                       effective_from=datetime.date(2020, 1, 1),
                                       defaults={"value": value, "source": "基准测试"})  # fmt: skip


def _enrol_half(user) -> int:
    """Half of the persons aged 80 or more enrolled; every 20th at 30 元 (a band change); every 50th paid by the
    neighbouring county (a move within the city). Returns how many."""
    programme = Programme.objects.get(code=allowance.PROGRAMME)
    with connection.cursor() as c:
        c.execute(
            "SELECT id, region_id, birth_date, household_id FROM registry_person WHERE id BETWEEN %s AND %s"
            " AND household_id IS NOT NULL AND birth_date <= %s ORDER BY id",
            [ID_BASE, ID_BASE + 10_000_000, datetime.date(1946, 2, 28)],
        )
        rows = c.fetchall()[::2]
    first = ID_BASE
    start = datetime.date(2025, 1, 1)

    def amount(k):
        if k % 20 == 0:
            return "30.00"
        age = allowance.age_on(rows[k][2], REF)
        return "300.00" if age >= 100 else "100.00" if age >= 90 else "50.00"

    def paid_at(k):
        region = rows[k][1]
        if k % 50 == 1:
            county = int(region[4:6]) % COUNTIES + 1
            return f"{CITY}{county:02d}{region[6:]}"
        return region

    m = len(rows)
    base._copy(Application, m, lambda k: {"id": first + k, "number": f"GLB{k:08d}", "programme_id": programme.pk,
                                          "household_id": rows[k][3], "applicant_id": rows[k][0],
                                          "beneficiary_id": rows[k][0], "region_id": paid_at(k),
                                          "channel": "proactive", "reason": "基准测试", "stage": "enrolled",
                                          "stage_entered_on": start, "public_token": uuid.uuid4(),
                                          "created_by_id": user.pk, "approved_amount": amount(k)})  # fmt: skip
    base._copy(Enrolment, m, lambda k: {"id": first + k, "programme_id": programme.pk, "household_id": rows[k][3],
                                        "person_id": rows[k][0], "application_id": first + k,
                                        "region_id": paid_at(k), "status": "active", "monthly_amount": amount(k),
                                        "start_month": start,
                                        "basis": json.dumps({"standard": amount(k)})})  # fmt: skip
    base._copy(EnrolmentMember, m, lambda k: {"enrolment_id": first + k, "person_id": rows[k][0], "added_on": start})
    base._copy(EnrolmentChange, m, lambda k: {"enrolment_id": first + k, "kind": "enrol", "effective_month": start,
                                              "after": json.dumps({"amount": amount(k)}), "reasons": "基准",
                                              "actor": "bench"})  # fmt: skip
    dead = [rows[k][0] for k in range(3, m, 97)]  # died after enrolment: stops
    with connection.cursor() as c:
        c.execute("UPDATE registry_person SET is_deceased = TRUE, death_date = %s WHERE id = ANY(%s)",
                  [REF - datetime.timedelta(days=10), dead])  # fmt: skip
    return m


def setup(size: str) -> dict:
    """The city, reused while it holds exactly N persons; returns what the measures need."""
    n, sample = SIZES[size]
    villages = _regions()
    user = _user()
    started = time.perf_counter()
    ours = Person.objects.filter(id__gte=ID_BASE, id__lt=ID_BASE + 10_000_000)
    reused = ours.count() == n
    if not reused:
        with transaction.atomic():
            _wipe()
            _people(n, villages)
            _bands(user)
            _enrol_half(user)
        with connection.cursor() as c:  # outside the transaction: set the hint bits and statistics a live city has
            for table in ("registry_person", "registry_household", "registry_membership", "assistance_enrolment"):
                c.execute(f"VACUUM ANALYZE {table}")
    older = ours.filter(birth_date__lte=datetime.date(1966, 2, 28), is_deceased=False).count()
    return {"size": size, "persons": n, "older": older, "sample": sample, "villages": villages, "user": user,
            "setup_s": round(time.perf_counter() - started, 2), "reused": reused}  # fmt: skip


def measure_allowance(ctx: dict) -> dict:
    t0 = time.perf_counter()
    prop = allowance.proposal(CITY_CODE, MONTH)
    huimin_s = time.perf_counter() - t0
    # baseline: per older person through the ORM (on a sample, extrapolated to every person aged 60 or more)
    programme = Programme.objects.get(code=allowance.PROGRAMME)
    ids = list(
        Person.objects.filter(id__gte=ID_BASE, id__lt=ID_BASE + 10_000_000, birth_date__lte=datetime.date(1966, 2, 28),
                              is_deceased=False).order_by("id").values_list("id", flat=True)
    )  # fmt: skip
    picked = ids[:: max(1, len(ids) // ctx["sample"])][: ctx["sample"]]
    found = 0
    b0 = time.perf_counter()
    for pk in picked:
        person = Person.objects.get(pk=pk)
        rule = (
            AllowancePolicy.objects.filter(Q(region__isnull=True) | Q(region_id=person.region_id[:6] + "000000"))
            .order_by("-effective_from")
            .first()
        )
        ref = allowance.reference_day(MONTH, rule.start_rule if rule else "next_month")
        age = person.age_on(ref)
        enrolled = (
            Enrolment.objects.filter(person=person, programme=programme)
            .exclude(status=Enrolment.Status.STOPPED)
            .first()
        )
        row = standards.find("aged_allowance", person.region_id, MONTH, age=age)
        amount = standards.effective_value(row) if row else None
        if (enrolled is None and amount) or (enrolled and amount and Decimal(enrolled.monthly_amount) != amount):
            found += 1
    base_s = time.perf_counter() - b0
    extrapolated = base_s * ctx["older"] / max(1, len(picked))
    return {
        "sizes": {"allowance_new": len(prop.new), "allowance_regrade": len(prop.regrade),
                  "allowance_stops": len(prop.stops), "allowance_moves": len(prop.moves),
                  "allowance_baseline_sample": len(picked)},
        "timings_s": {"allowance_proposal": round(huimin_s, 2), "allowance_baseline_sample": round(base_s, 2),
                      "allowance_baseline_extrapolated": round(extrapolated, 2)},
        "ratios": {"allowance_baseline_over_huimin": round(extrapolated / huimin_s, 1) if huimin_s else None},
        "targets": {f"高龄津贴 monthly proposal for {ctx['persons']:,} persons < {TARGET_ALLOWANCE_S:g} s":
                    huimin_s < TARGET_ALLOWANCE_S},
        "notes": [f"高龄津贴: {len(prop.new):,} to enrol ({prop.new_total} 元/月), {len(prop.regrade):,} band changes, "
                  f"{len(prop.stops):,} stops, {len(prop.moves):,} moves within the city; baseline per older person "
                  f"(ORM: person, rule, enrolment, standard) on {len(picked):,} of {ctx['older']:,}, extrapolated"],
    }  # fmt: skip


MEASURES = [measure_allowance]  # 探访关爱 (coverage by village, overdue list) adds its measure here


def run(size: str, workdir) -> dict:
    ctx = setup(size)
    result = {
        "scenario": "elderly",
        "sizes": {"persons": ctx["persons"], "aged_60_plus": ctx["older"], "villages": len(ctx["villages"])},
        "timings_s": {"setup_copy_not_timed": ctx["setup_s"]},
        "ratios": {},
        "peak_memory_mb": None,
        "targets": {},
        "notes": [f"synthetic city {CITY} ({'reused' if ctx['reused'] else 'made by COPY'})"],
    }
    for measure in MEASURES:
        part = measure(ctx)
        for key in ("sizes", "timings_s", "ratios", "targets"):
            result[key].update(part.get(key, {}))
        result["notes"] += part.get("notes", [])
    result["notes"] = "; ".join(result["notes"])
    return result
