"""Export the operational tables the engine needs to Parquet snapshots under var/engine/.

Rows stream from the database through a server-side cursor (Django's chunked cursor: a named cursor on
PostgreSQL) straight into Arrow record batches — no ORM objects, no whole table in memory.
"""

import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection

from huimin.engine.tables import HOUSEHOLDS_SCHEMA, PERSONS_SCHEMA

BATCH = 50_000

# Living, un-merged persons with their current household. person_key is the ID-number blind index.
PERSONS_SQL = """
SELECT p.id_number_bidx, p.id, p.household_id, p.birth_date, p.labour_ability, p.disability_grade, p.is_deceased
FROM registry_person p
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


def _bool(value):
    return bool(value) if value is not None else None


def export_registry(
    dest: Path | None = None, household_ids: list[int] | None = None, region_prefix: str = ""
) -> dict[str, Path]:
    """Write persons.parquet and households.parquet; returns their paths. ``household_ids`` or ``region_prefix``
    (a 行政区划 subtree) narrow the export."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = dest or engine_dir() / f"registry-{stamp}"
    persons_sql, households_sql, persons_params, households_params = PERSONS_SQL, HOUSEHOLDS_SQL, [], []
    if region_prefix:
        persons_sql += " AND p.household_id IN (SELECT id FROM registry_household WHERE region_id LIKE %s)"
        households_sql += " AND h.region_id LIKE %s"
        persons_params.append(region_prefix + "%")
        households_params.append(region_prefix + "%")
    if household_ids is not None:
        ids = [int(i) for i in household_ids] or [0]
        persons_sql += " AND p.household_id IN (" + ",".join(str(i) for i in ids) + ")"
        households_sql += " AND h.id IN (" + ",".join(str(i) for i in ids) + ")"
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
