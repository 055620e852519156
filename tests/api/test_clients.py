"""API clients: tokens limited to the operations and regions granted, audited, rate limited, issued only by the
security officer."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from huimin.apiclients import services
from huimin.apiclients.models import ApiClient
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from tests.api.conftest import bearer
from tests.conftest import TOWN_A, VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_windows():
    cache.clear()


@pytest.fixture
def people(regions):
    a = Person.objects.create(
        name="甲", id_number=idnumbers.make("411702", datetime.date(1970, 1, 1), 21), region_id=VILLAGE_A1
    )
    b = Person.objects.create(
        name="乙", id_number=idnumbers.make("411702", datetime.date(1970, 1, 1), 23), region_id=VILLAGE_B1
    )
    return a, b


def test_token_reads_only_granted_operations(client, issue, people):
    token = issue(["list_households"])
    response = client.get("/api/registry/persons", **bearer(token))
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": "此客户端未获授权调用该接口"}
    assert client.get(f"/api/registry/persons/{people[0].pk}", **bearer(token)).status_code == 403
    assert client.get("/api/registry/households", **bearer(token)).status_code == 200


def test_token_sees_only_its_regions(client, issue, people):
    a, b = people
    token = issue(["list_persons", "get_person"])
    listed = client.get("/api/registry/persons", **bearer(token)).json()
    assert [p["id"] for p in listed["items"]] == [a.pk]
    assert client.get(f"/api/registry/persons/{a.pk}", **bearer(token)).status_code == 200
    outside = client.get(f"/api/registry/persons/{b.pk}", **bearer(token))
    assert outside.status_code == 404 and outside.json()["code"] == "not_found"


def test_token_cannot_unmask_or_write_beyond_its_grant(client, issue, people):
    a, _ = people
    token = issue(["get_person"])
    assert client.get(f"/api/registry/persons/{a.pk}?reveal=true", **bearer(token)).status_code == 403
    response = client.patch(
        f"/api/registry/persons/{a.pk}", {"name": "改"}, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.name == "甲"


def test_granted_write_goes_through_the_service_in_scope(client, issue, people):
    a, b = people
    token = issue(["get_person", "update_person"])  # a write finds its object through the read grant
    ok = client.patch(
        f"/api/registry/persons/{a.pk}", {"name": "甲改"}, content_type="application/json", **bearer(token)
    )
    assert ok.status_code == 200 and ok.json()["name"] == "甲改"
    outside = client.patch(
        f"/api/registry/persons/{b.pk}", {"name": "乙改"}, content_type="application/json", **bearer(token)
    )
    assert outside.status_code == 404
    entry = AuditEntry.objects.filter(action="registry.person.update").latest("seq")
    assert entry.actor.startswith("api:") and entry.actor_role == "api_client"


def test_staff_only_operations_cannot_be_granted_or_called(client, issue, users):
    with pytest.raises(ServiceError):
        issue(["act_on_application"])
    token = issue(["list_applications"])
    response = client.post("/api/assistance/applications", {}, content_type="application/json", **bearer(token))
    assert response.status_code == 403


def test_unknown_revoked_and_rotated_tokens_are_refused(client, issue, users):
    assert client.get("/api/registry/households", **bearer("hm_nope_nope")).status_code == 401
    token = issue(["list_households"])
    api_client = ApiClient.objects.get()
    new_token = services.rotate(users["security"], api_client)
    assert client.get("/api/registry/households", **bearer(token)).status_code == 401
    assert client.get("/api/registry/households", **bearer(new_token)).status_code == 200
    services.set_active(users["security"], api_client, False)
    response = client.get("/api/registry/households", **bearer(new_token))
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_every_call_is_audited_with_its_operation(client, issue, login, users, people):
    token = issue(["list_households"])
    before = AuditEntry.objects.filter(action="api.call").count()
    client.get("/api/registry/households?page=2", **bearer(token))
    client.get("/api/registry/persons", **bearer(token))  # refused: audited as refused
    login(users["clerk_a"]).get("/api/registry/persons")
    calls = list(AuditEntry.objects.filter(action__in=["api.call", "api.refused"]).order_by("seq"))[before:]
    assert [(e.action, e.actor, e.detail.split()[0]) for e in calls] == [
        ("api.call", "api:客户端1", "list_households"),
        ("api.refused", "api:客户端1", "list_persons"),
        ("api.call", "clerk_a", "list_persons"),
    ]


def test_rate_limit_answers_429_in_chinese(client, issue, login, users, settings):
    token = issue(["list_households"], rate=3)
    statuses = [client.get("/api/registry/households", **bearer(token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/registry/households", **bearer(token))
    assert response.json()["code"] == "rate_limited" and "每分钟" in response.json()["message"]
    assert response["Retry-After"] == "60"
    settings.HUIMIN_API_STAFF_RATE_PER_MINUTE = 2
    staff = login(users["clerk_a"])
    assert [staff.get("/api/registry/households").status_code for _ in range(3)] == [200, 200, 429]


def test_pagination_is_bounded(client, issue, regions):
    for i in range(5):
        Household.objects.create(number=f"P{i}", region_id=VILLAGE_A1)
    token = issue(["list_households"])
    body = client.get("/api/registry/households?page=2&page_size=2", **bearer(token)).json()
    assert (body["count"], body["page"], body["page_size"], len(body["items"])) == (5, 2, 2, 2)
    body = client.get("/api/registry/households?page_size=100000", **bearer(token)).json()
    assert body["page_size"] == 100


def test_only_the_security_officer_issues_tokens(users):
    with pytest.raises(PermissionDenied):
        services.issue(users["sysadmin"], name="x", department="y", operations=["list_persons"], region_codes=[TOWN_A])
    with pytest.raises(ServiceError):  # a region outside the officer's own subtree
        services.issue(
            users["security"], name="x", department="y", operations=["list_persons"], region_codes=["110000000000"]
        )
    assert not ApiClient.objects.exists()


def test_token_is_stored_only_as_a_digest(issue):
    token = issue(["list_persons"])
    stored = ApiClient.objects.get()
    assert token not in (stored.token_hash, stored.token_prefix) and stored.token_hash == services.token_hash(token)


def test_security_officer_page_issues_a_token_shown_once(client, login, users):
    page = login(users["security"])
    response = page.post(
        "/system/api-clients/new/",
        {
            "name": "人社",
            "department": "市人社局",
            "operations": ["list_persons"],
            "regions": TOWN_A,
            "rate_limit": "30",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "仅显示一次" in text and "hm_" in text
    assert ApiClient.objects.get().rate_limit_per_minute == 30
    again = page.get("/system/api-clients/").content.decode()
    assert "仅显示一次" not in again


def test_cli_issues_and_revokes(users, capsys):
    call_command("api", "token", "create", "--by", "security", "--name", "民政部门系统", "--department", "省厅",
                 "--operation", "list_persons", "--region", TOWN_A)  # fmt: skip
    assert "hm_" in capsys.readouterr().out
    call_command("api", "token", "revoke", "民政部门系统", "--by", "security")
    assert not ApiClient.objects.get().is_active
