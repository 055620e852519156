"""Invariants of the synthetic city: valid IDs, households, ages, programmes, the source contract, planted cases
consistent with the departmental data, clean background for unplanted households, determinism."""

import datetime
import hashlib
from decimal import Decimal

import numpy as np
import pyarrow.parquet as pq
import pytest

from huimin.demo import arrow, departments, generator, ids, planted, programmes
from huimin.engine.sources import SOURCES
from huimin.registry import idnumbers

AS_OF = generator.DEFAULT_AS_OF


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    generator.generate(out, 3000, seed=7)
    return out


def read(out, name):
    return pq.read_table(out / f"{name}.parquet").to_pylist()


def test_vectorised_ids_equal_the_registry_builder():
    rng = np.random.default_rng(0)
    births = np.datetime64("1930-01-01") + rng.integers(0, 35000, 200).astype("timedelta64[D]")
    regions = rng.choice([411702, 411721, 411729], 200)
    seqs = rng.integers(0, 1000, 200)
    built = ids.make_many(regions, births, seqs)
    for number, r, b, s in zip(built, regions, births.astype(datetime.date), seqs, strict=True):
        assert number == idnumbers.make(str(r), b, int(s))


def test_every_id_number_is_valid_and_matches_person(city):
    persons = read(city, "persons")
    assert len(persons) >= 3000
    seen = set()
    for p in persons:
        parsed = idnumbers.parse(p["id_number"])
        assert parsed.birth_date == p["birth_date"]
        assert parsed.sex == p["sex"]
        seen.add(parsed.number)
        if len(p["id_number"]) == 18:
            assert p["id_number"][:6] == p["village_code"][:6]  # issued by the county of residence
    duplicates = [p for p in persons if len(p["id_number"]) == 15]
    truth = [t for t in read(city, "ground_truth") if t["kind"] == "enrolled_twice"]
    assert len(duplicates) == len(truth) >= 2
    assert len(seen) == len(persons) - len(duplicates)  # 18-digit numbers are unique; each 15-digit one repeats one


def test_one_household_per_person_and_one_head_per_household(city):
    persons = read(city, "persons")
    households = {h["household_id"]: h for h in read(city, "households")}
    memberships = read(city, "memberships")
    assert sorted(m["person_id"] for m in memberships) == sorted(p["person_id"] for p in persons)
    assert len({m["person_id"] for m in memberships}) == len(memberships)
    heads: dict[int, list[int]] = {}
    for p in persons:
        assert p["household_id"] in households
        if p["relation"] == "01":
            heads.setdefault(p["household_id"], []).append(p["person_id"])
    for hid, h in households.items():
        assert heads.get(hid) == [h["head_person_id"]]
    sizes = {}
    for p in persons:
        sizes[p["household_id"]] = sizes.get(p["household_id"], 0) + 1
    assert all(households[hid]["size"] == n for hid, n in sizes.items())


def test_ages_fit_relations(city):
    def age(p):
        b = p["birth_date"]
        return AS_OF.year - b.year - ((AS_OF.month, AS_OF.day) < (b.month, b.day))

    by_household: dict[int, list[dict]] = {}
    for p in read(city, "persons"):
        by_household.setdefault(p["household_id"], []).append(p)
    for members in by_household.values():
        head = next(p for p in members if p["relation"] == "01")
        assert age(head) >= 18
        for p in members:
            gap = age(head) - age(p)
            if p["relation"] == "02":
                assert abs(gap) <= 6 and p["sex"] != head["sex"]
            elif p["relation"] in ("10", "20"):
                assert gap >= 18 and p["sex"] == ("1" if p["relation"] == "10" else "2")
            elif p["relation"] == "30":
                assert gap >= 40
            elif p["relation"] == "40":
                assert gap <= -20


def test_programme_shares_and_incomes(city):
    households = read(city, "households")
    persons = sum(h["size"] for h in households)
    enrolled = sum(h["size"] for h in households if h["programme"] in programmes.ENROLLED)
    edge = sum(h["size"] for h in households if h["programme"] == programmes.DIBAO_EDGE)
    assert 0.035 <= enrolled / persons <= 0.055
    assert edge > 0
    for h in households:
        if h["programme"] in programmes.ENROLLED:
            assert h["income_per_head"] < h["standard"] and h["monthly_amount"] > 0
        elif h["programme"] == programmes.NONE:
            assert h["income_per_head"] >= h["standard"] * Decimal(str(programmes.EDGE_FACTOR))


