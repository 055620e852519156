"""The API answers every refusal the same way (issue 15, item 1): outside one's region 404 ``not_found``, a role
without the capability 403 ``forbidden``, a business rule 400 with its stable domain code beside the Chinese
message (docs/api.md lists them) — and the pages show the same refusals as 404, 403 and the message."""

import datetime

import pytest

from huimin.assistance.models import Stage
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope, access_by_id
from huimin.core.roles import PEOPLE_EDIT
from huimin.monitoring.models import Warning
from huimin.registry.models import Household, Membership, Person
from tests.api.matrix_targets import make_warning
from tests.assistance.conftest import apply, walk
from tests.conftest import TOWN_A, VILLAGE_A1, VILLAGE_B1
from tests.monitoring.matrix_targets import make_household

JSON = "application/json"


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type=JSON)


def test_approval_during_publicity_answers_assistance_publicity_not_over(client, users):
    household, person = make_household(VILLAGE_A1, "公示")
    Membership.objects.create(household=household, person=person, relation="01", started_on=datetime.date(2020, 1, 1))
    app = walk(users, apply(users, household, [person]), Stage.PUBLICITY)
    client.force_login(users["approver"])
    response = _post(client, f"/api/assistance/applications/{app.pk}/actions/approve", {"monthly_amount": "630"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "assistance.publicity_not_over" and "公示期满后才能审批" in body["message"]
    app.refresh_from_db()
    assert app.stage == Stage.PUBLICITY


def test_registering_a_known_id_number_answers_registry_duplicate_id(client, users):
    household, person = make_household(VILLAGE_A1, "已登记")
    client.force_login(users["clerk_a"])
    member = {"relation": "01", "person": {"name": "重复", "id_number": person.id_number}}
    response = _post(client, "/api/registry/households", {"region": VILLAGE_A1, "members": [member]})
    assert response.status_code == 400 and response.json()["code"] == "registry.duplicate_id"
    assert Household.objects.count() == 1 and Person.objects.count() == 1


def test_a_warning_in_the_wrong_state_answers_monitoring_warning_state(client, users):
    warning = make_warning(Household.objects.create(number="EC1", region_id=VILLAGE_A1), TOWN_A)
    client.force_login(users["clerk_a"])
    response = _post(client, f"/api/monitoring/warnings/{warning.pk}/actions/close")
    assert response.status_code == 400
    assert response.json() == {"code": "monitoring.warning_state", "message": "只有已处置的预警可以办结"}
    assert Warning.objects.get(pk=warning.pk).status == Warning.Status.PENDING


def test_outside_the_region_is_not_found_and_without_the_role_forbidden(client, users):
    theirs = make_warning(Household.objects.create(number="EC2", region_id=VILLAGE_B1), "411702002000")
    client.force_login(users["clerk_a"])  # township A
    response = _post(client, f"/api/monitoring/warnings/{theirs.pk}/actions/confirm")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    client.force_login(users["statistician"])  # sees warnings, may not handle them
    response = _post(client, f"/api/monitoring/warnings/{theirs.pk}/actions/confirm")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_the_access_layer_fetches_checks_and_refuses_in_one_way(users):
    household, person = make_household(VILLAGE_B1, "乙村")
    with pytest.raises(NotInScope):  # township A's clerk: B is outside
        access_by_id(Person.objects.all(), users["clerk_a"], person.pk, capability=PEOPLE_EDIT)
    with pytest.raises(Forbidden):  # the statistician may not edit people anywhere
        access_by_id(Person.objects.all(), users["statistician"], person.pk, capability=PEOPLE_EDIT)
    with pytest.raises(NotInScope):  # a malformed id is a 404, not a 500
        access_by_id(Person.objects.all(), users["clerk_b"], "abc", capability=PEOPLE_EDIT)
    assert access_by_id(Person.objects.all(), users["clerk_b"], person.pk, capability=PEOPLE_EDIT) == person
    assert isinstance(NotInScope(), Exception) and BusinessRuleError("x.y", "消息").code == "x.y"


def test_a_service_refuses_a_role_with_403_like_the_pages(users):
    """The services' capability checks raise the access layer's 403 (some apps answered an on-page 400 before)."""
    from huimin.monitoring import services as monitoring

    warning = make_warning(Household.objects.create(number="EC3", region_id=VILLAGE_A1), TOWN_A)
    with pytest.raises(Forbidden):
        monitoring.confirm(users["statistician"], warning)
    with pytest.raises(NotInScope):
        monitoring.confirm(users["clerk_b"], warning)


def test_an_action_out_of_stage_and_missing_documents_have_their_codes(client, users):
    from huimin.assistance import services as assistance
    from huimin.assistance.models import Programme

    household, person = make_household(VILLAGE_A1, "缺材料")
    Membership.objects.create(household=household, person=person, relation="01", started_on=datetime.date(2020, 1, 1))
    app = assistance.create_application(
        users["clerk_a"], programme=Programme.objects.get(code="dibao"), household=household, applicant=person,
        channel="window", reason="测试", documents=[],
    )  # fmt: skip
    client.force_login(users["clerk_a"])
    response = _post(client, f"/api/assistance/applications/{app.pk}/actions/review", {"opinion": "同意"})
    assert response.status_code == 400 and response.json()["code"] == "assistance.wrong_stage"
    response = _post(client, f"/api/assistance/applications/{app.pk}/actions/accept", {"documents": []})
    assert response.status_code == 400 and response.json()["code"] == "assistance.documents_missing"
    app.refresh_from_db()
    assert app.stage == Stage.ACCEPT
