"""Searching a person by the last six characters of the ID number (how offices read them over the phone): a keyed
index of the suffix, never a plaintext column; inside the actor's region only; the six never stand in a URL."""

import datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection

from huimin.core import crypto
from huimin.core.roles import Role
from huimin.registry import idnumbers, search
from huimin.registry.models import Household, Membership, Person
from tests.conftest import OTHER_COUNTY, VILLAGE_A1


def _person(name, region_code, number):
    household = Household.objects.create(number=f"H{number[-8:]}", region_id=region_code, address="幸福路1号")
    return Person.objects.create(name=name, id_number=number, region_id=region_code, household=household)


@pytest.fixture
def twins(regions):
    """Two people whose ID numbers end with the same six characters: one in 顺河街道, one in 西平县."""
    mine = idnumbers.make("411702", datetime.date(1968, 5, 17), 123)
    for year in range(1940, 2010):
        other = idnumbers.make("411721", datetime.date(year, 3, 17), 123)
        if other[-6:] == mine[-6:]:
            break
    return _person("甲本辖区", VILLAGE_A1, mine), _person("乙外县", OTHER_COUNTY, other)


def test_the_suffix_is_kept_only_as_a_keyed_index(twins):
    mine, _ = twins
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_sfx FROM registry_person WHERE id = %s", [mine.pk])
        stored, suffix = cursor.fetchone()
    assert mine.id_number[-6:] not in stored and mine.id_number[-6:] not in suffix
    assert suffix == crypto.suffix_index("id_number", mine.id_number, 6)
    assert suffix != crypto.blind_index("id_number", mine.id_number[-6:])  # its own domain


def test_the_suffix_finds_the_person_in_scope_and_never_stands_in_a_url(twins, users, login, make_user):
    mine, other = twins
    suffix = mine.id_number[-6:]
    client = login(users["clerk_a"])
    response = client.post("/registry/persons/", {"q": suffix})
    assert response.status_code == 302 and "sfx=" in response.url and suffix not in response.url
    page = client.get(response.url).content.decode()
    assert "甲本辖区" in page and "乙外县" not in page and "已按身份证号后6位查询" in page
    refused = client.get(f"/registry/persons/?q={suffix}").content.decode()
    assert "身份证号不能放在网址中查询" in refused and "已按身份证号后6位查询" not in refused
    # 西平县's clerk finds their own, not 驿城区's
    theirs = login(make_user("clerk_xp", Role.CLERK, OTHER_COUNTY))
    page = theirs.get(theirs.post("/registry/persons/", {"q": suffix}).url).content.decode()
    assert "乙外县" in page and "甲本辖区" not in page


def test_a_name_search_of_six_letters_is_still_a_name_search(twins, users, login):
    client = login(users["clerk_a"])
    response = client.post("/registry/persons/", {"q": "jbxq"})
    assert "sfx=" not in response.url


def test_the_migration_indexes_the_people_already_registered(twins):
    mine, _ = twins
    Person.objects.filter(pk=mine.pk).update(id_number_sfx="")
    migration = import_module("huimin.registry.migrations.0007_id_number_suffix_index")
    migration.index_suffixes(apps, None)
    assert Person.objects.get(**Person.suffix_lookup("id_number", mine.id_number[-6:]), region_id=VILLAGE_A1) == mine


@pytest.fixture
def twin_households(twins):
    """The twins as heads of their households (a household is found through its current members)."""
    for person in twins:
        Membership.objects.create(
            household=person.household, person=person, relation="01", started_on=datetime.date(2020, 1, 1)
        )
    return twins


def test_the_household_list_finds_a_household_by_a_member_s_suffix_in_scope(twin_households, users, login, make_user):
    mine, other = twin_households
    suffix = mine.id_number[-6:]
    client = login(users["clerk_a"])
    response = client.post("/registry/households/", {"q": suffix})
    assert response.status_code == 302 and "sfx=" in response.url and suffix not in response.url
    page = client.get(response.url).content.decode()
    assert mine.household.number in page and other.household.number not in page and "已按身份证号后6位查询" in page
    refused = client.get(f"/registry/households/?q={suffix}").content.decode()
    assert "身份证号不能放在网址中查询" in refused and "已按身份证号后6位查询" not in refused
    theirs = login(make_user("clerk_xp", Role.CLERK, OTHER_COUNTY))
    page = theirs.get(theirs.post("/registry/households/", {"q": suffix}).url).content.decode()
    assert other.household.number in page and mine.household.number not in page


def test_six_digits_are_never_a_household_number_prefix(twin_households, users):
    """A suffix that happens to be a county's code must not list that county's households."""
    mine, _ = twin_households
    Household.objects.create(number="411702000000001", region_id=VILLAGE_A1)
    numbers = {h.number for h in search.households(users["clerk_a"], q="411702")}
    assert numbers == set()
    assert {h.number for h in search.households(users["clerk_a"], q=mine.id_number[-6:])} == {mine.household.number}


def test_the_api_searches_by_the_suffix_in_the_body_only_and_in_scope(twin_households, users, client):
    mine, _ = twin_households
    suffix = mine.id_number[-6:]
    client.force_login(users["clerk_a"])
    for kind in ("persons", "households"):
        body = client.post(f"/api/registry/{kind}/search", {"q": suffix}, content_type="application/json").json()
        expected = mine.pk if kind == "persons" else mine.household.pk
        assert [item["id"] for item in body["items"]] == [expected]
        refused = client.get(f"/api/registry/{kind}?q={suffix}")
        assert refused.status_code == 400 and "POST" in refused.json()["message"]
