"""Province scale: snapshots partitioned by county, and the batches run county by county.

A county-partitioned snapshot directory holds, hive-style, a directory per county for each table::

    <root>/persons/county=411702000000/part-0.parquet
    <root>/households/county=411702000000/part-0.parquet
    <root>/<source>/county=411702000000/part-0.parquet     (one per huimin.engine.sources code)

in the engine's schemas (``huimin.engine.tables``). A household's county is its region's; a departmental record
lies in the county of the household its person is registered in, so a county's 核对 reads only that county's
files and gives the same rows as the whole run over everybody (a household's members and their records are all in
its county). A source given as plain file(s) instead of a partitioned directory is read whole for every county
(only its rows of the county's members count, through the same joins).

The rules are ``huimin.engine.verification.evaluate`` and ``huimin.engine.monitoring.evaluate``, unchanged: this
module only chooses which files each county's run reads. DuckDB's memory is bounded by
``HUIMIN_ENGINE_MEMORY_LIMIT`` (``backends.connect``); what does not fit spills to ``HUIMIN_ENGINE_TEMP_DIR``.
"""

import datetime
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa

from huimin.engine import backends, tables
from huimin.engine import verification as rules
from huimin.engine.sources import SOURCES

PREFIX = "county="
REGISTRY = ("persons", "households")


def counties(root: Path, prefix: str = "") -> list[str]:
    """The county codes of a partitioned snapshot directory (those of its households), under a region prefix."""
    base = Path(root) / "households"
    if not base.is_dir():
        return []
    codes = (d.name[len(PREFIX) :] for d in base.iterdir() if d.is_dir() and d.name.startswith(PREFIX))
    return sorted(c for c in codes if c.startswith(prefix))


def is_partitioned(path) -> bool:
    path = Path(path)
    return path.is_dir() and any(d.name.startswith(PREFIX) for d in path.iterdir() if d.is_dir())


def files(path, county: str) -> list[str]:
    """The Parquet files of ``county`` under a partitioned table directory (none: the county has no rows)."""
    return sorted(str(f) for f in (Path(path) / f"{PREFIX}{county}").glob("*.parquet"))


def inputs(root: Path, county: str, shared: dict | None = None) -> dict:
    """What one county's run reads: its persons, households and, per source, its partition's files (or the
    ``shared`` file(s) of a source that is not partitioned)."""
    root = Path(root)
    out = {name: files(root / name, county) for name in REGISTRY}
    sources = {}
    for code in SOURCES:
        if shared and code in shared:
            sources[code] = shared[code]
        elif (root / code).is_dir():
            sources[code] = files(root / code, county)
    out["sources"] = {c: f for c, f in sources.items() if f}
    return out


def bind(con, root: Path, county: str, thresholds: pa.Table, shared: dict | None = None) -> tables.Tables:
    """One county's snapshot files bound to a connection as the engine's tables."""
    data = inputs(root, county, shared)
    return tables.load(
        con,
        persons=data["persons"] or tables.PERSONS_SCHEMA.empty_table(),
        households=data["households"] or tables.HOUSEHOLDS_SCHEMA.empty_table(),
        thresholds=thresholds,
        sources=data["sources"],
    )


def _schemas() -> dict[str, pa.Schema]:
    return {
        "persons": tables.PERSONS_SCHEMA,
        "households": tables.HOUSEHOLDS_SCHEMA,
        **{f"src_{code}": tables.source_schema(code) for code in SOURCES},
    }


