"""The engine's input tables and their schemas: exported registry tables, departmental sources, thresholds."""

from dataclasses import dataclass, field, replace

import ibis
import pyarrow as pa

from huimin.engine.sources import DATE, DECIMAL, INT, MONEY, MONTH, SOURCES, STR

PERSONS_SCHEMA = pa.schema(
    [
        ("person_key", pa.string()),
        ("person_id", pa.int64()),
        ("household_id", pa.int64()),
        ("birth_date", pa.date32()),
        ("labour_ability", pa.string()),
        ("disability_grade", pa.int64()),
        ("is_deceased", pa.bool_()),
    ]
)
HOUSEHOLDS_SCHEMA = pa.schema(
    [
        ("household_id", pa.int64()),
        ("number", pa.string()),
        ("region_code", pa.string()),
        ("is_urban", pa.bool_()),
    ]
)
THRESHOLDS_SCHEMA = pa.schema(
    [
        ("programme", pa.string()),
        ("rule", pa.string()),
        ("region_prefix", pa.string()),
        ("urban_rural", pa.string()),
        ("value", pa.int64()),
        ("outcome", pa.string()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
    ]
)

# Rows per Parquet row group of a snapshot. Snapshots are sorted by person_key, so a single check reads only the
# row groups whose key range holds a member: smaller groups mean less to decompress per check.
ROW_GROUP_ROWS = 20_000

_ARROW_TYPES = {
    STR: pa.string(),
    DATE: pa.date32(),
    MONTH: pa.string(),
    MONEY: pa.int64(),  # 分: exact integers, identical on every backend
    INT: pa.int64(),
    DECIMAL: pa.decimal128(14, 2),
}


def source_schema(code: str) -> pa.Schema:
    """The normalised Parquet schema of a source: person_key instead of id_number, money in 分."""
    fields = [pa.field("person_key", pa.string(), nullable=False)]
    for column in SOURCES[code].columns:
        if column.name != "id_number":
            fields.append(pa.field(column.name, _ARROW_TYPES[column.type]))
    return pa.schema(fields)


@dataclass
class Tables:
    persons: ibis.Table
    households: ibis.Table
    thresholds: ibis.Table
    sources: dict[str, ibis.Table] = field(default_factory=dict)

    def restricted_to(self, person_keys: list[str]) -> "Tables":
        """The same tables with the departmental sources cut down to some persons (for a single check)."""
        keys = list(person_keys) or [""]
        return replace(self, sources={c: t.filter(t.person_key.isin(keys)) for c, t in self.sources.items()})


def slice_sources(sources: dict, person_keys: list[str]) -> dict[str, pa.Table]:
    """The rows of a few persons from each source's Parquet file(s), read with pyarrow: snapshots are sorted by
    person_key, so row groups whose key range misses are skipped. The single check binds these small tables to
    the same rules the batch runs on whole files."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = pa.array(sorted(set(person_keys)), pa.string())
    out = {}
    for code, paths in sources.items():
        files = [paths] if isinstance(paths, str | bytes) or hasattr(paths, "__fspath__") else list(paths)
        parts = [
            pq.read_table(f, filters=pc.field("person_key").isin(wanted), schema=source_schema(code)) for f in files
        ]
        out[code] = pa.concat_tables(parts) if parts else source_schema(code).empty_table()
    return out


def _table(con, data, name: str) -> ibis.Table:
    """A table on ``con`` from a Parquet path, a list of paths or an Arrow table."""
    if isinstance(data, pa.Table):
        return ibis.memtable(data)
    paths = [str(p) for p in (data if isinstance(data, list | tuple) else [data])]
    options = {}
    if getattr(con, "name", "") == "duckdb":
        # county-partitioned snapshots live under county=<code>/ directories: the files hold every column, so the
        # directory name must not become a column of its own
        options["hive_partitioning"] = False
    return con.read_parquet(paths if len(paths) > 1 else paths[0], table_name=name, **options)


def load(con, *, persons, households, thresholds: pa.Table, sources: dict) -> Tables:
    """Bind the inputs to a backend connection. ``sources`` maps a source code to Parquet path(s); a source with
    no data is an empty table of its schema, so every rule still runs."""
    bound = {}
    for code in SOURCES:
        data = sources.get(code)
        if not data:
            data = source_schema(code).empty_table()
        bound[code] = _table(con, data, f"src_{code}")
    return Tables(
        persons=_table(con, persons, "persons"),
        households=_table(con, households, "households"),
        thresholds=_table(con, thresholds, "thresholds"),
        sources=bound,
    )
