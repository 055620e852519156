"""The one rule for regional settings (core.regions.in_force), for any rows (hypothesis): the row chosen covers the
place, no covering row has a more specific region, and among those of its region none is later; rows of other
places never win. And the helpers that replace hand-padded codes."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huimin.core import regions
from huimin.core.regions import RegionCodeError

# One chain (province → village) the target lies in, plus codes beside it that must never apply.
CHAIN = [None, "410000000000", "411700000000", "411702000000", "411702001000", "411702001201"]
ASIDE = ["420000000000", "411800000000", "411721000000", "411702002000", "411702001202"]
TARGET = CHAIN[-1]

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(CHAIN + ASIDE), st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)), st.booleans()
    ),
    max_size=12,
).map(lambda rows: [(code, day, narrow, n) for n, (code, day, narrow) in enumerate(rows)])


def _pick(rows, narrower=False):
    return regions.in_force(
        rows,
        TARGET,
        region=lambda r: r[0],
        effective_from=lambda r: r[1],
        narrower=(lambda r: (r[2],)) if narrower else (lambda r: ()),
        tiebreak=lambda r: (r[3],),
    )


@given(rows_strategy)
def test_the_most_specific_region_wins_then_the_latest_date(rows):
    chosen = _pick(rows)
    covering = [r for r in rows if r[0] in CHAIN]
    if not covering:
        assert chosen is None
        return
    assert chosen[0] in CHAIN
    deepest = max(CHAIN.index(r[0]) for r in covering)
    assert CHAIN.index(chosen[0]) == deepest
    assert chosen[1] == max(r[1] for r in covering if r[0] == chosen[0])


@given(rows_strategy)
def test_a_narrower_row_beats_a_later_one_of_the_same_region_but_never_a_more_specific_region(rows):
    chosen = _pick(rows, narrower=True)
    covering = [r for r in rows if r[0] in CHAIN]
    if not covering:
        assert chosen is None
        return
    same_region = [r for r in covering if r[0] == chosen[0]]
    assert CHAIN.index(chosen[0]) == max(CHAIN.index(r[0]) for r in covering)
    if any(r[2] for r in same_region):
        assert chosen[2]
    assert chosen[1] == max(r[1] for r in same_region if r[2] == chosen[2])


@given(rows_strategy)
def test_rows_of_other_places_never_apply(rows):
    aside_only = [r for r in rows if r[0] in ASIDE]
    assert _pick(aside_only) is None


def test_precedence_orders_region_before_narrower_before_date():
    day, later = datetime.date(2026, 1, 1), datetime.date(2026, 7, 1)
    assert regions.precedence(6, day) > regions.precedence(4, later)
    assert regions.precedence(6, day, (True,)) > regions.precedence(6, later, (False,))
    assert regions.precedence(6, later, (True,)) > regions.precedence(6, day, (True,))


@given(st.integers(regions.PROVINCE, regions.VILLAGE))
def test_ancestor_code_is_the_full_code_of_the_prefix_at_that_level(level):
    code = "411702001201"
    ancestor = regions.ancestor_code(code, level)
    assert len(ancestor) == 12 and regions.level_of(ancestor) == level
    assert code.startswith(regions.prefix_of(ancestor))
    assert ancestor == regions.full_code(code[: regions.PREFIX_LENGTH[level]])


def test_full_code_pads_a_prefix_and_refuses_a_longer_string():
    assert regions.full_code("4117") == "411700000000"
    assert regions.full_code("") == "000000000000"
    with pytest.raises(RegionCodeError):
        regions.full_code("4117020012011")
