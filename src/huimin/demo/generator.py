"""``huimin demo generate``: the synthetic city streamed to Parquet, chunk by chunk, vectorised.

Output directory layout::

    regions.parquet        synthetic townships and villages (counties and above come with migrate)
    standards.parquet      the demo's 低保/特困 standards
    households.parquet     with programme (dibao, tekun_scattered, …, none) and the monthly amount basis
    persons.parquet        plaintext synthetic ID numbers, phones, bank accounts (nothing real)
    memberships.parquet
    departments/<source>.parquet   one per huimin.engine.sources.SOURCES code, exactly its columns
    ground_truth.parquet   every planted case
    manifest.json          seed, as_of, sizes and row counts

With ``partition="county"`` (``--partition county``, for a province: 10 million persons and more) the person-level
tables are written hive-style, a directory per county, so one county's re-check reads only its files::

    households/county=411702000000/part-0.parquet    (and persons/, memberships/)
    departments/<source>/county=411702000000/part-0.parquet

A household's county is its village's; a departmental record goes to the county of the person it names (the
household the person is registered in). One row group per chunk of ``CHUNK_PERSONS`` persons and a new file
(part-1, part-2 …) every ``CHUNKS_PER_FILE`` chunks: a Parquet writer keeps every row group's metadata until it
closes, so closing the files as they fill keeps memory that of a chunk whatever the number of persons. The rows
are the same as unpartitioned output's, only spread over the counties' files.

Same seed, size, as_of and partitioning → byte-identical files (no clock, no unseeded randomness).
"""

import datetime
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from huimin.demo import arrow, departments, disability, planted, population, programmes
from huimin.demo import city as city_mod
from huimin.demo.ids import to_15
from huimin.engine.sources import SOURCES

DEFAULT_AS_OF = datetime.date(2026, 10, 31)
CHUNK_PERSONS = 100_000  # part of the output's identity: changing it changes the data of big cities

M, S = arrow.MONEY_TYPE, pa.string()
HOUSEHOLD_SCHEMA = pa.schema(
    [
        ("household_id", pa.int64()), ("number", S), ("village_code", S), ("township_code", S),
        ("county_code", S), ("is_urban", pa.bool_()), ("address", S), ("household_type", S), ("size", pa.int16()),
        ("head_person_id", pa.int64()), ("programme", S), ("standard", M), ("income_per_head", M),
        ("monthly_amount", M), ("planted", pa.bool_()),
    ]
)  # fmt: skip
PERSON_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()), ("household_id", pa.int64()), ("relation", S), ("name", S), ("sex", S),
        ("birth_date", pa.date32()), ("id_number", S), ("ethnicity", S), ("village_code", S), ("is_urban", pa.bool_()),
        ("phone", S), ("bank_account", S), ("bank_name", S), ("labour_ability", S), ("health", S),
        ("serious_illness", S), ("disability_category", S), ("disability_grade", pa.int16()),
        ("disability_cert_no", S), ("disability_issued_on", pa.date32()), ("marital_status", S), ("education", S),
        ("monthly_income", M), ("is_main_earner", pa.bool_()), ("special_statuses", S), ("disability_subsidies", S),
    ]
)  # fmt: skip
MEMBERSHIP_SCHEMA = pa.schema(
    [("person_id", pa.int64()), ("household_id", pa.int64()), ("relation", S), ("started_on", pa.date32())]
)
REGION_SCHEMA = pa.schema([("code", S), ("name", S), ("level", pa.int8()), ("parent", S), ("urban_rural_code", S)])
STANDARD_SCHEMA = pa.schema(
    [("region_code", S), ("programme", S), ("area", S), ("monthly_standard", M), ("effective_from", pa.date32())]
)
TRUTH_SCHEMA = pa.schema(
    [
        ("case_id", S), ("kind", S), ("direction", S), ("source", S), ("person_id", pa.int64()), ("id_number", S),
        ("household_number", S), ("programme", S), ("township_code", S), ("county_code", S),
        ("occurred_on", pa.date32()), ("record_key", S), ("detail", S),
    ]
)  # fmt: skip


@dataclass
class Summary:
    persons: int = 0
    households: int = 0
    department_rows: dict = field(default_factory=dict)
    planted: dict = field(default_factory=dict)
    programmes: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def department_total(self) -> int:
        return sum(self.department_rows.values())


