"""Departmental files uploaded through the 数据源 page, as a county does, then a monitoring run on 6 December: each
event raises the right warning in the right township (or, for the negative controls, nothing); a 应保 warning for a
household in no programme (主动发现) is taken up by the township, which starts the proposed application with the
family's consent and a 核对 first."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huimin.assistance import services as assistance
from huimin.assistance.models import Application, Enrolment, Stage
from huimin.monitoring import services
from huimin.monitoring.models import Discovery, MonitoringRun, Warning
from huimin.registry import idnumbers
from huimin.registry.models import Membership, Person
from huimin.verification.models import Report
from tests.assistance.conftest import apply, end_publicity, walk
from tests.clock import at
from tests.conftest import TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1
from tests.monitoring.matrix_targets import make_household
from tests.verification.factories import authorise_all, csv_bytes, standard_thresholds

TODAY = datetime.date(2026, 12, 6)


@pytest.fixture(autouse=True)
def _sixth_of_december():
    with at(2026, 12, 6):
        yield


def _enrolled(users, village=VILLAGE_A1):
    household, person = make_household(village, "在保")
    Membership.objects.create(household=household, person=person, relation="01", started_on=datetime.date(2020, 1, 1))
    app = walk(users, apply(users, household, [person]), Stage.PUBLICITY)
    assistance.approve(users["approver"], end_publicity(app), monthly_amount="630.00",
                       basis={"standard": "630.00", "income_per_head": "0", "members": "1"})  # fmt: skip
    assert Enrolment.objects.get(household=household).is_current
    return household, person


def _registered(village, members=2):
    """A household in no programme, with ``members`` persons."""
    household, head = make_household(village, "登记")
    people = [head]
    for i in range(1, members):
        born = datetime.date(1985, 3, i)
        people.append(Person.objects.create(name=f"成员{i}", id_number=idnumbers.make("411702", born, 700 + i),
                                            birth_date=born, region_id=village, household=household))  # fmt: skip
    for i, p in enumerate(people):
        Membership.objects.create(household=household, person=p, relation="01" if i == 0 else "02",
                                  started_on=datetime.date(2010, 1, 1))  # fmt: skip
    return household, people


def _upload(client, source, rows, as_of=TODAY):
    from huimin.engine.sources import SOURCES

    base = {c.name: "" for c in SOURCES[source].columns}
    body = csv_bytes([base | r for r in rows])
    response = client.post(reverse("verification:sources"), {
        "source": source, "as_of": as_of.isoformat(), "file": SimpleUploadedFile(f"{source}.csv", body),
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]


def _run(users):
    run = services.run(users["approver"], MonitoringRun.Kind.FULL, TODAY)
    assert run.status == MonitoringRun.Status.DONE
    return run


def _warnings(household):
    return {w.rule.code: w for w in Warning.objects.filter(household=household).select_related("rule")}


def test_exit_events_uploaded_as_files(users, login):
    client = login(users["approver"])
    rich, rich_person = _enrolled(users)
    idle, idle_person = _enrolled(users)
    biker, biker_person = _enrolled(users)
    cheap, cheap_person = _enrolled(users)
    line = 24 * 630
    _upload(client, "deposits", [
        {"id_number": rich_person.id_number, "institution": "中国农业银行", "product": "存款", "balance": "200000.00",
         "as_of": "2026-11-30"},
        # equal to 24 months of the standard: not over it
        {"id_number": cheap_person.id_number, "institution": "中国农业银行", "product": "理财",
         "balance": f"{line}.00", "as_of": "2026-11-30"},
    ])  # fmt: skip
    months = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    _upload(client, "benefit_account", [
        {"id_number": idle_person.id_number, "account_no": "6228480001", "month": m, "credited": "630.00",
         "withdrawn": "630.00" if m == "2026-05" else "0", "balance": ""} for m in months
    ])  # fmt: skip
    _upload(client, "vehicles", [
        {"id_number": biker_person.id_number, "plate_no": "豫Q1234A", "vehicle_type": "普通二轮摩托车",
         "value": "3000.00", "registered_on": "2026-10-20", "status": "正常"},
        {"id_number": cheap_person.id_number, "plate_no": "豫Q88888", "vehicle_type": "小型轿车",
         "value": "150000.00", "registered_on": "2026-10-20", "status": "正常"},
    ])  # fmt: skip
    _run(users)
    deposit = _warnings(rich)["large_deposits"]
    assert deposit.township_id == TOWN_A and deposit.direction == "exit" and deposit.detail["value"] == 200_000_00
    withdrawal = _warnings(idle)["no_withdrawal"]
    assert withdrawal.township_id == TOWN_A and withdrawal.record_key == "最后支取2026-05"
    assert _warnings(biker) == {}  # the 3,000 元 motorcycle
    assert set(_warnings(cheap)) == {"vehicle_registered"}  # the car, not the deposit equal to the line


def test_a_person_in_no_programme_is_found_and_the_township_starts_the_application(users, login):
    """主动发现: 60,000 元 of medical bills of a person in no programme warn the township; the clerk starts the
    proposed application from the warning with the family's consent, after a 核对."""
    standard_thresholds()
    from tests.verification.factories import threshold

    for rule, value, outcome in (("income_standard", 1, "not_eligible"), ("deposit_months", 24, "not_eligible"),
                                 ("medical_self_paid", "20000.00", "needs_visit")):  # fmt: skip
        threshold(rule, value, programme="temp_expense", outcome=outcome)
    household, people = _registered(VILLAGE_A1)
    lone, lone_people = _registered(VILLAGE_B1, members=1)
    client = login(users["approver"])
    _upload(client, "medical", [
        {"id_number": people[1].id_number, "settled_on": "2026-11-10", "total_cost": "150000.00",
         "self_paid": "60000.00", "diagnosis": "恶性肿瘤"},
        {"id_number": lone_people[0].id_number, "settled_on": "2026-11-10", "total_cost": "59998.00",
         "self_paid": "29999.99", "diagnosis": "骨折"},  # a fen under the line
    ])  # fmt: skip
    _upload(client, "unemployment", [
        {"id_number": lone_people[0].id_number, "registered_on": "2026-11-01", "status": "失业", "ended_on": ""},
    ])  # fmt: skip
    _run(users)
    warning = _warnings(household)["big_medical_bills"]
    assert warning.township_id == TOWN_A and warning.category == "registered" and warning.direction == "enter"
    assert set(_warnings(lone)) == {"unemployment_registered"}
    assert _warnings(lone)["unemployment_registered"].township_id == TOWN_B

    clerk = login(users["clerk_a"])
    page = clerk.get(reverse("monitoring:warning", args=[warning.pk])).content.decode()
    assert "建议启动的救助申请" in page and "临时救助" in page and 'data-testid="discovery-form"' in page
    url = reverse("monitoring:warning_discover", args=[warning.pk])
    form = {"programme": "temp_expense", "applicant": people[0].pk, "consent_by": people[0].pk,
            "consent_on": "2026-12-06", "consent_note": "入户告知后户主签字同意", "reason": "大病支出",
            "requested_amount": "5000"}  # fmt: skip
    # no 授权书 yet: the 核对 refuses and nothing is written
    page = clerk.post(url, form, follow=True).content.decode()
    assert "尚未签署核对授权书" in page
    assert not Application.objects.filter(household=household).exists() and not Report.objects.exists()
    assert Warning.objects.get(pk=warning.pk).status == "pending"
    # consent is required
    authorise_all(household)
    page = clerk.post(url, form | {"consent_note": " "}, follow=True).content.decode()
    assert "请说明家庭同意申请的方式" in page and not Application.objects.exists()
    # a programme the rule does not propose is refused
    page = clerk.post(url, form | {"programme": "tekun_scattered"}, follow=True).content.decode()
    assert "请选择预警建议的救助项目" in page and not Application.objects.exists()
    page = clerk.post(url, form, follow=True).content.decode()
    application = Application.objects.get(household=household)
    found = Discovery.objects.get(warning=warning)
    assert application.channel == "discovery" and application.programme.code == "temp_expense"
    assert application.requested_amount == Decimal("5000.00") and application.stage == Stage.ACCEPT
    assert found.application == application and found.consent_by == people[0] and found.report.household == household
    assert found.report.created_at <= application.created_at
    warning.refresh_from_db()
    assert warning.status == "handled" and warning.action == "application"
    assert application.number in page and 'data-testid="discovery-done"' in page
    # once started, it cannot be started twice
    page = clerk.post(url, form, follow=True).content.decode()
    assert "已处置" in page and Application.objects.filter(household=household).count() == 1

    # the same through the API, by the other township's clerk (staff only), for the unemployment warning
    jobless = _warnings(lone)["unemployment_registered"]
    for rule, value, outcome in (("income_standard", 1, "not_eligible"), ("deposit_months", 24, "not_eligible")):
        threshold(rule, value, programme="temp_urgent", outcome=outcome)
    authorise_all(lone)
    api = f"/api/monitoring/warnings/{jobless.pk}/discovery"
    body = {"programme": "temp_urgent", "applicant": lone_people[0].pk, "consent_by": lone_people[0].pk,
            "consent_on": "2026-12-06", "consent_note": "电话告知，本人到乡镇签字同意",
            "requested_amount": "2000"}  # fmt: skip
    outsider = login(users["clerk_a"]).post(api, body, content_type="application/json")
    assert outsider.status_code == 404
    response = login(users["clerk_b"]).post(api, body, content_type="application/json")
    assert response.status_code == 200, response.content.decode()
    answer = response.json()
    assert answer["warning"]["status"] == "handled" and answer["warning"]["action"] == "application"
    started = Application.objects.get(pk=answer["application_id"])
    assert started.household == lone and started.channel == "discovery" and answer["report_id"]


