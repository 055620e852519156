"""The resident portal: phone-code verification, applying with the household and photos, the 核对 authorisation,
following one's own applications and decisions (payments: test_payments.py)."""

import datetime
import json
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from huimin.assistance import services as assistance
from huimin.assistance.models import Application, ApplicationDocument, Stage
from huimin.core.models import AuditEntry
from huimin.portal import services
from huimin.portal.models import PhoneChallenge, VerificationConsent
from huimin.portal.services import Identity, NewMember
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from tests.conftest import VILLAGE_A1
from tests.portal.conftest import last_code, photo_bytes

pytestmark = pytest.mark.django_db


def verify(client, sms, name, id_number, phone, code=None):
    response = client.post("/portal/verify/", {"name": name, "id_number": id_number, "phone": phone})
    if response.status_code != 302:
        return response
    return client.post("/portal/verify/code/", {"code": code or last_code(sms)})


def test_code_verifies_a_registered_resident(client, sms, family):
    _, (wang, *_) = family
    response = verify(client, sms, "王芳", wang.id_number, "138 0013 8000")
    assert response.status_code == 302 and response.url == "/portal/me/"
    assert sms[-1][0] == "13800138000"
    assert client.session["portal_identity"]["person_id"] == wang.pk
    assert AuditEntry.objects.filter(action="portal.verify", object_id=str(wang.pk)).exists()


def test_the_session_keeps_no_id_number_or_phone_in_clear(client, sms, family):
    """Sessions are database rows: the portal keeps the verified identity's ID number and phone only sealed."""
    _, (wang, *_) = family
    client.post("/portal/verify/", {"name": "王芳", "id_number": wang.id_number, "phone": "13800138000"})
    pending = Session.objects.get().get_decoded()
    assert wang.id_number not in json.dumps(pending) and "13800138000" not in json.dumps(pending)
    client.post("/portal/verify/code/", {"code": last_code(sms)})
    stored = json.dumps(Session.objects.get(session_key=client.session.session_key).get_decoded())
    assert wang.id_number not in stored and "13800138000" not in stored and str(wang.pk) in stored
    assert client.get("/portal/me/").status_code == 200


def test_registered_phone_and_name_must_match(client, sms, family):
    _, (wang, *_) = family
    assert verify(client, sms, "王芳", wang.id_number, "13900000000").status_code == 400
    assert verify(client, sms, "王小芳", wang.id_number, "13800138000").status_code == 400
    assert not sms and not PhoneChallenge.objects.exists()


