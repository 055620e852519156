"""Inspections, findings and their deadlines, rectification and closure by a second person, overdue lists."""

import datetime

import pytest

from huimin.core import duties
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.models import DutyRule
from huimin.core.roles import BusinessLine
from huimin.supervision import services, subjects
from huimin.supervision.models import Finding, Rectification
from tests.clock import at
from tests.conftest import COUNTY, VILLAGE_A1, VILLAGE_B1
from tests.eldercare.helpers import institution

pytestmark = pytest.mark.django_db
LINE = BusinessLine.ELDERLY
KIND = "eldercare.institution"


@pytest.fixture
def inspected(staff):
    """A drawn inspection of an institution in township A, recorded by its inspector on 2026-11-20."""
    home = institution(VILLAGE_A1, by=staff["clerk"])
    row = services.draw(staff["approver"], purpose="检查", line=LINE, region=COUNTY, period="Q4",
                        population=[(KIND, home.pk, home.name)], inspectors=[staff["inspector1"], staff["inspector2"]],
                        count=1, seed=1, per_subject=1)  # fmt: skip
    planned = row.inspections.get()
    inspector = staff["inspector1"] if planned.inspector_id == staff["inspector1"].pk else staff["inspector2"]
    done = services.record_inspection(inspector, planned.pk, inspected_on="2026-11-20", summary="消防通道堵塞")
    return done, inspector


def test_only_a_drawn_inspector_records(staff, inspected):
    row, inspector = inspected
    assert row.status == "done" and row.inspected_on == datetime.date(2026, 11, 20)
    home = institution(VILLAGE_A1, by=staff["clerk"])
    draw = services.draw(staff["approver"], purpose="检查", line=LINE, region=COUNTY, period="Q4",
                         population=[(KIND, home.pk, home.name)], inspectors=[staff["inspector1"]], count=1,
                         per_subject=1)  # fmt: skip
    with pytest.raises(BusinessRuleError) as refused:
        services.record_inspection(staff["inspector2"], draw.inspections.get().pk, inspected_on="2026-11-20",
                                   summary="x")  # fmt: skip
    assert refused.value.code == "supervision.not_inspector"
    with pytest.raises(BusinessRuleError):  # a date in the future
        services.record_inspection(staff["inspector1"], draw.inspections.get().pk, inspected_on="2026-11-21",
                                   summary="x")  # fmt: skip


@pytest.mark.parametrize(("severity", "last_ok"), [("serious", 15), ("general", 30), ("minor", 60)])
def test_deadline_boundaries_per_severity(inspected, severity, last_ok):
    row, inspector = inspected
    day = datetime.date(2026, 11, 20)
    ok = services.add_finding(inspector, row.pk, description="问题", severity=severity,
                              deadline=day + datetime.timedelta(days=last_ok))  # fmt: skip
    assert ok.deadline == day + datetime.timedelta(days=last_ok)
    for bad in (day + datetime.timedelta(days=last_ok + 1), day):
        with pytest.raises(BusinessRuleError) as refused:
            services.add_finding(inspector, row.pk, description="问题", severity=severity, deadline=bad)
        assert refused.value.code == "supervision.bad_deadline"
    assert services.add_finding(inspector, row.pk, description="默认", severity=severity).deadline == (
        day + datetime.timedelta(days=last_ok)
    )
    assert Finding.objects.count() == 2


