"""The engine's warning rules at their boundaries, on small in-memory tables: windows end at each monthly source's
last complete month (both ends inclusive), the deposit rule, the vehicle floor and excluded types, look-back days,
and the 应保 rules over persons in no programme (主动发现)."""

import dataclasses
import datetime

import pyarrow as pa
import pytest

from huimin.engine import backends, sources, tables
from huimin.engine import monitoring as engine
from huimin.engine import verification as engine_verification
from huimin.monitoring.defaults import RULES
from huimin.monitoring.population import SCHEMA

D = datetime.date
PARAMS = {r["code"]: r["params"] for r in RULES}
STD = 600_00  # 分 per head and month


def _pop(*rows):
    base = {"canonical_key": None, "region_code": "411702001001", "standard_fen": STD, "members": 1,
            "disability_grade": None}  # fmt: skip
    full = []
    for r in rows:
        row = base | r
        row["canonical_key"] = row["canonical_key"] or row["person_key"]
        full.append(row)
    return pa.Table.from_pylist(full, schema=SCHEMA)


def _facts(kind, params, as_of, pop, **data):
    src = {code: pa.Table.from_pylist(rows, schema=tables.source_schema(code)) for code, rows in data.items()}
    t = tables.load(backends.connect("duckdb"), persons=pop, households=tables.HOUSEHOLDS_SCHEMA.empty_table(),
                    thresholds=tables.THRESHOLDS_SCHEMA.empty_table(), sources=src)  # fmt: skip
    return engine.evaluate(t, t.persons, kind, params, as_of).to_pyarrow().to_pylist()


DIBAO = {"person_key": "k1", "person_id": 1, "household_id": 10, "category": "dibao"}


# --- last complete month -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "last"),
    [
        (D(2026, 12, 6), "2026-11"),  # mid-month: December is under way
        (D(2026, 12, 1), "2026-11"),  # the first day of a month
        (D(2026, 11, 30), "2026-11"),  # the last day: the month is complete
        (D(2026, 11, 29), "2026-10"),  # the day before it: not yet
        (D(2027, 1, 1), "2026-12"),
        (D(2028, 2, 29), "2028-02"),  # a leap year's last day of February
    ],
)
def test_last_complete_month(as_of, last):
    assert sources.last_complete_month("benefit_account", as_of) == last


def test_a_source_whose_month_completes_later(monkeypatch):
    late = dataclasses.replace(sources.SOURCES["wages"], complete_after_days=5)
    monkeypatch.setitem(sources.SOURCES, "wages", late)
    assert sources.last_complete_month("wages", D(2026, 12, 5)) == "2026-11"  # 30 November + 5 days
    assert sources.last_complete_month("wages", D(2026, 12, 4)) == "2026-10"
    assert sources.month_window("wages", D(2026, 12, 4), 12) == ("2025-11", "2026-10")
    with pytest.raises(ValueError):
        sources.last_complete_month("deposits", D(2026, 12, 4))  # not a monthly source


