"""Benchmark: province scale — the batch 核对 of every household and a daily 动态监测 feed, county by county over
county-partitioned snapshots, on DuckDB out of core (``HUIMIN_ENGINE_MEMORY_LIMIT``, spilling to
``HUIMIN_ENGINE_TEMP_DIR``).

1. ``huimin demo generate --partition county`` writes the city (small 100,000 persons, full 10,000,000 with
   ≈ 100 million departmental records), reused while its manifest names the same size; then
   ``demo.snapshots.engine_snapshots`` turns it into the engine's county-partitioned snapshots (person_key, 分), as
   ingestion would store them. Both timed, not part of the targets.
2. **Batch 核对**: ``engine.counties.Verifier`` county after county (the rules compiled once), each county's rows
   written to PostgreSQL by COPY into ``verification_batchresult`` with its ``BatchCounty`` mark in one transaction
   — what ``verification.services.run_batch_by_county`` does per county (the run row is deleted afterwards).
   The thresholds are ``engine.synthetic.thresholds()`` (the service derives them from the database's Threshold
   and 低保标准 rows, which this benchmark's database need not hold).
   **Baseline, same run**: the hand-written DuckDB SQL of ``bench/scenarios/verification.py`` (the same joins),
   one query over every county's files at once; its result must equal the engine's row for row.
3. **Daily monitoring feed**: every default rule (``monitoring.defaults``) on the incremental path
   (``engine.counties.Monitor(incremental=True)``: the persons of the feed's new records → their households'
   monitored members → every source cut to them) county after county. The feed is a random sample of records of
   every source (small 10,000, full 1,000,000), drawn before timing; the watched population of each county
   (``demo.snapshots.population``, what ``monitoring.population.refresh`` reads from PostgreSQL) is built before
   timing too.

Peak memory: the resident set's high-water mark of this process, reset before each phase (/proc/self/clear_refs).
"""

import datetime
import json
import shutil
import time
from pathlib import Path

from bench.scenarios.verification import _peak_mb, _reset_peak, run_sql

SIZES = {"small": (100_000, 10_000), "full": (10_000_000, 1_000_000)}  # persons, daily feed records
SEED = 23
PROGRAMME = "dibao"
TARGETS = {"batch_s": 180, "feed_s": 60, "memory_mb": 10 * 1024, "ratio": 1.5}


def _city(workdir: Path, persons: int):
    from huimin.demo import generator, snapshots

    city, snap = workdir / "city", workdir / "snap"
    manifest = city / "manifest.json"
    timings = {}
    fresh = manifest.exists() and json.loads(manifest.read_text()).get("partition") == "county"
    if not fresh or json.loads(manifest.read_text()).get("persons", 0) < persons:
        shutil.rmtree(city, ignore_errors=True)
        shutil.rmtree(snap, ignore_errors=True)
        _reset_peak()
        started = time.perf_counter()
        generator.generate(city, persons, SEED, partition="county")
        timings["generate"] = round(time.perf_counter() - started, 2)
        timings["generate_peak_mb"] = _peak_mb()
    if not (snap / "households").is_dir():
        started = time.perf_counter()
        snapshots.engine_snapshots(city, snap)
        timings["snapshots"] = round(time.perf_counter() - started, 2)
    return city, snap, json.loads(manifest.read_text()), timings


def _batch(snap: Path, thresholds, as_of: datetime.date):
    """The batch 核对 county by county, with the COPY to PostgreSQL; returns (rows, engine s, copy s, total s)."""
    import pyarrow as pa
    from django.db import transaction

    from huimin.engine import counties
    from huimin.verification import services
    from huimin.verification.models import BatchCounty, BatchRun

    run = BatchRun.objects.create(programme=PROGRAMME, as_of=as_of, snapshot_root=str(snap),
                                  counties_total=len(counties.counties(snap)))  # fmt: skip
    engine_s = copy_s = 0.0
    parts = []
    started = time.perf_counter()
    try:
        verifier = counties.Verifier(snap, PROGRAMME, as_of)
        for county in counties.counties(snap):
            t0 = time.perf_counter()
            result = verifier.county(county, thresholds)
            t1 = time.perf_counter()
            with transaction.atomic():
                services._copy_results(services._result_rows(run.pk, county, result))
                BatchCounty.objects.create(run=run, county_code=county, households=result.num_rows)
            copy_s += time.perf_counter() - t1
            engine_s += t1 - t0
            parts.append(result)
        total = time.perf_counter() - started
    finally:
        run.delete()  # its rows and county marks go with it (CASCADE)
    return pa.concat_tables(parts).sort_by("household_id"), engine_s, copy_s, total, verifier.compile_seconds


