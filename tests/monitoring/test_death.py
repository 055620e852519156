"""A death from the departmental file to the money: the file uploaded on the 部门数据 page → a warning in the
township → the township confirms the death (the registry records it from the feed's row) → the enrolment stops
from the month after death (the region's rule, as data) → the next payroll pays nothing more → what a locked
month paid after the death is listed for recovery (追缴) and followed to repayment or a write-off approved by a
second person. Every outcome of a warning rests on what it names; a closed 应退 warning whose condition holds is
raised again after the rule's period."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from huimin.assistance import services as assistance
from huimin.assistance.models import Delegation, EnrolmentChange, Programme, RegionPolicy
from huimin.benefits import recovery as recoveries
from huimin.benefits import services as payroll
from huimin.benefits.models import PayrollLine, Recovery
from huimin.core.models import AuditEntry
from huimin.core.roles import Role
from huimin.monitoring import services
from huimin.monitoring.models import MonitoringRun, Warning
from huimin.registry.models import LifeEvent, Person
from huimin.verification.models import Upload
from tests.benefits.conftest import county_staff, lock_month, make_enrolment
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A1
from tests.verification.factories import csv_bytes

D = datetime.date


def _upload_deaths(client, rows, as_of):
    """The county's staff upload a 死亡与殡葬 file on the 部门数据 page, as a department sends it."""
    body = csv_bytes([{"id_number": n, "death_date": d.isoformat(), "reporter": r} for n, d, r in rows])
    file = io.BytesIO(body)
    file.name = "死亡火化.csv"
    response = client.post(
        reverse("verification:sources"), {"source": "deaths", "as_of": as_of.isoformat(), "file": file}, follow=True
    )
    assert response.status_code == 200
    upload = Upload.objects.order_by("-id").first()
    assert upload.status == "accepted", response.content.decode()[-2000:]
    return upload


def _act(client, w, step, **data):
    return client.post(reverse("monitoring:warning_act", args=[w.pk, step]), data, follow=True)


def _build_and_lock(users, month):
    return lock_month(users, payroll.build(users["approver"], region_code=COUNTY, month=month))


def _delegate(users):
    Delegation.objects.create(programme=Programme.objects.get(code="dibao"), county_id=COUNTY, township_id=TOWN_A,
                              effective_from=D(2026, 1, 1), created_by="approver")  # fmt: skip


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Snapshots of the uploaded feeds and evidence files go to the test's own directory."""
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def enrolled(users):
    return make_enrolment(users, amount="500.00", start=D(2026, 1, 1), region=VILLAGE_A1)