def _page(response) -> bytes:
    """The body without the CSRF token, which Django masks afresh on every page."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)


def test_a_wrong_name_and_a_wrong_phone_get_the_same_answer(client, sms, family):
    _, (wang, *_) = family
    wrong_phone = verify(client, sms, "王芳", wang.id_number, "13900000000")
    wrong_name = verify(client, sms, "王小芳", wang.id_number, "13800138000")
    both_wrong = verify(client, sms, "赵六", wang.id_number, "13700000000")
    assert wrong_phone.status_code == wrong_name.status_code == both_wrong.status_code == 400
    assert _page(wrong_phone) == _page(wrong_name) == _page(both_wrong)
    page = wrong_name.content.decode()
    assert services.MISMATCH_MESSAGE in page
    assert wang.id_number not in page and "王小芳" not in page  # what was typed is not shown back
    assert not sms and not PhoneChallenge.objects.exists()


def test_a_mismatch_does_the_lookup_and_the_code_count_like_a_match(family, django_assert_num_queries):
    _, (wang, *_) = family
    # Two queries each: the person, and the codes sent to the phone in the last hour.
    with django_assert_num_queries(2), pytest.raises(services.IdentityMismatch):
        services.start_verification("王小芳", wang.id_number, "13800138000")
    with django_assert_num_queries(2), pytest.raises(services.IdentityMismatch):
        services.start_verification("王芳", wang.id_number, "13900000000")


def test_attempts_per_id_number_are_limited(client, sms, family, settings):
    settings.HUIMIN_PORTAL_VERIFY_PER_ID_PER_HOUR = 3
    _, (wang, *_) = family
    for phone in ("13900000001", "13900000002", "13900000003"):
        assert verify(client, sms, "王芳", wang.id_number, phone).status_code == 400
    response = verify(client, sms, "王芳", wang.id_number, "13800138000")  # right, but one attempt too many
    assert response.status_code == 429 and services.RATE_MESSAGE in response.content.decode()
    assert not sms and "portal_pending" not in client.session
    other = Client(REMOTE_ADDR="10.9.8.7")  # another address does not help either
    assert verify(other, sms, "王芳", wang.id_number, "13800138000").status_code == 429
    cache.clear()  # the hour has passed
    assert verify(client, sms, "王芳", wang.id_number, "13800138000").url == "/portal/me/"


def test_attempts_per_address_are_limited(client, sms, family, settings):
    settings.HUIMIN_PORTAL_VERIFY_PER_IP_PER_HOUR = 2
    _, (wang, li, child) = family
    assert verify(client, sms, "王芳", child.id_number, "13900000001").status_code == 400
    assert verify(client, sms, "王芳", li.id_number, "13900000002").status_code == 400
    response = verify(client, sms, "王芳", wang.id_number, "13800138000")
    assert response.status_code == 429 and services.RATE_MESSAGE in response.content.decode()
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert verify(other, sms, "王芳", wang.id_number, "13800138000").url == "/portal/me/"


def test_wrong_codes_are_limited_and_codes_expire(client, sms, family):
    _, (wang, *_) = family
    client.post("/portal/verify/", {"name": "王芳", "id_number": wang.id_number, "phone": "13800138000"})
    code = last_code(sms)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        response = client.post("/portal/verify/code/", {"code": wrong})
        assert f"还可尝试 {left} 次" in response.content.decode()
    client.post("/portal/verify/code/", {"code": wrong})
    response = client.post("/portal/verify/code/", {"code": code})  # the right code, too late
    assert response.status_code == 400 and "portal_identity" not in client.session
    challenge, identity = services.start_verification("王芳", wang.id_number, "13800138000")
    PhoneChallenge.objects.filter(pk=challenge.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(services.ServiceError, match="已失效"):
        services.check_code(challenge.pk, identity, last_code(sms))


def test_codes_per_phone_are_limited(sms, family):
    _, (wang, *_) = family
    for _ in range(services.MAX_CODES_PER_HOUR):
        services.start_verification("王芳", wang.id_number, "13800138000")
    with pytest.raises(services.ServiceError, match="过于频繁"):
        services.start_verification("王芳", wang.id_number, "13800138000")


def test_pages_need_a_verified_resident(client):
    for url in ("/portal/me/", "/portal/apply/dibao/", "/portal/applications/JZ1/", "/portal/track/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/portal/verify/", url


def _apply(client, family, **extra):
    _, (wang, li, _child) = family
    data = {
        "reason": "丈夫重病，无固定收入",
        "consent": [f"p{wang.pk}", f"p{li.pk}"],
        "doc_identity": SimpleUploadedFile("id.jpg", photo_bytes(), content_type="image/jpeg"),
    } | extra
    return client.post("/portal/apply/dibao/", data)


def test_resident_applies_and_it_lands_in_the_township_accept_queue(client, sms, family, login, users):
    _, (wang, li, child) = family
    verify(client, sms, "王芳", wang.id_number, "13800138000")
    response = _apply(client, family)
    app = Application.objects.get()
    assert response.status_code == 302 and response.url == f"/portal/applications/{app.number}/"
    assert (app.channel, app.stage, app.region_id, app.applicant_id) == ("online", Stage.ACCEPT, VILLAGE_A1, wang.pk)
    assert app.created_by.username == services.PORTAL_USERNAME and not app.created_by.is_active
    assert ApplicationDocument.objects.get(application=app).code == "identity"
    assert sorted(app.documents) == ["authorization", "identity"]
    consents = VerificationConsent.objects.filter(application=app)
    assert sorted(c.signer_name for c in consents) == ["李强", "王芳"]  # the adults; not the child
    assert all(c.statement == services.CONSENT_STATEMENT and c.signed_at for c in consents)
    assert AuditEntry.objects.filter(action="portal.application.submit", object_id=str(app.pk)).exists()
    link = f"/assistance/applications/{app.pk}/"  # a row of the list (the number alone may be in a message)
    assert link in login(users["clerk_a"]).get("/assistance/?stage=accept").content.decode()
    assert link not in login(users["clerk_b"]).get("/assistance/?stage=accept").content.decode()


def test_every_adult_must_sign_the_authorisation(client, sms, family):
    _, (wang, *_) = family
    verify(client, sms, "王芳", wang.id_number, "13800138000")
    response = _apply(client, family, consent=[f"p{wang.pk}"])
    assert response.status_code == 400 and "李强" in response.content.decode()
    assert not Application.objects.exists() and not VerificationConsent.objects.exists()


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("id.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg"), "只能上传"),
        (SimpleUploadedFile("id.exe", photo_bytes(), content_type="application/octet-stream"), "只能上传"),
        (SimpleUploadedFile("id.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg"), "损坏"),
        (SimpleUploadedFile("id.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), content_type="application/pdf"), "过大"),
    ],
)
def test_uploads_are_checked_and_nothing_is_written(client, sms, family, upload, message):
    _, (wang, *_) = family
    verify(client, sms, "王芳", wang.id_number, "13800138000")
    response = _apply(client, family, doc_identity=upload)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Application.objects.exists() and not ApplicationDocument.objects.exists()


def test_a_new_resident_registers_the_household_with_the_application(client, sms, users):
    me = idnumbers.make("411702", datetime.date(1990, 1, 1), 61)
    mother = idnumbers.make("411702", datetime.date(1960, 1, 1), 62)
    verify(client, sms, "赵敏", me, "13700000000")
    data = {
        "village": VILLAGE_A1, "address": "交通路 8 号", "reason": "突发火灾，房屋受损", "requested_amount": "2000",
        "m0_name": "赵敏", "m0_id": me, "m0_relation": "01", "m1_name": "钱英", "m1_id": mother, "m1_relation": "50",
        "consent": ["n0", "n1"],
    }  # fmt: skip
    response = client.post("/portal/apply/temp_urgent/", data)
    app = Application.objects.get()
    assert response.status_code == 302
    assert str(app.requested_amount) == "2000.00" and app.household.region_id == VILLAGE_A1
    assert sorted(p.name for p in Person.objects.filter(household=app.household)) == ["赵敏", "钱英"]
    assert VerificationConsent.objects.filter(application=app).count() == 2
    assert client.get("/portal/me/").content.decode().count(app.number) >= 1


def test_a_refused_new_household_leaves_nothing_behind(client, sms, users):
    me = idnumbers.make("411702", datetime.date(1990, 1, 1), 63)
    verify(client, sms, "孙丽", me, "13700000001")
    data = {"village": VILLAGE_A1, "reason": "困难", "m0_name": "孙丽", "m0_id": me, "m0_relation": "01"}
    response = client.post("/portal/apply/temp_urgent/", data)  # not signed, no amount
    assert response.status_code == 400
    assert not Household.objects.exists() and not Person.objects.exists() and not Application.objects.exists()


def test_resident_follows_only_own_applications_and_sees_decisions(client, sms, family, users, make_user):
    household, (wang, li, _child) = family
    verify(client, sms, "王芳", wang.id_number, "13800138000")
    _apply(client, family)
    mine = Application.objects.get()
    someone_else = Application.objects.create(
        number="JZ-OTHER", programme=mine.programme, household=household, applicant=li, region_id=VILLAGE_A1,
        channel="window", reason="x", stage=Stage.ACCEPT, stage_entered_on=timezone.localdate(),
        created_by=users["clerk_a"],
    )  # fmt: skip
    assert client.get(f"/portal/applications/{someone_else.number}/").status_code == 404
    assert client.get(f"/portal/track/?number={someone_else.number}").url == "/portal/me/"
    assert client.get(f"/portal/track/?number={mine.number}").url == f"/portal/applications/{mine.number}/"
    assistance.not_accept(users["clerk_a"], mine, "户籍不在本乡镇")
    page = client.get(f"/portal/applications/{mine.number}/").content.decode()
    assert "不予受理通知书" in page and "户籍不在本乡镇" in page
    home = client.get("/portal/me/").content.decode()
    assert "不予受理通知书" in home and someone_else.number not in home


def test_portal_actor_is_limited_to_the_household_village(family, regions):
    identity = Identity(name="王芳", id_number=family[1][0].id_number, phone="13800138000", person_id=None)
    with pytest.raises(services.ServiceError, match="村（社区）"):
        services.submit_application(
            identity, programme_code="dibao", reason="x", village_code="411702001000",
            members=[NewMember("王芳", identity.id_number, "01")],
        )  # fmt: skip


@pytest.mark.parametrize("demo", [True, False])
def test_the_demo_shows_the_code_on_the_page_and_nothing_else_does(client, sms, family, settings, demo):
    settings.HUIMIN_DEMO_SMS_ON_PAGE = demo
    _, (wang, *_) = family
    client.post("/portal/verify/", {"name": "王芳", "id_number": wang.id_number, "phone": "13800138000"})
    page = client.get("/portal/verify/code/").content.decode()
    code = last_code(sms)
    assert (f"演示环境：短信验证码为 <strong>{code}</strong>" in page) is demo
    assert (code in page) is demo
    assert client.post("/portal/verify/code/", {"code": code}).url == "/portal/me/"


def test_production_never_shows_the_code_whatever_the_environment_says(monkeypatch):
    import importlib

    from huimin import settings as project_settings

    monkeypatch.setenv("HUIMIN_DEMO_SMS_ON_PAGE", "1")
    monkeypatch.setenv("HUIMIN_PRODUCTION", "0")
    assert importlib.reload(project_settings).HUIMIN_DEMO_SMS_ON_PAGE is True
    for name in ("HUIMIN_SECRET_KEY", "HUIMIN_FIELD_KEYS", "HUIMIN_BLIND_INDEX_KEY"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("HUIMIN_PRODUCTION", "1")
    try:
        assert importlib.reload(project_settings).HUIMIN_DEMO_SMS_ON_PAGE is False
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_a_resident_applies_online_for_the_care_subsidy_without_a_means_test(client, sms, family):
    """全程网办: the two subsidies are applied for on the portal; no 核对 authorisation is asked, the application
    is on the 残疾人福利 line and waits for the township's 受理."""
    _, (wang, *_) = family
    wang.disability_category, wang.disability_grade = "4", 1
    wang.disability_cert_no = wang.id_number + "41"
    wang.save()
    verify(client, sms, "王芳", wang.id_number, "13800138000")
    page = client.get("/portal/apply/severe_care/").content.decode()
    assert "重度残疾人护理补贴" in page and "家庭经济状况核对授权" not in page
    response = client.post("/portal/apply/severe_care/", {"reason": "肢体一级，需长期照护"})
    app = Application.objects.get()
    assert response.status_code == 302 and app.channel == "online" and app.beneficiary == wang
    assert app.programme.business_line == "disability" and app.stage == Stage.ACCEPT
    assert app.details["certificate"] == {"category": "4", "grade": 1}
    assert not VerificationConsent.objects.exists()


