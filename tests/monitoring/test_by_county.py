"""动态监测 county by county over county-partitioned snapshots: every rule finds, county after county, what it
finds over the whole city at once (the rules that compare persons across counties excepted: they need the whole
province), and a daily feed's incremental run finds, for the households it touches, what the full run finds."""

import pyarrow as pa
import pytest

from huimin.demo import generator, snapshots
from huimin.engine import backends, counties, tables
from huimin.engine import monitoring as engine
from huimin.engine.sources import SOURCES
from huimin.monitoring.defaults import RULES

AS_OF = generator.DEFAULT_AS_OF
CROSS_COUNTY = {"enrolled_twice"}  # the same person enrolled in two places: not seen from one county


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    base = tmp_path_factory.mktemp("province-monitoring")
    generator.generate(base / "city", 3000, seed=11, partition="county")
    snapshots.engine_snapshots(base / "city", base / "snap")
    return base


def _keys(table: pa.Table) -> set:
    return set(zip(*(table[c].to_pylist() for c in ("person_id", "household_id", "record_key")), strict=True))


def _rules():
    return [(r["code"], r["kind"], r["params"]) for r in RULES]


def _whole(city, pop: pa.Table) -> dict[str, set]:
    root = city / "snap"
    con = backends.connect("duckdb")
    t = tables.load(
        con,
        persons=pop,
        households=tables.HOUSEHOLDS_SCHEMA.empty_table(),
        thresholds=tables.THRESHOLDS_SCHEMA.empty_table(),
        sources={code: sorted(str(p) for p in (root / code).glob("*/*.parquet")) for code in SOURCES},
    )
    return {
        code: _keys(engine.evaluate(t, t.persons, kind, params, AS_OF).to_pyarrow()) for code, kind, params in _rules()
    }


def test_every_rule_county_by_county_finds_what_the_whole_run_finds(city):
    root = city / "snap"
    monitor = counties.Monitor(root, _rules(), AS_OF)
    found: dict[str, set] = {code: set() for code, _, _ in _rules()}
    pops = []
    for county in counties.counties(root):
        pop = snapshots.population(city / "city", county)
        pops.append(pop)
        for code, facts in monitor.county(county, pop).items():
            found[code] |= _keys(facts)
    whole = _whole(city, pa.concat_tables(pops))
    kinds = {code: kind for code, kind, _ in _rules()}
    for code in found:
        if kinds[code] not in CROSS_COUNTY:
            assert found[code] == whole[code], code
    assert sum(1 for code in found if found[code]) >= 8  # real facts compared, not empty sets


def test_a_daily_feed_county_by_county_finds_the_full_runs_facts_of_the_households_it_touches(city):
    root = city / "snap"
    full = counties.Monitor(root, _rules(), AS_OF)
    daily = counties.Monitor(root, _rules(), AS_OF, incremental=True)
    compared = 0
    for county in counties.counties(root)[:3]:
        pop = snapshots.population(city / "city", county)
        keys = pop["person_key"].to_pylist()[::7]  # the persons with a new record today
        feed = pa.table({"person_key": pa.array(keys, pa.string())})
        touched = set(
            pop.filter(pa.compute.is_in(pop["person_key"], value_set=feed["person_key"]))["household_id"].to_pylist()
        )
        everything = full.county(county, pop)
        today = daily.county(county, pop, feed)
        for code, facts in today.items():
            expected = {k for k in _keys(everything[code]) if k[1] in touched}
            assert _keys(facts) == expected, (county, code)
            compared += len(expected)
    assert compared > 0
