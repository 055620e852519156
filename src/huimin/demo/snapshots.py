"""A county-partitioned demo city (``huimin demo generate --partition county``) → the engine's county-partitioned
snapshots (``huimin.engine.counties``), as ingestion would store them: ``person_key`` instead of the ID number
(here the synthetic number itself: the blind index is part of taking a real file in), money in 分, the engine's
schemas. Read and written row group by row group, so memory is that of a row group, not of a county.
"""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from huimin.engine import counties, tables
from huimin.engine.sources import SOURCES


def _persons(batch: pa.RecordBatch) -> pa.Table:
    n = batch.num_rows
    return pa.table(
        {
            "person_key": batch["id_number"],
            "person_id": batch["person_id"],
            "household_id": batch["household_id"],
            "birth_date": batch["birth_date"],
            "labour_ability": batch["labour_ability"],
            "disability_grade": batch["disability_grade"].cast(pa.int64()),
            "is_deceased": pa.array(np.zeros(n, bool)),
        },
        schema=tables.PERSONS_SCHEMA,
    )


def _households(batch: pa.RecordBatch) -> pa.Table:
    return pa.table(
        {
            "household_id": batch["household_id"],
            "number": batch["number"],
            "region_code": batch["village_code"],
            "is_urban": batch["is_urban"],
        },
        schema=tables.HOUSEHOLDS_SCHEMA,
    )


def normalise(batch, code: str) -> pa.Table:
    """A generated departmental table or batch → the engine's snapshot schema (``tables.source_schema``)."""
    schema = tables.source_schema(code)
    cols = {"person_key": batch["id_number"]}
    for field in schema:
        if field.name == "person_key":
            continue
        col = batch[field.name]
        if pa.types.is_int64(field.type) and pa.types.is_decimal(col.type):  # money: 元 with 2 places → 分
            col = pc.round(pc.multiply(col.cast(pa.float64()), 100)).cast(pa.int64())
        cols[field.name] = col.cast(field.type)
    return pa.table(cols, schema=schema)


def _convert(src: Path, dest: Path, schema: pa.Schema, convert) -> int:
    dest.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with pq.ParquetWriter(dest, schema, compression="zstd") as writer:
        reader = pq.ParquetFile(src)
        for group in range(reader.num_row_groups):
            for batch in reader.iter_batches(batch_size=250_000, row_groups=[group]):
                writer.write_table(convert(batch), row_group_size=tables.ROW_GROUP_ROWS * 10)
                rows += batch.num_rows
    return rows


def engine_snapshots(city: Path, out: Path, progress=None) -> dict[str, int]:
    """Write ``out/<table>/county=<code>/part-0.parquet`` for persons, households and every source; returns the
    rows per table."""
    city, out = Path(city), Path(out)
    if not counties.counties(city):
        raise ValueError(f"{city} 不是按县分区生成的城市（请用 --partition county 生成）")
    jobs = [
        ("persons", city / "persons", tables.PERSONS_SCHEMA, _persons),
        ("households", city / "households", tables.HOUSEHOLDS_SCHEMA, _households),
        *[
            (code, city / "departments" / code, tables.source_schema(code), lambda b, c=code: normalise(b, c))
            for code in SOURCES
        ],
    ]
    totals: dict[str, int] = {}
    codes = counties.counties(city)
    for i, county in enumerate(codes, 1):
        for name, src_dir, schema, convert in jobs:
            for src in counties.files(src_dir, county):
                dest = out / name / f"{counties.PREFIX}{county}" / Path(src).name
                totals[name] = totals.get(name, 0) + _convert(Path(src), dest, schema, convert)
        if progress:
            progress(i, len(codes), county, 0)
    return totals


CATEGORY = {"dibao": "dibao", "tekun_scattered": "tekun", "tekun_concentrated": "tekun", "dibao_edge": "edge",
            "expense_hardship": "expense"}  # fmt: skip
PER_PERSON = ("tekun_scattered", "tekun_concentrated")  # 特困 enrols the person (the head here), not the household


def population(city: Path, county: str) -> pa.Table:
    """The watched population of one county of a partitioned demo city, as ``monitoring.population.refresh``
    returns it: the members of the 低保, 特困 (the enrolled person), 低保边缘 and 支出型 households in their
    category and everybody else as ``registered``. (The 残疾人两项补贴 recipients' own categories are left out.)"""
    from huimin.monitoring.population import SCHEMA
    from huimin.registry import idnumbers

    city = Path(city)
    hh_files = counties.files(city / "households", county)
    p_files = counties.files(city / "persons", county)
    if not hh_files or not p_files:
        return SCHEMA.empty_table()
    hh = pa.concat_tables(
        pq.read_table(f, columns=["household_id", "village_code", "programme", "standard", "size", "head_person_id"])
        for f in hh_files
    )
    persons = pa.concat_tables(
        pq.read_table(f, columns=["person_id", "household_id", "id_number", "disability_grade"]) for f in p_files
    )
    order = np.argsort(hh["household_id"].to_numpy())
    ids = hh["household_id"].to_numpy()[order]
    at = order[np.searchsorted(ids, persons["household_id"].to_numpy())]
    programme = hh["programme"].to_numpy(zero_copy_only=False)[at]
    head = hh["head_person_id"].to_numpy()[at]
    pid = persons["person_id"].to_numpy()
    category = np.array([CATEGORY.get(p, "registered") for p in programme.tolist()], dtype=object)
    off = np.isin(programme, PER_PERSON) & (pid != head)
    category[off] = "registered"
    watched = category != "registered"
    standard = pc.multiply(hh["standard"].cast(pa.float64()), 100).to_numpy(zero_copy_only=False)[at]
    numbers = persons["id_number"].to_numpy(zero_copy_only=False)
    canonical = np.array([idnumbers.parse(n).number if len(n) == 15 else n for n in numbers.tolist()], dtype=object)
    grade = persons["disability_grade"].cast(pa.int64())
    return pa.table(
        {
            "person_key": persons["id_number"],
            "canonical_key": pa.array(canonical, pa.string()),
            "person_id": persons["person_id"],
            "household_id": persons["household_id"],
            "category": pa.array(category, pa.string()),
            "region_code": pa.array(hh["village_code"].to_numpy(zero_copy_only=False)[at], pa.string()),
            "standard_fen": pa.array(np.round(standard).astype(np.int64), mask=~watched),
            "members": pa.array(hh["size"].to_numpy()[at].astype(np.int64)),
            "disability_grade": pc.if_else(pc.equal(grade, 0), None, grade),
            "programme": pa.array(np.where(watched, programme, None), pa.string()),
        },
        schema=SCHEMA,
    )