class Verifier:
    """The 核对 of one county after another on one connection. On DuckDB the rules are compiled to SQL once
    (against views named persons, households, thresholds and src_<source>) and each county only points the views
    at its own files, so a county costs its data, not another compile (Ibis takes a few tenths of a second per
    compile: ×100 counties). On another backend (Spark) each county binds and evaluates the rules afresh."""

    def __init__(self, root: Path, programme: str, as_of: datetime.date, *, backend=None, shared=None):
        self.root, self.programme, self.as_of, self.shared = Path(root), programme, as_of, shared
        self.con = backends.connect(backend)
        self.sql, self.schema = None, None

    def _point(self, county: str, thresholds: pa.Table) -> None:
        data = inputs(self.root, county, self.shared)
        raw = self.con.con
        wanted = {
            "persons": data["persons"],
            "households": data["households"],
            **{f"src_{code}": data["sources"].get(code) for code in SOURCES},
        }
        for name, schema in _schemas().items():
            paths = wanted[name]
            # view names are this module's own; paths are quoted as SQL strings (a view takes no parameters)
            if paths:
                listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
                raw.execute(
                    f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet([{listed}], hive_partitioning=false)"  # noqa: S608
                )
            else:
                raw.register(f"{name}_empty", schema.empty_table())
                raw.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {name}_empty")  # noqa: S608
        raw.register("thresholds_data", thresholds)
        raw.execute("CREATE OR REPLACE VIEW thresholds AS SELECT * FROM thresholds_data")

    def county(self, county: str, thresholds: pa.Table) -> pa.Table:
        """The 核对 rows (``verification.COLUMNS``) of every household of ``county``."""
        if getattr(self.con, "name", "") != "duckdb":
            return evaluate(self.root, county, self.programme, self.as_of, thresholds, shared=self.shared,
                            backend=self.con.name)  # fmt: skip
        self._point(county, thresholds)
        if self.sql is None:
            t = tables.Tables(
                persons=self.con.table("persons"),
                households=self.con.table("households"),
                thresholds=self.con.table("thresholds"),
                sources={code: self.con.table(f"src_{code}") for code in SOURCES},
            )
            expr = rules.evaluate(t, self.programme, self.as_of).select(*rules.COLUMNS)
            self.sql, self.schema = str(self.con.compile(expr)), expr.schema().to_pyarrow()
        result = self.con.con.sql(self.sql)
        table = result.to_arrow_table() if hasattr(result, "to_arrow_table") else result.arrow()
        return table.cast(self.schema)  # the types Ibis gives (sums of 分 as int64, as to_pyarrow returns them)


def evaluate(
    root: Path,
    county: str,
    programme: str,
    as_of: datetime.date,
    thresholds: pa.Table,
    *,
    backend: str | None = None,
    shared: dict | None = None,
) -> pa.Table:
    """The 核对 rows (``verification.COLUMNS``) of every household of one county, through Ibis directly (what
    ``Verifier`` compiles once)."""
    con = backends.connect(backend)
    t = bind(con, root, county, thresholds, shared)
    return con.to_pyarrow(rules.evaluate(t, programme, as_of).select(*rules.COLUMNS))


def households_of(root: Path, county: str, columns=("region_code", "is_urban")) -> pa.Table:
    """One county's household rows (for the thresholds of its places), read with pyarrow."""
    import pyarrow.parquet as pq

    parts = [pq.read_table(f, columns=list(columns)) for f in files(Path(root) / "households", county)]
    if not parts:
        return tables.HOUSEHOLDS_SCHEMA.empty_table().select(list(columns))
    return pa.concat_tables(parts)


def run(
    todo: Iterable[str],
    work: Callable[[str], int],
    *,
    done: Iterable[str] = (),
    progress: Callable[[int, int, str, int], None] | None = None,
) -> list[str]:
    """Run ``work(county)`` for each county of ``todo`` not in ``done`` (a resumed run skips what it finished),
    in order; ``progress(finished, total, county, rows)`` after each. Returns the counties run now."""
    todo = list(todo)
    finished = set(done)
    ran = []
    count = len([c for c in todo if c in finished])
    for county in todo:
        if county in finished:
            continue
        rows = work(county)
        ran.append(county)
        count += 1
        if progress:
            progress(count, len(todo), county, rows)
    return ran


class ProgressLine:
    """A progress bar on one line of a terminal (a plain line per step when the output is not a terminal)."""

    def __init__(self, label: str, stream=None, width: int = 30):
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.started = time.perf_counter()

    def __call__(self, finished: int, total: int, county: str, rows: int) -> None:
        share = finished / total if total else 1.0
        bar = "█" * round(share * self.width) + "░" * (self.width - round(share * self.width))
        seconds = time.perf_counter() - self.started
        text = f"{self.label} {bar} {finished}/{total} 县（{share:.0%}）· {county} {rows:,} 户 · {seconds:.0f} 秒"
        tty = getattr(self.stream, "isatty", lambda: False)()
        self.stream.write(("\r" + text + ("\n" if finished >= total else "")) if tty else text + "\n")
        self.stream.flush()
