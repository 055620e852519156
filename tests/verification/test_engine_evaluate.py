"""The 核对 engine's thresholds and rule flags (engine.verification.applicable_thresholds and evaluate) at every
boundary, on small in-memory DuckDB tables, no database: which threshold row governs a place (the most specific
region, the household's own area over 城乡统一, the latest start, the higher value on a tie; a row's first and
last day on both sides; another programme's rows ignored), each rule's flag at its threshold and one 分 (or one
item) either side, the outcome the threshold names, and a household with no threshold — written against mutmut's
"no tests" of these two functions (docs/testing.md)."""

import datetime

import pyarrow as pa
import pytest

from huimin.engine import backends, tables
from huimin.engine import verification as engine

D = datetime.date
AS_OF = D(2026, 12, 6)  # wage and pension window 2025-12 … 2026-11
NO, VISIT, YES = "not_eligible", "needs_visit", "eligible"
PLACE = "411702001001"  # the place most households live in (urban unless said)
JAN = D(2026, 1, 1)
UNSET = {**{f"t_{r}": None for r in engine.RULES}, **{f"o_{r}": None for r in engine.RULES}}


def _th(rule, value, prefix="4117", area="", start=JAN, end=None, outcome=NO, programme="dibao"):
    return {"programme": programme, "rule": rule, "region_prefix": prefix, "urban_rural": area, "value": value,
            "outcome": outcome, "valid_from": start, "valid_to": end}  # fmt: skip


def _tables(places, thresholds, persons=(), data=None):
    """``places``: (household_id, region_code, is_urban); ``persons``: (person_key, household_id, is_deceased)."""
    households = pa.Table.from_pylist(
        [{"household_id": h, "number": f"H{h}", "region_code": c, "is_urban": u} for h, c, u in places],
        schema=tables.HOUSEHOLDS_SCHEMA,
    )
    people = pa.Table.from_pylist(
        [{"person_key": k, "person_id": i, "household_id": h, "is_deceased": dead}
         for i, (k, h, dead) in enumerate(persons)],
        schema=tables.PERSONS_SCHEMA,
    )  # fmt: skip
    src = {code: pa.Table.from_pylist(rows, schema=tables.source_schema(code)) for code, rows in (data or {}).items()}
    limits = pa.Table.from_pylist(thresholds, schema=tables.THRESHOLDS_SCHEMA)
    return tables.load(backends.connect("duckdb"), persons=people, households=households, thresholds=limits,
                       sources=src)  # fmt: skip


def _limits(t, programme="dibao", as_of=AS_OF):
    out = engine.applicable_thresholds(t, t.households, programme, as_of).to_pyarrow().to_pylist()
    return {(r.pop("region_code"), r.pop("is_urban")): r for r in out}


def _row(**kw):
    """A place's thresholds: the rules given as rule=(value, outcome), every other rule unset."""
    out = dict(UNSET)
    for rule, (value, outcome) in kw.items():
        out[f"t_{rule}"], out[f"o_{rule}"] = value, outcome
    return out


# ---------------------------------------------------------------- applicable_thresholds


def test_the_most_specific_region_governs_whatever_the_date_value_or_area():
    """Every level of the region code, each less specific row later and higher; a narrower area at a wider region
    loses to a 城乡统一 row of a narrower region; a sibling subtree's row does not apply."""
    rows = [
        _th("income_standard", 900, prefix="", start=D(2026, 6, 1)),
        _th("income_standard", 800, prefix="41", area="urban", start=D(2026, 5, 1)),
        _th("income_standard", 700, prefix="4117", start=D(2026, 4, 1)),
        _th("income_standard", 600, prefix="411702", start=D(2026, 3, 1)),
        _th("income_standard", 500, prefix="411702001", start=D(2026, 2, 1)),
        _th("income_standard", 400, prefix="411702001001", start=D(2026, 1, 1), outcome=VISIT),
        _th("income_standard", 9_999, prefix="411702002", start=D(2026, 11, 1)),
        _th("income_standard", 9_998, prefix="42", start=D(2026, 11, 1)),
    ]
    places = [
        (1, PLACE, True),
        (2, PLACE, True),  # the same place twice: one row
        (3, "411702001002", True),  # a sibling village: the township's row
        (4, "411702003001", True),  # another township: the county's
        (5, "411799000000", True),  # another county of the city: the city's, over the province's urban row
        (6, "410100000000", True),  # another city: the province's urban row
        (7, "410100000000", False),  # … not for a rural household: the national one
        (8, "500000000000", True),  # another province: the national row
    ]
    assert _limits(_tables(places, rows)) == {
        (PLACE, True): _row(income_standard=(400, VISIT)),
        ("411702001002", True): _row(income_standard=(500, NO)),
        ("411702003001", True): _row(income_standard=(600, NO)),
        ("411799000000", True): _row(income_standard=(700, NO)),
        ("410100000000", True): _row(income_standard=(800, NO)),
        ("410100000000", False): _row(income_standard=(900, NO)),
        ("500000000000", True): _row(income_standard=(900, NO)),
    }


