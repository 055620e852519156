"""The same rules on DuckDB and on Spark (local mode) give identical results on the same data."""

import pytest

from huimin.engine import backends, synthetic, tables
from huimin.engine import verification as engine


def _run(backend, paths):
    con = backends.connect(backend)
    t = tables.load(
        con,
        persons=str(paths["persons"]),
        households=str(paths["households"]),
        thresholds=synthetic.thresholds(),
        sources={code: str(p) for code, p in paths["sources"].items()},
    )
    result = con.to_pyarrow(engine.evaluate(t, "dibao", synthetic.AS_OF).select(*engine.COLUMNS))
    return sorted(result.to_pylist(), key=lambda r: r["household_id"])


@pytest.mark.spark
def test_duckdb_and_spark_give_identical_results(tmp_path):
    pytest.importorskip("pyspark")
    paths = synthetic.generate(tmp_path, persons=3000, records=30000, seed=7)
    duck = _run("duckdb", paths)
    spark = _run("pyspark", paths)
    assert len(duck) == paths["counts"]["households"]
    assert {r["conclusion"] for r in duck} == {"eligible", "not_eligible", "needs_visit"}
    assert sum(r["r_income"] for r in duck) > 0 and sum(r["r_company"] for r in duck) > 0
    assert len(spark) == len(duck)
    for d, s in zip(duck, spark, strict=True):
        assert d == s, (d, s)


def test_duckdb_results_do_not_depend_on_the_threads(tmp_path):
    paths = synthetic.generate(tmp_path, persons=2000, records=20000, seed=3)
    con1 = backends.connect("duckdb", threads=1)
    t = tables.load(
        con1,
        persons=str(paths["persons"]),
        households=str(paths["households"]),
        thresholds=synthetic.thresholds(),
        sources={c: str(p) for c, p in paths["sources"].items()},
    )
    one = con1.to_pyarrow(engine.evaluate(t, "dibao", synthetic.AS_OF).select(*engine.COLUMNS))
    assert one.to_pylist() == _run("duckdb", paths)


def test_a_household_filter_gives_the_same_rows_as_the_full_run(tmp_path):
    paths = synthetic.generate(tmp_path, persons=2000, records=20000, seed=5)
    con = backends.connect("duckdb")
    t = tables.load(
        con,
        persons=str(paths["persons"]),
        households=str(paths["households"]),
        thresholds=synthetic.thresholds(),
        sources={c: str(p) for c, p in paths["sources"].items()},
    )
    full = {r["household_id"]: r for r in _run("duckdb", paths)}
    some = t.households.filter(t.households.household_id.isin([3, 50, 400]))
    part = con.to_pyarrow(engine.evaluate(t, "dibao", synthetic.AS_OF, some).select(*engine.COLUMNS)).to_pylist()
    assert [r["household_id"] for r in part] == [3, 50, 400]
    assert all(r == full[r["household_id"]] for r in part)
