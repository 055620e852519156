"""The monthly payroll: who is paid what for which month, corrections as new lines in later months, idempotent
rebuilds, the lock, and who may do it."""

import datetime
from decimal import Decimal

import pytest

from huimin.benefits import services
from huimin.benefits.models import PayrollLine, PayrollMonth, PriceIndex, Standard
from huimin.core.access import Forbidden, NotInScope
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from tests.benefits.conftest import county_staff, lock_month
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, VILLAGE_B1

JAN, FEB, MAR, APR = (datetime.date(2026, m, 1) for m in (1, 2, 3, 4))


def build(users, month):
    return services.build(users["approver"], region_code=COUNTY, month=month)


def lock(users, payroll):
    return lock_month(users, payroll)


def lines(payroll, **filters):
    return sorted(
        PayrollLine.objects.filter(payroll=payroll, **filters).values_list(
            "enrolment_id", "service_month", "kind", "amount"
        )
    )


@pytest.mark.django_db
def test_build_pays_each_current_enrolment_for_the_month(users, enrol):
    a = enrol(amount="500.00")
    b = enrol(amount="320.50", region=VILLAGE_B1, members=2)
    payroll = build(users, MAR)
    assert lines(payroll) == [(a.pk, MAR, "regular", Decimal("500.00")), (b.pk, MAR, "regular", Decimal("320.50"))]
    assert payroll.total == Decimal("820.50") and payroll.line_count == 2 and payroll.status == "draft"
    line = PayrollLine.objects.get(enrolment=a)
    assert line.explanation["规则"] == "按月发放" and line.explanation["月保障金额（分）"] == 50000
    assert line.explanation["核定依据"]["standard"] == "740" and line.payee_id == a.persons[0].pk
    assert AuditEntry.objects.filter(action="benefits.payroll.build").count() == 1


@pytest.mark.django_db
def test_rebuilding_a_draft_never_duplicates(users, enrol):
    enrol()
    enrol(amount="200.00")
    first = build(users, MAR)
    before = lines(first)
    second = build(users, MAR)
    assert second.pk == first.pk and lines(second) == before
    assert PayrollLine.objects.count() == 2 and PayrollMonth.objects.count() == 1


@pytest.mark.django_db
def test_mid_month_start_is_paid_from_the_next_month(users, enrol):
    e = enrol(start=datetime.date(2026, 3, 15))
    assert lines(build(users, MAR)) == []
    lock(users, PayrollMonth.objects.get(month=MAR))
    assert lines(build(users, APR)) == [(e.pk, APR, "regular", Decimal("500.00"))]


@pytest.mark.django_db
def test_death_mid_month_pays_that_month_and_stops_after(users, enrol):
    e = enrol(programme="tekun_scattered", amount="900.00")
    person = e.persons[0]
    person.is_deceased, person.death_date = True, datetime.date(2026, 3, 20)
    person.save()
    assert lines(build(users, MAR)) == [(e.pk, MAR, "regular", Decimal("900.00"))]
    lock(users, PayrollMonth.objects.get(month=MAR))
    assert lines(build(users, APR)) == []


@pytest.mark.django_db
def test_household_keeps_being_paid_while_a_member_lives(users, enrol):
    e = enrol(members=2)
    first = e.persons[0]
    first.is_deceased, first.death_date = True, datetime.date(2026, 1, 5)
    first.save()
    assert lines(build(users, MAR)) == [(e.pk, MAR, "regular", Decimal("500.00"))]


@pytest.mark.django_db
def test_grace_pays_until_grace_until_then_stops(users, enrol):
    e = enrol(changes=[("grace", FEB, {"status": "grace", "grace_until": "2026-03-01", "months": 2})])
    e.status, e.grace_until = "grace", MAR
    e.save()
    march = build(users, MAR)
    assert lines(march) == [(e.pk, MAR, "regular", Decimal("500.00"))]
    assert PayrollLine.objects.get(payroll=march).explanation["规则"] == "渐退期内照常发放"
    lock(users, march)
    assert lines(build(users, APR)) == []


