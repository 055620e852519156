"""Export the operational tables the engine needs to Parquet snapshots under var/engine/.

Rows stream from the database through a server-side cursor (Django's chunked cursor: a named cursor on
PostgreSQL) straight into Arrow record batches — no ORM objects, no whole table in memory.

``export_registry(by_county=True)`` writes the same rows partitioned by county, in the layout of
``huimin.engine.counties`` (``<dest>/persons|households/county=<code>/part-0.parquet``): a household lies in its
region's county, a person in the county of his household. ``gather_strays`` finds the departmental records that a
county-partitioned snapshot holds in another county's directory (or under ``county=unknown``) than the county of
the household their person is registered in now, so a county's run can read them too.
"""

import datetime
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection

from huimin.core import regions
from huimin.core.scope import sql_starting_with
from huimin.engine.counties import PREFIX
from huimin.engine.tables import HOUSEHOLDS_SCHEMA, PERSONS_SCHEMA

BATCH = 50_000
# The directory of a county-partitioned departmental snapshot that holds the records whose person the registry did
# not hold when they arrived (no county is run over it; ``gather_strays`` hands its rows to a county once the person
# is registered)
UNKNOWN = "unknown"

# Living, un-merged persons with their current household. person_key is the ID-number blind index.
PERSONS_SQL = """
SELECT p.id_number_bidx, p.id, p.household_id, p.birth_date, p.labour_ability, p.disability_grade, p.is_deceased
FROM registry_person p
WHERE p.merged_into_id IS NULL AND p.household_id IS NOT NULL AND p.id_number_bidx <> ''
"""
# The same persons with their household's region (the county they are exported under), last.
PERSONS_BY_COUNTY_SQL = """
SELECT p.id_number_bidx, p.id, p.household_id, p.birth_date, p.labour_ability, p.disability_grade, p.is_deceased,
       ph.region_id
FROM registry_person p
JOIN registry_household ph ON ph.id = p.household_id
WHERE p.merged_into_id IS NULL AND p.household_id IS NOT NULL AND p.id_number_bidx <> ''
"""
# A household is urban by its region's 城乡分类代码 (1xx), otherwise by its head's registered attribute.
HOUSEHOLDS_SQL = """
SELECT h.id, h.number, h.region_id,
       CASE WHEN r.urban_rural_code LIKE '1%%' THEN TRUE
            WHEN r.urban_rural_code LIKE '2%%' THEN FALSE
            ELSE COALESCE(hp.is_urban, FALSE) END
FROM registry_household h
JOIN core_region r ON r.code = h.region_id
LEFT JOIN registry_person hp ON hp.id = h.head_id
WHERE h.is_active
"""


def engine_dir() -> Path:
    return Path(settings.VAR_DIR) / "engine"


def _stream(sql: str, params, schema: pa.Schema, path: Path, convert=None) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    rows = 0
    with connection.chunked_cursor() as cursor, pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            if convert:
                batch = [convert(r) for r in batch]
            columns = list(zip(*batch, strict=True))
            writer.write_table(pa.table([list(c) for c in columns], schema=schema))
            rows += len(batch)
        if rows == 0:
            writer.write_table(schema.empty_table())
    tmp.replace(path)
    return rows


def county_of(region_code: str) -> str:
    """The 12-digit code of the county (区县) that holds ``region_code``: the directory its rows are written under."""
    return regions.ancestor_code(region_code, regions.COUNTY)


