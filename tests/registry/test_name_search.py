"""Searching by part of a Chinese name: what is typed may be the whole name, the surname, the given name or two
characters of the middle; on PostgreSQL the name index (registry 0009) must narrow it, at ten million persons a
scan of the table is seconds."""

import datetime

import pytest
from django.db import connection

from huimin.registry import codes, search
from huimin.registry.models import Person
from tests.registry.conftest import VILLAGE_A1

pytestmark = pytest.mark.django_db
B = datetime.date(1961, 5, 5)


@pytest.fixture
def named(household_of):
    household_of(VILLAGE_A1, [("王伟", B, 11, codes.HEAD), ("王伟强", B, 12, "10"), ("张秀英", B, 13, "10"),
                              ("欧阳秀", B, 14, "10"), ("伟", B, 15, "10")])  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("王伟", {"王伟", "王伟强"}),  # the whole name, and the longer names it begins
        ("伟强", {"王伟强"}),  # the given name
        ("秀英", {"张秀英"}),
        ("欧阳", {"欧阳秀"}),  # a two-character surname
        ("王", {"王伟", "王伟强"}),  # one character: every name holding it
        ("伟", {"王伟", "王伟强", "伟"}),
        ("王伟强", {"王伟强"}),  # three characters: both pairs must be there, in that order
        ("伟王", set()),  # the pair exists in no name, though each character does
        ("秀阳", set()),
    ],
)
def test_a_part_of_a_name_finds_every_name_containing_it_and_no_other(named, users, typed, found):
    assert {p.name for p in search.persons(users["clerk_a"], q=typed)} == found


def test_three_characters_whose_pairs_are_in_the_name_but_not_together_find_nothing(household_of, users):
    household_of(VILLAGE_A1, [("明华李明", B, 21, codes.HEAD)])  # holds 李明 and 明华, not 李明华
    assert not list(search.persons(users["clerk_a"], q="李明华"))
    assert {p.name for p in search.persons(users["clerk_a"], q="华李明")} == {"明华李明"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the name index is PostgreSQL's")
def test_postgresql_finds_a_name_through_the_name_index(named, users):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        names = Person.objects.filter(search._name_filter("秀英"))
        plan = names.explain()
    assert "registry_person_name_grams" in plan


def test_the_person_list_counts_a_common_name_up_to_its_cap_and_says_so(named, users, login, monkeypatch):
    client = login(users["clerk_a"])
    monkeypatch.setattr(search, "LIST_COUNT_CAP", 3)  # 王伟, 王伟强, 伟 hold 伟; 3 is the cap itself
    page = client.get("/registry/persons/?q=伟").content.decode()
    assert "共 3 条" in page and "以上" not in page
    monkeypatch.setattr(search, "LIST_COUNT_CAP", 2)
    page = client.get("/registry/persons/?q=伟").content.decode()
    assert "共 2 条以上" in page and "符合条件的超过 2 条" in page
    households = client.get("/registry/households/?q=伟").content.decode()
    assert "共 1 条" in households and "以上" not in households  # one household holds all three