@pytest.mark.django_db
def test_suspended_and_stopped_are_not_paid_and_adjustments_apply_from_their_month(users, enrol):
    suspended = enrol(changes=[("suspend", MAR, {"status": "suspended"})])
    stopped = enrol(changes=[("stop", MAR, {"status": "stopped"})])
    adjusted = enrol(changes=[("adjust", MAR, {"amount": "650.00", "standard": "780"})])
    feb = build(users, FEB)
    assert {k for k, *_ in lines(feb)} == {suspended.pk, stopped.pk, adjusted.pk}
    lock(users, feb)
    mar = build(users, MAR)
    assert lines(mar) == [(adjusted.pk, MAR, "regular", Decimal("650.00"))]
    diff = services.differences(mar)
    assert diff["counts"] == {"new": 0, "gone": 2, "changed": 1, "account_changed": 0}
    assert diff["changed"] == [(adjusted.pk, Decimal("500.00"), Decimal("650.00"))]


@pytest.mark.django_db
def test_late_approval_gets_arrears_for_locked_months_once(users, enrol):
    enrol()
    lock(users, build(users, JAN))
    late = enrol(amount="300.00", start=JAN)  # approved after January was locked, benefit from January
    feb = build(users, FEB)
    assert lines(feb, enrolment=late) == [
        (late.pk, JAN, "arrears", Decimal("300.00")),
        (late.pk, FEB, "regular", Decimal("300.00")),
    ]
    assert PayrollLine.objects.get(enrolment=late, kind="arrears").explanation["规则"].startswith("补发")
    lock(users, feb)
    assert lines(build(users, MAR), enrolment=late) == [(late.pk, MAR, "regular", Decimal("300.00"))]


@pytest.mark.django_db
def test_death_recorded_after_lock_is_recovered_in_a_later_month(users, enrol):
    e = enrol()
    lock(users, build(users, JAN))
    feb = lock(users, build(users, FEB))
    person = e.persons[0]
    person.is_deceased, person.death_date = True, datetime.date(2026, 1, 10)  # died in January, reported in March
    person.save()
    mar = build(users, MAR)
    assert lines(mar) == [(e.pk, FEB, "recovery", Decimal("-500.00"))]
    assert PayrollLine.objects.filter(payroll=feb).count() == 1  # the locked month is untouched
    assert PayrollLine.objects.get(payroll=mar).explanation["规则"] == "追回：保障对象死亡，按规定月份起停发"


@pytest.mark.django_db
def test_locked_month_never_changes(users, enrol):
    enrol()
    jan = lock(users, build(users, JAN))
    enrol(amount="100.00")
    with pytest.raises(ServiceError, match="已锁定"):
        build(users, JAN)
    with pytest.raises(ServiceError, match="不能锁定|不能复核"):
        services.advance(county_staff(users)["reviewer"], jan, "review")
    assert PayrollLine.objects.filter(payroll=jan).count() == 1
    jan.refresh_from_db()
    assert jan.status == "locked" and jan.total == Decimal("500.00")
    assert [h["action"] for h in jan.history] == ["build", "review", "approve", "lock"]


@pytest.mark.django_db
def test_months_go_in_order(users, enrol):
    enrol()
    build(users, FEB)
    with pytest.raises(ServiceError, match="以前月份的发放尚未锁定"):
        build(users, MAR)
    with pytest.raises(ServiceError, match="以后月份"):
        build(users, JAN)
    with pytest.raises(ServiceError, match="本月或下月"):
        services.build(users["approver"], region_code=COUNTY, month="2099-01")


@pytest.mark.django_db
def test_one_enrolment_cannot_be_in_two_regions_months(users, enrol):
    enrol()
    PayrollMonth.objects.create(region_id=TOWN_A, month=MAR)
    with pytest.raises(ServiceError, match="上级或下级"):
        build(users, MAR)


@pytest.mark.django_db
def test_only_county_staff_in_scope_build_and_approve(users, enrol):
    enrol()
    with pytest.raises(Forbidden):
        services.build(users["clerk_a"], region_code=TOWN_A, month=MAR)
    with pytest.raises(NotInScope):
        services.build(users["approver"], region_code=OTHER_COUNTY, month=MAR)
    payroll = build(users, MAR)
    with pytest.raises(Forbidden):
        services.advance(users["statistician"], payroll, "review")
    assert not PayrollMonth.objects.filter(region_id=OTHER_COUNTY).exists()


