"""发现报告 received from the portal or a partner's system (children.reports): a child found by his ID number opens a
case for the township 督导员 at once; one not found waits 待核实 until the 督导员 identifies him; anonymous reports
keep no reporter; bad input writes nothing; the staff pages of a received report."""

import datetime

import pytest
from django.urls import reverse

from huimin.children import reports, services
from huimin.children.access import access_case_by_id, access_report_by_id
from huimin.children.models import Case, ReceivedReport
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.context import Actor, acting_as
from huimin.core.models import AuditEntry
from huimin.core.roles import BusinessLine, Role
from huimin.registry import idnumbers
from tests.children.conftest import make_person
from tests.conftest import VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db
_VALID = idnumbers.make("411702", datetime.date(2010, 1, 1), 1)
BAD_CHECK_DIGIT = _VALID[:17] + ("1" if _VALID[17] == "0" else "0")


def _receive(**kw):
    fields = {"source": "portal", "channel": reports.PORTAL_CHANNEL, "village_code": VILLAGE_A1,
              "concern": "孩子常年独自在家，几天没见大人", "child_age": 9, "reporter_name": "邻居张",
              "reporter_contact": "13900000000"}  # fmt: skip
    return reports.receive(None, **(fields | kw))[0]


def test_a_report_with_the_id_number_of_a_registered_child_opens_a_case_for_the_township_supervisors(staff):
    child = make_person(VILLAGE_A1, datetime.date(2016, 4, 1))
    report = _receive(child_id_number=child.id_number, child_age="")
    case = report.case
    assert report.status == "opened" and report.child_age == 10 and case.child == child
    assert case.source == "portal" and case.reported_at == report.received_at and case.status == "emergency"
    assert case.reporter_name == "邻居张"
    supervisors = {a.user_id for a in case.assignments.filter(role="supervisor")}
    assert supervisors == {staff["supervisor"].pk, staff["other"].pk}  # the township's 督导员, not township B's
    assert case in services.visible_cases(staff["supervisor"])
    # the village's 儿童主任 is not assigned (the child is in no register): the case does not exist for him
    assert case not in services.visible_cases(staff["director"])
    with pytest.raises(NotInScope):
        access_case_by_id(staff["director"], case.pk)
    assert case not in services.visible_cases(staff["clerk_b"])


def test_a_child_of_a_register_gets_his_director_as_worker(staff):
    child = make_person(VILLAGE_A1, datetime.date(2016, 4, 1))
    from huimin.children.models import Category, RegisterEntry

    RegisterEntry.objects.create(person=child, category=Category.objects.get(code="orphan"), region_id=VILLAGE_A1,
                                 director=staff["director"], entered_on=datetime.date(2026, 1, 1),
                                 next_visit_due=datetime.date(2026, 12, 1), created_by="t")  # fmt: skip
    case = _receive(child_id_number=child.id_number).case
    assert case.assignments.get(role="worker").user == staff["director"]


def test_a_report_without_a_known_child_waits_for_the_township_supervisor_to_identify_him(staff, client):
    report = _receive(child_name="小军", address="村东头砖厂")
    assert report.status == "pending" and report.case is None and not Case.objects.exists()
    assert report in reports.pending(staff["supervisor"]) and report in reports.pending(staff["county"])
    assert report not in reports.pending(staff["clerk_b"])  # another township
    assert not reports.pending(staff["director"]).exists()  # a 儿童主任 does not triage reports
    with pytest.raises(Forbidden):
        access_report_by_id(staff["director"], report.pk)
    with pytest.raises(NotInScope):
        access_report_by_id(staff["clerk_b"], report.pk)
    child = make_person(VILLAGE_A1, datetime.date(2017, 2, 1))
    case = reports.identify(staff["supervisor"], report, child)
    report.refresh_from_db()
    assert report.status == "opened" and report.case == case and report.resolved_by == "ch_supervisor"
    assert case.reported_at == report.received_at  # the 应急处置 deadline runs from the report, not the triage
    assert "小军" in case.concern and "村东头砖厂" in case.concern and case.reporter_name == "邻居张"
    assert {a.user_id: a.role for a in case.assignments.all()} == {staff["supervisor"].pk: "supervisor"}
    assert case in services.visible_cases(staff["supervisor"]) and case not in services.visible_cases(staff["other"])
    with pytest.raises(BusinessRuleError) as exc:
        reports.identify(staff["supervisor"], report, child)
    assert exc.value.code == "children.report_state"


def test_identified_by_the_county_office_the_case_goes_to_the_child_s_township_supervisors(staff):
    report = _receive()
    case = reports.identify(staff["county"], report, make_person(VILLAGE_A1, datetime.date(2017, 2, 1)))
    assert {a.user_id for a in case.assignments.filter(role="supervisor")} == {staff["supervisor"].pk,
                                                                                staff["other"].pk}  # fmt: skip
    assert case in services.visible_cases(staff["county"])


