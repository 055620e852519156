"""生存认证: the due date and the grace boundary (the last day of grace vs the day after), the regional rule over
the national default, suspension (not deletion) and resumption on confirmation, the overdue list by township and
its export, the resident's own confirmation, and bad input."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from huimin.assistance.models import Enrolment, EnrolmentChange
from huimin.core.access import Forbidden, NotInScope
from huimin.core.roles import Role
from huimin.core.services import ServiceError
from huimin.eligibility import services
from huimin.eligibility.models import SurvivalConfirmation, SurvivalPolicy, SurvivalSuspension
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_B1
from tests.eligibility.conftest import enrol, make_person

D = datetime.date


@pytest.fixture
def recipient(subsidies, users):
    """Enrolled from January 2025, never confirmed: due on 2026-01-01, national grace 60 days → 2026-03-02."""
    person = make_person(grade=1)
    return enrol(person, "severe_care", start=D(2025, 1, 1), users=users)


def test_grace_boundary_last_day_of_grace_vs_the_day_after(recipient):
    with at(2026, 3, 2):
        (due,) = services.dues()
        assert (due.due_on, due.grace_until) == (D(2026, 1, 1), D(2026, 3, 2))
        assert services.suspend_unconfirmed() == 0
    recipient.refresh_from_db()
    assert recipient.status == Enrolment.Status.ACTIVE
    with at(2026, 3, 3):
        assert services.suspend_unconfirmed() == 1
        assert services.suspend_unconfirmed() == 0  # idempotent
    recipient.refresh_from_db()
    assert recipient.status == Enrolment.Status.SUSPENDED  # 停保, not deleted
    change = EnrolmentChange.objects.get(enrolment=recipient, kind="suspend")
    assert change.effective_month == D(2026, 4, 1) and "2026-03-02" in change.reasons
    assert SurvivalSuspension.objects.get().resumed_on is None


def test_confirmation_resumes_from_the_next_month_and_moves_the_due_date(recipient, users):
    with at(2026, 3, 3):
        services.suspend_unconfirmed()
    with at(2026, 3, 20):
        services.confirm(users["assistant_a"], recipient.person, channel="assistant", note="本人在家")
        (due,) = services.dues()
        assert due.due_on == D(2027, 3, 20)
    recipient.refresh_from_db()
    assert recipient.status == Enrolment.Status.ACTIVE
    resume = EnrolmentChange.objects.get(enrolment=recipient, kind="resume")
    assert resume.effective_month == D(2026, 4, 1)
    assert SurvivalSuspension.objects.get().resumed_on == D(2026, 3, 20)


def test_a_confirmation_in_time_prevents_the_suspension(recipient, users):
    with at(2026, 2, 10):
        services.confirm(users["clerk_a"], recipient.person, channel="visit")
    with at(2026, 3, 3):
        assert services.suspend_unconfirmed() == 0


def test_the_regions_rule_wins_over_the_national_default(recipient, users):
    SurvivalPolicy.objects.create(region_id=COUNTY, programmes=["severe_care"], cycle_months=12, grace_days=30,
                                  effective_from=D(2025, 1, 1))  # fmt: skip
    with at(2026, 1, 31):
        assert services.suspend_unconfirmed() == 0
    with at(2026, 2, 1):
        assert services.suspend_unconfirmed() == 1


def test_set_policy_is_county_business_and_checked(recipient, users, make_user):
    township_approver = make_user("approver_town", Role.APPROVER, TOWN_A)
    with at(2026, 1, 10):
        with pytest.raises(Forbidden):
            services.set_policy(users["clerk_a"], region=users["clerk_a"].region, cycle_months=12, grace_days=30,
                                effective_from=D(2026, 1, 1))  # fmt: skip
        with pytest.raises(ServiceError, match="县级或市级"):
            services.set_policy(township_approver, region=township_approver.region, cycle_months=12,
                                grace_days=30, effective_from=D(2026, 1, 1))  # fmt: skip
        with pytest.raises(ServiceError, match="0–365"):
            services.set_policy(users["approver"], region=users["approver"].region, cycle_months=12,
                                grace_days=400, effective_from=D(2026, 1, 1))  # fmt: skip
        services.set_policy(users["approver"], region=users["approver"].region, cycle_months=6, grace_days=10,
                            effective_from=D(2026, 1, 1))  # fmt: skip
        assert services.policy_for(TOWN_A, D(2026, 1, 10)).grace_days == 10
        assert services.policy_for(TOWN_A, D(2025, 12, 31)).grace_days == 60


def test_the_overdue_list_by_township_and_its_export(recipient, users, login):
    other = enrol(make_person(VILLAGE_B1, grade=2), "severe_care", start=D(2025, 1, 1), users=users)
    with at(2026, 2, 1):
        assert [d.enrolment for d in services.overdue_list(users["approver"], township=TOWN_A)] == [recipient]
        assert [d.enrolment for d in services.overdue_list(users["approver"], township=TOWN_B)] == [other]
        assert [d.enrolment for d in services.overdue_list(users["clerk_a"])] == [recipient]
        page = login(users["approver"]).get(f"/eligibility/survival/?township={TOWN_B}")
        assert page.status_code == 200 and other.person.name in page.content.decode()
        response = login(users["approver"]).get("/eligibility/survival/?export=xlsx")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "姓名" and len(rows) == 3 and rows[1][7] == "逾期（宽限期内）"
        assert recipient.person.id_number not in str(rows)  # masked


def test_confirming_on_the_page(recipient, users, login):
    with at(2026, 2, 1):
        client = login(users["clerk_a"])
        client.post(
            f"/eligibility/survival/{recipient.person_id}/confirm/", {"channel": "visit", "confirmed_on": "2026-01-30"}
        )
        assert SurvivalConfirmation.objects.get().confirmed_on == D(2026, 1, 30)
        assert login(users["clerk_b"]).post(f"/eligibility/survival/{recipient.person_id}/confirm/",
                                            {"channel": "visit"}).status_code == 404  # fmt: skip
        assert login(users["reviewer_a"]).post(f"/eligibility/survival/{recipient.person_id}/confirm/",
                                               {"channel": "visit"}).status_code == 403  # fmt: skip


def test_the_resident_confirms_online(recipient):
    with at(2026, 3, 3):
        services.suspend_unconfirmed()
        row = services.confirm(None, recipient.person, channel="", by_resident=True)
    assert row.channel == "portal" and row.recorded_by.startswith("本人")
    recipient.refresh_from_db()
    assert recipient.status == Enrolment.Status.ACTIVE


def test_bad_confirmations_write_nothing(recipient, users, subsidies):
    stranger = make_person(grade=4)
    with at(2026, 2, 1):
        with pytest.raises(ServiceError, match="没有需要生存认证的补贴"):
            services.confirm(users["clerk_a"], stranger, channel="visit")
        with pytest.raises(ServiceError, match="不能晚于今天"):
            services.confirm(users["clerk_a"], recipient.person, channel="visit", day=D(2026, 2, 2))
        with pytest.raises(ServiceError, match="认证方式"):
            services.confirm(users["clerk_a"], recipient.person, channel="phone")
        with pytest.raises(ServiceError, match="本人"):
            services.confirm(users["clerk_a"], recipient.person, channel="portal")
        with pytest.raises(NotInScope):
            services.confirm(users["clerk_b"], recipient.person, channel="visit")
        recipient.person.is_deceased = True
        recipient.person.save()
        with pytest.raises(ServiceError, match="已登记死亡"):
            services.confirm(users["clerk_a"], recipient.person, channel="visit")
    assert not SurvivalConfirmation.objects.exists()


def test_the_daily_command(recipient, capsys):
    from django.core.management import call_command

    with at(2026, 3, 3):
        call_command("daily", "--only", "eligibility.daily")
    assert "生存认证逾期停保 1 人" in capsys.readouterr().out
    recipient.refresh_from_db()
    assert recipient.status == Enrolment.Status.SUSPENDED