def test_a_death_from_the_uploaded_file_to_the_recovery(users, login, enrolled):
    person = enrolled.persons[0]
    with at(2026, 12, 3):
        _build_and_lock(users, "2026-11")
        _build_and_lock(users, "2026-12")  # December paid in advance, before the death was known
        county = login(users["approver"])
        upload = _upload_deaths(county, [(person.id_number, D(2026, 11, 30), "火化")], D(2026, 12, 3))
        services.run(users["approver"], MonitoringRun.Kind.FULL, D(2026, 12, 3))
    w = Warning.objects.get(rule__code="death_of_recipient", person=person)
    assert w.township_id == TOWN_A and w.occurred_on == D(2026, 11, 30) and w.direction == "exit"
    person.refresh_from_db()
    assert not person.is_deceased  # the feed alone changes nothing in the registry

    with at(2026, 12, 8):
        clerk = login(users["clerk_a"])
        # each outcome refused without what it names, nothing written
        page = _act(clerk, w, "handle", action="stopped", note="对象死亡").content.decode()
        assert "死亡预警须先确认死亡" in page
        page = _act(clerk, w, "handle", action="adjusted", note="调整").content.decode()
        assert "调整保障须填写调整后的月保障金额" in page
        page = _act(clerk, w, "handle", action="false", note="数据有误").content.decode()
        assert "不属实或无需处理须附证明" in page
        page = _act(clerk, w, "handle", action="none", note="无需处理").content.decode()
        assert "不属实或无需处理须附证明" in page
        w.refresh_from_db()
        assert w.status == "pending" and w.change_id is None
        assert EnrolmentChange.objects.filter(enrolment=enrolled).count() == 1  # the 纳入 only

        # the township confirms the death: the registry records it from the feed's record
        page = _act(clerk, w, "confirm_death", note="村委会核实属实").content.decode()
        assert "已确认死亡" in page
        person.refresh_from_db()
        assert person.is_deceased and person.death_date == D(2026, 11, 30)
        event = LifeEvent.objects.get(person=person, kind="death")
        assert event.detail["source"]["reporter"] == "火化"
        assert event.detail["source"]["upload"] == upload.pk and event.detail["source"]["warning"] == w.pk
        assert AuditEntry.objects.filter(action="registry.person.death", object_id=str(person.pk)).exists()

        page = _act(clerk, w, "handle", action="stopped", note="对象死亡").content.decode()
        assert "无权变更在保对象" in page  # the clerk holds no right to change an enrolment
        assert not EnrolmentChange.objects.filter(enrolment=enrolled, kind="stop").exists()

        # delegated, the township's reviewer stops the benefit from the warning page
        _delegate(users)
        reviewer = login(users["reviewer_a"])
        page = _act(reviewer, w, "handle", action="stopped", note="火化证明属实，停止保障").content.decode()
        assert "已记录处置结果：已停止保障" in page
    w.refresh_from_db()
    enrolled.refresh_from_db()
    assert w.status == "handled" and w.change.kind == "stop" and w.change.enrolment_id == enrolled.pk
    # from the month after death, not the month after the warning was handled (2027-01)
    assert w.change.effective_month == D(2026, 12, 1) and enrolled.status == "stopped"

    # December was paid after the death: listed for recovery, month by month
    r = Recovery.objects.get(enrolment_id=enrolled.pk)
    assert r.reason == "death" and r.event_date == D(2026, 11, 30) and r.from_month == D(2026, 12, 1)
    assert [(i.service_month, i.amount) for i in r.items.all()] == [(D(2026, 12, 1), Decimal("500.00"))]
    assert r.total == Decimal("500.00") and r.status == "open"

    with at(2026, 12, 20):
        # the next payroll pays nothing more, and does not net December again (the recovery holds it)
        january = payroll.build(users["approver"], region_code=COUNTY, month="2027-01")
        assert not PayrollLine.objects.filter(payroll=january, enrolment_id=enrolled.pk).exists()

        county = login(users["approver"])
        listing = county.get(reverse("benefits:recoveries"), {"status": "open", "reason": "death"})
        assert person.name in listing.content.decode()
        assert person.name not in county.get(reverse("benefits:recoveries"), {"status": "repaid"}).content.decode()
        export = county.get(reverse("benefits:recoveries"), {"export": "xlsx"})
        sheet = load_workbook(io.BytesIO(export.content)).active
        rows = list(sheet.values)
        assert rows[1][3] == person.name and rows[1][7] == "2026-12" and Decimal(str(rows[1][8])) == Decimal("500")

        # a part repaid, the rest written off: asked by one, approved by another
        page = county.post(reverse("benefits:recovery_act", args=[r.pk, "repay"]),
                           {"amount": "600", "paid_on": "2026-12-18"}, follow=True).content.decode()  # fmt: skip
        assert "超过尚未追回的 500.00 元" in page
        county.post(reverse("benefits:recovery_act", args=[r.pk, "repay"]),
                    {"amount": "200", "paid_on": "2026-12-18", "note": "家属退回"})  # fmt: skip
        county.post(reverse("benefits:recovery_act", args=[r.pk, "write_off"]), {"reason": "无遗产可追缴"})
        page = county.post(reverse("benefits:recovery_act", args=[r.pk, "approve"]), follow=True).content.decode()
        assert "同一人不能既申请核销追缴款又审批核销" in page
        r.refresh_from_db()
        assert r.status == "write_off_pending" and r.repaid == Decimal("200.00")
        second = county_staff(users)["approver"]
        login(second).post(reverse("benefits:recovery_act", args=[r.pk, "approve"]), {"note": "同意"})
    r.refresh_from_db()
    assert r.status == "written_off" and r.written_off == Decimal("300.00") and r.outstanding == 0
    assert r.write_off_requested_by == "approver" and r.write_off_decided_by == second.username
    assert [(p.amount, p.paid_on) for p in r.repayments.all()] == [(Decimal("200.00"), D(2026, 12, 18))]
    actions = set(AuditEntry.objects.filter(object_id=str(r.pk), action__startswith="benefits.recovery").values_list(
        "action", flat=True))  # fmt: skip
    assert actions == {"benefits.recovery.list", "benefits.recovery.repay", "benefits.recovery.write_off_request",
                       "benefits.recovery.write_off_approve"}  # fmt: skip

    with at(2026, 12, 21):
        county = login(users["approver"])
        page = county.get(reverse("monitoring:warning", args=[w.pk])).content.decode()
        assert reverse("benefits:recovery", args=[r.pk]) in page
        _act(county, w, "close", note="已办结")
    w.refresh_from_db()
    assert w.status == "closed"


