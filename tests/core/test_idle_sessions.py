"""An idle session ends HUIMIN_IDLE_MINUTES after its last write, and a session in use is written at most once per
HUIMIN_SESSION_TOUCH_SECONDS (huimin.core.sessions): never later than the idle limit after the last request."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huimin.core.roles import Role
from tests.conftest import PASSWORD, TOWN_A

START = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
HOME = "/"


def _signed_in(client) -> bool:
    response = client.get(HOME)
    return response.status_code == 200 and 'id="id_password"' not in response.content.decode()


def _sign_in(client, make_user):
    user = make_user("idle_clerk", Role.CLERK, TOWN_A)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return user


@pytest.mark.django_db
def test_idle_session_ends_thirty_minutes_after_its_last_write(client, make_user, regions, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.HUIMIN_SESSION_TOUCH_SECONDS == 60
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, make_user)
        clock.shift(datetime.timedelta(minutes=29, seconds=59))
        assert _signed_in(client)  # the last second before the limit; written again (older than a minute)
        clock.shift(datetime.timedelta(minutes=29, seconds=59))
        assert _signed_in(client)  # 29:59 after that write
        clock.shift(datetime.timedelta(minutes=30))
        assert not _signed_in(client)  # exactly the limit after the last write: ended


@pytest.mark.django_db
def test_a_request_within_the_minute_does_not_extend_the_session(client, make_user, regions):
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, make_user)
        clock.shift(datetime.timedelta(seconds=59))
        assert _signed_in(client)  # not written: less than a minute after the login's write
        clock.shift(datetime.timedelta(minutes=29, seconds=1))
        assert not _signed_in(client)  # 30 minutes after the login: ended, a minute early for the last request


@pytest.mark.django_db
def test_a_page_in_use_writes_the_session_once_a_minute(client, make_user, regions):
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, make_user)
        clock.shift(datetime.timedelta(seconds=10))
        with CaptureQueriesContext(connection) as quiet:
            assert _signed_in(client)
        clock.shift(datetime.timedelta(seconds=60))
        with CaptureQueriesContext(connection) as touched:
            assert _signed_in(client)
    writes = [q["sql"] for q in quiet.captured_queries if q["sql"].startswith('UPDATE "django_session"')]
    assert writes == []
    assert [q for q in touched.captured_queries if q["sql"].startswith('UPDATE "django_session"')]
    loads = [q["sql"] for q in quiet.captured_queries if 'FROM "core_user"' in q["sql"]]
    assert len(loads) == 1 and '"core_region"' in loads[0]  # the user comes with the region in one query


@pytest.mark.django_db
def test_logout_ends_the_session_at_once(client, make_user, regions):
    with time_machine.travel(START, tick=False):
        _sign_in(client, make_user)
        client.post(reverse("logout"))
        assert not _signed_in(client)