def _feed(snap: Path, size: int, seed: int = SEED) -> dict:
    """A day's new records: ``size`` records drawn from every source in proportion → their person keys, per
    county."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from huimin.engine import counties
    from huimin.engine.sources import SOURCES

    rng = np.random.default_rng(seed)
    files = {(c, code): counties.files(snap / code, c) for c in counties.counties(snap) for code in SOURCES}
    rows = {k: sum(pq.ParquetFile(f).metadata.num_rows for f in v) for k, v in files.items()}
    total = sum(rows.values())
    keys: dict[str, set] = {}
    for (county, code), n in rows.items():
        take = min(n, round(size * n / total)) if total else 0
        if not take:
            continue
        column = pa.concat_arrays(
            [pq.read_table(f, columns=["person_key"])["person_key"].combine_chunks() for f in files[(county, code)]]
        )
        keys.setdefault(county, set()).update(pc.take(column, rng.choice(n, take, replace=False)).to_pylist())
    return {c: pa.table({"person_key": pa.array(sorted(k), pa.string())}) for c, k in keys.items()}


def _monitoring(city: Path, snap: Path, feed: dict, as_of: datetime.date):
    from huimin.demo import snapshots
    from huimin.engine import counties
    from huimin.monitoring.defaults import RULES

    rules = [(r["code"], r["kind"], r["params"]) for r in RULES]
    pops = {c: snapshots.population(city, c) for c in counties.counties(snap)}  # from PostgreSQL in a real run
    _reset_peak()
    started = time.perf_counter()
    monitor = counties.Monitor(snap, rules, as_of, incremental=True)
    facts = 0
    for county, pop in pops.items():
        for table in monitor.county(county, pop, feed.get(county)).values():
            facts += table.num_rows
    return time.perf_counter() - started, facts, sum(p.num_rows for p in pops.values()), _peak_mb()


def run(size: str, workdir: Path) -> dict:
    from huimin.demo import generator
    from huimin.engine import backends, counties, synthetic
    from huimin.engine.sources import SOURCES

    persons, feed_size = SIZES[size]
    as_of = generator.DEFAULT_AS_OF
    city, snap, manifest, prep = _city(workdir, persons)
    thresholds = synthetic.thresholds(PROGRAMME)
    limit = backends.memory_limit()

    _reset_peak()
    result, engine_s, copy_s, batch_s, compile_s = _batch(snap, thresholds, as_of)
    batch_peak = _peak_mb()

    paths = {
        "persons": str(snap / "persons" / "*" / "*.parquet"),
        "households": str(snap / "households" / "*" / "*.parquet"),
        "sources": {code: str(snap / code / "*" / "*.parquet") for code in SOURCES},
    }
    _reset_peak()
    started = time.perf_counter()
    sql_rows = run_sql(paths, thresholds, as_of)
    sql_s = time.perf_counter() - started
    sql_peak = _peak_mb()
    same = result.to_pylist() == sql_rows.select(result.column_names).to_pylist()
    # the same hand-written query county by county, on the files the engine reads for each county (an empty file
    # of its schema for a source a county has no record of)
    import pyarrow.parquet as pq

    from huimin.engine import tables

    empty = {}
    for code in SOURCES:
        empty[code] = workdir / "empty" / f"{code}.parquet"
        empty[code].parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(tables.source_schema(code).empty_table(), empty[code])
    started = time.perf_counter()
    for county in counties.counties(snap):
        part = f"{counties.PREFIX}{county}"
        run_sql({"persons": str(snap / "persons" / part / "*.parquet"),
                 "households": str(snap / "households" / part / "*.parquet"),
                 "sources": {code: str(snap / code / part / "*.parquet") if counties.files(snap / code, county)
                             else str(empty[code]) for code in SOURCES}}, thresholds, as_of)  # fmt: skip
    sql_county_s = time.perf_counter() - started

    feed = _feed(snap, feed_size)
    feed_s, facts, watched, feed_peak = _monitoring(city, snap, feed, as_of)

    departmental = sum(manifest["department_rows"].values())
    peak = max(batch_peak, feed_peak, sql_peak)
    ratio = engine_s / sql_s if sql_s else None
    label = "at full size" if size == "full" else f"the full size's target, measured at {size}"
    return {
        "scenario": "province",
        "sizes": {
            "persons": manifest["persons"],
            "households": result.num_rows,
            "departmental_rows": departmental,
            "counties": len(counties.counties(snap)),
            "feed_records": feed_size,
            "feed_persons": sum(t.num_rows for t in feed.values()),
            "watched_persons": watched,
            "facts_found": facts,
        },
        "timings_s": {
            **{k: v for k, v in prep.items() if not k.endswith("_mb")},
            "batch_by_county_total": round(batch_s, 2),
            "batch_engine": round(engine_s, 2),
            "batch_engine_of_which_ibis_compile": round(compile_s, 2),
            "batch_copy_to_postgresql": round(copy_s, 2),
            "hand_written_sql_whole": round(sql_s, 2),
            "hand_written_sql_by_county": round(sql_county_s, 2),
            "daily_feed_by_county": round(feed_s, 2),
        },
        "ratios": {
            "engine_over_hand_written_sql": round(ratio, 2) if ratio else None,
            "engine_over_hand_written_sql_by_county": round(engine_s / sql_county_s, 2) if sql_county_s else None,
        },
        "peak_memory_mb": round(peak, 1),
        "targets": {
            f"batch 核对 of every household < {TARGETS['batch_s']} s ({label})": batch_s < TARGETS["batch_s"],
            f"daily feed < {TARGETS['feed_s']} s ({label})": feed_s < TARGETS["feed_s"],
            "peak memory ≤ 10 GB": peak <= TARGETS["memory_mb"],
            "engine ≤ 1.5× hand-written SQL (one query over every county)": bool(ratio and ratio <= TARGETS["ratio"]),
            "engine result equals the hand-written SQL's row for row": same,
        },
        "notes": (
            f"DuckDB memory_limit {limit} (HUIMIN_ENGINE_MEMORY_LIMIT). Peak RSS per phase: batch {batch_peak} MB, "
            f"hand-written SQL {sql_peak} MB, daily feed {feed_peak} MB"
            + (f", generation {prep['generate_peak_mb']} MB" if "generate_peak_mb" in prep else "")
            + ". The engine runs county by county (rules compiled once, each county's files); the baseline is one "
            "hand-written query over every county at once. The batch total includes the COPY of every county's rows "
            "into PostgreSQL. The feed's persons and the watched population are prepared before timing."
        ),
    }
