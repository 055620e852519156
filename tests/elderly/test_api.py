"""The 养老服务 API: the register (scoped, masked, filtered), a person's detail, an assessment recorded and
refused with its stable code, a category decided."""

import datetime

import pytest

from huimin.elderly import services
from huimin.elderly.models import Assessment, CategoryMark
from tests.conftest import VILLAGE_A1, VILLAGE_B1
from tests.elderly.conftest import make_person
from tests.elderly.helpers import scores_for_total

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_register_and_detail(client, staff):
    a = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    b = make_person(VILLAGE_B1, datetime.date(1940, 1, 1))
    services.do_derive(staff["approver"])
    client.force_login(staff["clerk"])
    body = client.get("/api/elderly/persons?category=living_alone").json()
    assert body["count"] == 1 and body["items"][0]["id"] == a.pk and body["items"][0]["age"] == 76
    assert body["items"][0]["id_number"] != a.id_number and "*" in body["items"][0]["id_number"]
    assert client.get("/api/elderly/persons?category=living_alone&confirmed_only=true").json()["count"] == 0
    assert client.get(f"/api/elderly/persons/{b.pk}").status_code == 404
    detail = client.get(f"/api/elderly/persons/{a.pk}").json()
    assert [m["category"] for m in detail["categories"]] == ["living_alone"]


def test_assessment_and_its_refusal_codes(client, staff):
    a = make_person(VILLAGE_A1, datetime.date(1940, 1, 1))
    client.force_login(staff["clerk"])
    url = f"/api/elderly/persons/{a.pk}/assessments"
    scores = scores_for_total(45)
    response = client.post(url, {"assessed_on": "2026-11-21", "scores": scores}, content_type=JSON)
    assert response.status_code == 400 and response.json()["code"] == "elderly.assessment_date"
    response = client.post(url, {"assessed_on": "2026-11-01", "scores": {**scores, "stairs": 9}}, content_type=JSON)
    assert response.status_code == 400 and response.json()["code"] == "elderly.assessment_score"
    assert not Assessment.objects.exists()
    response = client.post(url, {"assessed_on": "2026-11-01", "scores": scores}, content_type=JSON)
    assert response.status_code == 200
    assert (response.json()["total"], response.json()["level"]) == (45, "severe")


def test_decide_category(client, staff):
    a = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    services.do_derive(staff["clerk"])
    mark = CategoryMark.objects.get(person=a)
    client.force_login(staff["clerk"])
    response = client.post(f"/api/elderly/categories/{mark.pk}/reject", {}, content_type=JSON)
    assert response.status_code == 400 and response.json()["code"] == "elderly.note_required"
    response = client.post(f"/api/elderly/categories/{mark.pk}/confirm", {}, content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
