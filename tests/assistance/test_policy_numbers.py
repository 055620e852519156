"""The policy numbers the workflow applies are the programme's data, each held at its boundary on both sides: how
old a hand-recorded 核对 report may be (``report_valid_days``), how many staff a home visit needs
(``min_visitors``) and the working days to complete the file after 先行救助 (``deadlines["advance_file"]``)."""

import datetime
import zoneinfo

import pytest
import time_machine

from huimin.assistance import rules, services
from huimin.assistance.models import Application, HomeVisit, ManualVerification, Programme, Stage
from huimin.core.services import ServiceError
from tests.assistance.conftest import apply, walk

NOW = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _record(users, app, days_before: int):
    day = TODAY - datetime.timedelta(days=days_before)
    return services.record_verification(
        users["clerk_a"], app, report_number=f"HD-{days_before}", report_date=day, conclusion="eligible", reasons="r"
    )


@pytest.mark.parametrize("valid_days", [30, 10])
def test_a_report_may_be_as_old_as_the_programme_allows_and_not_a_day_older(users, make_household, valid_days):
    Programme.objects.filter(code="dibao").update(report_valid_days=valid_days)
    household, people = make_household()
    app = services.accept(users["clerk_a"], apply(users, household, people))
    with pytest.raises(ServiceError, match=f"早于申请 {valid_days} 天以上"):
        _record(users, app, valid_days + 1)
    assert not ManualVerification.objects.filter(application=app).exists()
    assert _record(users, app, valid_days).report_date == TODAY - datetime.timedelta(days=valid_days)


@pytest.mark.parametrize("needed", [2, 3])
def test_a_visit_needs_the_programme_s_number_of_visitors(users, make_household, needed):
    Programme.objects.filter(code="dibao").update(min_visitors=needed)
    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.VISIT)
    too_few = "、".join(["王五", "赵六", "钱七"][: needed - 1])
    enough = "、".join(["王五", "赵六", "钱七"][:needed])
    services.record_visit(users["clerk_a"], app, visit_date=TODAY, visitors=too_few, findings="x")
    with pytest.raises(ServiceError, match=f"{needed} 名以上工作人员进行，现只填写了 {needed - 1} 名"):
        services.submit_visit(users["clerk_a"], app)
    assert Application.objects.get(pk=app.pk).stage == Stage.VISIT
    services.record_visit(users["clerk_a"], app, visit_date=TODAY, visitors=enough, findings="x")
    assert HomeVisit.objects.filter(application=app).count() == 1  # the saved record completed, not a second one
    assert services.submit_visit(users["clerk_a"], app).stage == Stage.REVIEW


@pytest.mark.parametrize("days", [5, 2])
def test_the_file_after_an_advance_is_due_after_the_programme_s_working_days(users, make_household, policy, days):
    temp = Programme.objects.get(code="temp_urgent")
    temp.deadlines = {**temp.deadlines, "advance_file": days}
    temp.save()
    policy("advance_max", 1000)
    household, people = make_household()
    app = services.record_advance(
        users["clerk_a"], apply(users, household, people, code="temp_urgent"), amount="500", paid_on=TODAY
    )
    assert app.file_due_on == rules.due_date(TODAY, days, app.region_id)
    assert rules.workdays_left(TODAY, app.file_due_on, app.region_id) == days


def test_an_advance_without_a_file_deadline_is_refused_and_changes_nothing(users, make_household, policy):
    temp = Programme.objects.get(code="temp_urgent")
    temp.deadlines = {k: v for k, v in temp.deadlines.items() if k != "advance_file"}
    temp.save()
    policy("advance_max", 1000)
    household, people = make_household()
    app = apply(users, household, people, code="temp_urgent")
    with pytest.raises(ServiceError, match="未设置先行救助后补办手续的时限"):
        services.record_advance(users["clerk_a"], app, amount="500", paid_on=TODAY)
    app = Application.objects.get(pk=app.pk)
    assert app.advance_paid_on is None and app.advance_amount is None and app.file_due_on is None


def test_the_migration_gives_every_programme_its_file_deadline(db):
    """Every programme that takes applications (受理) has the deadline of a 先行救助's file; 高龄津贴 takes none
    (免申即享: the township confirms the registry's proposal)."""
    taking = [p for p in Programme.objects.all() if "accept" in p.stages]
    assert taking and all(p.deadline_for("advance_file") is not None for p in taking)
