"""schemathesis against the published OpenAPI document: generated requests (bounded) to every operation, as an
API client holding every grantable operation and as a township clerk's session (with CSRF), must never produce a
server error or a response that breaks the document."""

import datetime
import json
import secrets

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from huimin.registry import idnumbers
from huimin.registry.models import Household, Membership, Person
from tests.conftest import TOWN_A, VILLAGE_A1

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def _published_schema():
    """The document /api/openapi.json serves, built the same way (the test database is not open yet)."""
    from django.core.wsgi import get_wsgi_application

    from huimin.api import api

    document = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


schema = _published_schema()


@pytest.fixture
def sample(db, users):
    household = Household.objects.create(number="S1", region_id=VILLAGE_A1)
    person = Person.objects.create(
        name="样本", id_number=idnumbers.make("411702", datetime.date(1960, 1, 1), 31), region_id=VILLAGE_A1,
        household=household,
    )  # fmt: skip
    Membership.objects.create(household=household, person=person, relation="01", started_on=datetime.date(2020, 1, 1))
    # as Django's test client does: a request must not close the test's database connection
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield person
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(sample, users, client, settings, tmp_path):
    from huimin.apiclients import services
    from huimin.apikit import grantable_operations
    from huimin.engine.sources import SOURCES

    cache.clear()
    settings.HUIMIN_API_STAFF_RATE_PER_MINUTE = 100_000
    settings.VAR_DIR = tmp_path / "var"  # departmental feeds the generated uploads may leave
    _c, token = services.issue(
        users["security"], name="全部接口", department="测试", operations=list(grantable_operations()),
        region_codes=[TOWN_A], rate_limit=6000, sources=list(SOURCES),
    )  # fmt: skip
    client.force_login(users["clerk_a"])
    csrf = secrets.token_hex(16)
    return {
        "token": {"headers": {"Authorization": f"Bearer {token}"}},
        "session": {
            "headers": {"X-CSRFToken": csrf},
            "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
        },
    }


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_fails_and_keeps_its_schema(case, callers):
    for caller in callers.values():
        response = case.call(**caller)
        case.validate_response(response, checks=CHECKS)


def test_both_callers_really_get_through(callers):
    """Guards the test above against passing vacuously (every call a documented 401/403/404)."""
    operation = schema["/api/registry/persons"]["GET"]
    for caller in callers.values():
        response = operation.Case(query={"page_size": 5}).call(**caller)
        assert response.status_code == 200 and response.json()["count"] == 1, response.text
        for path in ("/api/verification/reports", "/api/monitoring/warnings"):  # the later routers too
            response = schema[path]["GET"].Case(query={"page_size": 5}).call(**caller)
            assert response.status_code == 200 and response.json()["count"] == 0, response.text
    write = schema["/api/assistance/applications"]["POST"]
    response = write.Case(body={"programme": "nope", "household": "S1", "applicant": 1, "reason": "x"}).call(
        **callers["session"]
    )
    assert response.status_code == 400 and response.json()["message"] == "救助项目不存在或已停用"
