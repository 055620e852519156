"""The 工作台: each actor's to-dos, counted inside their region and only where they hold the capability; and
"上次登录" showing the login before this one."""

import datetime

import pytest

from huimin.assistance.models import Application, Enrolment, Programme, Stage
from huimin.benefits.models import PayrollMonth
from huimin.core import system_accounts, todos
from huimin.core.roles import Role
from huimin.registry import idnumbers
from huimin.registry.models import BankAccountChange, Household, Person
from tests.clock import at
from tests.conftest import COUNTY, OTHER_COUNTY, PASSWORD, VILLAGE_A1, VILLAGE_B1
from tests.monitoring.matrix_targets import make_warning

TODAY = datetime.date(2026, 11, 20)
_seq = iter(range(1, 1000))


def _person(region_code):
    n = next(_seq)
    household = Household.objects.create(number=f"H{region_code}{n:04d}", region_id=region_code, address="幸福路1号")
    person = Person.objects.create(
        name=f"王{n}", id_number=idnumbers.make("411702", datetime.date(1970, 1, 1), n), region_id=region_code,
        household=household,
    )  # fmt: skip
    household.head = person
    household.save()
    return person


def _application(users, region_code, stage, due_on=None):
    person = _person(region_code)
    return Application.objects.create(
        number=f"A{next(_seq):06d}", programme=Programme.objects.get(code="dibao"), household=person.household,
        applicant=person, region_id=region_code, channel="window", reason="生活困难", stage=stage,
        stage_entered_on=TODAY, stage_due_on=due_on, created_by=users["clerk_a"],
    )  # fmt: skip


def _counts(user, section=None):
    return {t.label: t for t in todos.for_user(user, TODAY) if section is None or t.section == section}


@pytest.fixture
def other_county_regions(regions):
    from huimin.core.models import Region

    Region.objects.create(code="411721001000", name="柏城街道", level=4, parent=regions[OTHER_COUNTY])
    return Region.objects.create(code="411721001001", name="西平村", level=5, parent_id="411721001000")


def test_a_township_clerk_sees_applications_at_their_stages_due_and_overdue_in_their_township(users):
    _application(users, VILLAGE_A1, Stage.ACCEPT, TODAY - datetime.timedelta(days=1))  # overdue
    _application(users, VILLAGE_A1, Stage.ACCEPT, TODAY + datetime.timedelta(days=3))  # due soon
    _application(users, VILLAGE_A1, Stage.ACCEPT, TODAY + datetime.timedelta(days=30))
    _application(users, VILLAGE_A1, Stage.VISIT, TODAY)
    _application(users, VILLAGE_B1, Stage.ACCEPT, TODAY - datetime.timedelta(days=5))  # another township
    _application(users, VILLAGE_A1, Stage.DECISION, TODAY)  # the county's step

    mine = _counts(users["clerk_a"], "assistance")
    assert (mine["申请待受理"].count, mine["申请待受理"].overdue, mine["申请待受理"].due_soon) == (3, 1, 1)
    assert mine["待入户调查"].count == 1 and mine["待入户调查"].due_soon == 1
    assert mine["申请待受理"].url == "/assistance/?stage=accept"
    assert "申请待审批" not in mine
    other = _counts(users["clerk_b"], "assistance")
    assert (other["申请待受理"].count, other["申请待受理"].overdue) == (1, 1)


def test_a_county_approver_sees_the_county_steps_only_inside_the_county(users, other_county_regions, make_user):
    _application(users, VILLAGE_A1, Stage.DECISION, TODAY - datetime.timedelta(days=2))
    _application(users, VILLAGE_B1, Stage.PUBLICITY, TODAY + datetime.timedelta(days=10))
    _application(users, other_county_regions.code, Stage.DECISION, TODAY)
    _application(users, VILLAGE_A1, Stage.ACCEPT, TODAY)

    mine = _counts(users["approver"], "assistance")
    assert set(mine) == {"公示期满待审批", "申请待审批"}
    assert (mine["申请待审批"].count, mine["申请待审批"].overdue) == (1, 1)
    assert mine["公示期满待审批"].count == 1
    other = make_user("approver_xp", Role.APPROVER, OTHER_COUNTY)
    assert _counts(other, "assistance")["申请待审批"].count == 1


def test_roles_without_the_capability_see_no_assistance_or_payroll_or_warning_item(users):
    _application(users, VILLAGE_A1, Stage.ACCEPT, TODAY)
    make_warning(VILLAGE_A1, due_on=TODAY)
    PayrollMonth.objects.create(region_id=COUNTY, month=datetime.date(2026, 11, 1))
    # the 协理员 records 生存认证 and takes note of certificate changes: those are his only to-dos
    assert set(_counts(users["assistant_a"])) == {"生存认证逾期", "残疾人证变更待知悉"}
    assert _counts(users["statistician"]) == {}
    assert set(_counts(users["sysadmin"])) == {"三员账号变更待确认"}  # its own duty, nothing of the business


