"""The 儿童主任's visits work offline: a visit the phone queued is recorded once however often it is sent, a visit
someone else recorded meanwhile is shown to him to decide (never added silently), and a child outside his area is
refused and left alone."""

import datetime

import pytest
from django.urls import reverse

from huimin.children import services
from huimin.children.models import RegisterVisit
from huimin.core.models import ReceivedSubmission
from tests.children.conftest import TODAY, make_person
from tests.children.test_register import ORPHAN
from tests.conftest import VILLAGE_A1

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
URL = reverse("children:visit_round")


@pytest.fixture
def entry(staff):
    child = make_person(VILLAGE_A1, datetime.date(2015, 3, 1))
    return services.register_child(staff["supervisor"], child, "orphan", guardians=ORPHAN, director=staff["director"])


def _form(entry, **extra):
    return {"entry": entry.pk, "visited_on": TODAY.isoformat(), "note": "生活正常，按时上学", "known_last": "", **extra}


def test_the_round_lists_the_director_s_children(client, staff, entry):
    client.force_login(staff["director"])
    page = client.get(URL).content.decode()
    assert f'value="{entry.pk}"' in page and "data-offline-form" in page
    client.force_login(staff["clerk_b"])
    assert f'value="{entry.pk}"' not in client.get(URL).content.decode()


def test_a_queued_visit_is_recorded_once_however_often_it_is_sent(client, staff, entry):
    client.force_login(staff["director"])
    first = client.post(URL, _form(entry), HTTP_IDEMPOTENCY_KEY="child-visit-01", **JSON)
    again = client.post(URL, _form(entry), HTTP_IDEMPOTENCY_KEY="child-visit-01", **JSON)
    assert (first.status_code, again.status_code, again.json()["status"]) == (201, 200, "already_received")
    visit = RegisterVisit.objects.get(entry=entry)
    assert ReceivedSubmission.objects.get(kind="children.visit", key="child-visit-01").object_id == str(visit.pk)


def test_a_visit_recorded_meanwhile_is_held_until_the_director_decides(client, staff, entry):
    services.record_register_visit(staff["supervisor"], entry, TODAY, "督导员走访")
    client.force_login(staff["director"])
    held = client.post(URL, _form(entry), HTTP_IDEMPOTENCY_KEY="child-visit-02", **JSON)
    assert held.status_code == 409 and "已由李督导" in held.json()["message"] and "督导员走访" in held.json()["message"]
    assert RegisterVisit.objects.filter(entry=entry).count() == 1
    kept = client.post(URL, _form(entry, confirm_conflict="1"), HTTP_IDEMPOTENCY_KEY="child-visit-02", **JSON)
    assert kept.status_code == 201 and RegisterVisit.objects.filter(entry=entry).count() == 2
    known = services.latest_visit_id(entry)
    assert client.post(URL, _form(entry, known_last=known), **JSON).status_code == 201


def test_a_child_outside_the_area_and_a_future_date_are_refused_and_nothing_is_written(client, staff, entry):
    client.force_login(staff["clerk_b"])
    outside = client.post(URL, _form(entry), HTTP_IDEMPOTENCY_KEY="child-visit-03", **JSON)
    assert (outside.status_code, outside.json()["status"]) == (404, "refused")
    client.force_login(staff["director"])
    future = client.post(URL, _form(entry, visited_on="2026-11-21"), **JSON)  # the day after the pinned TODAY
    assert future.status_code == 400 and "不能晚于今天" in future.json()["message"]
    assert not RegisterVisit.objects.filter(entry=entry).exists()
    assert not ReceivedSubmission.objects.filter(key="child-visit-03").exists()
