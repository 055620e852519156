"""The synthetic-city generator: Huimin's vectorised, chunked generator against a naïve row-by-row one.

Huimin path: ``huimin.demo.generator.generate`` at the full size of the scenario.
Baseline: the straightforward way — a Python loop per person (random.Random, ``idnumbers.make`` per number),
one dict per departmental row, written with ``pyarrow.Table.from_pylist``. It runs on a sample and is
extrapolated linearly to the scenario's size (it has no super-linear step, so linear is fair to it).
"""

import datetime
import random
import shutil
import time

import pyarrow as pa
import pyarrow.parquet as pq

from huimin.demo import generator
from huimin.registry import idnumbers

SIZES = {"small": (20_000, 2_000), "full": (1_000_000, 20_000)}  # persons, baseline sample
TARGET_PERSONS, TARGET_ROWS, TARGET_SECONDS = 1_000_000, 10_000_000, 600  # the issue: "in minutes"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
COUNTIES = ["411702", "411721", "411722", "411723", "411724", "411725", "411726", "411727", "411728", "411729"]


def _naive(persons: int, out, seed: int = 1) -> int:
    rnd = random.Random(seed)
    as_of = generator.DEFAULT_AS_OF
    people, rows = [], {name: [] for name in ("hukou", "social_insurance", "wages", "deposits", "medical")}
    used = set()
    for i in range(persons):
        county = rnd.choice(COUNTIES)
        birth = as_of - datetime.timedelta(days=rnd.randint(0, 90 * 365))
        sex = rnd.choice("12")
        while True:
            seq = rnd.randrange(1 if sex == "1" else 2, 999, 2)
            number = idnumbers.make(county, birth, seq)
            if number not in used:
                used.add(number)
                break
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.randint(1, 2)))
        income = round(rnd.lognormvariate(7.9, 0.5), 2)
        people.append({"person_id": i, "id_number": number, "name": name, "sex": sex, "birth_date": birth})
        rows["hukou"].append({"id_number": number, "name": name, "region_code": county, "status": "正常"})
        for m in range(1, 13):  # about ten departmental rows per person, as in the real generator
            month = f"2026-{m:02d}" if m <= 10 else f"2025-{m:02d}"
            if rnd.random() < 0.45:
                rows["social_insurance"].append({"id_number": number, "month": month, "kind": "缴费", "amount": income})
            if rnd.random() < 0.3:
                rows["wages"].append({"id_number": number, "month": month, "gross_wage": income})
        if rnd.random() < 0.7:
            rows["deposits"].append({"id_number": number, "product": "存款", "balance": rnd.random() * 1e5})
        if rnd.random() < 0.3:
            rows["medical"].append({"id_number": number, "settled_on": as_of, "self_paid": rnd.random() * 1e3})
    pq.write_table(pa.Table.from_pylist(people), out / "persons.parquet")
    total = 0
    for name, data in rows.items():
        pq.write_table(pa.Table.from_pylist(data), out / f"{name}.parquet")
        total += len(data)
    return total


def run(size: str, workdir) -> dict:
    persons, sample = SIZES[size]
    out = workdir / "city"
    shutil.rmtree(out, ignore_errors=True)
    summary = generator.generate(out, persons, seed=1)
    naive_dir = workdir / "naive"
    shutil.rmtree(naive_dir, ignore_errors=True)
    naive_dir.mkdir(parents=True)
    started = time.perf_counter()
    naive_rows = _naive(sample, naive_dir)
    naive_s = time.perf_counter() - started
    naive_extrapolated = naive_s * persons / sample
    rows = summary.department_total
    throughput = (summary.persons + rows) / summary.seconds
    needed = (TARGET_PERSONS + TARGET_ROWS) / TARGET_SECONDS
    targets = {f"≥ {needed:,.0f} rows/s (1M persons + 10M rows in ≤ 10 min)": throughput >= needed}
    if size == "full":
        targets["full run ≤ 600 s"] = summary.seconds <= TARGET_SECONDS
        targets["≥ 10,000,000 departmental rows"] = rows >= TARGET_ROWS
    return {
        "scenario": "generator",
        "sizes": {
            "persons": summary.persons,
            "households": summary.households,
            "departmental_rows": rows,
            "planted_cases": sum(summary.planted.values()),
            "baseline_sample_persons": sample,
        },  # fmt: skip
        "timings_s": {
            "huimin_generate": round(summary.seconds, 2),
            "baseline_sample": round(naive_s, 2),
            "baseline_extrapolated": round(naive_extrapolated, 2),
        },
        "ratios": {"baseline_per_person_over_huimin": round(naive_extrapolated / summary.seconds, 1)},
        "peak_memory_mb": None,  # filled by the harness from this process
        "targets": targets,
        "notes": (
            f"huimin: {throughput:,.0f} rows/s incl. Parquet writing. Baseline: row-by-row Python on "
            f"{sample:,} persons (≈{naive_rows / sample:.1f} departmental rows each, fewer columns than Huimin's), "
            f"extrapolated linearly."
        ),
    }
