"""The 待遇资格 API does what the pages do: the overdue list by township, a confirmation (and its refusals with
their codes), the certificate-change notices and taking note of one."""

import datetime
import json

from huimin.assistance.models import Enrolment
from huimin.eligibility import services
from tests.clock import at
from tests.conftest import TOWN_A, VILLAGE_B1
from tests.eligibility.conftest import enrol, make_person, upload

D = datetime.date


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_survival_through_the_api(subsidies, users, login):
    mine = enrol(make_person(grade=1), "severe_care", start=D(2025, 1, 1), users=users)
    enrol(make_person(VILLAGE_B1, grade=1), "severe_care", start=D(2025, 1, 1), users=users)
    with at(2026, 3, 3):
        services.suspend_unconfirmed()
        body = login(users["approver"]).get(f"/api/eligibility/survival/overdue?township={TOWN_A}").json()
        assert body["count"] == 1 and body["items"][0]["status"] == "suspended"
        assert body["items"][0]["grace_until"] == "2026-03-02"
        client = login(users["clerk_a"])
        refused = _post(
            client,
            f"/api/eligibility/survival/{mine.person_id}/confirm",
            {"channel": "visit", "confirmed_on": "2026-03-04"},
        )
        assert refused.status_code == 400 and refused.json()["code"] == "eligibility.bad_date"
        done = _post(client, f"/api/eligibility/survival/{mine.person_id}/confirm", {"channel": "visit"})
        assert done.status_code == 200 and done.json()["channel_label"] == "入户核实"
        other = make_person(VILLAGE_B1, grade=1)
        assert _post(client, f"/api/eligibility/survival/{other.pk}/confirm", {"channel": "visit"}).status_code == 404
    mine.refresh_from_db()
    assert mine.status == Enrolment.Status.ACTIVE


def test_certificate_notices_through_the_api(subsidies, users, login):
    person = make_person(grade=1)
    with at(2026, 3, 10):
        enrol(person, "severe_care", users=users)
        services.apply_certificates([upload([{"person": person, "grade": 1, "status": "注销",
                                              "changed_on": "2026-03-01"}], D(2026, 3, 10))])  # fmt: skip
        client = login(users["clerk_a"])
        (item,) = client.get("/api/eligibility/certificate-changes?pending=true").json()["items"]
        assert item["kind_label"] == "残疾人证注销" and item["effective_month"] == "2026-04-01"
        assert _post(client, f"/api/eligibility/certificate-changes/{item['id']}/acknowledge", {}).status_code == 200
        again = _post(client, f"/api/eligibility/certificate-changes/{item['id']}/acknowledge", {})
        assert again.status_code == 400 and again.json()["code"] == "eligibility.acknowledged"
        assert client.get("/api/eligibility/certificate-changes?pending=true").json()["count"] == 0
        assert login(users["clerk_b"]).get("/api/eligibility/certificate-changes").json()["count"] == 0
