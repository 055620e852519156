"""The 核对 engine's household sums (engine.verification.measures and members_of) at every boundary, on small
in-memory DuckDB tables, no database: each source's window end on both sides, the kinds and statuses that count,
tax taken off wages (none recorded: nothing), deceased members left out, a household with no records at all —
written against mutmut's survivors (docs/testing.md)."""

import dataclasses
import datetime

import pyarrow as pa
import pytest

from huimin.engine import backends, sources, tables
from huimin.engine import verification as engine

D = datetime.date
AS_OF = D(2026, 12, 6)  # wage and pension window 2025-12 … 2026-11; medical look-back after 2025-12-06
ZERO = dict.fromkeys(engine.MEASURES, 0)


def _persons():
    rows = [
        {"person_key": "a1", "person_id": 1, "household_id": 10, "is_deceased": False},
        {"person_key": "a2", "person_id": 2, "household_id": 10, "is_deceased": None},  # not known dead: living
        {"person_key": "a3", "person_id": 3, "household_id": 10, "is_deceased": True},
        {"person_key": "b1", "person_id": 4, "household_id": 20, "is_deceased": False},
        {"person_key": "c1", "person_id": 5, "household_id": 30, "is_deceased": False},  # no records anywhere
    ]
    return pa.Table.from_pylist(rows, schema=tables.PERSONS_SCHEMA)


def _households():
    rows = [
        {"household_id": h, "number": f"H{h}", "region_code": "411702001001", "is_urban": True} for h in (10, 20, 30)
    ]
    return pa.Table.from_pylist(rows, schema=tables.HOUSEHOLDS_SCHEMA)


def _wage(key, month, gross, tax):
    return {"person_key": key, "month": month, "employer": "某公司", "gross_wage": gross, "tax": tax}


def _pension(key, month, amount, kind="养老金"):
    return {"person_key": key, "month": month, "kind": kind, "amount": amount}


def _vehicle(key, plate, value, on, status="正常"):
    return {"person_key": key, "plate_no": plate, "vehicle_type": "小型轿车", "value": value, "registered_on": on,
            "status": status}  # fmt: skip


def _dwelling(key, cert, on, use="住宅"):
    return {"person_key": key, "cert_no": cert, "use": use, "area_m2": None, "value": None, "registered_on": on}


def _company(key, code, on, status="存续"):
    return {"person_key": key, "credit_code": code, "company_name": "某企业", "role": "股东",
            "registered_capital": None, "established_on": on, "status": status}  # fmt: skip


def _medical(key, on, paid):
    return {"person_key": key, "settled_on": on, "total_cost": paid * 2, "self_paid": paid, "diagnosis": None}


def _deposit(key, balance, on):
    return {"person_key": key, "institution": "某银行", "product": "存款", "balance": balance, "as_of": on}


