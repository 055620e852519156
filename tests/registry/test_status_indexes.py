"""The person list's rarer statuses each have a partial index in the list's order (registry 0011): at ten million
persons a county's 残疾人 were otherwise found by reading all its persons (6.4 s; 29 ms with the index)."""

import pytest
from django.db import connection

from huimin.registry import search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's"),
]


@pytest.mark.parametrize(
    ("status", "index"),
    [("disabled", "registry_person_disabled"), ("deceased", "registry_person_deceased"),
     ("no_id", "registry_person_no_id"), ("merged", "registry_person_merged")],
)  # fmt: skip
def test_a_status_of_the_person_list_is_read_from_its_own_index(users, status, index):
    people = search.persons(users["approver"], status=status)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_person")  # the plan from the fixtures' rows, not whatever autovacuum last saw
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = people.values("pk")[:30].explain()
    assert index in plan
