"""Building dated social-assistance data directly (as if it had happened in past months), so the statistics
can be checked against counts the tests make themselves."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from huimin.assistance.models import Application, Enrolment, EnrolmentMember, Programme
from huimin.registry.models import Household, Person
from tests.clock import at

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _pinned_clock():
    """The statistics are of 2026's months; a month after today cannot be computed, so today is pinned after them."""
    with at(2026, 11, 20):
        yield


def aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Builder:
    def __init__(self, users):
        self.users = users

    def household(self, region_code: str, births=(datetime.date(1970, 1, 1),), disabled=(), is_urban=False):
        n = next(_seq)
        household = Household.objects.create(number=f"S{n:08d}", region_id=region_code)
        people = [
            Person.objects.create(
                name=f"统计{n}-{i}",
                no_id_reason="测试",
                region_id=region_code,
                household=household,
                birth_date=birth,
                disability_grade=2 if i in disabled else None,
                is_urban=is_urban,
            )  # fmt: skip
            for i, birth in enumerate(births)
        ]
        household.head = people[0]
        household.save()
        return household, people

    def application(self, household, people, code="dibao", *, received, decided=None, stage="enrolled", amount=None):
        n = next(_seq)
        programme = Programme.objects.get(code=code)
        app = Application.objects.create(
            number=f"SA{n:08d}", programme=programme, household=household, applicant=people[0],
            beneficiary=people[0] if programme.scope == "person" else None, region_id=household.region_id,
            channel="window", reason="测试", stage=stage, stage_entered_on=received,
            approved_amount=amount, created_by=self.users["clerk_a"],
            decided_at=aware(decided) if decided else None,
        )  # fmt: skip
        Application.objects.filter(pk=app.pk).update(created_at=aware(received, 9))
        app.refresh_from_db()
        return app

    def enrol(self, household, people, code="dibao", *, start, ended=None, amount="500", members=None,
              received=None, decided=None):  # fmt: skip
        decided = decided or start - datetime.timedelta(days=5)
        app = self.application(household, people, code, received=received or decided - datetime.timedelta(days=20),
                               decided=decided, amount=Decimal(amount))  # fmt: skip
        programme = app.programme
        enrolment = Enrolment.objects.create(
            programme=programme, household=household, person=people[0] if programme.scope == "person" else None,
            application=app, region_id=household.region_id, status="stopped" if ended else "active",
            monthly_amount=Decimal(amount), start_month=start, ended_on=ended,
        )  # fmt: skip
        covered = members if members is not None else ([people[0]] if programme.scope == "person" else people)
        for person in covered:
            removed = None
            if ended:
                removed = (ended.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
            EnrolmentMember.objects.create(enrolment=enrolment, person=person, added_on=start, removed_on=removed)
        return enrolment


@pytest.fixture
def build(users):
    return Builder(users)
