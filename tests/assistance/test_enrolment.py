import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from huimin.assistance import rules, services
from huimin.assistance.models import Application, Enrolment, EnrolmentChange, Stage
from huimin.core import workdays
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.services import ServiceError
from tests.assistance.conftest import apply, approve, end_publicity, walk


@pytest.fixture
def enrolled(users, make_household):
    household, people = make_household(names=("张三丰", "李四", "张小五"))
    app = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    approve(users["approver"], app, amount="900.00")
    return Enrolment.objects.get(application=app), people


def kinds(enr):
    return list(enr.changes.values_list("kind", flat=True))


def test_review_that_continues(users, enrolled):
    enr, _ = enrolled
    services.review_enrolment(users["approver"], enr, outcome="continue", reasons="家庭情况无变化")
    enr.refresh_from_db()
    assert enr.status == "active" and enr.monthly_amount == Decimal("900.00")
    assert enr.next_review_on == rules.add_months(rules.month_start(timezone.localdate()), 12)
    assert kinds(enr)[-1] == EnrolmentChange.Kind.REVIEW_CONTINUE


def test_review_that_reduces(users, enrolled):
    enr, _ = enrolled
    with pytest.raises(ServiceError, match="应低于现金额"):
        services.review_enrolment(users["approver"], enr, outcome="reduce", reasons="收入增加", monthly_amount="950")
    services.review_enrolment(
        users["approver"], enr, outcome="reduce", reasons="子女就业，收入增加", monthly_amount="600",
        basis={"standard": "城市低保标准 630 元/月", "income_per_head": "430"},
    )  # fmt: skip
    enr.refresh_from_db()
    assert enr.monthly_amount == Decimal("600.00") and enr.basis["income_per_head"] == "430"
    change = enr.changes.get(kind=EnrolmentChange.Kind.REVIEW_REDUCE)
    assert change.before["amount"] == "900.00" and change.after["amount"] == "600.00"


def test_review_that_stops(users, enrolled):
    enr, _ = enrolled
    services.review_enrolment(users["approver"], enr, outcome="stop", reasons="家庭人均收入超过标准")
    enr.refresh_from_db()
    assert enr.status == "stopped" and enr.ended_on == timezone.localdate()
    assert not enr.members.filter(removed_on__isnull=True).exists()
    with pytest.raises(ServiceError, match="已退出"):
        services.adjust(users["approver"], enr, monthly_amount="100", basis={}, reasons="x")


def test_grace_then_stop(users, enrolled):
    enr, _ = enrolled
    services.start_grace(users["approver"], enr, "户主就业，收入超过低保标准")
    enr.refresh_from_db()
    first = rules.next_month(timezone.localdate())
    assert enr.status == "grace" and enr.grace_until == rules.add_months(first, 5)  # six months by default
    assert services.close_expired_grace(enr.grace_until) == 0  # still inside the last grace month
    assert services.close_expired_grace(rules.add_months(enr.grace_until, 1)) == 1
    enr.refresh_from_db()
    assert enr.status == "stopped" and "渐退期满" in enr.end_reason
    assert services.close_expired_grace(rules.add_months(enr.grace_until, 2)) == 0  # idempotent


def test_grace_months_follow_the_region_policy(users, enrolled, policy, regions):
    enr, _ = enrolled
    policy("grace_months", 3, region=regions["411702000000"])
    services.start_grace(users["approver"], enr, "就业")
    enr.refresh_from_db()
    assert enr.grace_until == rules.add_months(rules.next_month(timezone.localdate()), 2)


def test_suspend_resume_adjust_and_members(users, enrolled):
    enr, people = enrolled
    services.adjust(
        users["approver"], enr, monthly_amount="950", basis={"standard": "新标准 650 元/月"}, reasons="标准提高"
    )
    services.remove_member(users["approver"], enr, people[2], "迁出")
    with pytest.raises(ServiceError, match="不在保障成员中"):
        services.remove_member(users["approver"], enr, people[2], "迁出")
    services.add_member(users["approver"], enr, people[2], "迁回")
    services.suspend(users["approver"], enr, "待核查举报")
    with pytest.raises(ServiceError, match="停发"):
        services.adjust(users["approver"], enr, monthly_amount="1", basis={}, reasons="x")
    services.resume(users["approver"], enr, "核查无问题")
    enr.refresh_from_db()
    assert enr.status == "active" and enr.monthly_amount == Decimal("950.00")
    assert kinds(enr) == ["enrol", "adjust", "member_remove", "member_add", "suspend", "resume"]