def test_warnings_to_triage_are_counted_in_the_township_with_the_overdue(users):
    make_warning(VILLAGE_A1, due_on=TODAY - datetime.timedelta(days=1))
    make_warning(VILLAGE_A1, due_on=TODAY + datetime.timedelta(days=2))
    make_warning(VILLAGE_A1, due_on=TODAY + datetime.timedelta(days=2), status="verifying")  # already judged
    make_warning(VILLAGE_B1, due_on=TODAY)
    item = _counts(users["reviewer_a"])["预警待研判"]
    assert (item.count, item.overdue, item.due_soon) == (2, 1, 1)
    assert item.url == "/monitoring/?status=pending"
    assert _counts(users["approver"])["预警待研判"].count == 3


def test_payroll_months_to_review_approve_and_lock_in_the_county(users, make_user):
    PayrollMonth.objects.create(region_id=COUNTY, month=datetime.date(2026, 11, 1))
    PayrollMonth.objects.create(region_id=COUNTY, month=datetime.date(2026, 10, 1), status="reviewed")
    PayrollMonth.objects.create(region_id=COUNTY, month=datetime.date(2026, 9, 1), status="locked")
    PayrollMonth.objects.create(region_id=OTHER_COUNTY, month=datetime.date(2026, 11, 1))
    mine = _counts(users["approver"], "benefits")
    assert {label: t.count for label, t in mine.items()} == {
        "月度发放待复核": 1, "月度发放待审批": 1, "月度发放待锁定": 0,
    }  # fmt: skip
    assert _counts(users["clerk_a"], "benefits") == {}
    other = make_user("approver_xp", Role.APPROVER, OTHER_COUNTY)
    assert _counts(other, "benefits")["月度发放待复核"].count == 1


def test_bank_account_changes_to_confirm_are_another_accounts_inside_the_region(users):
    def change(region_code, requested_by):
        return BankAccountChange.objects.create(
            person=_person(region_code), bank_account="6222020200112233445", requested_by=requested_by
        )

    change(VILLAGE_A1, users["clerk_a"])
    change(VILLAGE_A1, users["reviewer_a"])  # the reviewer's own request: someone else confirms it
    change(VILLAGE_B1, users["clerk_b"])
    assert _counts(users["reviewer_a"])["银行账号变更待确认"].count == 1
    assert _counts(users["clerk_a"])["银行账号变更待确认"].count == 1
    assert _counts(users["approver"])["银行账号变更待确认"].count == 3
    assert "银行账号变更待确认" not in _counts(users["assistant_a"])


def test_system_account_requests_wait_for_a_second_system_role(users):
    system_accounts.request_change(
        users["security"], users["sysadmin"], "reset_password", reason="忘记密码"
    )  # fmt: skip
    assert _counts(users["auditor"])["三员账号变更待确认"].count == 1
    assert _counts(users["security"])["三员账号变更待确认"].count == 0  # the requester does not confirm
    assert "三员账号变更待确认" not in _counts(users["approver"])


def test_the_home_page_lists_the_to_dos_with_counts_and_links(users, login):
    _application(users, VILLAGE_A1, Stage.ACCEPT, TODAY - datetime.timedelta(days=1))
    with at(2026, 11, 20):
        page = login(users["clerk_a"]).get("/").content.decode()
    assert "我的待办" in page
    assert 'href="/assistance/?stage=accept">申请待受理</a>' in page
    assert "超期 1" in page


def _log_in(client, user):
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_previous_login_is_the_one_before_this_and_a_first_login_says_so(users, client):
    clerk = users["clerk_a"]
    with at(2026, 11, 18, 9, 5):
        _log_in(client, clerk)
        page = client.get("/").content.decode()
    assert "首次登录" in page and "上次登录" not in page
    client.post("/logout/")
    with at(2026, 11, 20, 8, 30):
        _log_in(client, clerk)
        page = client.get("/").content.decode()
    assert "上次登录：2026年11月18日 09:05" in page
    assert "首次登录" not in page


def test_a_session_from_before_the_previous_login_was_recorded_claims_nothing(users, client):
    _log_in(client, users["clerk_a"])
    session = client.session
    del session["huimin_previous_login"]
    session.save()
    page = client.get("/").content.decode()
    assert "首次登录" not in page and "上次登录" not in page


def test_reviews_due_are_counted_for_those_who_visit_inside_their_township(users):
    def enrolled(region_code, review_on):
        app = _application(users, region_code, Stage.ENROLLED)
        return Enrolment.objects.create(
            programme=app.programme, household=app.household, application=app, region_id=region_code,
            monthly_amount="500.00", start_month=datetime.date(2025, 12, 1), next_review_on=review_on,
        )  # fmt: skip

    enrolled(VILLAGE_A1, TODAY - datetime.timedelta(days=3))  # overdue
    enrolled(VILLAGE_A1, TODAY + datetime.timedelta(days=5))  # due soon
    enrolled(VILLAGE_A1, TODAY + datetime.timedelta(days=200))  # not yet
    enrolled(VILLAGE_B1, TODAY)  # another township
    item = _counts(users["clerk_a"])["到期复核（入户）"]
    assert (item.count, item.overdue, item.due_soon) == (2, 1, 1)
    assert item.url == "/assistance/reviews/"
    assert "到期复核（入户）" not in _counts(users["approver"])  # the county does not visit