def test_the_household_own_area_over_城乡统一():
    """At one region the urban row governs urban households and the rural row rural ones, though the 城乡统一 row
    is later and higher; a rule with only a 城乡统一 row holds for both; a rule with only an urban row, not rural."""
    rows = [
        _th("income_standard", 300, start=D(2026, 6, 1)),
        _th("income_standard", 200, area="urban", outcome=VISIT),
        _th("income_standard", 100, area="rural"),
        _th("deposit_months", 6, start=D(2026, 6, 1)),
        _th("vehicle_count", 1, area="urban"),
        _th("dwelling_count", 2, area="rural", outcome=VISIT),
    ]
    t = _tables([(1, PLACE, True), (2, PLACE, False)], rows)
    assert _limits(t) == {
        (PLACE, True): _row(income_standard=(200, VISIT), deposit_months=(6, NO), vehicle_count=(1, NO)),
        (PLACE, False): _row(income_standard=(100, NO), deposit_months=(6, NO), dwelling_count=(2, VISIT)),
    }


def test_the_latest_start_then_the_higher_value_and_each_row_first_and_last_day():
    rows = [
        # the latest start governs, though lower; a row starting on the day counts, the day after not yet
        _th("income_standard", 1_000, start=D(2026, 1, 1)),
        _th("income_standard", 500, start=AS_OF, outcome=VISIT),
        _th("income_standard", 100, start=D(2026, 12, 7)),
        # a row ending on the day still governs; one that ended the day before no longer
        _th("deposit_months", 3, start=D(2026, 1, 1)),
        _th("deposit_months", 7, start=D(2026, 6, 1), end=AS_OF, outcome=VISIT),
        _th("vehicle_count", 4, start=D(2026, 1, 1)),
        _th("vehicle_count", 9, start=D(2026, 6, 1), end=D(2026, 12, 5)),
        # two rows of one start: the higher value, with its own outcome
        _th("dwelling_count", 40, start=D(2026, 3, 1)),
        _th("dwelling_count", 60, start=D(2026, 3, 1), outcome=VISIT),
        _th("dwelling_count", 50, start=D(2026, 3, 1)),
        # another programme's rows, later, narrower and higher, are not read
        _th("company_count", 1, start=D(2026, 1, 1)),
        _th("company_count", 5, prefix=PLACE, area="urban", start=AS_OF, programme="tekun"),
        _th("medical_self_paid", 8, prefix=PLACE, area="urban", start=AS_OF, programme="tekun"),
        # the only row of a rule, ending the day before or starting the day after: no threshold
        _th("vehicle_value", 2, start=D(2026, 1, 1), end=D(2026, 12, 5)),
        _th("vehicle_value", 3, start=D(2026, 12, 7)),
    ]
    t = _tables([(1, PLACE, True)], rows)
    expected = _row(income_standard=(500, VISIT), deposit_months=(7, VISIT), vehicle_count=(4, NO),
                    dwelling_count=(60, VISIT), company_count=(1, NO))  # fmt: skip
    assert _limits(t) == {(PLACE, True): expected}
    # the day after: the row ending on 6 December has gone, the one starting on 7 December governs
    after = _row(income_standard=(100, NO), deposit_months=(3, NO), vehicle_count=(4, NO),
                 dwelling_count=(60, VISIT), company_count=(1, NO), vehicle_value=(3, NO))  # fmt: skip
    assert _limits(t, as_of=D(2026, 12, 7)) == {(PLACE, True): after}
    # the other programme alone
    assert _limits(t, programme="tekun") == {(PLACE, True): _row(company_count=(5, NO), medical_self_paid=(8, NO))}