def test_an_online_application_with_a_certificate_of_someone_else_is_refused(client, sms, family):
    _, (wang, li, _) = family
    wang.disability_category, wang.disability_grade = "4", 1
    wang.disability_cert_no = li.id_number + "41"
    wang.save()
    verify(client, sms, "王芳", wang.id_number, "13800138000")
    response = client.post("/portal/apply/severe_care/", {"reason": "需长期照护"})
    assert response.status_code == 400 and "与持证人身份证号不一致" in response.content.decode()
    assert not Application.objects.exists()


def test_an_older_resident_applies_online_for_the_elderly_subsidies(client, sms, family, users):
    """全程网办 of the 养老服务 subsidies, mirroring the disability ones: the 养老服务 hook refuses a younger resident
    and records the 能力评估 level and 低保 of an older one; no 核对 authorisation is asked."""
    from huimin.assistance.models import Enrolment, EnrolmentMember, Programme

    household, (wang, *_) = family
    verify(client, sms, "王芳", wang.id_number, "13800138000")
    response = client.post("/portal/apply/elderly_service/", {"reason": "经济困难"}, follow=True)
    assert "未满 60 周岁" in response.content.decode() and not Application.objects.exists()
    wang.birth_date = datetime.date(1950, 3, 1)
    wang.save()
    dibao = Programme.objects.get(code="dibao")
    first = datetime.date(2026, 1, 1)
    app = Application.objects.create(number="T-dibao", programme=dibao, household=household, applicant=wang,
                                     region=household.region, channel="window", reason="测试", stage=Stage.ENROLLED,
                                     stage_entered_on=first, created_by=users["approver"])  # fmt: skip
    enrolment = Enrolment.objects.create(programme=dibao, household=household, application=app,
                                         region=household.region, monthly_amount="300.00",
                                         basis={"standard": "测试"}, start_month=first)  # fmt: skip
    EnrolmentMember.objects.create(enrolment=enrolment, person=wang, added_on=first)
    page = client.get("/portal/apply/elderly_service/").content.decode()
    assert "经济困难老年人养老服务补贴" in page and "家庭经济状况核对授权" not in page
    response = client.post("/portal/apply/elderly_service/", {"reason": "经济困难"})
    online = Application.objects.get(channel="online")
    assert response.status_code == 302 and online.beneficiary == wang and online.programme.business_line == "elderly"
    assert online.details["ability"] == {"level": "", "name": "未评估", "assessed_on": "", "assessment": None,
                                         "low_income": True}  # fmt: skip
    assert not VerificationConsent.objects.exists()


def test_a_resident_in_use_stays_verified_past_the_idle_limit_and_an_idle_one_does_not(client, sms, family):
    import time_machine

    _, (wang, *_) = family
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        verify(client, sms, "王芳", wang.id_number, "138 0013 8000")
        for _ in range(3):  # a page every 20 minutes: each request past the touch interval moves the expiry on
            clock.shift(datetime.timedelta(minutes=20))
            assert client.get("/portal/me/").status_code == 200
        clock.shift(datetime.timedelta(minutes=30))  # then idle for the whole limit
        response = client.get("/portal/me/")
        assert response.status_code == 302 and response.url == "/portal/verify/"
