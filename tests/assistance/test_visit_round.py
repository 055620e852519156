"""The 入户调查 round works offline: a record the phone queued is saved once however often it is sent, a case whose
record someone saved meanwhile is held as a conflict (never silently overwritten), and a case outside the clerk's
township is refused and left alone."""

import pytest
from django.urls import reverse

from huimin.assistance import services
from huimin.assistance.models import ApplicationEvent, HomeVisit, Stage
from huimin.core.models import ReceivedSubmission
from tests.assistance.conftest import apply, walk
from tests.clock import at

JSON = {"HTTP_ACCEPT": "application/json"}
URL = reverse("assistance:visit_round")


@pytest.fixture
def case(users, make_household):
    with at(2026, 11, 23):
        household, people = make_household()
        return walk(users, apply(users, household, people), Stage.VISIT)


def _form(case, **extra):
    return {"application": case.pk, "visit_date": "2026-11-23", "visitors": "王五、赵六", "findings": "房屋简陋",
            "members": "3", "known_version": "", **extra}  # fmt: skip


def test_the_round_lists_the_township_s_cases_awaiting_a_visit(login, users, case):
    with at(2026, 11, 23):
        mine = login(users["clerk_a"]).get(URL).content.decode()
        assert f'value="{case.pk}"' in mine and "data-offline-form" in mine
        other = login(users["clerk_b"]).get(URL).content.decode()
    assert f'value="{case.pk}"' not in other and "没有待入户调查的申请" in other


def test_a_queued_record_is_saved_once_however_often_it_is_sent(login, users, case):
    with at(2026, 11, 23, 15):  # logged in on the pinned day: a session from another day has expired
        client = login(users["clerk_a"])
        first = client.post(URL, _form(case), HTTP_IDEMPOTENCY_KEY="visit-key-0001", **JSON)
        again = client.post(URL, _form(case), HTTP_IDEMPOTENCY_KEY="visit-key-0001", **JSON)
    assert (first.status_code, first.json()["status"]) == (201, "received")
    assert (again.status_code, again.json()["status"]) == (200, "already_received")
    visit = HomeVisit.objects.get(application=case)
    assert (visit.visitors, visit.members) == ("王五、赵六", 3)
    assert ApplicationEvent.objects.filter(application=case, action="record_visit").count() == 1
    assert ReceivedSubmission.objects.get(kind="assistance.visit", key="visit-key-0001").object_id == str(visit.pk)


def test_a_record_saved_by_someone_else_meanwhile_is_held_as_a_conflict_until_confirmed(login, users, case):
    with at(2026, 11, 23, 9):
        services.record_visit(users["clerk_a"], case, visit_date=case.created_at.date(), visitors="李四、王五",
                              findings="第一次记录")  # fmt: skip
    with at(2026, 11, 23, 15):
        client = login(users["clerk_a"])
        held = client.post(URL, _form(case, findings="离线记录"), HTTP_IDEMPOTENCY_KEY="visit-key-0002", **JSON)
        assert held.status_code == 409 and "已由clerk_a修改" in held.json()["message"]
        assert HomeVisit.objects.get(application=case).findings == "第一次记录"
        assert not ReceivedSubmission.objects.filter(key="visit-key-0002").exists()
        kept = client.post(URL, _form(case, findings="离线记录", confirm_conflict="1"),
                           HTTP_IDEMPOTENCY_KEY="visit-key-0002", **JSON)  # fmt: skip
    assert kept.status_code == 201
    assert HomeVisit.objects.get(application=case).findings == "离线记录"


def test_a_form_loaded_after_the_last_save_is_not_a_conflict(login, users, case):
    with at(2026, 11, 23, 9):
        services.record_visit(users["clerk_a"], case, visit_date=case.created_at.date(), visitors="李四、王五",
                              findings="第一次记录")  # fmt: skip
    version = services.visit_version(case)
    with at(2026, 11, 23, 15):
        saved = login(users["clerk_a"]).post(URL, _form(case, known_version=version, findings="补充"), **JSON)
    assert saved.status_code == 201 and HomeVisit.objects.get(application=case).findings == "补充"


def test_a_case_outside_the_township_is_refused_and_nothing_is_written(login, users, case):
    with at(2026, 11, 23, 15):
        refused = login(users["clerk_b"]).post(URL, _form(case), HTTP_IDEMPOTENCY_KEY="visit-key-0003", **JSON)
        page = login(users["clerk_b"]).post(URL, _form(case))
    assert (refused.status_code, refused.json()["status"]) == (404, "refused")
    assert page.status_code == 404
    assert not HomeVisit.objects.filter(application=case).exists()
    assert not ReceivedSubmission.objects.filter(key="visit-key-0003").exists()


def test_a_bad_record_is_refused_with_its_reason_and_kept_by_the_queue(login, users, case):
    with at(2026, 11, 23, 15):
        refused = login(users["clerk_a"]).post(URL, _form(case, visit_date="2026-11-24"), **JSON)
    assert (refused.status_code, refused.json()["message"]) == (400, "调查日期不能晚于今天")
    assert not HomeVisit.objects.filter(application=case).exists()
