"""The single check's path: the same Ibis rules, compiled once per (programme, date) and run on small Arrow tables.

Compiling the rules takes a few tenths of a second and does not depend on the data, so the SQL is built against
tables with fixed names and cached; each check registers its own household's rows under those names in a fresh
in-process DuckDB connection and runs the cached SQL.
"""

import datetime
from functools import lru_cache

import duckdb
import pyarrow as pa

from huimin.engine import backends, tables
from huimin.engine import verification as rules
from huimin.engine.sources import SOURCES


def _names() -> dict[str, pa.Schema]:
    return {
        "persons": tables.PERSONS_SCHEMA,
        "households": tables.HOUSEHOLDS_SCHEMA,
        "thresholds": tables.THRESHOLDS_SCHEMA,
        **{f"src_{code}": tables.source_schema(code) for code in SOURCES},
    }


def _bound(con, data: dict[str, pa.Table]) -> tables.Tables:
    for name, table in data.items():
        con.con.register(name, table)
    return tables.Tables(
        persons=con.table("persons"),
        households=con.table("households"),
        thresholds=con.table("thresholds"),
        sources={code: con.table(f"src_{code}") for code in SOURCES},
    )


@lru_cache(maxsize=64)
def compiled_sql(programme: str, as_of: datetime.date) -> str:
    con = backends.connect("duckdb")
    t = _bound(con, {name: schema.empty_table() for name, schema in _names().items()})
    return str(con.compile(rules.evaluate(t, programme, as_of).select(*rules.COLUMNS)))


def evaluate(
    programme: str,
    as_of: datetime.date,
    *,
    persons: pa.Table,
    households: pa.Table,
    thresholds: pa.Table,
    sources: dict[str, pa.Table],
) -> list[dict]:
    """The rows of ``rules.evaluate`` for the given (small) inputs; sources missing from ``sources`` are empty."""
    con = duckdb.connect()
    con.execute("SET threads = 1")
    data = {"persons": persons, "households": households, "thresholds": thresholds}
    for code in SOURCES:
        data[f"src_{code}"] = sources.get(code, tables.source_schema(code).empty_table())
    for name, table in data.items():
        con.register(name, table)
    try:
        result = con.sql(compiled_sql(programme, as_of))
        table = result.to_arrow_table() if hasattr(result, "to_arrow_table") else result.arrow()
        return table.to_pylist()
    finally:
        con.close()
