"""POST /api/children/reports: a school's, a hospital's or the police's system reports a child at risk with its
client token: the same checks and service as the portal's form, limited to the client's regions, a receipt and
nothing read back, a resend with the same Idempotency-Key written once."""

import datetime
import json

import pytest

from huimin.apiclients.models import ApiClient
from huimin.apiclients.tokens import token_hash
from huimin.children.models import Case, ReceivedReport
from tests.children.conftest import make_person
from tests.conftest import VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db
URL = "/api/children/reports"


@pytest.fixture
def token(staff):
    ApiClient.objects.create(name="一中", department="驿城区第一中学", token_prefix="sc1",
                             token_hash=token_hash("sc1-secret"), operations=["report_child_case"],
                             region_prefixes=["411702001"], rate_limit_per_minute=1000)  # fmt: skip
    ApiClient.objects.create(name="统计", department="统计局", token_prefix="st1", token_hash=token_hash("st1-secret"),
                             operations=["list_persons"], region_prefixes=["411702"])  # fmt: skip
    return "sc1-secret"


def _post(client, token, key="", **body):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key:
        headers["Idempotency-Key"] = key
    data = {
        "source": "school",
        "village": VILLAGE_A1,
        "concern": "学生身上多处伤痕，称被继父殴打",
        "child_age": 12,
    } | body
    return client.post(URL, json.dumps(data), content_type="application/json", headers=headers)


def test_a_school_reports_a_registered_child_and_gets_a_receipt_only(client, token, staff):
    child = make_person(VILLAGE_A1, datetime.date(2014, 3, 1))
    response = _post(client, token, child_id_number=child.id_number, reporter_name="班主任陈老师")
    assert response.status_code == 200 and set(response.json()) == {"number", "received_at", "duplicate"}
    report = ReceivedReport.objects.get(number=response.json()["number"])
    assert report.channel == "接口：一中" and report.status == "opened"
    case = report.case
    assert (case.child, case.source, case.reporter_name) == (child, "school", "班主任陈老师")
    assert staff["supervisor"].pk in set(case.assignments.values_list("user_id", flat=True))
    # without a reporter named, the client's unit is the reporter; without the child's ID number it waits
    response = _post(client, token)
    report = ReceivedReport.objects.get(number=response.json()["number"])
    assert report.reporter_name == "驿城区第一中学" and report.status == "pending"


def test_who_may_call(client, token):
    assert _post(client, None).status_code == 401
    assert _post(client, "st1-secret").status_code == 403  # a client not granted the operation
    assert _post(client, "wrong").status_code == 401
    assert not ReceivedReport.objects.exists()


def test_a_village_outside_the_client_s_regions_is_404_and_nothing_is_written(client, token):
    response = _post(client, token, village=VILLAGE_B1)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not ReceivedReport.objects.exists()


def test_a_registered_child_outside_the_client_s_regions_is_not_linked(client, token):
    child = make_person(VILLAGE_B1, datetime.date(2014, 3, 1))
    response = _post(client, token, child_id_number=child.id_number)
    assert response.status_code == 200 and not Case.objects.exists()
    assert ReceivedReport.objects.get().status == "pending"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"child_age": 18}, "children.not_a_child"),
        ({"child_age": None}, "children.required"),
        ({"source": "portal"}, "children.invalid"),  # a partner is a school, a hospital, the police or other
        ({"concern": " "}, "children.required"),
        ({"village": "411702001000"}, "children.required"),
        ({"child_age": "twelve"}, "invalid"),
        ({"concern": "x" * 2001}, "invalid"),
    ],
)
def test_bad_input_is_refused_with_its_code(client, token, body, code):
    response = _post(client, token, **body)
    assert response.status_code == 400 and response.json()["code"] == code
    assert not ReceivedReport.objects.exists()


def test_a_resend_with_the_same_idempotency_key_is_written_once(client, token):
    first = _post(client, token, key="school-report-0001")
    again = _post(client, token, key="school-report-0001")
    assert first.status_code == again.status_code == 200
    assert again.json()["number"] == first.json()["number"] and again.json()["duplicate"] is True
    assert ReceivedReport.objects.count() == 1
    bad = _post(client, token, key="bad key!")
    assert bad.status_code == 400 and bad.json()["code"] == "children.invalid"
    assert ReceivedReport.objects.count() == 1