# Household 10 (a1, a2 living, a3 deceased), household 20 (b1): every row is just inside or just outside a window,
# of a kind that counts or not; amounts are distinct powers so a wrongly counted row shows in the sum.
SOURCES = {
    "wages": [
        _wage("a1", "2025-12", 1_000_00, 100_00),  # first month of the window: 900 元
        _wage("a2", "2026-11", 2_000_00, None),  # last month, no tax recorded: 2,000 元
        _wage("a1", "2025-11", 40_000_00, 0),  # the month before the window
        _wage("a1", "2026-12", 80_000_00, 0),  # the month under way
        _wage("a3", "2026-06", 160_000_00, 0),  # a deceased member's
        _wage("b1", "2026-06", 3_000_00, 300_00),
    ],
    "social_insurance": [
        _pension("a1", "2025-12", 1_00),  # first month
        _pension("a2", "2026-11", 2_00),  # last month
        _pension("a1", "2025-11", 4_00),  # before
        _pension("a1", "2026-12", 8_00),  # under way
        _pension("a1", "2026-06", 16_00, kind="缴费"),  # a contribution, not a pension
        _pension("b1", "2026-06", 32_00),
    ],
    "deposits": [
        _deposit("a1", 100_00, AS_OF),  # balance on the day: counts
        _deposit("a2", 200_00, D(2026, 1, 1)),
        _deposit("a1", 400_00, D(2026, 12, 7)),  # the day after
        _deposit("b1", 800_00, D(2026, 1, 1)),
    ],
    "vehicles": [
        _vehicle("a1", "豫A00001", 10_000_00, AS_OF),  # registered on the day
        _vehicle("a2", "豫A00002", 20_000_00, D(2020, 1, 1)),
        _vehicle("a1", "豫A00003", 40_000_00, D(2026, 12, 7)),  # the day after
        _vehicle("a1", "豫A00004", 80_000_00, D(2020, 1, 1), status="注销"),
        _vehicle("b1", "豫A00005", 160_000_00, D(2020, 1, 1)),
    ],
    "real_estate": [
        _dwelling("a1", "房0", AS_OF),  # registered on the day
        _dwelling("a1", "房1", D(2020, 1, 1)),
        _dwelling("a2", "房1", D(2020, 1, 1)),  # co-owned with a1: one dwelling
        _dwelling("a2", "房2", D(2020, 1, 1)),
        _dwelling("a1", "房3", D(2026, 12, 7)),  # the day after
        _dwelling("a1", "房4", D(2020, 1, 1), use="商业"),
        _dwelling("b1", "房5", D(2020, 1, 1)),
    ],
    "business": [
        _company("a1", "C0", AS_OF),  # established on the day
        _company("a1", "C1", D(2020, 1, 1)),
        _company("a2", "C1", D(2020, 1, 1)),  # the same company: once
        _company("a1", "C2", D(2026, 12, 7)),
        _company("a1", "C3", D(2020, 1, 1), status="注销"),
        _company("b1", "C4", D(2020, 1, 1)),
        _company("b1", "C5", D(2020, 1, 1)),
    ],
    "medical": [
        _medical("a1", D(2025, 12, 6), 1_00),  # a year before to the day: outside
        _medical("a1", D(2025, 12, 7), 2_00),  # the first day inside
        _medical("a2", AS_OF, 4_00),  # the day itself
        _medical("a1", D(2026, 12, 7), 8_00),  # the day after
        _medical("b1", D(2026, 6, 1), 16_00),
    ],
    "deaths": [
        {"person_key": "a3", "death_date": AS_OF, "reporter": "火化"},
        {"person_key": "a3", "death_date": D(2026, 1, 1), "reporter": "户籍注销"},  # the same person twice: once
        {"person_key": "b1", "death_date": D(2026, 12, 7), "reporter": "火化"},  # reported for tomorrow
    ],
}
HOUSEHOLD_10 = {
    "household_id": 10,
    "members": 2,
    "wages_fen": 900_00 + 2_000_00,
    "pension_fen": 1_00 + 2_00,
    "deposits_fen": 100_00 + 200_00,
    "vehicle_count": 2,
    "vehicle_value_fen": 10_000_00 + 20_000_00,
    "dwelling_count": 3,
    "company_count": 2,
    "medical_fen": 2_00 + 4_00,
    "deceased_count": 0,  # a3 is not a living member: the 死亡 rule reads living members' deaths
}
HOUSEHOLD_20 = {
    "household_id": 20,
    "members": 1,
    "wages_fen": 2_700_00,
    "pension_fen": 32_00,
    "deposits_fen": 800_00,
    "vehicle_count": 1,
    "vehicle_value_fen": 160_000_00,
    "dwelling_count": 1,
    "company_count": 2,
    "medical_fen": 16_00,
    "deceased_count": 0,
}
HOUSEHOLD_30 = {"household_id": 30, "members": 1, **ZERO}


def _tables(data=SOURCES, persons=None):
    src = {code: pa.Table.from_pylist(rows, schema=tables.source_schema(code)) for code, rows in data.items()}
    return tables.load(backends.connect("duckdb"), persons=persons or _persons(), households=_households(),
                       thresholds=tables.THRESHOLDS_SCHEMA.empty_table(), sources=src)  # fmt: skip