def test_the_verification_batch_counts_a_12_month_wage_record_whole():
    """12 months of 4,500 元 ending with November, checked on 6 December: 54,000 元, both ends counted; the month
    before the window and the month under way are not."""
    months = [f"{2025 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(12, 24)]  # 2025-12 … 2026-11
    rows = [{"person_key": "k1", "month": m, "employer": "某公司", "gross_wage": 4500_00, "tax": 0} for m in months]
    rows += [{"person_key": "k1", "month": m, "employer": "某公司", "gross_wage": 99_999_00, "tax": 0}
             for m in ("2025-11", "2026-12")]  # fmt: skip
    persons = pa.Table.from_pylist([{"person_key": "k1", "person_id": 1, "household_id": 10, "is_deceased": False}],
                                   schema=tables.PERSONS_SCHEMA)  # fmt: skip
    households = pa.Table.from_pylist([{"household_id": 10, "number": "H1", "region_code": "411702001001",
                                        "is_urban": True}], schema=tables.HOUSEHOLDS_SCHEMA)  # fmt: skip
    t = tables.load(backends.connect("duckdb"), persons=persons, households=households,
                    thresholds=tables.THRESHOLDS_SCHEMA.empty_table(),
                    sources={"wages": pa.Table.from_pylist(rows, schema=tables.source_schema("wages"))})  # fmt: skip
    assert engine_verification.month_window(D(2026, 12, 6)) == ("2025-12", "2026-11")
    out = engine_verification.measures(t, t.households, D(2026, 12, 6)).to_pyarrow().to_pylist()
    assert out[0]["wages_fen"] == 54_000_00
    # on 30 November the window is 2025-12 … 2026-11 as well; on 29 November it starts a month earlier
    assert engine_verification.month_window(D(2026, 11, 30)) == ("2025-12", "2026-11")
    assert engine_verification.month_window(D(2026, 11, 29)) == ("2025-11", "2026-10")


# --- 资金长期未支取 ---------------------------------------------------------------------------------------------------


def _statements(months, withdrawn=0):
    return [{"person_key": "k1", "account_no": "a", "month": m, "credited": 630_00, "withdrawn": withdrawn,
             "balance": None} for m in months]  # fmt: skip


IDLE = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


def test_no_withdrawal_fires_on_6_december_with_statements_through_november():
    rows = _statements(["2026-05"], withdrawn=630_00) + _statements(IDLE)
    facts = _facts("no_withdrawal", PARAMS["no_withdrawal"], D(2026, 12, 6), _pop(DIBAO), benefit_account=rows)
    assert [(f["record_key"], f["occurred_on"]) for f in facts] == [("最后支取2026-05", D(2026, 6, 1))]


def test_no_withdrawal_needs_every_month_of_the_window():
    # statements May … October only: on 6 December November is missing → nothing
    rows = _statements(["2026-05", *IDLE[:-1]])
    assert _facts("no_withdrawal", PARAMS["no_withdrawal"], D(2026, 12, 6), _pop(DIBAO), benefit_account=rows) == []
    # on 29 November (November not complete yet) the window is May … October, which the statements cover
    assert _facts("no_withdrawal", PARAMS["no_withdrawal"], D(2026, 11, 29), _pop(DIBAO), benefit_account=rows)
    # a withdrawal in the window's first month (June) → not idle
    rows = _statements(["2026-06"], withdrawn=1) + _statements(IDLE[1:])
    assert _facts("no_withdrawal", PARAMS["no_withdrawal"], D(2026, 12, 6), _pop(DIBAO), benefit_account=rows) == []


def test_wages_over_line_window_ends_at_the_last_complete_month():
    over = 601_00
    rows = [{"person_key": "k1", "month": m, "employer": "某", "gross_wage": over, "tax": 0}
            for m in ("2026-09", "2026-10", "2026-11")]  # fmt: skip
    assert _facts("wages_over_line", PARAMS["wages_over_line"], D(2026, 12, 6), _pop(DIBAO), wages=rows)
    # equal to the line is not over it
    rows = [r | {"gross_wage": STD} for r in rows]
    assert _facts("wages_over_line", PARAMS["wages_over_line"], D(2026, 12, 6), _pop(DIBAO), wages=rows) == []


# --- vehicles ------------------------------------------------------------------------------------------------------


NOV_1, NOV_20, NOV_30 = D(2026, 11, 1), D(2026, 11, 20), D(2026, 11, 30)


def _car(value_fen, kind="小型轿车", on=NOV_1):
    return {"person_key": "k1", "plate_no": "豫Q12345", "vehicle_type": kind, "value": value_fen,
            "registered_on": on, "status": "正常"}  # fmt: skip


@pytest.mark.parametrize(
    ("car", "warns"),
    [
        (_car(10_000_00), True),  # equal to the floor
        (_car(9_999_99), False),  # a fen under it
        (_car(150_000_00), True),
        (_car(3_000_00, "普通二轮摩托车"), False),  # the used motorcycle of the report
        (_car(15_000_00, "普通二轮摩托车"), False),  # a motorcycle above the floor: its type is excluded
        (_car(20_000_00, "三轮汽车"), False),
        (_car(20_000_00, "轻型普通货车"), True),
    ],
)
def test_vehicle_floor_and_types(car, warns):
    facts = _facts("vehicle", PARAMS["vehicle_registered"], D(2026, 12, 6), _pop(DIBAO), vehicles=[car])
    assert bool(facts) is warns


def test_vehicle_look_back_boundary():
    params = PARAMS["vehicle_registered"]
    on_edge = D(2026, 12, 6) - datetime.timedelta(days=365)
    assert _facts("vehicle", params, D(2026, 12, 6), _pop(DIBAO), vehicles=[_car(50_000_00, on=on_edge)]) == []
    inside = on_edge + datetime.timedelta(days=1)
    assert _facts("vehicle", params, D(2026, 12, 6), _pop(DIBAO), vehicles=[_car(50_000_00, on=inside)])


# --- deposits -----------------------------------------------------------------------------------------------------


def _deposit(balance, product="存款", institution="中国农业银行", on=NOV_30, key="k1"):
    return {"person_key": key, "institution": institution, "product": product, "balance": balance, "as_of": on}


def test_deposit_rule_boundary_per_head_and_products():
    params = PARAMS["large_deposits"]
    two = _pop(DIBAO | {"members": 2}, DIBAO | {"person_key": "k2", "person_id": 2, "members": 2})
    line = 24 * STD * 2
    # split over members and products: equal to the line → nothing; a fen over it → a warning
    half = line // 2
    assert _facts("deposits", params, D(2026, 12, 6), two,
                  deposits=[_deposit(half), _deposit(half, "理财", key="k2")]) == []  # fmt: skip
    facts = _facts("deposits", params, D(2026, 12, 6), two,
                   deposits=[_deposit(half), _deposit(half + 1, "证券", key="k2")])  # fmt: skip
    assert [(f["household_id"], f["value"], f["record_key"]) for f in facts] == [
        (10, line + 1, "金融资产超过24个月标准")
    ]
    # a product not listed is not counted
    narrow = params | {"products": ["存款"]}
    assert _facts("deposits", narrow, D(2026, 12, 6), two,
                  deposits=[_deposit(half), _deposit(half + 1, "证券", key="k2")]) == []  # fmt: skip


def test_deposit_rule_reads_each_accounts_latest_balance():
    params = PARAMS["large_deposits"]
    old = _deposit(200_000_00, on=D(2026, 10, 31))
    new = _deposit(1_000_00, on=D(2026, 11, 30))  # the same account, since emptied
    assert _facts("deposits", params, D(2026, 12, 6), _pop(DIBAO), deposits=[old, new]) == []
    assert _facts("deposits", params, D(2026, 12, 6), _pop(DIBAO), deposits=[old])
    # a balance dated after the run's day is not read
    assert _facts("deposits", params, D(2026, 10, 30), _pop(DIBAO), deposits=[old]) == []


# --- 应保 rules over the whole registry (主动发现) -----------------------------------------------------------

REGISTERED = {"person_key": "k9", "person_id": 9, "household_id": 90, "category": "registered",
              "standard_fen": None, "members": 2}  # fmt: skip


def _bill(fen, on=NOV_20):
    return {"person_key": "k9", "settled_on": on, "total_cost": fen * 2, "self_paid": fen, "diagnosis": "恶性肿瘤"}


def test_medical_bills_of_a_person_in_no_programme():
    params = PARAMS["big_medical_bills"]
    assert "registered" in params["categories"]
    assert _facts("medical", params, D(2026, 12, 6), _pop(REGISTERED), medical=[_bill(60_000_00)])
    assert _facts("medical", params, D(2026, 12, 6), _pop(REGISTERED), medical=[_bill(30_000_00)])  # equal
    assert _facts("medical", params, D(2026, 12, 6), _pop(REGISTERED), medical=[_bill(29_999_99)]) == []
    # the 90-day window: a bill settled exactly 90 days before is outside it, 89 days before inside
    edge = D(2026, 12, 6) - datetime.timedelta(days=90)
    assert _facts("medical", params, D(2026, 12, 6), _pop(REGISTERED), medical=[_bill(60_000_00, edge)]) == []
    inside = edge + datetime.timedelta(days=1)
    assert _facts("medical", params, D(2026, 12, 6), _pop(REGISTERED), medical=[_bill(60_000_00, inside)])


def test_exit_rules_do_not_watch_persons_in_no_programme():
    car = _car(150_000_00) | {"person_key": "k9"}
    assert _facts("vehicle", PARAMS["vehicle_registered"], D(2026, 12, 6), _pop(REGISTERED), vehicles=[car]) == []


def test_unemployment_and_death_of_a_registered_household():
    pop = _pop(REGISTERED)
    job = {"person_key": "k9", "registered_on": D(2026, 11, 1), "status": "失业", "ended_on": None}
    assert _facts("unemployment", PARAMS["unemployment_registered"], D(2026, 12, 6), pop, unemployment=[job])
    death = {"person_key": "k9", "death_date": D(2026, 11, 1), "reporter": "火化"}
    assert _facts("death", PARAMS["death_of_earner"], D(2026, 12, 6), pop, deaths=[death])
    # one person alone: no household left to help
    alone = _pop(REGISTERED | {"members": 1})
    assert _facts("death", PARAMS["death_of_earner"], D(2026, 12, 6), alone, deaths=[death]) == []


def test_every_default_parameter_has_a_chinese_label():
    from huimin.monitoring.defaults import LABELS

    missing = {(r["code"], name) for r in RULES for name in r["params"] if name not in LABELS}
    assert missing == set()