@pytest.mark.parametrize(
    ("death", "stop_from", "recovered"),
    [
        (D(2026, 11, 30), D(2026, 12, 1), [D(2026, 12, 1)]),  # the last day of a month: December is not due
        (D(2026, 12, 1), D(2027, 1, 1), []),  # the first day of a month: December is due in full
        (D(2026, 11, 1), D(2026, 12, 1), [D(2026, 12, 1)]),
    ],
)
def test_benefits_stop_from_the_month_after_death(users, enrolled, death, stop_from, recovered):
    with at(2026, 12, 3):
        _build_and_lock(users, "2026-11")
        _build_and_lock(users, "2026-12")
    with at(2026, 12, 15):
        Person.objects.filter(pk=enrolled.persons[0].pk).update(is_deceased=True, death_date=death)
        assistance.stop(users["approver"], enrolled, "死亡")
    change = EnrolmentChange.objects.filter(enrolment=enrolled, kind="stop").get()
    assert change.effective_month == stop_from and change.after["death_date"] == death.isoformat()
    r = Recovery.objects.filter(enrolment_id=enrolled.pk).first()
    assert (list(r.items.values_list("service_month", flat=True)) if r else []) == recovered


def test_a_region_paying_longer_after_death_is_not_cut_short_by_an_early_stop(users, enrolled):
    """death_stop_months = 3, death on 30 November, stopped on 5 December: paid through January, stopped from
    February (not from next month)."""
    RegionPolicy.objects.create(key="death_stop_months", region_id=COUNTY, value=3, effective_from=D(2026, 1, 1))
    with at(2026, 12, 5):
        Person.objects.filter(pk=enrolled.persons[0].pk).update(is_deceased=True, death_date=D(2026, 11, 30))
        assistance.stop(users["approver"], enrolled, "死亡")
    assert EnrolmentChange.objects.get(enrolment=enrolled, kind="stop").effective_month == D(2027, 2, 1)


def test_the_regions_rule_sets_the_month_benefits_stop(users, enrolled):
    """RegionPolicy death_stop_months = 2: the second month after the month of death is the first unpaid."""
    RegionPolicy.objects.create(key="death_stop_months", region_id=COUNTY, value=2, effective_from=D(2026, 1, 1))
    with at(2026, 12, 3):
        _build_and_lock(users, "2026-11")
        _build_and_lock(users, "2026-12")
    with at(2026, 12, 15):
        Person.objects.filter(pk=enrolled.persons[0].pk).update(is_deceased=True, death_date=D(2026, 10, 31))
        assistance.stop(users["approver"], enrolled, "死亡")
    assert EnrolmentChange.objects.get(enrolment=enrolled, kind="stop").effective_month == D(2026, 12, 1)
    r = Recovery.objects.get(enrolment_id=enrolled.pk)
    assert list(r.items.values_list("service_month", "amount")) == [(D(2026, 12, 1), Decimal("500.00"))]


