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
        ranged = Q(code__startswith=prefix) & Q(code__gte=prefix, code__lt=after)
        assert condition == (ranged if after else Q(code__startswith=prefix)), prefix
        # the same condition written for hand-made SQL (payroll, settlement, the registry's export)
        where, params = scope.sql_starting_with("code", prefix)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT code FROM core_region WHERE {where}", params)  # noqa: S608 - placeholders
            assert {row[0] for row in cursor.fetchall()} == got, prefix