def test_township_clerk_cannot_change_an_enrolment(users, enrolled):
    enr, _ = enrolled
    with pytest.raises(BusinessRuleError, match="无权") as refused:
        services.suspend(users["clerk_a"], enr, "x")
    assert refused.value.code == "assistance.no_authority"
    with pytest.raises(NotInScope):
        services.suspend(users["clerk_b"], enr, "x")
    assert Enrolment.objects.get(pk=enr.pk).status == "active"


def test_workdays_skip_national_holidays_and_follow_overrides():
    # 2026-09-30 (Wed) + 1 working day: 10月1日–7日 are the National Day holiday.
    assert workdays.add_workdays(datetime.date(2026, 9, 30), 1) == datetime.date(2026, 10, 8)
    assert workdays.add_workdays(datetime.date(2026, 11, 20), 1) == datetime.date(2026, 11, 23)  # Fri → Mon
    local = {datetime.date(2026, 11, 23): False}  # a local rest day
    assert workdays.add_workdays(datetime.date(2026, 11, 20), 1, local) == datetime.date(2026, 11, 24)
    assert workdays.workdays_between(datetime.date(2026, 11, 24), datetime.date(2026, 11, 20)) == -2
    assert not workdays.covered(datetime.date(2099, 1, 1))
    assert workdays.add_workdays(datetime.date(2099, 1, 2), 1) == datetime.date(2099, 1, 5)  # weekends only


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvers_at_once_make_one_enrolment(users, make_household, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    second = make_user("approver2", "approver", "411702000000")
    household, people = make_household()
    app = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    barrier = threading.Barrier(2)
    outcomes = []

    def run(actor):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            approve(actor, Application.objects.get(pk=app.pk))
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(str(exc))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (users["approver"], second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes)[0] == "ok" and outcomes.count("ok") == 1, outcomes
    assert any("已批准" in o for o in outcomes)
    assert Enrolment.objects.filter(application=app).count() == 1
    assert Application.objects.get(pk=app.pk).events.filter(action="approve").count() == 1


def test_county_sets_policy_and_calendar_township_cannot(users, regions):
    from huimin.assistance.models import RegionPolicy, WorkdayOverride

    county = "411702000000"
    with pytest.raises(Forbidden):
        services.set_policy(
            users["clerk_a"], key="grace_months", value="3", region_code=county, effective_from=timezone.localdate()
        )
    with pytest.raises(ServiceError, match="取值不合理"):
        services.set_policy(
            users["approver"], key="grace_months", value="2.5", region_code=county, effective_from=timezone.localdate()
        )
    with pytest.raises(NotInScope):
        services.set_policy(
            users["approver"], key="advance_max", value="500", region_code="411721000000",
            effective_from=timezone.localdate(),
        )  # fmt: skip
    assert not RegionPolicy.objects.filter(region__isnull=False).exists()
    services.set_policy(
        users["approver"], key="advance_max", value="500", region_code=county, effective_from=datetime.date(2026, 1, 1)
    )
    assert rules.policy_value("advance_max", "411702001001", timezone.localdate()) == Decimal("500.00")
    monday = datetime.date(2026, 11, 23)
    services.set_workday(users["approver"], day=monday, is_workday=False, region_code="411702001000", note="地方节日")
    assert WorkdayOverride.objects.count() == 1
    assert rules.due_date(datetime.date(2026, 11, 20), 1, "411702001001") == datetime.date(2026, 11, 24)
    assert rules.due_date(datetime.date(2026, 11, 20), 1, "411702002001") == monday  # other township unaffected


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dibao_and_tekun_approved_at_once_for_one_person_make_one_enrolment(users, make_household, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    second = make_user("approver3", "approver", "411702000000")
    household, people = make_household()
    single = end_publicity(walk(users, apply(users, household, people, code="dibao_single"), Stage.PUBLICITY))
    tekun = end_publicity(walk(users, apply(users, household, people, code="tekun_scattered"), Stage.PUBLICITY))
    barrier = threading.Barrier(2)
    outcomes = []

    def run(actor, app):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            approve(actor, Application.objects.get(pk=app.pk))
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(str(exc))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=a) for a in ((users["approver"], single), (second, tekun))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes.count("ok") == 1, outcomes
    assert any("同一人不能同时享受低保和特困供养" in o for o in outcomes), outcomes
    assert Enrolment.objects.filter(person=people[0]).count() == 1
