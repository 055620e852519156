"""网上自助认证: the resident sees when his 生存认证 is due and confirms it himself; a suspended subsidy resumes."""

import datetime

from huimin.assistance.models import Enrolment
from huimin.eligibility import services
from huimin.eligibility.models import SurvivalConfirmation
from tests.clock import at
from tests.eligibility.conftest import enrol, make_person
from tests.portal.conftest import last_code, sms  # noqa: F401 - the fixture

D = datetime.date


def test_the_resident_confirms_on_the_portal(subsidies, users, client, sms):  # noqa: F811
    person = make_person(grade=1, name="赵残")
    person.phone = "13900139000"
    person.save()
    enrolment = enrol(person, "severe_care", start=D(2025, 1, 1), users=users)
    with at(2026, 3, 3):
        services.suspend_unconfirmed()
        client.post("/portal/verify/", {"name": "赵残", "id_number": person.id_number, "phone": "13900139000"})
        client.post("/portal/verify/code/", {"code": last_code(sms)})
        page = client.get("/portal/me/").content.decode()
        assert "2026年1月1日" in page and "已暂停发放" in page
        client.post("/portal/survival/")
    row = SurvivalConfirmation.objects.get()
    assert row.channel == "portal" and row.person == person
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_the_portal_asks_a_login_first(client):
    response = client.post("/portal/survival/")
    assert response.status_code == 302 and "verify" in response.url