def test_a_month_locked_after_the_stop_is_recovered_once(users, enrolled):
    """December built before the death was confirmed and locked after the stop: the lock lists it for recovery,
    and January neither pays nor nets it again."""
    with at(2026, 12, 3):
        _build_and_lock(users, "2026-11")
        december = payroll.build(users["approver"], region_code=COUNTY, month="2026-12")
        Person.objects.filter(pk=enrolled.persons[0].pk).update(is_deceased=True, death_date=D(2026, 11, 20))
        assistance.stop(users["approver"], enrolled, "死亡")
        assert not Recovery.objects.filter(enrolment_id=enrolled.pk).exists()  # nothing locked paid December yet
        lock_month(users, december)
    r = Recovery.objects.get(enrolment_id=enrolled.pk)
    assert r.total == Decimal("500.00")
    with at(2026, 12, 20):
        january = payroll.build(users["approver"], region_code=COUNTY, month="2027-01")
    assert not PayrollLine.objects.filter(payroll=january, enrolment_id=enrolled.pk).exists()


def test_without_a_recovery_the_payroll_would_net_it(users, enrolled):
    """The control: a locked month that paid after a stop is netted by the next month when no 追缴 lists it."""
    with at(2026, 12, 3):
        _build_and_lock(users, "2026-11")
        _build_and_lock(users, "2026-12")
        Person.objects.filter(pk=enrolled.persons[0].pk).update(is_deceased=True, death_date=D(2026, 11, 20))
        assistance.stop(users["approver"], enrolled, "死亡")
    Recovery.objects.filter(enrolment_id=enrolled.pk).update(status="open")
    from huimin.benefits.models import RecoveryItem

    RecoveryItem.objects.filter(recovery__enrolment_id=enrolled.pk).delete()
    with at(2026, 12, 20):
        january = payroll.build(users["approver"], region_code=COUNTY, month="2027-01")
    lines = list(PayrollLine.objects.filter(payroll=january, enrolment_id=enrolled.pk).values_list("kind", "amount"))
    assert lines == [("recovery", Decimal("-500.00"))]


def test_repayment_and_write_off_refusals(users, enrolled):
    r2_enrolment = make_enrolment(users, amount="300.00", start=D(2026, 1, 1), region=VILLAGE_A1)
    with at(2026, 12, 3):
        _build_and_lock(users, "2026-11")
        _build_and_lock(users, "2026-12")
        Person.objects.filter(pk=enrolled.persons[0].pk).update(is_deceased=True, death_date=D(2026, 11, 20))
        assistance.stop(users["approver"], enrolled, "死亡")
        r = Recovery.objects.get(enrolment_id=enrolled.pk)
        with pytest.raises(Exception, match="不能审批核销"):
            recoveries.decide_write_off(users["approver"], r, approve=True)
        with pytest.raises(Exception, match="请填写核销理由"):
            recoveries.request_write_off(users["approver"], r, " ")
        with pytest.raises(Exception, match="退回日期不能晚于今天"):
            recoveries.record_repayment(users["approver"], r, amount="1", paid_on=D(2026, 12, 4))
        with pytest.raises(Exception, match="应大于 0"):
            recoveries.record_repayment(users["approver"], r, amount="0", paid_on=D(2026, 12, 3))
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            recoveries.record_repayment(users["clerk_a"], r, amount="1", paid_on=D(2026, 12, 3))
        recoveries.record_repayment(users["approver"], r, amount="500", paid_on=D(2026, 12, 3))
        r.refresh_from_db()
        assert r.status == "repaid" and r.closed_at
        with pytest.raises(Exception, match="不能登记退回"):
            recoveries.record_repayment(users["approver"], r, amount="1", paid_on=D(2026, 12, 3))
    # refused write-off: pursued again, with the refusal's reason required
    with at(2026, 12, 5):
        Person.objects.filter(pk=r2_enrolment.persons[0].pk).update(is_deceased=True, death_date=D(2026, 11, 2))
        assistance.stop(users["approver"], r2_enrolment, "死亡")
        r2 = Recovery.objects.get(enrolment_id=r2_enrolment.pk)
        assert r2.total == Decimal("300.00")
        recoveries.request_write_off(users["approver"], r2, "无遗产")
        other = county_staff(users)["approver"]
        with pytest.raises(Exception, match="不同意核销须填写审批意见"):
            recoveries.decide_write_off(other, r2, approve=False)
        recoveries.decide_write_off(other, r2, approve=False, note="家属有退还能力")
    r2.refresh_from_db()
    assert r2.status == "open" and r2.written_off == 0