def test_a_place_with_no_row_in_force_has_no_thresholds_row():
    rows = [_th("income_standard", 500, prefix="42"), _th("income_standard", 500, start=D(2026, 12, 7))]
    assert _limits(_tables([(1, PLACE, True)], rows)) == {}


# ---------------------------------------------------------------- evaluate

STD = 500_00  # 元 a month per head
THRESHOLDS = {
    "income_standard": STD,
    "deposit_months": 6,
    "vehicle_count": 1,
    "vehicle_value": 100_000_00,
    "dwelling_count": 1,
    "company_count": 1,
    "medical_self_paid": 50_000_00,
}


def _wage(key, gross):
    return {"person_key": key, "month": "2026-06", "employer": "某公司", "gross_wage": gross, "tax": 0}


def _pension(key, amount):
    return {"person_key": key, "month": "2026-06", "kind": "养老金", "amount": amount}


def _vehicle(key, n, value):
    return {"person_key": key, "plate_no": f"豫A{key}{n}", "vehicle_type": "小型轿车", "value": value,
            "registered_on": D(2020, 1, 1), "status": "正常"}  # fmt: skip


def _dwelling(key, n):
    return {"person_key": key, "cert_no": f"房{key}{n}", "use": "住宅", "area_m2": None, "value": None,
            "registered_on": D(2020, 1, 1)}  # fmt: skip


def _company(key, n):
    return {"person_key": key, "credit_code": f"C{key}{n}", "company_name": "某企业", "role": "股东",
            "registered_capital": None, "established_on": D(2020, 1, 1), "status": "存续"}  # fmt: skip


def _medical(key, paid):
    return {"person_key": key, "settled_on": D(2026, 6, 1), "total_cost": paid, "self_paid": paid, "diagnosis": None}


def _deposit(key, balance):
    return {"person_key": key, "institution": "某银行", "product": "存款", "balance": balance, "as_of": D(2026, 1, 1)}


