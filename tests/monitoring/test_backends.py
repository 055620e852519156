"""Every warning rule gives the same facts on DuckDB and on Spark (local mode) from the same data, as the 核对
rules do (tests/verification/test_backends.py): a province that outgrows one machine runs the same code."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from huimin.engine import backends, synthetic, tables
from huimin.engine import monitoring as engine
from huimin.monitoring.defaults import RULES
from huimin.monitoring.population import SCHEMA

CATEGORIES = ("dibao", "tekun", "registered", "disability_living", "severe_care", "dibao", "registered")
PROGRAMMES = {"tekun": "tekun_central", "dibao": "dibao_urban"}


def _population(paths) -> pa.Table:
    """Every synthetic person watched under a category; one in fifty also listed in a second household, so the
    rule on 重复享受 has something to find."""
    persons = pq.read_table(paths["persons"])
    households = pq.read_table(paths["households"])
    region = dict(zip(households["household_id"].to_pylist(), households["region_code"].to_pylist(), strict=True))
    ids = persons["person_id"].to_numpy()
    hh = persons["household_id"].to_numpy()
    members = np.bincount(hh)[hh]
    rows = []
    for key, pid, household, size, grade in zip(persons["person_key"].to_pylist(), ids.tolist(), hh.tolist(),
                                                members.tolist(), persons["disability_grade"].to_pylist(),
                                                strict=True):  # fmt: skip
        category = CATEGORIES[pid % len(CATEGORIES)]
        standard = 20000 if pid % 3 == 0 else 60000  # a low standard, so deposits exceed N months of it
        row = {"person_key": key, "canonical_key": key, "person_id": pid, "household_id": household,
               "category": category, "region_code": region[household], "standard_fen": standard, "members": size,
               "disability_grade": grade, "programme": PROGRAMMES.get(category, category)}  # fmt: skip
        rows.append(row)
        if pid % 50 == 0:
            rows.append(row | {"household_id": household + 1, "category": "tekun", "programme": "tekun_central"})
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def _facts(backend, paths, pop) -> dict[str, list[tuple]]:
    con = backends.connect(backend)
    t = tables.load(con, persons=pop, households=str(paths["households"]), thresholds=synthetic.thresholds(),
                    sources={code: str(p) for code, p in paths["sources"].items()})  # fmt: skip
    out = {}
    for rule in RULES:
        table = con.to_pyarrow(engine.evaluate(t, t.persons, rule["kind"], rule["params"], synthetic.AS_OF))
        rows = table.select(list(engine.FACT_COLUMNS)).to_pylist()
        out[rule["code"]] = sorted(tuple(str(row[c]) for c in engine.FACT_COLUMNS) for row in rows)
    return out


@pytest.mark.spark
def test_every_warning_rule_finds_the_same_facts_on_duckdb_and_spark(tmp_path):
    pytest.importorskip("pyspark")
    paths = synthetic.generate(tmp_path, persons=3000, records=30000, seed=11)
    pop = _population(paths)
    duck = _facts("duckdb", paths, pop)
    firing = [code for code, facts in duck.items() if facts]
    assert len(firing) >= 14, firing  # the data exercise most rules, not a comparison of empty sets
    spark = _facts("pyspark", paths, pop)
    assert spark.keys() == duck.keys()
    for code in duck:
        assert spark[code] == duck[code], code
