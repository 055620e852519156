"""Properties of region codes for any input (hypothesis): a code's prefix rebuilds it, the parent chain climbs one
level at a time to the province and each parent's prefix starts the child's, and garbage raises only
RegionCodeError."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huimin.core import regions
from huimin.core.regions import RegionCodeError


def _segment(width: int, zero: bool):
    return st.just("0" * width) if zero else st.integers(1, 10**width - 1).map(lambda n: f"{n:0{width}d}")


@st.composite
def codes(draw):
    """A 12-digit code of a random level: non-zero segments down to that level, zeros below it."""
    level = draw(st.integers(regions.PROVINCE, regions.VILLAGE))
    parts = [f"{draw(st.integers(11, 65)):02d}"]
    for lvl, width in ((regions.CITY, 2), (regions.COUNTY, 2), (regions.TOWNSHIP, 3), (regions.VILLAGE, 3)):
        parts.append(draw(_segment(width, lvl > level)))
    return "".join(parts), level


@given(codes())
def test_level_prefix_and_normalisation_agree(code_level):
    code, level = code_level
    assert regions.level_of(code) == level
    prefix = regions.prefix_of(code)
    assert len(prefix) == regions.PREFIX_LENGTH[level] and code.startswith(prefix)
    assert regions.normalize_code(prefix) == code
    assert regions.normalize_code(code) == code


@given(codes())
def test_parent_chain_climbs_one_level_at_a_time(code_level):
    code, level = code_level
    chain = [code]
    while (parent := regions.parent_code(chain[-1])) is not None:
        assert regions.level_of(parent) == regions.level_of(chain[-1]) - 1
        assert chain[-1].startswith(regions.prefix_of(parent))
        chain.append(parent)
    assert len(chain) == level and regions.level_of(chain[-1]) == regions.PROVINCE


@given(st.one_of(st.text(), st.integers(), st.from_regex(r"\A[0-9]{1,14}\Z")))
def test_garbage_raises_only_region_code_error(value):
    try:
        code = regions.normalize_code(value)
    except RegionCodeError as exc:
        assert "区划代码" in str(exc)
    else:
        assert len(code) == 12 and code.isdigit() and code.startswith(str(value).strip())


@given(st.text("0123456789", min_size=1, max_size=12), st.text("0123456789", min_size=12, max_size=12))
def test_a_subtree_as_a_range_of_codes_holds_exactly_the_codes_with_its_prefix(prefix, code):

    after = regions.code_after(prefix)
    in_range = code >= prefix and (after is None or code < after)
    assert in_range == code.startswith(prefix)


def test_the_range_after_a_prefix_carries_past_nines():
    assert [regions.code_after(p) for p in ("411721100", "4117219", "4199", "999", "")] == [
        "411721101", "411722", "42", None, None]  # fmt: skip


@pytest.mark.django_db
def test_a_subtree_in_the_database_holds_exactly_the_codes_with_its_prefix():
    """``starting_with`` said to PostgreSQL (its collation, not Python's) keeps the rows whose code starts with the
    prefix and no others, also where the range carries past trailing 9s (4117219 → 411722, 4119 → 412) and where
    there is no range (all 9s, none given, not digits: the prefix alone)."""
    from django.db import connection
    from django.db.models import Q

    from huimin.core import scope
    from huimin.core.models import Region

    edges = ["411721899999", "411721900000", "411721999999", "411722000000", "411899999999", "411900000000",
             "411999999999", "412000000000", "419999999999", "420000000000", "411702009999", "411702010000",
             "999000000000", "999999999999"]  # fmt: skip
    for code in edges:
        Region.objects.get_or_create(code=code, defaults={"name": code, "level": regions.level_of(code)})
    codes = set(Region.objects.values_list("code", flat=True))
    for prefix in ("4117219", "41172199", "4119", "4199", "411702009", "41", "999", "", "41a", "-"):
        condition = scope.starting_with("code", prefix)
        got = set(Region.objects.filter(condition).values_list("code", flat=True))
        assert got == {code for code in codes if code.startswith(prefix)}, prefix
        after = regions.code_after(prefix)
        # said once: the range alone where there is one (a LIKE beside it squares the planner's estimate)
        assert condition == (Q(code__gte=prefix, code__lt=after) if after else Q(code__startswith=prefix)), prefix
        # the same condition written for hand-made SQL (payroll, settlement, the registry's export)
        where, params = scope.sql_starting_with("code", prefix)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT code FROM core_region WHERE {where}", params)  # noqa: S608 - placeholders
            assert {row[0] for row in cursor.fetchall()} == got, prefix


def test_a_region_picked_inside_ones_scope_is_that_regions_range_alone(users):
    """A county approver's list narrowed to a township reads the township's range, not the county's and the
    township's together: two ranges multiply PostgreSQL's estimate, and at 10,000,000 persons it sorted all the
    township's 590,000 rows for a page (1.5 s) instead of walking the (region, name) index (2.5 ms). Outside one's
    scope the pick is ignored; without the capability the list is empty."""
    from huimin.core import scope
    from huimin.registry.models import Person
    from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1

    Person.objects.create(name="甲", region_id=VILLAGE_A1, no_id_reason="测试")
    Person.objects.create(name="乙", region_id=VILLAGE_B1, no_id_reason="测试")
    approver, clerk_b = users["approver"], users["clerk_b"]
    picked = scope.narrowed(Person.objects.all(), approver, TOWN_A)
    assert [p.name for p in picked] == ["甲"]
    assert str(picked.query).count(">=") == 1
    assert {p.name for p in scope.narrowed(Person.objects.all(), approver, COUNTY)} == {"甲", "乙"}
    assert [p.name for p in scope.narrowed(Person.objects.all(), clerk_b, TOWN_A)] == ["乙"]  # not clerk_b's
    assert [p.name for p in scope.narrowed(Person.objects.all(), clerk_b, TOWN_B)] == ["乙"]
    assert not scope.narrowed(Person.objects.all(), users["auditor"], TOWN_A).exists()  # 三员: no data