# household id: (region, urban, living members, records of its first member "a" and second "b" by source)
HOUSEHOLDS = {
    # income: two members, line 500 元 × 12 × 2 = 12,000 元; wages of one plus the pension of the other
    1: (PLACE, True, 2, {"wages": [_wage("1a", 11_999_99)]}),
    2: (PLACE, True, 2, {"wages": [_wage("2a", 11_000_00)], "social_insurance": [_pension("2b", 1_000_00)]}),
    3: (PLACE, True, 2, {"wages": [_wage("3a", 11_000_00)], "social_insurance": [_pension("3b", 1_000_01)]}),
    4: (PLACE, True, 1, {"wages": [_wage("4a", 6_000_01)]}),  # one member: line 6,000 元
    # deposits: 6 months × 500 元 × 2 members = 6,000 元
    5: (PLACE, True, 2, {"deposits": [_deposit("5a", 5_999_99)]}),
    6: (PLACE, True, 2, {"deposits": [_deposit("6a", 3_000_00), _deposit("6b", 3_000_00)]}),
    7: (PLACE, True, 2, {"deposits": [_deposit("7a", 6_000_01)]}),
    # vehicles: at most 1, worth at most 100,000 元 together
    8: (PLACE, True, 1, {"vehicles": [_vehicle("8a", 1, 1_00)]}),
    9: (PLACE, True, 2, {"vehicles": [_vehicle("9a", 1, 1_00), _vehicle("9b", 2, 1_00)]}),
    10: (PLACE, True, 1, {"vehicles": [_vehicle("10a", 1, 99_999_99)]}),
    11: (PLACE, True, 1, {"vehicles": [_vehicle("11a", 1, 100_000_00)]}),
    12: (PLACE, True, 1, {"vehicles": [_vehicle("12a", 1, 100_000_01)]}),
    # dwellings and companies: at most 1
    13: (PLACE, True, 1, {"real_estate": [_dwelling("13a", 1)]}),
    14: (PLACE, True, 2, {"real_estate": [_dwelling("14a", 1), _dwelling("14b", 2)]}),
    15: (PLACE, True, 1, {"business": [_company("15a", 1)]}),
    16: (PLACE, True, 2, {"business": [_company("16a", 1), _company("16b", 2)]}),
    # medical self-payments: from 50,000 元 (the threshold itself counts)
    17: (PLACE, True, 1, {"medical": [_medical("17a", 49_999_99)]}),
    18: (PLACE, True, 1, {"medical": [_medical("18a", 50_000_00)]}),
    19: (PLACE, True, 1, {"medical": [_medical("19a", 50_000_01)]}),
    # a living member reported dead; a household with no living member
    20: (PLACE, True, 1, {"deaths": [{"person_key": "20a", "death_date": D(2026, 6, 1), "reporter": "火化"}]}),
    21: (PLACE, True, 0, {}),
    # reported dead and over a threshold
    22: (
        PLACE,
        True,
        1,
        {
            "deaths": [{"person_key": "22a", "death_date": D(2026, 6, 1), "reporter": "火化"}],
            "vehicles": [_vehicle("22a", 1, 1_00), _vehicle("22a", 2, 1_00)],
        },
    ),
    # a place with no threshold at all, and one with a vehicle limit but no income standard
    23: ("500000000000", True, 1, {"vehicles": [_vehicle("23a", 1, 1_00), _vehicle("23a", 2, 1_00)]}),
    24: (
        "430100000000",
        True,
        1,
        {
            "vehicles": [_vehicle("24a", 1, 1_00), _vehicle("24a", 2, 1_00)],
            "real_estate": [_dwelling("24a", 1), _dwelling("24a", 2)],
            "deposits": [_deposit("24a", 1_00)],
        },
    ),
    # rural households of PLACE: the rural line, 400 元 × 12 = 4,800 元
    25: (PLACE, False, 1, {"wages": [_wage("25a", 4_800_00)]}),
    26: (PLACE, False, 1, {"wages": [_wage("26a", 4_800_01)]}),
    # nothing at all
    27: (PLACE, True, 1, {}),
    # deposits of one member: 6 months × 500 元 = 3,000 元
    28: (PLACE, True, 1, {"deposits": [_deposit("28a", 3_000_00)]}),
    29: (PLACE, True, 1, {"deposits": [_deposit("29a", 3_000_01)]}),
}
# the flags raised in each household (all others False)
RAISED = {
    3: {"r_income"},
    4: {"r_income"},
    7: {"r_deposits"},
    9: {"r_vehicle_count"},
    12: {"r_vehicle_value"},
    14: {"r_dwellings"},
    16: {"r_company"},
    18: {"r_medical"},
    19: {"r_medical"},
    20: {"r_deceased"},
    21: {"r_no_members"},
    22: {"r_deceased", "r_vehicle_count"},
    23: {"r_no_standard"},
    24: {"r_no_standard", "r_vehicle_count"},
    26: {"r_income"},
    29: {"r_deposits"},
}


def _evaluation_tables(outcome):
    persons, data = [], {}
    for h, (_, _, living, records) in HOUSEHOLDS.items():
        persons += [(f"{h}{m}", h, False) for m in "ab"[:living]]
        persons.append((f"{h}x", h, True))  # a deceased member in every household: never counted
        for code, rows in records.items():
            data.setdefault(code, []).extend(rows)
    data["wages"].append(_wage("1x", 90_000_00))  # the deceased member's wage: not income
    rows = [_th(rule, value, outcome=outcome) for rule, value in THRESHOLDS.items()]
    rows += [_th("income_standard", 400_00, area="rural", outcome=outcome)]
    rows += [_th("vehicle_count", 1, prefix="43", outcome=outcome)]
    rows += [_th("deposit_months", 6, prefix="43", outcome=outcome)]  # months of an income standard not set
    rows += [_th("income_standard", 1, prefix=PLACE, start=D(2026, 12, 7), outcome=outcome)]  # not yet
    rows += [_th("income_standard", 1, prefix=PLACE, programme="tekun", outcome=outcome)]  # another programme
    places = [(h, region, urban) for h, (region, urban, _, _) in HOUSEHOLDS.items()]
    return _tables(places, rows, persons, data)


def _evaluate(t, households=None, programme="dibao", as_of=AS_OF):
    return engine.evaluate(t, programme, as_of, households).to_pyarrow().to_pylist()


def _raised(row):
    return {f for f in engine.FLAGS if row[f]}