def _death_warning_of_a_living_person(users, enrolled):
    """A death warning on a person the township finds alive (the feed was wrong): closed as 不属实 with evidence."""
    person = enrolled.persons[0]
    with at(2026, 12, 3):
        from tests.verification.factories import load

        load(users["approver"], "deaths", [{"id_number": person.id_number, "death_date": "2026-11-30",
                                            "reporter": "户籍注销"}], as_of=D(2026, 12, 3))  # fmt: skip
        services.run(users["approver"], MonitoringRun.Kind.FULL, D(2026, 12, 3))
    return Warning.objects.get(person=person, rule__code="death_of_recipient")


def test_a_closed_exit_warning_whose_condition_holds_is_raised_again_after_the_period(
    users, enrolled, login, make_user
):
    w = _death_warning_of_a_living_person(users, enrolled)
    rule = w.rule
    city = make_user("city_approver", Role.APPROVER, "411700000000")
    with at(2026, 12, 4):
        # the period is data, set on 预警规则 by the city
        editor = login(city)
        form = {"is_active": "on", "severity": rule.severity, "deadline_days": str(rule.deadline_days)}
        page = editor.post(reverse("monitoring:rule_edit", args=[rule.pk]), form | {"reraise_days": "0"}, follow=True)
        assert "重新预警天数应在 1–3650 天之间" in page.content.decode()
        editor.post(reverse("monitoring:rule_edit", args=[rule.pk]), form | {"reraise_days": "30"})
        rule.refresh_from_db()
        assert rule.reraise_days == 30
        editor.post(reverse("monitoring:rule_edit", args=[rule.pk]), form)  # a post without the field keeps it
        rule.refresh_from_db()
        assert rule.reraise_days == 30
        assert AuditEntry.objects.filter(action="monitoring.rule.update", object_id=str(rule.pk)).exists()
        clerk = login(users["clerk_a"])
        page = _act(clerk, w, "handle", action="false", note="本人健在，系户籍误注销",
                    visit_on="2026-12-04", visit_by="张三、李四").content.decode()  # fmt: skip
        assert "已记录处置结果：不属实" in page
        _act(clerk, w, "close", note="办结")
    w.refresh_from_db()
    assert w.status == "closed" and w.evidence_visit == {"on": "2026-12-04", "by": "张三、李四"}
    with at(2027, 1, 2):  # the day before the period ends
        services.run(None, MonitoringRun.Kind.FULL, D(2027, 1, 2))
    assert Warning.objects.filter(fact_key=w.fact_key).count() == 1
    with at(2027, 1, 3):  # the day it ends
        services.run(None, MonitoringRun.Kind.FULL, D(2027, 1, 3))
    again = Warning.objects.filter(fact_key=w.fact_key).exclude(pk=w.pk).get()
    assert again.reraised_from_id == w.pk and again.status == "pending"
    with at(2027, 1, 4):  # open again: never twice
        services.run(None, MonitoringRun.Kind.FULL, D(2027, 1, 4))
    assert Warning.objects.filter(fact_key=w.fact_key).count() == 2


def test_a_rule_without_a_period_never_raises_again(users, enrolled, login):
    w = _death_warning_of_a_living_person(users, enrolled)
    w.rule.reraise_days = None
    w.rule.save()
    with at(2026, 12, 4):
        services.handle(users["clerk_a"], w, "none", "已核实", visit_on=D(2026, 12, 4), visit_by="张三")
        services.close(users["clerk_a"], w)
    with at(2028, 1, 1):
        services.run(None, MonitoringRun.Kind.FULL, D(2028, 1, 1))
    assert Warning.objects.filter(fact_key=w.fact_key).count() == 1


