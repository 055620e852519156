"""Synthetic engine inputs at any scale, generated vectorised (numpy + pyarrow), for the benchmark and for the
test that runs DuckDB and Spark on the same data. Not a data path of the application: it writes the Parquet files
the engine reads — persons, households and the 12 departmental sources in their normalised schemas — directly.

The demo city (huimin.demo) is the realistic generator; this one only has to be big, varied and fast.
"""

import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from huimin.engine.sources import CHOICES, DATE, DECIMAL, INT, MONEY, MONTH, SOURCES, STR
from huimin.engine.tables import (
    HOUSEHOLDS_SCHEMA,
    PERSONS_SCHEMA,
    ROW_GROUP_ROWS,
    THRESHOLDS_SCHEMA,
    source_schema,
)

# Share of the departmental records each source holds (hukou: about one per person at full scale).
SHARES = {
    "hukou": 0.10,
    "wages": 0.40,
    "social_insurance": 0.20,
    "housing_fund": 0.10,
    "medical": 0.06,
    "deposits": 0.06,
    "real_estate": 0.03,
    "vehicles": 0.02,
    "business": 0.01,
    "disability": 0.01,
    "unemployment": 0.008,
    "deaths": 0.002,
}
# Money columns: (low, high) in 元 of a uniform draw.
MONEY_RANGES = {
    ("wages", "gross_wage"): (300, 2500),
    ("wages", "tax"): (0, 50),
    ("social_insurance", "amount"): (100, 1500),
    ("deposits", "balance"): (0, 12000),
    ("vehicles", "value"): (2000, 80000),
    ("medical", "self_paid"): (10, 8000),
    ("medical", "total_cost"): (100, 30000),
}
AS_OF = datetime.date(2026, 6, 30)
EPOCH = datetime.date(1970, 1, 1)


def _dates(rng, n, start: datetime.date, end: datetime.date) -> pa.Array:
    lo, hi = (start - EPOCH).days, (end - EPOCH).days
    return pa.array(rng.integers(lo, hi + 1, n).astype("int32"), pa.date32())