@pytest.mark.parametrize("outcome", [NO, VISIT])
def test_each_rule_at_its_threshold_and_either_side(outcome):
    """Every flag is True or False (never empty); the conclusion is the outcome the broken threshold names, 需入户
    核实 for a death, no living member or no income standard, 不符合 over 需入户核实, else 符合."""
    out = _evaluate(_evaluation_tables(outcome))
    assert [r["household_id"] for r in out] == list(HOUSEHOLDS)
    for row in out:
        h = row["household_id"]
        assert all(row[f] in (True, False) for f in engine.FLAGS), h
        assert (h, _raised(row)) == (h, RAISED.get(h, set()))
    conclusions = {r["household_id"]: r["conclusion"] for r in out}
    by_rule = {h for h, flags in RAISED.items() if flags - {"r_deceased", "r_no_members", "r_no_standard"}}
    expected = {h: (outcome if h in by_rule else VISIT if h in RAISED else YES) for h in HOUSEHOLDS}
    assert conclusions == expected


def test_the_columns_of_a_household_row():
    out = {r["household_id"]: r for r in _evaluate(_evaluation_tables(NO))}
    assert sorted(out[3]) == sorted(engine.COLUMNS)  # every column the reports read, nothing else
    limits = {f"t_{r}": v for r, v in THRESHOLDS.items()} | {f"o_{r}": NO for r in engine.RULES}
    assert out[3] == {
        "household_id": 3, "region_code": PLACE, "is_urban": True, "members": 2,
        "wages_fen": 11_000_00, "pension_fen": 1_000_01, "deposits_fen": 0, "vehicle_count": 0,
        "vehicle_value_fen": 0, "dwelling_count": 0, "company_count": 0, "medical_fen": 0, "deceased_count": 0,
        "income_fen": 12_000_01, **limits, **dict.fromkeys(engine.FLAGS, False), "r_income": True,
        "conclusion": NO,
    }  # fmt: skip
    assert (out[2]["income_fen"], out[2]["r_income"], out[2]["conclusion"]) == (12_000_00, False, YES)
    # the rural household reads the rural income standard, the other rules the 城乡统一 rows
    assert out[26]["t_income_standard"] == 400_00 and out[26]["t_vehicle_count"] == 1
    # no threshold at all: every limit empty, no rule broken, only the missing standard
    assert {k: out[23][k] for k in UNSET} == UNSET
    assert (out[23]["vehicle_count"], out[23]["conclusion"]) == (2, VISIT)
    # a vehicle limit but no income standard: the dwellings, without a limit, break nothing; the deposit limit
    # (months of the missing standard) is not broken, nor empty
    assert out[24]["t_vehicle_count"] == 1 and out[24]["t_dwelling_count"] is None
    assert (out[24]["t_deposit_months"], out[24]["deposits_fen"], out[24]["r_deposits"]) == (6, 1_00, False)
    assert (out[24]["dwelling_count"], out[24]["r_dwellings"], out[24]["conclusion"]) == (2, False, NO)
    # no living member
    assert (out[21]["members"], out[21]["wages_fen"], out[21]["conclusion"]) == (0, 0, VISIT)


def test_a_subset_of_households():
    t = _evaluation_tables(NO)
    some = t.households.filter(t.households.household_id.isin([26, 3, 23, 18]))
    out = _evaluate(t, some)
    assert [(r["household_id"], r["conclusion"], r["income_fen"]) for r in out] == [
        (3, NO, 12_000_01), (18, NO, 0), (23, VISIT, 0), (26, NO, 4_800_01)]  # fmt: skip
    assert [r["t_income_standard"] for r in out] == [STD, STD, None, 400_00]


def test_the_day_and_the_programme_choose_the_thresholds():
    """On 7 December PLACE's own income standard of 0.01 元 starts: every urban household of PLACE with any
    income breaks it; under another programme only that programme's rows hold."""
    t = _evaluation_tables(NO)
    some = t.households.filter(t.households.household_id.isin([1, 27]))
    out = _evaluate(t, some, as_of=D(2026, 12, 7))
    assert [(r["household_id"], r["t_income_standard"], r["r_income"], r["conclusion"]) for r in out] == [
        (1, 1, True, NO), (27, 1, False, YES)]  # fmt: skip
    out = _evaluate(t, some, programme="tekun")
    assert [(r["household_id"], r["t_income_standard"], r["t_vehicle_count"], r["conclusion"]) for r in out] == [
        (1, 1, None, NO), (27, 1, None, YES)]  # fmt: skip