def test_outcomes_rest_on_what_they_name(users, enrolled, login):
    """已调整保障 made now through the assistance action, or an existing change linked; a change of another kind
    or made before the warning is refused; a legacy outcome without its change cannot close; the dashboard counts
    确认 only for outcomes backed by a change."""
    w = _death_warning_of_a_living_person(users, enrolled)
    with at(2026, 12, 4):
        approver = users["approver"]
        with pytest.raises(Exception, match="没有编号为"):
            services.handle(approver, w, "adjusted", "调整", change_id=EnrolmentChange.objects.get(
                enrolment=enrolled, kind="enrol").pk)  # fmt: skip
        services.handle(approver, w, "adjusted", "家庭收入增加，调减", monthly_amount="320.00")
    w.refresh_from_db()
    enrolled.refresh_from_db()
    assert w.change.kind == "adjust" and enrolled.monthly_amount == Decimal("320.00")
    assert w.change.effective_month == D(2027, 1, 1)

    # a second warning of the household rests on a change made on the enrolment page by the county
    other = Warning.objects.create(
        rule=w.rule, run=w.run, fact_key=w.fact_key + ":2", household=w.household, person=w.person, region=w.region,
        township=w.township, category=w.category, direction="exit", severity="high", due_on=D(2027, 1, 1),
    )  # fmt: skip
    with at(2026, 12, 5):
        assistance.start_grace(approver, enrolled, "就业收入超过标准")
        grace = EnrolmentChange.objects.get(enrolment=enrolled, kind="grace")
        with pytest.raises(Exception, match="没有编号为"):
            services.handle(approver, other, "stopped", "停保", change_id=grace.pk)
        services.handle(users["clerk_a"], other, "grace", "已渐退", change_id=grace.pk)
    other.refresh_from_db()
    assert other.change_id == grace.pk

    # a legacy 已调整保障 without its change cannot close and does not count as 确认
    legacy = Warning.objects.create(
        rule=w.rule, run=w.run, fact_key=w.fact_key + ":3", household=w.household, person=w.person, region=w.region,
        township=w.township, category=w.category, direction="exit", severity="high", due_on=D(2027, 1, 1),
        status="handled", action="adjusted", note="旧数据",
    )  # fmt: skip
    with pytest.raises(Exception, match="尚无对应的在保变更，不能办结"):
        services.close(approver, legacy)
    stats = {s["rule"].code: s for s in services.rule_statistics(Warning.objects.all())}
    assert stats["death_of_recipient"]["confirmed"] == 2