def test_an_exit_warning_proposes_nothing(users, login):
    household, person = _enrolled(users)
    client = login(users["approver"])
    _upload(client, "deposits", [{"id_number": person.id_number, "institution": "中国农业银行", "product": "证券",
                                  "balance": "200000.00", "as_of": "2026-11-30"}])  # fmt: skip
    _run(users)
    w = _warnings(household)["large_deposits"]
    page = login(users["clerk_a"]).get(reverse("monitoring:warning", args=[w.pk])).content.decode()
    assert 'data-testid="discovery"' not in page
    response = login(users["clerk_a"]).post(reverse("monitoring:warning_discover", args=[w.pk]), {}, follow=True)
    assert "只有应保预警可以主动发起救助申请" in response.content.decode()


def test_rules_page_shows_every_parameter_by_its_chinese_label(users, login):
    from tests.monitoring.conftest import city_user

    page = login(city_user(users["approver"])).get(reverse("monitoring:rules")).content.decode()
    expected = ("不预警的车辆类型（关键词）：摩托", "最低价值（元）：10000", "资产类别：存款，理财，证券",
                "监测类别：低保边缘，支出型困难，其他登记人口", "建议启动的救助申请：", "金融资产超过标准")  # fmt: skip
    for text in expected:
        assert text in page, text
    assert "registered" not in page.split('data-testid="rules"')[1]


def test_coded_parameters_are_typed_by_name(users, login):
    from huimin.monitoring.models import WarningRule
    from tests.monitoring.conftest import city_user

    client = login(city_user(users["approver"]))
    rule = WarningRule.objects.get(code="big_medical_bills")
    url = reverse("monitoring:rule_edit", args=[rule.pk])
    base = {"is_active": "on", "severity": rule.severity, "deadline_days": rule.deadline_days,
            "lookback_days": 90, "min_self_paid_yuan": 30000, "propose": "临时救助（支出型）"}  # fmt: skip
    page = client.post(url, base | {"categories": "低保边缘，外星人"}, follow=True).content.decode()
    assert "没有“外星人”" in page
    rule.refresh_from_db()
    assert "registered" in rule.params["categories"]
    client.post(url, base | {"categories": "低保边缘、其他登记人口"}, follow=True)
    rule.refresh_from_db()
    assert rule.params["categories"] == ["edge", "registered"]
