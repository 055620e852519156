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
            sources[code] = shared_files(shared[code], county)
        elif (root / code).is_dir():
            sources[code] = files(root / code, county)
    out["sources"] = {c: f for c, f in sources.items() if f}
    return out


def shared_files(value, county: str):
    """What ``county`` reads of a source given beside the root (``shared``): an Arrow table as it is; of Parquet
    paths, a file whole and a partitioned directory (another snapshot's ``county=<code>/``) only the county's files."""
    if isinstance(value, pa.Table):
        return value
    out = []
    for path in [value] if isinstance(value, str | Path) else value:
        out += files(path, county) if is_partitioned(path) else [str(path)]
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


def point(con, data: dict) -> None:
    """Point the views ``persons``, ``households``, ``thresholds``, ``src_<source>`` (and any other name given)
    of a DuckDB connection at Parquet file lists or Arrow tables; a name given nothing is an empty table of its
    schema. Compiled SQL that reads these views then runs on the new data."""
    raw = con.con
    schemas = {**_schemas(), "thresholds": tables.THRESHOLDS_SCHEMA}
    for name in {**schemas, **data}:
        value = data.get(name)
        # view names are this module's own; paths are quoted as SQL strings (a view takes no parameters)
        if isinstance(value, pa.Table):
            raw.register(f"{name}_data", value)
            raw.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {name}_data")  # noqa: S608
        elif value:
            listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in value)
            raw.execute(
                f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet([{listed}], hive_partitioning=false)"  # noqa: S608
            )
        else:
            raw.register(f"{name}_data", schemas[name].empty_table())
            raw.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {name}_data")  # noqa: S608


def _viewed(con) -> tables.Tables:
    return tables.Tables(
        persons=con.table("persons"),
        households=con.table("households"),
        thresholds=con.table("thresholds"),
        sources={code: con.table(f"src_{code}") for code in SOURCES},
    )


def _arrow(con, sql: str, schema: pa.Schema) -> pa.Table:
    result = con.con.sql(sql)
    table = result.to_arrow_table() if hasattr(result, "to_arrow_table") else result.arrow()
    return table.cast(schema)  # the types Ibis gives (sums of 分 as int64, as to_pyarrow returns them)


class Verifier:
    """The 核对 of one county after another on one connection. On DuckDB the rules are compiled to SQL once
    (against views named persons, households, thresholds and src_<source>) and each county only points the views
    at its own files, so a county costs its data, not another compile (Ibis takes a few tenths of a second per
    compile: ×100 counties). On another backend (Spark) each county binds and evaluates the rules afresh."""

    def __init__(self, root: Path, programme: str, as_of: datetime.date, *, backend=None, shared=None):
        self.root, self.programme, self.as_of, self.shared = Path(root), programme, as_of, shared
        self.con = backends.connect(backend)
        self.sql, self.schema = None, None
        self.compile_seconds = 0.0  # Ibis → SQL, once per run (independent of the data's size)

    def _point(self, county: str, thresholds: pa.Table) -> None:
        data = inputs(self.root, county, self.shared)
        point(self.con, {"persons": data["persons"], "households": data["households"], "thresholds": thresholds,
                         **{f"src_{code}": data["sources"].get(code) for code in SOURCES}})  # fmt: skip

    def county(self, county: str, thresholds: pa.Table) -> pa.Table:
        """The 核对 rows (``verification.COLUMNS``) of every household of ``county``."""
        if getattr(self.con, "name", "") != "duckdb":
            return evaluate(self.root, county, self.programme, self.as_of, thresholds, shared=self.shared,
                            backend=self.con.name)  # fmt: skip
        self._point(county, thresholds)
        if self.sql is None:
            started = time.perf_counter()
            t = _viewed(self.con)
            expr = rules.evaluate(t, self.programme, self.as_of).select(*rules.COLUMNS)
            self.sql, self.schema = str(self.con.compile(expr)), expr.schema().to_pyarrow()
            self.compile_seconds = time.perf_counter() - started
        return _arrow(self.con, self.sql, self.schema)


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


class Monitor:
    """动态监测's rules (``engine.monitoring.evaluate``) over one county after another, on DuckDB: each rule is
    compiled once, against views, and each county points the views at its files and its watched population.

    ``rules`` are (code, kind, params) as the WarningRule rows give them. With ``feed`` (the person keys of a daily
    feed's new records, per county) a county's run is the incremental one of ``monitoring.services.run``: the
    sources cut to the monitored members of the households those persons belong to. Rules that compare persons
    across counties (``enrolled_twice``: the same person enrolled in two places) see one county at a time here,
    so they need a run over the whole province (or the households of both counties)."""

    def __init__(self, root: Path | None, rules_: list[tuple], as_of: datetime.date, *, incremental: bool = False):
        from huimin.engine import monitoring

        self.root = Path(root) if root is not None else None  # None: every county is given its ``sources``
        self.rules, self.as_of, self.incremental = list(rules_), as_of, incremental
        self.monitoring = monitoring
        self.con = backends.connect("duckdb")
        self.compiled: dict[str, tuple[str, pa.Schema]] = {}

    def county(
        self, county: str, population: pa.Table, feed: pa.Table | None = None, *, sources: dict | None = None
    ) -> dict[str, pa.Table]:
        """The facts of every rule for ``county``'s watched ``population`` (``monitoring.population.SCHEMA``).
        ``sources`` (source code → Parquet file list or Arrow table) replaces what the county's directories under
        ``root`` hold: the service gives each county the partitions of the snapshots it reads."""
        if sources is None:
            sources = inputs(self.root, county)["sources"]
        views = {"persons": population, **{f"src_{code}": sources.get(code) for code in SOURCES}}
        if self.incremental:
            views["feed_keys"] = feed if feed is not None else pa.table({"person_key": pa.array([], pa.string())})
        point(self.con, views)
        if not self.compiled:
            t = _viewed(self.con)
            pop = t.persons
            if self.incremental:
                t = self.monitoring.restrict(t, self.monitoring.household_keys(pop, self.con.table("feed_keys")))
            for code, kind, params in self.rules:
                expr = self.monitoring.evaluate(t, pop, kind, params, self.as_of)
                self.compiled[code] = (str(self.con.compile(expr)), expr.schema().to_pyarrow())
        return {code: _arrow(self.con, sql, schema) for code, (sql, schema) in self.compiled.items()}


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

    def __init__(self, label: str, stream=None, width: int = 30, unit: str = "户"):
        self.label, self.stream, self.width, self.unit = label, stream or sys.stderr, width, unit
        self.started = time.perf_counter()

    def __call__(self, finished: int, total: int, county: str, rows: int) -> None:
        share = finished / total if total else 1.0
        bar = "█" * round(share * self.width) + "░" * (self.width - round(share * self.width))
        seconds = time.perf_counter() - self.started
        text = f"{self.label} {bar} {finished}/{total} 县（{share:.0%}）· {county} {rows:,} {self.unit}"
        text += f" · {seconds:.0f} 秒"
        tty = getattr(self.stream, "isatty", lambda: False)()
        self.stream.write(("\r" + text + ("\n" if finished >= total else "")) if tty else text + "\n")
        self.stream.flush()