def test_the_api_does_the_same(client, users, enrolled):
    """confirm_death, handle with the change made now, the recovery's repayment and write-off, with their codes."""
    person = enrolled.persons[0]
    with at(2026, 12, 3):
        _build_and_lock(users, "2026-11")
        _build_and_lock(users, "2026-12")
        from tests.verification.factories import load

        load(users["approver"], "deaths", [{"id_number": person.id_number, "death_date": "2026-11-15",
                                            "reporter": "医学死亡证明"}], as_of=D(2026, 12, 3))  # fmt: skip
        services.run(users["approver"], MonitoringRun.Kind.FULL, D(2026, 12, 3))
    w = Warning.objects.get(person=person, rule__code="death_of_recipient")
    url = f"/api/monitoring/warnings/{w.pk}/actions/"
    post = lambda path, body: client.post(path, body, content_type="application/json")  # noqa: E731
    with at(2026, 12, 8):
        client.force_login(users["clerk_a"])
        refused = post(url + "handle", {"action": "stopped", "note": "死亡"})
        assert refused.status_code == 400 and refused.json()["code"] == "monitoring.death_unconfirmed"
        refused = post(url + "handle", {"action": "grace", "note": "x", "change_id": 999999})
        assert refused.status_code == 400 and refused.json()["code"] == "monitoring.change_required"
        answer = post(url + "confirm_death", {"note": "核实属实"})
        assert answer.status_code == 200 and answer.json()["status"] == "verifying"
        assert Person.objects.get(pk=person.pk).is_deceased
        refused = post(url + "handle", {"action": "stopped", "note": "死亡"})
        assert refused.status_code == 400 and refused.json()["code"] == "assistance.no_authority"
        client.force_login(users["approver"])
        answer = post(url + "handle", {"action": "stopped", "note": "死亡停保"})
        assert answer.status_code == 200 and answer.json()["change"] is not None
        assert EnrolmentChange.objects.get(pk=answer.json()["change"]).effective_month == D(2026, 12, 1)
        listing = client.get("/api/benefits/recoveries", {"reason": "death"}).json()
        assert listing["count"] == 1 and listing["items"][0]["total"] == "500.00"
        pk = listing["items"][0]["id"]
        detail = client.get(f"/api/benefits/recoveries/{pk}").json()
        assert detail["items"] == [{"service_month": "2026-12", "amount": "500.00", "price": "0.00"}]
        too_much = post(f"/api/benefits/recoveries/{pk}/repayments", {"amount": "501", "paid_on": "2026-12-08"})
        assert too_much.status_code == 400 and too_much.json()["code"] == "benefits.recovery_amount"
        paid = post(f"/api/benefits/recoveries/{pk}/repayments", {"amount": "100", "paid_on": "2026-12-08"})
        assert paid.status_code == 200 and paid.json()["outstanding"] == "400.00"
        post(f"/api/benefits/recoveries/{pk}/write-off", {"reason": "无遗产"})
        same = post(f"/api/benefits/recoveries/{pk}/write-off/decision", {"approve": True})
        assert same.status_code == 400 and same.json()["code"] == "assistance.duty_conflict"
        client.force_login(county_staff(users)["approver"])
        done = post(f"/api/benefits/recoveries/{pk}/write-off/decision", {"approve": True, "note": "同意"})
        assert done.status_code == 200 and done.json()["status"] == "written_off"
        assert done.json()["written_off"] == "400.00"


def test_the_payroll_follows_the_regions_death_rule(users, enrolled):
    """Every covered member dead and no stop yet: the payroll itself stops paying from the month the region's rule
    sets (here the second month after the month of death), not earlier."""
    RegionPolicy.objects.create(key="death_stop_months", region_id=COUNTY, value=2, effective_from=D(2026, 1, 1))
    Person.objects.filter(pk=enrolled.persons[0].pk).update(is_deceased=True, death_date=D(2026, 10, 31))
    with at(2026, 12, 3):
        november = payroll.build(users["approver"], region_code=COUNTY, month="2026-11")
        assert PayrollLine.objects.get(payroll=november, enrolment_id=enrolled.pk).amount == Decimal("500.00")
        lock_month(users, november)
        december = payroll.build(users["approver"], region_code=COUNTY, month="2026-12")
    assert not PayrollLine.objects.filter(payroll=december, enrolment_id=enrolled.pk).exists()


def test_evidence_uploaded_through_the_api_backs_a_false_outcome(client, users, enrolled, settings):
    w = _death_warning_of_a_living_person(users, enrolled)
    url = f"/api/monitoring/warnings/{w.pk}"
    with at(2026, 12, 4):
        client.force_login(users["clerk_a"])
        missing = client.post(url + "/evidence")
        assert missing.status_code == 400 and missing.json()["message"] == "请选择证明材料文件"
        bad = io.BytesIO(b"MZ")
        bad.name = "证明.exe"
        assert (
            client.post(url + "/evidence", {"file": bad}).json()["message"] == "证明材料只能上传 PDF、JPG 或 PNG 文件"
        )
        pdf = io.BytesIO(b"%PDF-1.4 proof")
        pdf.name = "户籍证明.pdf"
        answer = client.post(url + "/evidence", {"file": pdf})
        assert answer.status_code == 200 and answer.json()["evidence_file"] is True
        body = {"action": "false", "note": "户籍误注销，本人健在"}
        answer = client.post(url + "/actions/handle", body, content_type="application/json")
        assert answer.status_code == 200 and answer.json()["action"] == "false"
    assert AuditEntry.objects.filter(action="monitoring.warning.evidence", object_id=str(w.pk)).exists()
