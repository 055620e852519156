"""「报告困境儿童/侵害未成年人线索」 on the resident portal: anyone reports, anonymously too; the answer is a receipt,
the same whether the child was found in the registry or not; refused input writes nothing; attempts are limited per
address."""

import datetime

import pytest
from django.urls import reverse

from huimin.children.models import Case, ReceivedReport
from huimin.core.models import AuditEntry
from huimin.core.roles import BusinessLine, Role
from tests.children.conftest import make_person
from tests.clock import at
from tests.conftest import TOWN_A, VILLAGE_A1
from tests.portal.conftest import last_code

pytestmark = pytest.mark.django_db
URL = "portal:child_report"


@pytest.fixture(autouse=True)
def _pinned_clock(regions):
    with at(2026, 11, 20):
        yield


@pytest.fixture
def supervisor(make_user):
    return make_user("ch_sup", Role.CLERK, TOWN_A, line=BusinessLine.CHILDREN)


def _form(**kw):
    return {"village": VILLAGE_A1, "child_age": "7", "concern": "孩子经常被打，哭声很大", "reporter_name": "刘阿姨",
            "reporter_contact": "13700000000"} | kw  # fmt: skip


def test_the_page_is_on_the_portal_s_home_and_open_to_anyone(client):
    assert reverse(URL) in client.get(reverse("portal:index")).content.decode()
    page = client.get(reverse(URL))
    assert page.status_code == 200 and "匿名报告" in page.content.decode()


def test_an_anonymous_report_without_an_id_number_waits_for_the_supervisor_and_keeps_no_reporter(client, supervisor):
    page = client.post(reverse(URL), _form(anonymous="1"))
    assert page.status_code == 200
    report = ReceivedReport.objects.get()
    assert report.number in page.content.decode() and report.status == "pending"
    assert (report.anonymous, report.reporter_name, report.reporter_contact) == (True, "", "")
    entry = AuditEntry.objects.get(action="children.report.receive")
    assert (entry.actor, entry.ip) == ("anonymous", "")  # neither who nor from where
    client.force_login(supervisor)
    assert report.number in client.get(reverse("children:cases")).content.decode()


def test_a_report_with_the_id_number_opens_a_case_and_the_answer_discloses_nothing(client, supervisor):
    child = make_person(VILLAGE_A1, datetime.date(2016, 4, 1), name="李小")
    found = client.post(reverse(URL), _form(child_id_number=child.id_number)).content.decode()
    not_found = client.post(reverse(URL), _form()).content.decode()
    case = Case.objects.get()
    assert case.child == child and case.reporter_name == "刘阿姨" and case.source == "portal"
    assert case.assignments.get().user == supervisor
    numbers = list(ReceivedReport.objects.order_by("id").values_list("number", flat=True))
    # the same page but for the receipt number: neither the case, nor the child, nor whether he was found
    assert found.replace(numbers[0], "") == not_found.replace(numbers[1], "")
    assert case.number not in found and child.name not in found


def test_a_verified_resident_s_name_and_phone_are_offered_and_he_may_still_report_anonymously(client, sms, family):
    _household, people = family
    client.post(reverse("portal:verify"), {"name": "王芳", "id_number": people[0].id_number, "phone": "13800138000"})
    client.post(reverse("portal:verify_code"), {"code": last_code(sms)})
    page = client.get(reverse(URL)).content.decode()
    assert "13800138000" in page and "王芳" in page
    client.post(reverse(URL), _form(reporter_name="王芳", anonymous="1"))
    report = ReceivedReport.objects.get()
    assert report.reporter_name == "" and not AuditEntry.objects.filter(action="children.report.receive",
                                                                        actor__contains="王芳").exists()  # fmt: skip
    assert reverse(URL) in client.get(reverse("portal:home")).content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"child_age": "18"}, "报告对象须为未成年人"),
        ({"child_age": ""}, "请填写儿童的大致年龄"),
        ({"concern": ""}, "请填写发现的情况"),
        ({"reporter_name": ""}, "请填写报告人姓名，或勾选“匿名报告”"),
        ({"village": "999999999999"}, "请选择儿童所在的村（社区）"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_writes_nothing(client, fields, message):
    page = client.post(reverse(URL), _form(**fields))
    assert page.status_code == 400 and message in page.content.decode()
    assert not ReceivedReport.objects.exists() and not Case.objects.exists()


def test_an_adult_s_id_number_is_refused(client):
    adult = make_person(VILLAGE_A1, datetime.date(2008, 11, 20))  # 18 today
    page = client.post(reverse(URL), _form(child_id_number=adult.id_number, child_age=""))
    assert page.status_code == 400 and "报告对象须为未成年人" in page.content.decode()
    assert adult.id_number not in page.content.decode()  # the number is not shown back
    assert not ReceivedReport.objects.exists()


def test_reports_from_one_address_are_limited(client, settings):
    settings.HUIMIN_PORTAL_CHILD_REPORTS_PER_IP_PER_HOUR = 2
    assert client.post(reverse(URL), _form(child_age="")).status_code == 400  # refused attempts count too
    assert client.post(reverse(URL), _form()).status_code == 200
    page = client.post(reverse(URL), _form())
    assert page.status_code == 429 and "110" in page.content.decode()
    assert ReceivedReport.objects.count() == 1