def test_rectification_is_closed_by_a_second_person(staff, inspected):
    row, inspector = inspected
    finding = services.add_finding(inspector, row.pk, description="消防通道堵塞", severity="serious")
    services.record_rectification(staff["clerk"], finding.pk, rectified_on="2026-11-20", note="已清理通道")
    with pytest.raises(BusinessRuleError):  # nothing more to record while it waits
        services.record_rectification(staff["clerk"], finding.pk, rectified_on="2026-11-20", note="again")
    reviewer = staff["township_reviewer"]
    closed = services.close_finding(staff["approver"], finding.pk, accept=False, note="照片不清")
    assert closed.status == "open"
    services.record_rectification(reviewer, finding.pk, rectified_on="2026-11-20", note="补充照片")
    with pytest.raises(BusinessRuleError) as refused:
        services.close_finding(reviewer, finding.pk)
    assert refused.value.code == duties.DUTY_CONFLICT
    assert str(refused.value) == (
        "同一人不能既登记整改又验收销号（职责分离：“检查发现问题整改验收”的登记整改与验收销号须由不同工作人员办理）"
    )
    assert Finding.objects.get(pk=finding.pk).status == "submitted"
    closed = services.close_finding(staff["approver"], finding.pk)
    assert closed.status == "closed" and closed.closed_by == staff["approver"]
    assert list(Rectification.objects.values_list("decision", flat=True)) == ["returned", "accepted"]


def test_the_rectification_rule_is_data_on_the_lines_that_supervise_and_cannot_be_ended(staff):
    procedure = duties.procedure_of(subjects.RECTIFICATION)
    assert LINE in procedure.lines  # eldercare registered its kind on the 养老服务 line
    rule = DutyRule.objects.get(procedure=subjects.RECTIFICATION, ended_at__isnull=True)
    assert (rule.first, rule.second) == ("record", "close")
    with pytest.raises(BusinessRuleError, match="必须由两人办理"):
        duties.end_rule(staff["approver"], rule.pk, "人手不足")
    with pytest.raises(Forbidden):  # a 社会救助 approver does not manage supervision's rules
        duties.add_rule(staff["assistance_approver"], subjects.RECTIFICATION, "close", "record")


def test_a_rectification_in_another_township_does_not_exist(staff, inspected):
    row, inspector = inspected
    finding = services.add_finding(inspector, row.pk, description="问题", severity="minor")
    with pytest.raises(NotInScope):
        services.record_rectification(staff["clerk_b"], finding.pk, rectified_on="2026-11-20", note="x")


def test_overdue_list_from_the_day_after_the_deadline(staff, inspected):
    row, inspector = inspected
    finding = services.add_finding(inspector, row.pk, description="问题", severity="serious")  # due 2026-12-05
    assert finding.deadline == datetime.date(2026, 12, 5)
    with at(2026, 12, 5):
        assert not services.overdue(staff["approver"]).exists()
    with at(2026, 12, 6):
        assert list(services.overdue(staff["approver"])) == [finding]
        assert list(services.overdue(staff["clerk"])) == [finding]
        assert not services.overdue(staff["clerk_b"]).exists()  # another township's
        services.record_rectification(staff["clerk"], finding.pk, rectified_on="2026-12-06", note="迟交")
        assert not services.overdue(staff["approver"]).exists()


def test_risks_and_complaints(staff):
    home = institution(VILLAGE_A1, by=staff["clerk"])
    risk = services.add_risk(staff["inspector1"], subject=(KIND, home.pk), line=LINE, category="fire", level="major",
                             description="电动车室内充电", identified_on="2026-11-19")  # fmt: skip
    assert risk.region_id == VILLAGE_A1 and risk.subject_label == home.name
    with pytest.raises(BusinessRuleError):
        services.add_risk(staff["inspector1"], subject=(KIND, home.pk), line=LINE, category="flood", level="major",
                          description="x", identified_on="2026-11-19")  # fmt: skip
    complaint = services.add_complaint(staff["clerk"], subject=(KIND, home.pk), line=LINE, received_on="2026-11-18",
                                       channel="phone", content="伙食差")  # fmt: skip
    with pytest.raises(NotInScope):
        services.add_complaint(staff["clerk_b"], subject=(KIND, home.pk), line=LINE, received_on="2026-11-18",
                               channel="phone", content="伙食差")  # fmt: skip
    services.handle_complaint(staff["approver"], complaint.pk, outcome="substantiated", note="已责令整改")
    record = services.record_of(KIND, home.pk)
    assert record["risks"] == [risk] and record["complaints"][0].outcome == "substantiated"
    other = institution(VILLAGE_B1, by=staff["clerk"])
    assert services.record_of(KIND, other.pk)["risks"] == []
