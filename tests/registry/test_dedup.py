import datetime

import pytest
from django.core.exceptions import PermissionDenied

from huimin.core.services import ServiceError
from huimin.registry import codes, dedup
from huimin.registry.models import DuplicateCandidate, LifeEvent, Membership, Person
from tests.registry.conftest import VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db
BIRTH = datetime.date(1950, 8, 8)


def test_same_name_birth_and_county_is_listed_and_similar_pinyin_too(household_of):
    household_of(VILLAGE_A1, [("王芳", BIRTH, 21, codes.HEAD)])
    household_of(VILLAGE_A2, [("王芳", BIRTH, None, codes.HEAD)])  # no ID number: cannot be certain
    household_of(VILLAGE_A2, [("汪芳", BIRTH, 23, codes.HEAD)])  # sounds the same
    household_of(VILLAGE_A2, [("王芳", datetime.date(1951, 8, 8), 25, codes.HEAD)])  # another birthday
    pairs = {
        (c.person_a.name, c.person_b.name) for c in DuplicateCandidate.objects.select_related("person_a", "person_b")
    }
    assert pairs == {("王芳", "王芳"), ("王芳", "汪芳")}
    assert DuplicateCandidate.objects.count() == 3
    assert any("读音相同" in c.reason for c in DuplicateCandidate.objects.all())


def test_merge_keeps_every_history(household_of, users):
    first = household_of(VILLAGE_A1, [("王芳", BIRTH, None, codes.HEAD), ("王小", datetime.date(1980, 1, 1), 31, "10")])
    second = household_of(VILLAGE_A2, [("刘强", datetime.date(1948, 1, 1), 41, codes.HEAD), ("王芳", BIRTH, 21, "02")])
    keep = first.head  # no ID number
    drop = Person.objects.get(name="王芳", household=second)
    candidate = DuplicateCandidate.objects.get()
    with pytest.raises(PermissionDenied):
        dedup.merge(users["assistant_a"], keep, drop, candidate=candidate)
    kept = dedup.merge(users["clerk_a"], keep, drop, candidate=candidate)
    drop.refresh_from_db()
    candidate.refresh_from_db()
    assert drop.merged_into == kept and candidate.status == "merged"
    assert kept.id_number == drop.id_number  # took the ID number
    assert Membership.objects.filter(person=drop).count() == 0
    assert Membership.objects.filter(person=kept).count() == 2  # both households' memberships kept
    assert LifeEvent.objects.filter(person=kept, kind=codes.EventKind.PERSON_MERGE).exists()
    # the same ID number still finds exactly one person: the kept one
    assert dedup.find_by_id_number(drop.id_number) == kept


def test_different_id_numbers_are_never_merged(household_of, users):
    household_of(VILLAGE_A1, [("王芳", BIRTH, 21, codes.HEAD)])
    household_of(VILLAGE_A2, [("王芳", BIRTH, 23, codes.HEAD)])
    a, b = Person.objects.order_by("id")
    with pytest.raises(ServiceError, match="身份证号不同"):
        dedup.merge(users["clerk_a"], a, b)


def test_dismiss(household_of, users):
    household_of(VILLAGE_A1, [("王芳", BIRTH, 21, codes.HEAD)])
    household_of(VILLAGE_A2, [("王芳", BIRTH, 23, codes.HEAD)])
    candidate = DuplicateCandidate.objects.get()
    dedup.dismiss(users["clerk_a"], candidate)
    assert DuplicateCandidate.objects.get().status == "dismissed"