def _measures(t, households, as_of=AS_OF, **kw):
    out = engine.measures(t, households, as_of, **kw).to_pyarrow().to_pylist()
    return sorted(out, key=lambda r: r["household_id"])


def test_members_are_the_living_of_the_households_asked_for():
    t = _tables()
    living = sorted(engine.members_of(t).to_pyarrow().to_pylist(), key=lambda r: r["person_key"])
    assert living == [{"person_key": k, "household_id": h} for k, h in (("a1", 10), ("a2", 10), ("b1", 20), ("c1", 30))]
    some = engine.members_of(t, t.households.filter(t.households.household_id.isin([10, 30])))
    assert sorted((r["person_key"], r["household_id"]) for r in some.to_pyarrow().to_pylist()) == [
        ("a1", 10), ("a2", 10), ("c1", 30)]  # fmt: skip


def test_every_sum_of_a_subset_at_its_boundaries():
    t = _tables()
    subset = t.households.filter(t.households.household_id.isin([10, 30]))
    assert _measures(t, subset) == [HOUSEHOLD_10, HOUSEHOLD_30]


def test_every_household_without_a_subset():
    t = _tables()
    assert _measures(t, t.households, subset=False) == [HOUSEHOLD_10, HOUSEHOLD_20, HOUSEHOLD_30]


def test_deaths_of_living_members_on_and_after_the_day():
    """A member still living in the registry whose death a department reports: counted on the day reported, not
    before it, and once however many departments report it."""
    deaths = [
        {"person_key": "b1", "death_date": AS_OF, "reporter": "火化"},
        {"person_key": "b1", "death_date": D(2026, 12, 1), "reporter": "医学死亡证明"},
        {"person_key": "a1", "death_date": D(2026, 12, 7), "reporter": "火化"},
    ]
    t = _tables({"deaths": deaths})
    out = {r["household_id"]: r["deceased_count"] for r in _measures(t, t.households, subset=False)}
    assert out == {10: 0, 20: 1, 30: 0}
    t = _tables({"deaths": deaths[:1]})
    assert {r["household_id"]: r["deceased_count"] for r in _measures(t, t.households)} == {10: 0, 20: 1, 30: 0}
    assert {r["household_id"]: r["deceased_count"] for r in _measures(t, t.households, D(2026, 12, 5))} == {
        10: 0, 20: 0, 30: 0}  # fmt: skip


def test_pensions_follow_the_social_insurance_source_own_last_complete_month(monkeypatch):
    """When the social-insurance month completes 10 days after its end, on 6 December its last complete month is
    October: the pension window is 2025-11 … 2026-10 while the wage window stays 2025-12 … 2026-11."""
    late = dataclasses.replace(sources.SOURCES["social_insurance"], complete_after_days=10)
    monkeypatch.setitem(sources.SOURCES, "social_insurance", late)
    data = {
        "social_insurance": [_pension("a1", "2025-11", 1_00), _pension("a1", "2026-10", 2_00),
                             _pension("a1", "2026-11", 4_00), _pension("a1", "2025-10", 8_00)],
        "wages": [_wage("a1", "2025-11", 1_00, 0), _wage("a1", "2026-11", 2_00, 0)],
    }  # fmt: skip
    t = _tables(data)
    (row,) = _measures(t, t.households.filter(t.households.household_id == 10))
    assert (row["pension_fen"], row["wages_fen"]) == (1_00 + 2_00, 2_00)


@pytest.mark.parametrize("as_of", [D(2028, 2, 29), D(2028, 3, 1)])
def test_medical_look_back_over_29_february(as_of):
    """On 29 February 2028 the look-back starts after 28 February 2027; on 1 March after 1 March 2027."""
    rows = [
        _medical("a1", engine.year_before(as_of), 1_00),
        _medical("a1", engine.year_before(as_of) + datetime.timedelta(1), 2_00),
    ]
    t = _tables({"medical": rows})
    (row,) = _measures(t, t.households.filter(t.households.household_id == 10), as_of)
    assert row["medical_fen"] == 2_00