def test_departmental_files_follow_the_source_contract(city):
    for code, source in SOURCES.items():
        schema = pq.read_schema(city / "departments" / f"{code}.parquet")
        assert schema.names == source.column_names
        assert schema.equals(arrow.source_schema(code), check_metadata=False)


def _departments(city):
    return {code: read(city, f"departments/{code}") for code in SOURCES}


def test_ground_truth_matches_the_departmental_records(city):
    truth = read(city, "ground_truth")
    dept = _departments(city)
    households = {h["number"]: h for h in read(city, "households")}
    assert {t["kind"] for t in truth} == set(planted.KINDS)
    for t in truth:
        direction, source, progs = planted.KINDS[t["kind"]]
        h = households[t["household_number"]]
        assert t["direction"] == direction and t["source"] == source and h["planted"]
        assert h["programme"] in progs and t["township_code"] == h["township_code"]
        rows = [r for r in dept.get(source, []) if r["id_number"] == t["id_number"]]
        kind = t["kind"]
        if kind in ("death_of_recipient", "death_of_earner"):
            assert any(r["death_date"] == t["occurred_on"] for r in rows)
        elif kind == "moved_away":
            assert rows[0]["status"] == "迁出" and rows[0]["region_code"] == t["record_key"]
        elif kind == "vehicle_registered":
            assert any(r["plate_no"] == t["record_key"] for r in rows)
        elif kind == "property_registered":
            assert any(r["cert_no"] == t["record_key"] for r in rows)
        elif kind == "company_registered":
            assert any(r["credit_code"] == t["record_key"] for r in rows)
        elif kind == "high_wages":
            assert sum(r["month"] >= t["record_key"] for r in rows) >= 3
        elif kind == "pension_above_line":
            assert any(r["kind"] == "养老金" and r["amount"] > h["standard"] * h["size"] for r in rows)
        elif kind == "big_medical_bills":
            assert any(r["self_paid"] * 100 >= departments.PLANTED_MEDICAL_SELF_PAID_MIN for r in rows)
        elif kind == "new_disability":
            assert any(r["cert_no"] == t["record_key"] for r in rows)
        elif kind == "unemployment_registered":
            assert any(r["status"] == "失业" for r in rows)
        elif kind == "no_withdrawal":
            idle = [r for r in rows if r["month"] > t["record_key"]]
            assert len(idle) >= planted.IDLE_MONTHS[0] and all(r["withdrawn"] == 0 < r["credited"] for r in idle)
            assert any(r["month"] == t["record_key"] and r["withdrawn"] > 0 for r in rows)
        elif kind == "enrolled_twice":
            assert len(t["id_number"]) == 15 and idnumbers.parse(t["id_number"]).number == t["record_key"]


def test_unplanted_monitored_households_carry_no_cause(city):
    households = {h["household_id"]: h for h in read(city, "households")}
    persons = read(city, "persons")
    clean = {
        p["id_number"]: households[p["household_id"]]
        for p in persons
        if households[p["household_id"]]["programme"] in programmes.MONITORED
        and not households[p["household_id"]]["planted"]
    }
    assert len(clean) > 100
    dept = _departments(city)
    recent = AS_OF - datetime.timedelta(days=departments.RECENT_DAYS)
    for code in ("deaths", "vehicles", "business", "wages", "housing_fund", "unemployment"):
        assert not [r for r in dept[code] if r["id_number"] in clean], code
    for r in dept["benefit_account"]:  # the paying bank: every month's benefit withdrawn
        if r["id_number"] in clean:
            assert r["withdrawn"] == r["credited"] > 0
    for r in dept["hukou"]:
        if r["id_number"] in clean:
            assert r["status"] == "正常"
    for r in dept["real_estate"]:
        if r["id_number"] in clean:
            assert r["registered_on"] < recent and r["area_m2"] <= departments.MONITORED_HOME_AREA_MAX
    self_paid: dict[str, float] = {}
    for r in dept["medical"]:
        if r["id_number"] in clean:
            self_paid[r["id_number"]] = self_paid.get(r["id_number"], 0) + float(r["self_paid"])
    assert max(self_paid.values()) <= 2 * departments.BACKGROUND_MEDICAL_SELF_PAID_MAX / 100
    new_cert = AS_OF - datetime.timedelta(days=departments.NEW_CERTIFICATE_DAYS)
    for r in dept["disability"]:
        if r["id_number"] in clean:
            assert r["issued_on"] < new_cert
    for r in dept["social_insurance"]:
        if r["id_number"] in clean:
            h = clean[r["id_number"]]
            assert r["kind"] == "养老金"  # no contributions: no formal job
            if h["programme"] in programmes.ENROLLED:
                assert r["amount"] < h["standard"] * h["size"]  # no pension lifts an enrolled household


