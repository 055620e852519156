"""Benchmark: the batch 核对 re-check on the columnar engine, against the two ways people would otherwise do it.

- **engine**: the rules of ``huimin.engine.verification`` (Ibis) over Parquet snapshots, on DuckDB.
- **(a) ORM**: the same rules household by household through the Django ORM (as ORM-based platforms such as
  OpenSPP compute eligibility: one set of aggregate queries per household) on a random sample of households whose
  persons and records are loaded into PostgreSQL tables with an index on person_key; the time is extrapolated to
  all households. Its conclusions are checked against the engine's for the sample.
- **(b) SQL**: a hand-written DuckDB SQL query doing the same joins over the same Parquet files; its result must
  equal the engine's row for row.

``run(size, workdir)`` → dict (scenario, sizes, timings_s, ratios, peak_memory_mb, targets, notes). Sizes:
``small`` = 20,000 persons / 200,000 records; ``full`` = 1,000,000 persons / 10,000,000 records.
Run alone: ``python -m bench.scenarios.verification small`` (writes bench/results/verification-<size>.json).
"""

import contextlib
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

SIZES = {"small": (20_000, 200_000, 300), "full": (1_000_000, 10_000_000, 600)}  # persons, records, ORM sample
PROGRAMME = "dibao"


# --- memory ----------------------------------------------------------------------------------------------------


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # Linux: reset the peak resident set size


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict:
    cpu = platform.processor()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    mem_gb = None
    with contextlib.suppress(OSError):
        mem_gb = round(int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024, 1)
    import duckdb
    import ibis

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "duckdb": duckdb.__version__,
        "ibis": ibis.__version__,
    }


# --- the engine and the hand-written SQL -----------------------------------------------------------------------


def run_engine(paths: dict, thresholds, as_of: datetime.date):
    from huimin.engine import backends, tables
    from huimin.engine import verification as engine

    con = backends.connect("duckdb")
    t = tables.load(
        con,
        persons=str(paths["persons"]),
        households=str(paths["households"]),
        thresholds=thresholds,
        sources={code: str(p) for code, p in paths["sources"].items()},
    )
    return con.to_pyarrow(engine.evaluate(t, PROGRAMME, as_of).select(*engine.COLUMNS))