PARTITIONS = ("", "county")
CHUNKS_PER_FILE = 10  # partitioned output: a new part file per county and table every 10 chunks (1,000,000 persons)


class _Writers:
    def __init__(self, out: Path, partition: str = ""):
        (out / "departments").mkdir(parents=True, exist_ok=True)
        self.out = out
        self.partition = partition
        self.schemas = {code: arrow.source_schema(code) for code in SOURCES}
        self.files: dict[str, pq.ParquetWriter] = {}
        self.part = 0

    def start_chunk(self, chunk: int) -> None:
        """Partitioned output: close the county files every CHUNKS_PER_FILE chunks (their metadata goes with
        them); the next rows go to new part files."""
        part = chunk // CHUNKS_PER_FILE
        if self.partition and part != self.part:
            for key in [k for k in self.files if k.count("/county=")]:
                self.files.pop(key).close()
            self.part = part

    def _file(self, key: str, path: Path, schema: pa.Schema) -> pq.ParquetWriter:
        if key not in self.files:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.files[key] = pq.ParquetWriter(path, schema, compression="zstd")
        return self.files[key]

    def write(self, name: str, schema: pa.Schema, table: pa.Table, county: np.ndarray | None = None):
        """Append ``table`` to ``name``; partitioned output splits it by ``county`` (one value per row)."""
        if not self.partition or county is None:
            self._file(name, self.out / f"{name}.parquet", schema).write_table(table, row_group_size=1_000_000)
            return
        order = np.argsort(county, kind="stable")
        sorted_county = county[order]
        starts = np.r_[0, np.flatnonzero(sorted_county[1:] != sorted_county[:-1]) + 1]
        ends = np.r_[starts[1:], len(order)]
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            code = str(sorted_county[start])
            rows = table.take(pa.array(np.sort(order[start:end])))
            path = self.out / name / f"county={code}" / f"part-{self.part}.parquet"
            self._file(f"{name}/county={code}/{self.part}", path, schema).write_table(rows, row_group_size=1_000_000)

    def written(self, name: str) -> bool:
        return name in self.files or (self.out / name).is_dir()

    def close(self):
        for w in self.files.values():
            w.close()