def _stream_by_county(sql: str, params, schema: pa.Schema, table_dir: Path, region_of, convert) -> dict[str, int]:
    """Like ``_stream``, one ParquetWriter per county: ``<table_dir>/county=<code>/part-0.parquet``. Written beside
    and moved in place at the end, so a directory is whole or absent. Returns the rows per county."""
    tmp = table_dir.with_name(table_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    writers: dict[str, pq.ParquetWriter] = {}
    rows: dict[str, int] = {}
    try:
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(BATCH):
                by_county: dict[str, list] = {}
                for r in batch:
                    by_county.setdefault(county_of(region_of(r)), []).append(convert(r))
                for county, part in by_county.items():
                    if county not in writers:
                        (tmp / f"{PREFIX}{county}").mkdir()
                        writers[county] = pq.ParquetWriter(
                            tmp / f"{PREFIX}{county}" / "part-0.parquet", schema, compression="zstd"
                        )
                    columns = list(zip(*part, strict=True))
                    writers[county].write_table(pa.table([list(c) for c in columns], schema=schema))
                    rows[county] = rows.get(county, 0) + len(part)
    finally:
        for writer in writers.values():
            writer.close()
    shutil.rmtree(table_dir, ignore_errors=True)
    tmp.replace(table_dir)
    return rows


def _bool(value):
    return bool(value) if value is not None else None


def export_registry(
    dest: Path | None = None,
    household_ids: list[int] | None = None,
    region_prefix: str = "",
    *,
    by_county: bool = False,
) -> dict[str, Path]:
    """Write persons.parquet and households.parquet; returns their paths. ``household_ids`` or ``region_prefix``
    (a 行政区划 subtree) narrow the export. ``by_county``: the same rows as directories ``persons/`` and
    ``households/`` partitioned by county (``huimin.engine.counties``' layout); their paths are returned."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = dest or engine_dir() / f"registry-{stamp}"
    persons_sql = PERSONS_BY_COUNTY_SQL if by_county else PERSONS_SQL
    households_sql, persons_params, households_params = HOUSEHOLDS_SQL, [], []
    if region_prefix:
        in_region, region_params = sql_starting_with("region_id", region_prefix)
        persons_sql += f" AND p.household_id IN (SELECT id FROM registry_household WHERE {in_region})"  # noqa: S608 - placeholders
        households_sql += " AND " + sql_starting_with("h.region_id", region_prefix)[0]
        persons_params += region_params
        households_params += region_params
    if household_ids is not None:
        ids = [int(i) for i in household_ids] or [0]
        persons_sql += " AND p.household_id IN (" + ",".join(str(i) for i in ids) + ")"
        households_sql += " AND h.id IN (" + ",".join(str(i) for i in ids) + ")"
    if by_county:
        paths = {"persons": dest / "persons", "households": dest / "households"}
        _stream_by_county(persons_sql, persons_params, PERSONS_SCHEMA, paths["persons"],
                          region_of=lambda r: r[7], convert=lambda r: (*r[:6], _bool(r[6])))  # fmt: skip
        _stream_by_county(households_sql, households_params, HOUSEHOLDS_SCHEMA, paths["households"],
                          region_of=lambda r: r[2], convert=lambda r: (*r[:3], _bool(r[3])))  # fmt: skip
        return paths
    paths = {"persons": dest / "persons.parquet", "households": dest / "households.parquet"}
    _stream(persons_sql, persons_params, PERSONS_SCHEMA, paths["persons"], convert=lambda r: (*r[:6], _bool(r[6])))
    _stream(
        households_sql,
        households_params,
        HOUSEHOLDS_SCHEMA,
        paths["households"],
        convert=lambda r: (*r[:3], _bool(r[3])),
    )
    return paths


def _quoted(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def gather_strays(persons_dir: Path, snapshot_dir: Path, out: Path) -> int:
    """The records of a county-partitioned departmental snapshot (``<snapshot_dir>/county=<code>/*.parquet``) that
    lie in another directory than the county of a person with their key in a county-partitioned registry export
    (``persons_dir``): a person who moved to another county since the snapshot came in, or whom the registry did
    not hold then (``county=unknown``). Written to ``<out>/county=<his county now>/`` in the snapshot's columns, once
    per county (a key held by two persons of one county does not double a record), so that a county's run reading
    its own directory and its strays reads every record of its persons, as a run over the whole files does.
    Returns the number of rows written."""
    from huimin.engine import backends

    shutil.rmtree(out, ignore_errors=True)
    snapshot_files = f"{snapshot_dir}/*/*.parquet"
    person_files = f"{persons_dir}/*/*.parquet"
    if not list(Path(snapshot_dir).glob("*/*.parquet")) or not list(Path(persons_dir).glob("*/*.parquet")):
        return 0
    hive = "hive_partitioning=true, hive_types={'county': VARCHAR}"
    moved = (
        f"SELECT s.* EXCLUDE (county), p.county FROM read_parquet({_quoted(snapshot_files)}, {hive}) s "  # noqa: S608
        f"JOIN (SELECT DISTINCT person_key, county FROM read_parquet({_quoted(person_files)}, {hive})) p "
        "ON s.person_key = p.person_key WHERE s.county <> p.county"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    con = backends.connect("duckdb").con
    count = con.execute(
        f"COPY ({moved} ORDER BY p.county, s.person_key) TO {_quoted(out)} "
        "(FORMAT parquet, PARTITION_BY (county), COMPRESSION zstd)"
    ).fetchone()[0]
    if not count:
        shutil.rmtree(out, ignore_errors=True)
    return int(count)
