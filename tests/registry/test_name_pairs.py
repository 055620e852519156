"""The person list's name search on PostgreSQL reads its page and its count from the name-pair table (registry
0010), not from the persons: the table must hold exactly the unmerged persons whose name holds the pair, in the
list's order, whatever happens to a person — or the list would miss someone or show someone twice."""

import datetime
import json

import pytest
from django.db import connection

from huimin.core.models import Region
from huimin.registry import codes, dedup, search
from huimin.registry.models import Person, PersonNameGram
from tests.registry.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the name-pair table is kept on PostgreSQL"),
]
B = datetime.date(1961, 5, 5)


def _pairs(person: Person) -> set[tuple[str, int, str]]:
    rows = PersonNameGram.objects.filter(person=person).values_list("gram", "region_id", "name")
    return set(rows)


@pytest.fixture
def named(household_of):
    household_of(VILLAGE_A2, [("王伟", B, 11, codes.HEAD), ("张秀英", B, 13, "10")])
    household_of(VILLAGE_A1, [("王伟强", B, 12, codes.HEAD), ("王王伟", B, 14, "10"), ("伟", B, 15, "10")])
    household_of(VILLAGE_B1, [("王伟", B, 21, codes.HEAD)])


def test_a_registered_person_holds_each_pair_of_their_name_once(named):
    person = Person.objects.get(name="王王伟")
    assert _pairs(person) == {("王王", person.region_id, "王王伟"), ("王伟", person.region_id, "王王伟")}
    assert not _pairs(Person.objects.get(name="伟"))  # one character: no pair, found by the name itself


def test_a_renamed_or_moved_person_holds_the_pairs_of_the_new_name_and_region(named):
    person = Person.objects.get(name="张秀英")
    person.name = "张秀"
    person.save()
    assert _pairs(person) == {("张秀", person.region_id, "张秀")}
    elsewhere = Region.objects.get(code=VILLAGE_A1)
    person.region = elsewhere
    person.save()
    assert _pairs(person) == {("张秀", elsewhere.pk, "张秀")}


def test_a_person_merged_away_leaves_the_table_and_comes_back_if_the_merge_is_undone(household_of, users):
    household_of(VILLAGE_A1, [("李四海", B, 31, codes.HEAD)])
    household_of(VILLAGE_A1, [("李四海", B, None, codes.HEAD)])  # registered twice, once without an ID number
    keep, drop = Person.objects.filter(name="李四海").order_by("pk")
    dedup.merge(users["approver"], keep, drop)
    assert not _pairs(drop) and _pairs(keep) == {("李四", keep.region_id, "李四海"), ("四海", keep.region_id, "李四海")}
    Person.objects.filter(pk=drop.pk).update(merged_into=None)
    assert _pairs(drop) == _pairs(keep)


def test_a_deleted_person_leaves_the_table(regions):
    person = Person.objects.create(name="赵六", region=Region.objects.get(code=VILLAGE_A1))
    assert _pairs(person)
    Person.objects.filter(pk=person.pk).delete()
    assert not PersonNameGram.objects.filter(person_id=person.pk).exists()


def test_saving_a_person_unchanged_keeps_their_pairs(named):
    person = Person.objects.get(name="王伟强")
    before = _pairs(person)
    person.health = codes.Health.CHRONIC
    person.save()
    assert _pairs(person) == before


@pytest.mark.parametrize("typed", ["王伟", "伟强", "王王伟", "秀英", "王伟强", "伟王", "张秀英"])
@pytest.mark.parametrize(("user", "region"), [("approver", ""), ("clerk_a", ""), ("clerk_a", VILLAGE_A1),
                                              ("clerk_b", ""), ("clerk_b", VILLAGE_A1)])  # fmt: skip
def test_the_pair_table_gives_the_same_persons_in_the_same_order_as_the_search(named, users, typed, user, region):
    people = search.persons(users[user], q=typed, region_code=region)
    keys = search.person_keys(users[user], q=typed, region_code=region)
    assert list(keys) == [p.pk for p in people]


@pytest.mark.parametrize(
    "filters",
    [{"q": "王"}, {"q": "wangw"}, {"q": "王伟", "status": "alive"}, {"q": "王伟", "programme": "dibao"},
     {"q": "王伟", "id_index": "0" * 64}, {"q": ""}, {"q": "123456"}],
)  # fmt: skip
def test_what_the_pair_table_does_not_answer_is_searched_in_the_persons(users, filters):
    assert search.person_keys(users["clerk_a"], **filters) is None


def test_the_list_and_the_api_count_a_common_name_up_to_the_cap_from_the_pair_table(
    named, users, login, monkeypatch, django_assert_max_num_queries
):
    client = login(users["approver"])
    monkeypatch.setattr(search, "LIST_COUNT_CAP", 2)  # 王伟 (twice), 王伟强, 王王伟 hold 王伟
    page = client.get("/registry/persons/?q=王伟").content.decode()
    assert "共 2 条以上" in page
    data = client.get("/api/registry/persons?q=王伟&page_size=3").json()
    assert (data["count"], data["count_capped"]) == (2, True)
    assert len(data["items"]) == 3  # a client may still page past the cap
    body = json.dumps({"q": "王伟", "page": 2, "page_size": 3})
    data = client.post("/api/registry/persons/search", body, content_type="application/json").json()
    assert [p["name"] for p in data["items"]] == ["王伟"] and data["count_capped"]
    monkeypatch.setattr(search, "LIST_COUNT_CAP", 4)
    data = client.get("/api/registry/persons?q=王伟").json()
    assert (data["count"], data["count_capped"]) == (4, False)


def test_the_page_keys_are_read_from_the_pair_index(named, users):
    keys = search.person_keys(users["approver"], q="王伟强")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = keys[:30].explain()
    assert "registry_personnamegram_pkey" in plan and "registry_person " not in plan