@pytest.mark.django_db
def test_price_subsidy_lines_when_the_index_exceeds_the_threshold(users, enrol):
    household = enrol(members=3)
    Standard.objects.create(
        kind="price_threshold", region_id=COUNTY, period="rate", value=Decimal("3.5"), effective_from=JAN
    )
    Standard.objects.create(kind="price_subsidy", region_id=COUNTY, value=Decimal("30"), effective_from=JAN)
    services.set_price_index(users["approver"], region_code=COUNTY, month="2026-03", value="3.4")
    assert lines(build(users, MAR), kind="price") == []
    services.set_price_index(users["approver"], region_code=COUNTY, month="2026-03", value="3.8")
    march = build(users, MAR)
    assert lines(march, kind="price") == [(household.pk, MAR, "price", Decimal("90.00"))]
    assert PriceIndex.objects.count() == 1


@pytest.mark.django_db
def test_separation_of_duties_builder_reviewer_and_approver_are_three_people(users, enrol):
    enrol()
    staff = county_staff(users)
    payroll = build(users, MAR)  # built by the approver
    with pytest.raises(ServiceError, match="职责分离：本月发放由您生成，须由其他人员复核"):
        services.advance(staff["builder"], payroll, "review")
    payroll = services.advance(staff["reviewer"], payroll, "review")
    with pytest.raises(ServiceError, match="职责分离：本月发放由您生成"):
        services.advance(staff["builder"], payroll, "approve")
    with pytest.raises(ServiceError, match="职责分离：本月发放由您复核"):
        services.advance(staff["reviewer"], payroll, "approve")
    payroll.refresh_from_db()
    assert payroll.status == "reviewed" and payroll.approved_by == ""
    # the reviewer rebuilds the reviewed draft: now the builder, the review starts again and is not theirs
    payroll = services.build(staff["reviewer"], region_code=COUNTY, month=MAR)
    assert (payroll.status, payroll.built_by, payroll.reviewed_by) == ("draft", "reviewer_c", "")
    with pytest.raises(ServiceError, match="职责分离"):
        services.advance(staff["reviewer"], payroll, "review")
    payroll = services.advance(staff["builder"], payroll, "review")
    payroll = services.advance(staff["approver"], payroll, "approve")
    payroll = services.advance(staff["approver"], payroll, "lock")
    assert (payroll.built_by, payroll.reviewed_by, payroll.approved_by) == ("reviewer_c", "approver", "approver_c")
    assert [h["by"] for h in payroll.history][-4:] == ["reviewer_c", "approver", "approver_c", "approver_c"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_inputs_are_read_side_by_side_from_one_snapshot_when_nothing_is_written_yet(users, enrol, monkeypatch):
    import threading

    from huimin.benefits import payroll_engine

    threads = []
    read = payroll_engine._read_copy

    def spy(cursor, sql, schema):
        threads.append(threading.current_thread().name)
        return read(cursor, sql, schema)

    monkeypatch.setattr(payroll_engine, "_read_copy", spy)
    a = enrol(amount="432.10")
    b = enrol(amount="100.00", changes=[("adjust", FEB, {"amount": "150.00"})])
    jan = lock(users, build(users, JAN))  # committed: the next build's own connections see it
    threads.clear()
    mar = build(users, MAR)
    assert len(threads) == 4 and all(name.startswith("payroll-inputs") for name in threads)
    assert jan.status == "locked"
    assert lines(mar) == sorted([(a.pk, MAR, "regular", Decimal("432.10")), (b.pk, MAR, "regular", Decimal("150.00"))])
    # inside a transaction that has written already, everything is read on the one connection (sees its writes)
    threads.clear()
    from django.db import transaction

    with transaction.atomic():
        c = enrol(amount="77.00")
        inputs = payroll_engine.load_inputs(connection_of(), "411702", APR, [JAN])
        assert c.pk in inputs["enrolments"]["id"].to_pylist()
        transaction.set_rollback(True)
    assert threads and not any(name.startswith("payroll-inputs") for name in threads)


def connection_of():
    from django.db import connection

    return connection