def _digest(out):
    return {
        str(f.relative_to(out)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(out.rglob("*"))
        if f.is_file()
    }


def test_same_seed_gives_identical_files_and_another_seed_does_not(city, tmp_path):
    generator.generate(tmp_path / "again", 3000, seed=7)
    assert _digest(tmp_path / "again") == _digest(city)
    generator.generate(tmp_path / "other", 3000, seed=8)
    assert _digest(tmp_path / "other")["persons.parquet"] != _digest(city)["persons.parquet"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tiny_cities_generate_even_without_every_kind(tmp_path, seed):
    summary = generator.generate(tmp_path, 500, seed=seed)
    truth = read(tmp_path, "ground_truth")
    assert summary.persons >= 500 and len(truth) == sum(summary.planted.values()) > 0


def _rows(paths) -> list[tuple]:
    import pyarrow as pa

    tables = [pq.read_table(p) for p in paths]
    return sorted(pa.concat_tables(tables).to_pylist(), key=repr) if tables else []


def test_partitioned_by_county_holds_the_same_rows_in_each_countys_files(tmp_path, monkeypatch):
    """Three chunks of 1,000 persons (a new file every two), written whole and by county: the same rows, every row
    in its county's files, and the same seed gives the same files again."""
    monkeypatch.setattr(generator, "CHUNK_PERSONS", 1000)
    monkeypatch.setattr(generator, "CHUNKS_PER_FILE", 2)
    whole = generator.generate(tmp_path / "whole", 3000, seed=7)
    parted = generator.generate(tmp_path / "county", 3000, seed=7, partition="county")
    assert (whole.persons, whole.households, whole.department_rows, whole.planted) == (
        parted.persons, parted.households, parted.department_rows, parted.planted,
    )  # fmt: skip
    base = tmp_path / "county"
    for name in ("households", "persons", "memberships", *(f"departments/{c}" for c in SOURCES)):
        files = sorted((base / name).glob("county=*/part-*.parquet"))
        assert {f.name for f in files} == {"part-0.parquet", "part-1.parquet"}, name
        assert _rows(files) == _rows([tmp_path / "whole" / f"{name}.parquet"]), name
    for name in ("ground_truth", "regions", "standards"):
        assert _rows([base / f"{name}.parquet"]) == _rows([tmp_path / "whole" / f"{name}.parquet"])

    # a household, its persons and their departmental records lie in the household's county
    def each(table: str):
        for part in (base / table).iterdir():
            yield part.name.removeprefix("county="), _rows(sorted(part.glob("*.parquet")))

    county_of = {}
    for code, rows in each("households"):
        for row in rows:
            assert row["county_code"] == code
            county_of[row["household_id"]] = code
    person_county = {}
    for code, rows in each("persons"):
        for row in rows:
            assert county_of[row["household_id"]] == code
            person_county[row["id_number"]] = code
    for source in ("wages", "deposits", "deaths"):
        for code, rows in each(f"departments/{source}"):
            assert {person_county[r["id_number"]] for r in rows} == {code}
    generator.generate(tmp_path / "again", 3000, seed=7, partition="county")
    assert _digest(tmp_path / "again") == _digest(base)


def test_an_unknown_partitioning_is_refused(tmp_path):
    with pytest.raises(ValueError, match="未知的分区方式"):
        generator.generate(tmp_path, 500, seed=1, partition="township")