def single_check_seconds(paths: dict, thresholds, as_of: datetime.date, household_id: int, repeat: int = 4):
    """One household through the same rules, as the single check runs it: the registry rows of that household and
    the departmental snapshots cut down to its members (tables.slice_sources: row groups pruned by the sorted
    person_key), exactly as services.check_household runs them (the
    compiled rules are cached per programme and date, so the first check of a process also pays the compile)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from huimin.engine import single, tables

    times, row = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        persons = pq.read_table(paths["persons"], filters=pc.field("household_id") == household_id)
        households = pq.read_table(paths["households"], filters=pc.field("household_id") == household_id)
        keys = persons["person_key"].to_pylist()
        sliced = tables.slice_sources({c: str(p) for c, p in paths["sources"].items()}, keys)
        row = single.evaluate(PROGRAMME, as_of, persons=persons, households=households, thresholds=thresholds,
                              sources=sliced)[0]  # fmt: skip
        times.append(time.perf_counter() - started)
    return times, row


def ibis_compile_seconds(paths: dict, thresholds, as_of: datetime.date) -> float:
    """How long Ibis takes to turn the rules into SQL (part of the engine's time, independent of data size)."""
    import ibis

    from huimin.engine import backends, tables
    from huimin.engine import verification as engine

    con = backends.connect("duckdb")
    t = tables.load(con, persons=str(paths["persons"]), households=str(paths["households"]), thresholds=thresholds,
                    sources={code: str(p) for code, p in paths["sources"].items()})  # fmt: skip
    started = time.perf_counter()
    ibis.to_sql(engine.evaluate(t, PROGRAMME, as_of).select(*engine.COLUMNS), dialect="duckdb")
    return time.perf_counter() - started


def hand_written_sql(paths: dict, as_of: datetime.date) -> str:
    from huimin.engine.verification import month_window, year_before

    first, last = month_window(as_of)
    since = year_before(as_of)
    src = {code: f"read_parquet('{p}')" for code, p in paths["sources"].items()}
    d = f"DATE '{as_of.isoformat()}'"
    rules = ["income_standard", "deposit_months", "vehicle_count", "vehicle_value", "dwelling_count",
             "company_count", "medical_self_paid"]  # fmt: skip
    pivots = ",\n  ".join(
        [f"max(value) FILTER (WHERE rule = '{r}') AS t_{r}" for r in rules]
        + [f"max(outcome) FILTER (WHERE rule = '{r}') AS o_{r}" for r in rules]
    )
    # Paths and dates come from this module, never from a user: formatting them into the query is safe.
    return f"""
WITH m AS (SELECT person_key, household_id FROM read_parquet('{paths["persons"]}')
           WHERE NOT coalesce(is_deceased, false)),
hh AS (SELECT household_id, region_code, is_urban FROM read_parquet('{paths["households"]}')),
size AS (SELECT household_id, count(*) AS members FROM m GROUP BY 1),
w AS (SELECT household_id, sum(gross_wage - coalesce(tax, 0)) AS v FROM {src["wages"]} JOIN m USING (person_key)
      WHERE month >= '{first}' AND month <= '{last}' GROUP BY 1),
p AS (SELECT household_id, sum(amount) AS v FROM {src["social_insurance"]} JOIN m USING (person_key)
      WHERE kind = '养老金' AND month >= '{first}' AND month <= '{last}' GROUP BY 1),
dep AS (SELECT household_id, sum(balance) AS v FROM {src["deposits"]} JOIN m USING (person_key)
      WHERE as_of <= {d} GROUP BY 1),
veh AS (SELECT household_id, count(*) AS n, sum(value) AS v FROM {src["vehicles"]} JOIN m USING (person_key)
      WHERE status = '正常' AND registered_on <= {d} GROUP BY 1),
dw AS (SELECT household_id, count(DISTINCT cert_no) AS n FROM {src["real_estate"]} JOIN m USING (person_key)
      WHERE use = '住宅' AND registered_on <= {d} GROUP BY 1),
co AS (SELECT household_id, count(DISTINCT credit_code) AS n FROM {src["business"]} JOIN m USING (person_key)
      WHERE status = '存续' AND established_on <= {d} GROUP BY 1),
med AS (SELECT household_id, sum(self_paid) AS v FROM {src["medical"]} JOIN m USING (person_key)
      WHERE settled_on > DATE '{since.isoformat()}' AND settled_on <= {d} GROUP BY 1),
dead AS (SELECT household_id, count(DISTINCT person_key) AS n FROM {src["deaths"]} JOIN m USING (person_key)
      WHERE death_date <= {d} GROUP BY 1),
th AS (SELECT * FROM thresholds WHERE programme = '{PROGRAMME}' AND valid_from <= {d}
       AND (valid_to IS NULL OR valid_to >= {d})),
places AS (SELECT DISTINCT region_code, is_urban FROM hh),
ranked AS (
  SELECT pl.region_code, pl.is_urban, th.rule, th.value, th.outcome,
         row_number() OVER (PARTITION BY pl.region_code, pl.is_urban, th.rule
                            ORDER BY length(th.region_prefix) DESC, length(th.urban_rural) DESC,
                                     th.valid_from DESC, th.value DESC) AS rn
  FROM places pl JOIN th ON starts_with(pl.region_code, th.region_prefix)
   AND (th.urban_rural = '' OR th.urban_rural = CASE WHEN pl.is_urban THEN 'urban' ELSE 'rural' END)),
lim AS (SELECT region_code, is_urban,
  {pivots}
  FROM ranked WHERE rn = 1 GROUP BY 1, 2),
base AS (
  SELECT hh.household_id, hh.region_code, hh.is_urban, coalesce(size.members, 0) AS members,
         coalesce(w.v, 0) AS wages_fen, coalesce(p.v, 0) AS pension_fen, coalesce(dep.v, 0) AS deposits_fen,
         coalesce(veh.n, 0) AS vehicle_count, coalesce(veh.v, 0) AS vehicle_value_fen,
         coalesce(dw.n, 0) AS dwelling_count, coalesce(co.n, 0) AS company_count,
         coalesce(med.v, 0) AS medical_fen, coalesce(dead.n, 0) AS deceased_count
  FROM hh LEFT JOIN size USING (household_id) LEFT JOIN w USING (household_id) LEFT JOIN p USING (household_id)
  LEFT JOIN dep USING (household_id) LEFT JOIN veh USING (household_id) LEFT JOIN dw USING (household_id)
  LEFT JOIN co USING (household_id) LEFT JOIN med USING (household_id) LEFT JOIN dead USING (household_id)),
f AS (
  SELECT b.*, b.wages_fen + b.pension_fen AS income_fen, lim.* EXCLUDE (region_code, is_urban),
    b.members = 0 AS r_no_members,
    lim.t_income_standard IS NULL AS r_no_standard,
    coalesce(b.members > 0 AND b.wages_fen + b.pension_fen > lim.t_income_standard * 12 * b.members, false) AS r_income,
    coalesce(b.members > 0 AND b.deposits_fen > lim.t_deposit_months * lim.t_income_standard * b.members, false)
      AS r_deposits,
    coalesce(b.vehicle_count > lim.t_vehicle_count, false) AS r_vehicle_count,
    coalesce(b.vehicle_value_fen > lim.t_vehicle_value, false) AS r_vehicle_value,
    coalesce(b.dwelling_count > lim.t_dwelling_count, false) AS r_dwellings,
    coalesce(b.company_count > lim.t_company_count, false) AS r_company,
    coalesce(b.medical_fen >= lim.t_medical_self_paid, false) AS r_medical,
    b.deceased_count > 0 AS r_deceased
  FROM base b LEFT JOIN lim USING (region_code, is_urban))
SELECT *, CASE
  WHEN (r_income AND o_income_standard = 'not_eligible') OR (r_deposits AND o_deposit_months = 'not_eligible')
    OR (r_vehicle_count AND o_vehicle_count = 'not_eligible') OR (r_vehicle_value AND o_vehicle_value = 'not_eligible')
    OR (r_dwellings AND o_dwelling_count = 'not_eligible') OR (r_company AND o_company_count = 'not_eligible')
    OR (r_medical AND o_medical_self_paid = 'not_eligible') THEN 'not_eligible'
  WHEN r_no_members OR r_no_standard OR r_deceased
    OR (r_income AND o_income_standard = 'needs_visit') OR (r_deposits AND o_deposit_months = 'needs_visit')
    OR (r_vehicle_count AND o_vehicle_count = 'needs_visit') OR (r_vehicle_value AND o_vehicle_value = 'needs_visit')
    OR (r_dwellings AND o_dwelling_count = 'needs_visit') OR (r_company AND o_company_count = 'needs_visit')
    OR (r_medical AND o_medical_self_paid = 'needs_visit') THEN 'needs_visit'
  ELSE 'eligible' END AS conclusion
FROM f ORDER BY household_id
"""  # noqa: S608


def run_sql(paths: dict, thresholds, as_of: datetime.date):
    import duckdb

    con = duckdb.connect()
    con.register("thresholds", thresholds)
    rel = con.sql(hand_written_sql(paths, as_of))
    return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()


# --- (a) the ORM, household by household ------------------------------------------------------------------------

ORM_SOURCES = ("wages", "social_insurance", "deposits", "vehicles", "real_estate", "business", "medical", "deaths")
_MODELS: dict = {}


def _django():
    import django
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    django.setup()


def _orm_models() -> dict:
    """Plain Django models of the sample's tables (created for the run, dropped after)."""
    if _MODELS:
        return _MODELS
    from django.db import models

    from huimin.engine.sources import DATE, DECIMAL, MONTH, SOURCES

    def model(name, table, fields):
        meta = type("Meta", (), {"app_label": "verification", "db_table": table, "managed": False})
        return type(name, (models.Model,), {"__module__": __name__, "Meta": meta, **fields})

    _MODELS["person"] = model("BenchPerson", "bench_verif_person", {
        "person_key": models.CharField(max_length=64, db_index=True),
        "household_id": models.BigIntegerField(db_index=True),
        "is_deceased": models.BooleanField(default=False),
    })  # fmt: skip
    _MODELS["household"] = model("BenchHousehold", "bench_verif_household", {
        "household_id": models.BigIntegerField(unique=True),
        "region_code": models.CharField(max_length=12),
        "is_urban": models.BooleanField(),
    })  # fmt: skip
    for code in ORM_SOURCES:
        fields = {"person_key": models.CharField(max_length=64, db_index=True)}
        for column in SOURCES[code].columns:
            if column.name == "id_number":
                continue
            if column.type == DATE:
                fields[column.name] = models.DateField(null=True)
            elif column.type == DECIMAL:
                fields[column.name] = models.DecimalField(max_digits=14, decimal_places=2, null=True)
            elif column.type in ("money", "int"):
                fields[column.name] = models.BigIntegerField(null=True)  # 分, as in the engine
            else:
                fields[column.name] = models.CharField(max_length=64 if column.type != MONTH else 7, null=True)
        _MODELS[code] = model(f"Bench_{code}", f"bench_verif_{code}", fields)
    return _MODELS


def _load_sample(paths: dict, sample_ids: list[int]) -> None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    m = _orm_models()
    hh = pq.read_table(paths["households"])
    hh = hh.filter(pc.is_in(hh["household_id"], value_set=pa_array(sample_ids)))
    persons = pq.read_table(paths["persons"])
    persons = persons.filter(pc.is_in(persons["household_id"], value_set=pa_array(sample_ids)))
    keys = persons["person_key"]
    m["household"].objects.bulk_create(
        [m["household"](household_id=r["household_id"], region_code=r["region_code"], is_urban=r["is_urban"])
         for r in hh.to_pylist()], batch_size=5000,
    )  # fmt: skip
    m["person"].objects.bulk_create(
        [m["person"](person_key=r["person_key"], household_id=r["household_id"], is_deceased=r["is_deceased"])
         for r in persons.to_pylist()], batch_size=5000,
    )  # fmt: skip
    for code in ORM_SOURCES:
        table = pq.read_table(paths["sources"][code])
        table = table.filter(pc.is_in(table["person_key"], value_set=keys))
        m[code].objects.bulk_create([m[code](**r) for r in table.to_pylist()], batch_size=5000)


def pa_array(values):
    import pyarrow as pa

    return pa.array(values, pa.int64())


def _orm_thresholds(thresholds, as_of):
    rows = [r for r in thresholds.to_pylist() if r["programme"] == PROGRAMME and r["valid_from"] <= as_of
            and (r["valid_to"] is None or r["valid_to"] >= as_of)]  # fmt: skip
    cache = {}

    def for_place(region_code, is_urban):
        key = (region_code, is_urban)
        if key not in cache:
            side = "urban" if is_urban else "rural"
            best = {}
            fitting = [r for r in rows if region_code.startswith(r["region_prefix"])
                       and r["urban_rural"] in ("", side)]  # fmt: skip
            order = sorted(fitting, key=lambda r: (len(r["region_prefix"]), len(r["urban_rural"]), r["valid_from"],
                                                   r["value"]), reverse=True)  # fmt: skip
            for r in order:
                best.setdefault(r["rule"], r)
            cache[key] = best
        return cache[key]

    return for_place


def orm_check(household, for_place, as_of) -> str:
    """One household's conclusion by ORM queries (the rules of huimin.engine.verification, restated per row)."""
    from django.db.models import Count, F, Sum, Value
    from django.db.models.functions import Coalesce

    from huimin.engine.verification import month_window, year_before

    m = _orm_models()
    first, last = month_window(as_of)
    keys = list(
        m["person"]
        .objects.filter(household_id=household.household_id, is_deceased=False)
        .values_list("person_key", flat=True)
    )
    n = len(keys)

    def total(code, expr, **filters):
        return m[code].objects.filter(person_key__in=keys, **filters).aggregate(v=Coalesce(Sum(expr), Value(0)))["v"]

    wages = total("wages", F("gross_wage") - Coalesce("tax", Value(0)), month__gte=first, month__lte=last)
    pensions = total("social_insurance", "amount", kind="养老金", month__gte=first, month__lte=last)
    deposits = total("deposits", "balance", as_of__lte=as_of)
    vehicles = (
        m["vehicles"]
        .objects.filter(person_key__in=keys, status="正常", registered_on__lte=as_of)
        .aggregate(n=Count("id"), v=Coalesce(Sum("value"), Value(0)))
    )
    dwellings = (
        m["real_estate"].objects.filter(person_key__in=keys, use="住宅", registered_on__lte=as_of)
        .values("cert_no").distinct().count()
    )  # fmt: skip
    companies = (
        m["business"].objects.filter(person_key__in=keys, status="存续", established_on__lte=as_of)
        .values("credit_code").distinct().count()
    )  # fmt: skip
    medical = total("medical", "self_paid", settled_on__gt=year_before(as_of), settled_on__lte=as_of)
    deaths = m["deaths"].objects.filter(person_key__in=keys, death_date__lte=as_of).values("person_key").distinct()
    dead = deaths.count()
    limits = for_place(household.region_code, household.is_urban)

    def limit(rule):
        r = limits.get(rule)
        return (r["value"], r["outcome"]) if r else (None, None)

    std, o_std = limit("income_standard")
    checks = []
    if std is not None and n:
        checks.append((wages + pensions > std * 12 * n, o_std))
        months, o_dep = limit("deposit_months")
        if months is not None:
            checks.append((deposits > months * std * n, o_dep))
    for rule, value in (("vehicle_count", vehicles["n"]), ("vehicle_value", vehicles["v"]),
                        ("dwelling_count", dwellings), ("company_count", companies)):  # fmt: skip
        lim, outcome = limit(rule)
        if lim is not None:
            checks.append((value > lim, outcome))
    lim, outcome = limit("medical_self_paid")
    if lim is not None:
        checks.append((medical >= lim, outcome))
    if any(hit and o == "not_eligible" for hit, o in checks):
        return "not_eligible"
    if n == 0 or std is None or dead > 0 or any(hit and o == "needs_visit" for hit, o in checks):
        return "needs_visit"
    return "eligible"


def run_orm(paths: dict, thresholds, as_of, sample_ids: list[int]) -> tuple[float, dict]:
    from django.db import connection

    _django()
    models = _orm_models()
    with connection.schema_editor() as editor:
        for model in models.values():
            editor.execute(f"DROP TABLE IF EXISTS {model._meta.db_table}")
            editor.create_model(model)
    try:
        _load_sample(paths, sample_ids)
        with connection.cursor() as cursor:
            for model in models.values():
                cursor.execute(f"ANALYZE {model._meta.db_table}") if connection.vendor == "postgresql" else None
        for_place = _orm_thresholds(thresholds, as_of)
        started = time.perf_counter()
        answers = {h.household_id: orm_check(h, for_place, as_of) for h in models["household"].objects.all()}
        return time.perf_counter() - started, answers
    finally:
        with connection.schema_editor() as editor:
            for model in models.values():
                editor.execute(f"DROP TABLE IF EXISTS {model._meta.db_table}")


# --- the scenario ----------------------------------------------------------------------------------------------


def _best(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def run(size: str, workdir: Path) -> dict:
    from huimin.engine import synthetic

    persons, records, sample = SIZES[size]
    workdir = Path(workdir) / f"verification-{size}"
    notes = []
    _django()
    started = time.perf_counter()
    paths = synthetic.generate(workdir, persons=persons, records=records, seed=11)
    generate_s = time.perf_counter() - started
    thresholds = synthetic.thresholds(PROGRAMME)
    as_of = synthetic.AS_OF
    repeat = 5

    # Interleaved, best of ``repeat``: the machine is shared, so single timings are noisy.
    engine_times, sql_times, engine_peak, sql_peak = [], [], 0.0, 0.0
    for _ in range(repeat):
        _reset_peak()
        t, engine_rows = _best(lambda: run_engine(paths, thresholds, as_of), 1)
        engine_times.append(t)
        engine_peak = max(engine_peak, _peak_mb())
        _reset_peak()
        t, sql_rows = _best(lambda: run_sql(paths, thresholds, as_of), 1)
        sql_times.append(t)
        sql_peak = max(sql_peak, _peak_mb())
    engine_s, sql_s = statistics.median(engine_times), statistics.median(sql_times)
    compile_s = ibis_compile_seconds(paths, thresholds, as_of)
    engine_list = engine_rows.to_pylist()
    same = engine_list == sql_rows.select(engine_rows.column_names).to_pylist()
    if not same:
        notes.append("警告：手写 SQL 与引擎结果不一致")
    households = engine_rows.num_rows
    by_id = {r["household_id"]: r["conclusion"] for r in engine_list}

    rng = random.Random(5)
    sample_ids = sorted(rng.sample(sorted(by_id), min(sample, households)))
    single_times, single_row = single_check_seconds(paths, thresholds, as_of, sample_ids[0])
    full_row = next(r for r in engine_list if r["household_id"] == sample_ids[0])
    if single_row != full_row:
        notes.append("警告：单户核对与批量结果不一致")
    orm_s = orm_total = None
    orm_agree = None
    try:
        orm_s, answers = run_orm(paths, thresholds, as_of, sample_ids)
        orm_total = orm_s / len(sample_ids) * households
        orm_agree = all(answers[i] == by_id[i] for i in sample_ids)
        if not orm_agree:
            notes.append("警告：ORM 结论与引擎不一致")
    except Exception as exc:  # noqa: BLE001 - no database: report the engine and SQL figures alone
        notes.append(f"ORM baseline not run: {type(exc).__name__}: {exc}"[:300])

    conclusions = {c: sum(1 for v in by_id.values() if v == c) for c in ("eligible", "not_eligible", "needs_visit")}
    ratios = {
        "engine_vs_sql": round(engine_s / sql_s, 3),
        "engine_vs_sql_best_of_runs": round(min(engine_times) / min(sql_times), 3),
    }
    if orm_total:
        ratios["orm_vs_engine"] = round(orm_total / engine_s, 1)
    notes += [
        f"generated inputs in {generate_s:.1f} s (not timed in the comparison)",
        f"engine and SQL: median of {repeat} interleaved runs (the 2 cores are shared, single runs vary up to 2x; "
        "the best-of-runs ratio is reported too); the ORM sample ran once over "
        f"{len(sample_ids)} households "
        f"with the sample's records in PostgreSQL ({'agrees' if orm_agree else 'see warning'} with the engine)",
        f"hand-written SQL equals the engine row for row: {same}",
        "peak memory is the process's peak resident set during each step (VmHWM, reset before each)",
        "single check: one household's rows sliced from the snapshots and the cached compiled rules; the cold run "
        "also compiles the rules (once per programme and date per process); the target is judged on warm runs",
    ]
    return {
        "scenario": "verification",
        "sizes": {
            "persons": persons,
            "households": households,
            "records": paths["counts"]["records"],
            "orm_sample_households": len(sample_ids),
        },  # fmt: skip
        "timings_s": {
            "engine_duckdb_batch": round(engine_s, 3),
            "handwritten_duckdb_sql": round(sql_s, 3),
            "engine_runs": [round(x, 3) for x in engine_times],
            "sql_runs": [round(x, 3) for x in sql_times],
            "ibis_compile_within_engine": round(compile_s, 3),
            "single_check_cold": round(single_times[0], 3),
            "single_check_warm_runs": [round(x, 3) for x in single_times[1:]],
            "orm_sample": round(orm_s, 3) if orm_s is not None else None,
            "orm_extrapolated": round(orm_total, 1) if orm_total else None,
        },
        "ratios": ratios,
        "peak_memory_mb": {"engine": engine_peak, "sql": sql_peak},
        "targets": {
            "engine >= 50x faster than ORM": bool(orm_total and orm_total / engine_s >= 50),
            "engine <= 1.5x hand-written SQL": engine_s / sql_s <= 1.5,
            "results identical to hand-written SQL": same,
            "single check < 1 s": max(single_times[1:]) < 1.0,
        },
        "conclusions": conclusions,
        "machine": machine(),
        "notes": notes,
    }


if __name__ == "__main__":
    size = sys.argv[1] if len(sys.argv) > 1 else "small"
    work = Path(os.environ.get("HUIMIN_BENCH_WORKDIR", "var/bench"))
    result = run(size, work)
    result["recorded_at"] = datetime.datetime.now().isoformat(timespec="seconds")
    out = Path(__file__).resolve().parent.parent / "results" / f"verification-{size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))