def generate(
    out: Path, persons: int, seed: int, as_of: datetime.date = DEFAULT_AS_OF, progress=None, partition: str = ""
) -> Summary:
    """Write the city under ``out``, chunk by chunk (memory that of a chunk, not of the city). ``partition``:
    "" (one file per table) or "county" (a directory per county, see the module's docstring)."""
    if persons < 100:
        raise ValueError("人数至少 100")
    if partition not in PARTITIONS:
        raise ValueError(f"未知的分区方式 {partition}（可选：county）")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    as_of64 = np.datetime64(as_of, "D")
    city = city_mod.build(np.random.default_rng([seed, 0]), persons)
    village_weights = _village_weights(np.random.default_rng([seed, 1]), city)
    village_county = np.array([v.county for v in city.villages])
    allocator = population.IdAllocator([c for c, _ in city.counties], as_of64)
    counters = departments.Counters()
    writers = _Writers(out, partition)
    summary = Summary()
    cases = 0  # planted cases so far: numbers the next one (the rows themselves are written chunk by chunk)
    _write_static(writers, city, as_of)
    next_person, next_household, chunk, base = 1, 1, 0, 0
    try:
        while base < persons:  # planted duplicate records come on top of the N persons
            rng = np.random.default_rng([seed, 2, chunk])
            writers.start_chunk(chunk)
            target = min(CHUNK_PERSONS, persons - base)
            p, hh = _chunk(rng, city, village_weights, target, as_of64, allocator, next_person, next_household)
            base += len(p["person_id"])
            dept = departments.background(rng, p, hh, as_of64, counters)
            truth, dups, planted_mask = planted.plant(rng, p, hh, dept, as_of64, counters, village_county)
            hh["planted"] = planted_mask
            if dups:
                _add_duplicates(rng, city, p, hh, dups, truth, as_of64)
            for row in truth:
                cases += 1
                row["case_id"] = f"C{cases:07d}"
                summary.planted[row["kind"]] = summary.planted.get(row["kind"], 0) + 1
            _write_truth(writers, truth)
            _write_chunk(writers, p, hh, dept, as_of64, summary)
            next_person = int(p["person_id"][-1]) + 1
            next_household = int(hh["household_id"][-1]) + 1
            chunk += 1
            if progress:
                progress(summary)
        for code in SOURCES:  # sources a small city has no record of still get their (empty) file
            if not writers.written(f"departments/{code}"):
                writers.write(f"departments/{code}", writers.schemas[code], writers.schemas[code].empty_table())
        if not writers.written("ground_truth"):
            writers.write("ground_truth", TRUTH_SCHEMA, TRUTH_SCHEMA.empty_table())
    finally:
        writers.close()
    summary.seconds = time.perf_counter() - started
    manifest = {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "persons": summary.persons,
        "households": summary.households,
        "department_rows": summary.department_rows,
        "planted": summary.planted,
        "programmes": summary.programmes,
        "chunk_persons": CHUNK_PERSONS,
        "partition": partition,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    return summary


def _village_weights(rng, city) -> np.ndarray:
    urban = np.array([v.is_urban for v in city.villages])
    w = np.where(urban, 2.2, 1.0) * rng.lognormal(0, 0.35, len(city.villages))
    return w / w.sum()


def _chunk(rng, city, village_weights, target, as_of64, allocator, first_person, first_household):
    n_hh = int(target / 2.2) + 20
    types, members = population.compose(rng, n_hh)
    ends = np.flatnonzero(np.diff(np.r_[members.household_index, n_hh]))  # last member of each household
    cut = np.searchsorted(np.cumsum(np.bincount(members.household_index, minlength=n_hh)), target)
    keep = members.household_index <= cut
    members = population.Members(*(getattr(members, f)[keep][:target] for f in population.Members.__dataclass_fields__))
    del ends
    n_hh = int(members.household_index[-1]) + 1
    types = types[:n_hh]
    village = rng.choice(len(city.villages), size=n_hh, p=village_weights)
    p = population.people(rng, city, members, village, as_of64, allocator)
    hh_of = p["household_index"]
    size = np.bincount(hh_of, minlength=n_hh)
    hh_urban = np.array([v.is_urban for v in city.villages])[village]
    type_names = np.array(population.TYPE_NAMES)[types]
    prog = programmes.assign(rng, size, type_names, hh_urban, p, hh_of)
    per_head, amount = programmes.fit_incomes(rng, prog, size, hh_urban, p, hh_of)
    n = len(hh_of)
    p["person_id"] = np.arange(first_person, first_person + n, dtype=np.int64)
    p["disability_subsidies"] = disability.assign(p, prog[hh_of], as_of64)
    p["household_size"] = size[hh_of]
    p["village_code"] = np.array([v.code for v in city.villages])[p["village_index"]]
    # main earner: the member with the highest income (the head on ties)
    order = np.lexsort((p["relation"] != "01", -p["income_cents"], hh_of))
    first = order[np.r_[0, np.flatnonzero(np.diff(hh_of[order])) + 1]]
    p["is_main_earner"] = np.zeros(n, bool)
    p["is_main_earner"][first] = True
    hh_ids = np.arange(first_household, first_household + n_hh, dtype=np.int64)
    vcodes = np.array([v.code for v in city.villages])[village]
    hh = {
        "household_id": hh_ids,
        "number": np.char.add(np.char.add("H", vcodes), np.char.zfill(hh_ids.astype(str), 8)),
        "village_index": village,
        "village_code": vcodes,
        "township_code": np.array([v.township for v in city.villages])[village],
        "county_code": np.array([v.county for v in city.villages])[village],
        "is_urban": hh_urban,
        "address": _addresses(rng, city, village, hh_urban),
        "household_type": type_names,
        "size": size,
        "head_person_id": p["person_id"][np.r_[0, np.flatnonzero(np.diff(hh_of)) + 1]],
        "programme": prog,
        "monitored": np.isin(prog, programmes.MONITORED),
        "standard_cents": programmes.standard_cents(hh_urban),
        "income_per_head": per_head,
        "monthly_amount": amount,
    }
    p["special_statuses"] = np.where((size[hh_of] == 1) & (p["age"] >= 60), "living_alone", "")
    return p, hh


def _addresses(rng, city, village, urban) -> np.ndarray:
    vname = np.array([v.name for v in city.villages])[village]
    n = len(village)
    a, b, c = rng.integers(1, 30, n), rng.integers(1, 6, n), rng.integers(101, 1802, n)
    rural = np.char.add(np.char.add(np.char.add(vname, a.astype(str)), "组"), np.char.add(c.astype(str), "号"))
    flat = np.char.add(np.char.add(vname, a.astype(str)), "号楼")
    flat = np.char.add(np.char.add(np.char.add(flat, b.astype(str)), "单元"), np.char.add(c.astype(str), "室"))
    return np.where(urban, flat, rural)


def _add_duplicates(rng, city, p, hh, dups, truth, as_of64):
    """The same person enrolled a second time in another county, recorded under the old 15-digit number."""
    src = np.array([i for i, _ in dups])
    villages = np.array([v for _, v in dups])
    k = len(src)
    n_hh = len(hh["household_id"])
    new_hh = np.arange(n_hh, n_hh + k)
    new_ids = hh["household_id"][-1] + 1 + np.arange(k)
    new_pid = p["person_id"][-1] + 1 + np.arange(k)
    vcodes = np.array([city.villages[v].code for v in villages])
    urban = np.array([city.villages[v].is_urban for v in villages])
    std = programmes.standard_cents(urban)
    per_head = (std * 3 // 10).astype(np.int64)
    for name, values in {
        "household_id": new_ids,
        "number": np.char.add(np.char.add("H", vcodes), np.char.zfill(new_ids.astype(str), 8)),
        "village_index": villages,
        "village_code": vcodes,
        "township_code": np.array([city.villages[v].township for v in villages]),
        "county_code": np.array([city.villages[v].county for v in villages]),
        "is_urban": urban,
        "address": _addresses(rng, city, villages, urban),
        "household_type": np.full(k, "single_adult"),
        "size": np.ones(k, np.int64),
        "head_person_id": new_pid,
        "programme": np.full(k, programmes.DIBAO),
        "monitored": np.ones(k, bool),
        "standard_cents": std,
        "income_per_head": per_head,
        "monthly_amount": std - per_head,
        "planted": np.ones(k, bool),
    }.items():
        hh[name] = np.concatenate([hh[name], values.astype(hh[name].dtype) if values.dtype.kind != "U" else values])
    for name in list(p):
        values = p[name][src]
        if name == "person_id":
            values = new_pid
        elif name == "household_index":
            values = new_hh
        elif name == "relation":
            values = np.full(k, "01")
        elif name == "id_number":
            values = to_15(p["id_number"][src])
        elif name in ("village_index",):
            values = villages
        elif name == "village_code":
            values = vcodes
        elif name == "is_urban":
            values = urban
        elif name == "household_size":
            values = np.ones(k, np.int64)
        elif name == "is_main_earner":
            values = np.ones(k, bool)
        elif name == "income_cents":
            values = per_head
        elif name in ("phone", "bank_account", "disability_subsidies"):
            values = np.full(k, "")
        p[name] = np.concatenate([p[name], values])
    by_person = {int(pid): j for j, pid in enumerate(p["person_id"][src])}
    for row in truth:
        if row["kind"] == "enrolled_twice" and row["person_id"] in by_person:
            j = by_person[row["person_id"]]
            original = (row["person_id"], row["id_number"], row["household_number"])
            row.update(
                person_id=int(new_pid[j]),
                id_number=str(p["id_number"][len(p["person_id"]) - k + j]),
                household_number=str(hh["number"][n_hh + j]),
                township_code=str(hh["township_code"][n_hh + j]),
                county_code=str(hh["county_code"][n_hh + j]),
                record_key=original[1],
                detail=json.dumps(
                    {"original_person_id": original[0], "original_household_number": original[2]},
                    ensure_ascii=False,
                    sort_keys=True,
                ),
            )


def _write_static(writers, city, as_of):
    rows = city.region_rows()
    writers.write(
        "regions",
        REGION_SCHEMA,
        pa.table(
            [
                pa.array([r[0] for r in rows]),
                pa.array([r[1] for r in rows]),
                pa.array([r[2] for r in rows], pa.int8()),
                pa.array([r[3] for r in rows]),
                pa.array([r[4] for r in rows]),
            ],
            schema=REGION_SCHEMA,
        ),
    )
    std_rows = []
    for urban, area in ((True, "urban"), (False, "rural")):
        base = programmes.DIBAO_STANDARD[urban] * 100
        std_rows.append((programmes.DIBAO, area, base))
        std_rows.append(("tekun", area, int(round(base * programmes.TEKUN_FACTOR))))
        std_rows.append((programmes.DIBAO_EDGE, area, int(round(base * programmes.EDGE_FACTOR))))
    writers.write(
        "standards",
        STANDARD_SCHEMA,
        pa.table(
            [
                pa.array([city_mod.CITY_CODE] * len(std_rows)),
                pa.array([r[0] for r in std_rows]),
                pa.array([r[1] for r in std_rows]),
                arrow.cents_to_decimal(np.array([r[2] for r in std_rows])),
                pa.array([datetime.date(as_of.year, 1, 1)] * len(std_rows), pa.date32()),
            ],
            schema=STANDARD_SCHEMA,
        ),
    )


def _write_truth(writers, truth: list[dict]) -> None:
    if truth:
        rows = [{**r, "occurred_on": datetime.date.fromisoformat(r["occurred_on"])} for r in truth]
        writers.write("ground_truth", TRUTH_SCHEMA, pa.Table.from_pylist(rows, schema=TRUTH_SCHEMA))


def _county_of_records(ids: np.ndarray, person_ids: np.ndarray, person_county: np.ndarray) -> np.ndarray:
    """The county of the person each record names (by ID number); a number no person of the chunk holds (none
    is planted so today) goes to the county "000000"."""
    order = np.argsort(person_ids, kind="stable")
    sorted_ids = person_ids[order]
    at = np.clip(np.searchsorted(sorted_ids, ids), 0, max(len(sorted_ids) - 1, 0))
    found = sorted_ids[at] == ids if len(sorted_ids) else np.zeros(len(ids), bool)
    return np.where(found, person_county[order][at], "000000")


def _write_chunk(writers, p, hh, dept, as_of64, summary):
    hh_table = {
        "household_id": hh["household_id"],
        "number": hh["number"],
        "village_code": hh["village_code"],
        "township_code": hh["township_code"],
        "county_code": hh["county_code"],
        "is_urban": hh["is_urban"],
        "address": hh["address"],
        "household_type": hh["household_type"],
        "size": hh["size"].astype(np.int16),
        "head_person_id": hh["head_person_id"],
        "programme": hh["programme"],
        "standard": hh["standard_cents"],
        "income_per_head": hh["income_per_head"],
        "monthly_amount": hh["monthly_amount"],
        "planted": hh["planted"],
    }
    writers.write("households", HOUSEHOLD_SCHEMA, arrow.table(HOUSEHOLD_SCHEMA, hh_table), hh["county_code"])
    household_id = hh["household_id"][p["household_index"]]
    person_county = hh["county_code"][p["household_index"]]
    person_table = {
        **{k: p[k] for k in ("person_id", "relation", "name", "sex", "birth_date", "id_number", "ethnicity")},
        "household_id": household_id,
        **{k: p[k] for k in ("village_code", "is_urban", "phone", "bank_account", "bank_name", "labour_ability")},
        **{k: p[k] for k in ("health", "serious_illness", "disability_category", "disability_cert_no")},
        "disability_grade": p["disability_grade"].astype(np.int16),
        "disability_issued_on": p["disability_issued_on"],
        **{k: p[k] for k in ("marital_status", "education", "is_main_earner", "special_statuses")},
        "disability_subsidies": p["disability_subsidies"],
        "monthly_income": p["income_cents"],
    }
    writers.write("persons", PERSON_SCHEMA, arrow.table(PERSON_SCHEMA, person_table), person_county)
    # membership began at birth for those born into the household, else at a plausible date of joining
    start = np.maximum(p["birth_date"], as_of64 - np.timedelta64(20 * 365, "D"))
    writers.write(
        "memberships",
        MEMBERSHIP_SCHEMA,
        arrow.table(
            MEMBERSHIP_SCHEMA,
            {"person_id": p["person_id"], "household_id": household_id, "relation": p["relation"], "started_on": start},
        ),
        person_county,
    )
    for code, columns in dept.items():
        schema = writers.schemas[code]
        table = arrow.table(schema, columns)
        county = (
            _county_of_records(np.asarray(columns["id_number"]), p["id_number"], person_county)
            if writers.partition
            else None
        )
        writers.write(f"departments/{code}", schema, table, county)
        summary.department_rows[code] = summary.department_rows.get(code, 0) + table.num_rows
    summary.persons += len(p["person_id"])
    summary.households += len(hh["household_id"])
    progs, counts = np.unique(np.repeat(hh["programme"], hh["size"]), return_counts=True)
    for prog, count in zip(progs.tolist(), counts.tolist(), strict=True):
        summary.programmes[prog] = summary.programmes.get(prog, 0) + count