def _months(rng, n) -> pa.Array:
    # 18 months up to the check month: a third of them fall outside the 12-month window.
    labels = np.array([f"{y:04d}-{m:02d}" for y, m in ((2025 + (i // 12), i % 12 + 1) for i in range(18))])
    return pa.array(labels[rng.integers(0, len(labels), n)])


def _keys(n: int) -> np.ndarray:
    return np.char.add("p", np.char.zfill(np.arange(n).astype(str), 10))


def _column(rng, code, column, n):
    kind = column.type
    choices = CHOICES.get((code, column.name))
    if choices:
        weights = np.array([8.0] + [1.0] * (len(choices) - 1))
        return pa.array(np.array(choices)[rng.choice(len(choices), n, p=weights / weights.sum())])
    if kind == MONEY:
        lo, hi = MONEY_RANGES.get((code, column.name), (1000, 300000))
        return pa.array(rng.integers(lo * 100, hi * 100 + 1, n).astype("int64"))
    if kind == DATE:
        return _dates(rng, n, datetime.date(2015, 1, 1), AS_OF)
    if kind == MONTH:
        return _months(rng, n)
    if kind == INT:
        return pa.array(rng.integers(1, 5, n).astype("int64"))
    if kind == DECIMAL:
        return pa.array(rng.integers(30, 200, n).astype("int32")).cast(pa.decimal128(14, 2))
    assert kind == STR
    # Identifiers (cert_no, plate_no, credit_code …) are unique per person and draw, so co-ownership is rare.
    return pa.array(np.char.add(f"{column.name[:2]}-", rng.integers(0, 10**9, n).astype(str)))


def generate(out: Path, persons: int, records: int, seed: int = 1) -> dict:
    """Write the inputs under ``out``; returns {"persons", "households", "sources": {code: path}, counts}."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 3, 4, 5], size=persons, p=[0.22, 0.30, 0.25, 0.15, 0.08])
    household_of = np.repeat(np.arange(len(sizes)), sizes)[:persons]
    n_households = int(household_of[-1]) + 1
    keys = _keys(persons)

    villages = np.array([f"4117{c:02d}{t:03d}{v:03d}" for c in (2, 21, 22) for t in range(1, 11) for v in range(1, 21)])
    hh_region = villages[rng.integers(0, len(villages), n_households)]
    households = pa.table(
        {
            "household_id": pa.array(np.arange(n_households, dtype="int64")),
            "number": pa.array(np.char.add("H", np.arange(n_households).astype(str))),
            "region_code": pa.array(hh_region),
            "is_urban": pa.array(rng.random(n_households) < 0.4),
        },
        schema=HOUSEHOLDS_SCHEMA,
    )
    person_table = pa.table(
        {
            "person_key": pa.array(keys),
            "person_id": pa.array(np.arange(persons, dtype="int64")),
            "household_id": pa.array(household_of.astype("int64")),
            "birth_date": _dates(rng, persons, datetime.date(1930, 1, 1), datetime.date(2024, 1, 1)),
            "labour_ability": pa.array(np.array(["able", "partial", "unable"])[rng.integers(0, 3, persons)]),
            "disability_grade": pa.array(rng.integers(1, 5, persons).astype("int64"), mask=rng.random(persons) >= 0.05),
            "is_deceased": pa.array(rng.random(persons) < 0.003),
        },
        schema=PERSONS_SCHEMA,
    )
    paths = {"persons": out / "persons.parquet", "households": out / "households.parquet", "sources": {}}
    pq.write_table(person_table, paths["persons"], row_group_size=ROW_GROUP_ROWS)
    pq.write_table(households, paths["households"], row_group_size=ROW_GROUP_ROWS)
    counts = {}
    # Wages go to a working third of the population, so most households stay low-income.
    earners = rng.choice(persons, size=max(persons // 3, 1), replace=False)
    for code, share in SHARES.items():
        n = max(int(records * share), 1)
        who = (
            earners[rng.integers(0, len(earners), n)]
            if code in ("wages", "housing_fund")
            else rng.integers(0, persons, n)
        )
        columns = {"person_key": pa.array(keys[who])}
        for column in SOURCES[code].columns:
            if column.name != "id_number":
                columns[column.name] = _column(rng, code, column, n)
        table = pa.table(columns, schema=source_schema(code)).sort_by("person_key")
        path = out / f"{code}.parquet"
        pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS)
        paths["sources"][code] = path
        counts[code] = n
    paths["counts"] = {"persons": persons, "households": n_households, "records": sum(counts.values()), **counts}
    return paths


def thresholds(programme: str = "dibao") -> pa.Table:
    """A threshold set exercising every rule, a more specific urban row and a rule that is not yet in force."""
    rows = [
        ("income_standard", "", "", 60000, "not_eligible", datetime.date(2020, 1, 1), None),
        ("income_standard", "411702", "urban", 65000, "not_eligible", datetime.date(2020, 1, 1), None),
        ("income_standard", "411702", "urban", 99000, "not_eligible", datetime.date(2027, 1, 1), None),
        ("deposit_months", "", "", 24, "not_eligible", datetime.date(2020, 1, 1), None),
        ("vehicle_count", "", "", 1, "not_eligible", datetime.date(2020, 1, 1), None),
        ("vehicle_value", "", "", 5000000, "not_eligible", datetime.date(2020, 1, 1), None),
        ("dwelling_count", "", "", 1, "not_eligible", datetime.date(2020, 1, 1), None),
        ("company_count", "", "", 0, "needs_visit", datetime.date(2020, 1, 1), None),
        ("medical_self_paid", "", "", 2000000, "needs_visit", datetime.date(2020, 1, 1), None),
    ]
    names = ["rule", "region_prefix", "urban_rural", "value", "outcome", "valid_from", "valid_to"]
    data = {name: [r[i] for r in rows] for i, name in enumerate(names)}
    return pa.table({"programme": [programme] * len(rows), **data}, schema=THRESHOLDS_SCHEMA)