def test_a_report_closed_with_a_reason_is_kept(staff):
    report = _receive()
    with pytest.raises(BusinessRuleError):
        reports.close(staff["supervisor"], report, "  ")
    reports.close(staff["supervisor"], report, "经走访核实，儿童由祖父母照料，不属于困境儿童")
    report.refresh_from_db()
    assert report.status == "closed" and not reports.pending(staff["supervisor"]).exists()


def test_an_anonymous_report_keeps_neither_name_nor_contact_nor_the_address_of_the_caller(staff):
    child = make_person(VILLAGE_A1, datetime.date(2016, 4, 1))
    with acting_as(Actor(None, "anonymous", "public", "")):
        report = _receive(anonymous=True, child_id_number=child.id_number)
    assert (report.reporter_name, report.reporter_contact) == ("", "")
    assert (report.case.anonymous, report.case.reporter_name, report.case.reporter_contact) == (True, "", "")
    entries = AuditEntry.objects.filter(action__in=["children.report.receive", "children.case.report"])
    assert entries.count() == 2 and all(e.actor == "anonymous" and e.ip == "" for e in entries)
    assert not any("邻居张" in f"{e.before}{e.after}{e.detail}" for e in AuditEntry.objects.all())


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ({"child_age": 18}, "children.not_a_child", "报告对象须为未成年人"),
        ({"child_age": "", "child_id_number": ""}, "children.required", "请填写儿童的大致年龄"),
        ({"child_age": "八岁"}, "children.invalid", "整数"),
        ({"child_id_number": BAD_CHECK_DIGIT}, "children.invalid", "儿童身份证号不正确"),
        ({"concern": "  "}, "children.required", "请填写发现的情况"),
        ({"concern": "情" * 2001}, "children.invalid", "2000 字以内"),
        ({"reporter_name": ""}, "children.required", "匿名报告"),
        ({"village_code": "411702001000"}, "children.required", "村（社区）"),  # a township, not a village
        ({"village_code": ""}, "children.required", "村（社区）"),
        ({"source": "gossip"}, "children.required", "报告来源"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(staff, fields, code, message):
    with pytest.raises(BusinessRuleError) as exc:
        _receive(**fields)
    assert exc.value.code == code and message in str(exc.value)
    assert not ReceivedReport.objects.exists() and not Case.objects.exists()


def test_the_age_from_the_id_number_is_checked_on_both_sides_of_the_18th_birthday(staff):
    turns_18_today = make_person(VILLAGE_A1, datetime.date(2008, 11, 20))
    with pytest.raises(BusinessRuleError, match="报告对象须为未成年人"):
        _receive(child_id_number=turns_18_today.id_number, child_age="")
    assert not ReceivedReport.objects.exists()
    tomorrow = make_person(VILLAGE_A1, datetime.date(2008, 11, 21))
    report = _receive(child_id_number=tomorrow.id_number, child_age=30)  # the ID number's birth date wins
    assert report.child_age == 17 and report.case.child == tomorrow
    assert _receive(child_age=17).status == "pending"


def test_a_registered_child_outside_the_county_of_the_village_named_is_not_linked(staff):
    elsewhere = idnumbers.make("411702", datetime.date(2015, 1, 1), 777)
    from huimin.registry.models import Person

    Person.objects.create(name="外县儿童", id_number=elsewhere, birth_date=datetime.date(2015, 1, 1),
                          region_id="411721000000")  # fmt: skip
    report = _receive(child_id_number=elsewhere)
    assert report.status == "pending" and not Case.objects.exists()


def test_the_supervisor_s_pages(staff, client, make_user):
    report = _receive(child_name="小军")
    client.force_login(staff["supervisor"])
    page = client.get(reverse("children:cases"))
    assert report.number in page.content.decode()
    page = client.get(reverse("children:received_report", args=[report.pk]))
    assert page.status_code == 200 and "邻居张" in page.content.decode()
    assert AuditEntry.objects.filter(action="children.report.read", object_id=str(report.pk)).exists()
    refused = client.post(reverse("children:received_report_act", args=[report.pk, "identify"]),
                          {"id_number": "411702201001010011"})  # fmt: skip
    assert refused.status_code == 302 and ReceivedReport.objects.get().status == "pending"
    child = make_person(VILLAGE_A1, datetime.date(2017, 2, 1))
    done = client.post(reverse("children:received_report_act", args=[report.pk, "identify"]),
                       {"id_number": child.id_number})  # fmt: skip
    case = Case.objects.get()
    assert done.url == reverse("children:case", args=[case.pk])
    # an unassigned 儿童主任 of the same township: no page of the report (403), no case (404)
    other_director = make_user("ch_director_a2", Role.ASSISTANT, VILLAGE_A2, line=BusinessLine.CHILDREN)
    client.force_login(other_director)
    assert client.get(reverse("children:received_report", args=[report.pk])).status_code == 403
    assert client.get(reverse("children:case", args=[case.pk])).status_code == 404
    assert case.number not in client.get(reverse("children:cases")).content.decode()
    client.force_login(staff["clerk_b"])
    assert client.get(reverse("children:received_report", args=[report.pk])).status_code == 404
