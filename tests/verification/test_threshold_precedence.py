"""The batch engine chooses the 核对 threshold in force by the same rule as core.regions.in_force (hypothesis): for
any set of threshold rows, the Ibis query and the Python function pick the same value."""

import datetime

import ibis
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huimin.core import regions
from huimin.engine import backends, tables
from huimin.engine import verification as engine

AS_OF = datetime.date(2026, 6, 15)
TARGET = "411702001201"
PREFIXES = ["", "41", "4117", "411702", "411702001", "411702001201", "42", "411721", "411702002"]

threshold_rows = st.lists(
    st.tuples(
        st.sampled_from(PREFIXES),
        st.sampled_from(["", "urban", "rural"]),
        st.integers(1, 90_000),
        st.dates(datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)),
    ),
    min_size=1,
    max_size=10,
)


def _engine_value(rows, is_urban: bool):
    th = pa.table(
        {
            "programme": ["dibao"] * len(rows),
            "rule": ["income_standard"] * len(rows),
            "region_prefix": [r[0] for r in rows],
            "urban_rural": [r[1] for r in rows],
            "value": [r[2] for r in rows],
            "outcome": ["not_eligible"] * len(rows),
            "valid_from": [r[3] for r in rows],
            "valid_to": [None] * len(rows),
        },
        schema=tables.THRESHOLDS_SCHEMA,
    )
    con = backends.connect("duckdb", threads=1)
    t = tables.Tables(
        persons=ibis.memtable(tables.PERSONS_SCHEMA.empty_table()),
        households=ibis.memtable(
            pa.table(
                {"household_id": [1], "number": ["1"], "region_code": [TARGET], "is_urban": [is_urban]},
                schema=tables.HOUSEHOLDS_SCHEMA,
            )
        ),
        thresholds=ibis.memtable(th),
    )
    found = con.to_pyarrow(engine.applicable_thresholds(t, t.households, "dibao", AS_OF)).to_pylist()
    return found[0]["t_income_standard"] if found else None


def _python_value(rows, is_urban: bool):
    side = "urban" if is_urban else "rural"
    in_effect = [r for r in rows if r[3] <= AS_OF and r[1] in ("", side)]
    best = regions.in_force(
        in_effect,
        TARGET,
        region=lambda r: regions.full_code(r[0]) if r[0] else None,
        effective_from=lambda r: r[3],
        narrower=lambda r: (r[1] != "",),
        tiebreak=lambda r: (r[2],),
    )
    return best[2] if best else None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(threshold_rows, st.booleans())
def test_the_engine_and_core_regions_choose_the_same_threshold(rows, is_urban):
    assert _engine_value(rows, is_urban) == _python_value(rows, is_urban)


def test_a_village_row_beats_a_later_city_row():
    rows = [("4117", "", 70_000, datetime.date(2026, 5, 1)), ("411702001201", "", 60_000, datetime.date(2025, 1, 1))]
    assert _engine_value(rows, True) == _python_value(rows, True) == 60_000
