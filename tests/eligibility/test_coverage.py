"""残疾人两项补贴覆盖率: eligible from the registry and the 残联's data, covered by a subsidy paying that month,
per region; the indicator (data) on the statistics board."""

import datetime
from decimal import Decimal

from huimin.assistance.models import Application, Enrolment, EnrolmentMember, Programme, Stage
from huimin.core.models import Region
from huimin.eligibility.coverage import coverage
from huimin.stats import indicators
from huimin.stats.models import Indicator
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_B1
from tests.eligibility.conftest import enrol, make_person, upload

D = datetime.date


def _dibao(person, users):
    app = Application.objects.create(
        number=f"DB-{person.pk}", programme=Programme.objects.get(code="dibao"), household=person.household,
        applicant=person, region_id=person.household.region_id, channel="window", reason="测试",
        stage=Stage.ENROLLED, stage_entered_on=D(2025, 1, 1), created_by=users["approver"],
    )  # fmt: skip
    enr = Enrolment.objects.create(programme=app.programme, household=person.household, application=app,
                                   region_id=person.household.region_id, monthly_amount="500.00",
                                   start_month=D(2025, 1, 1))  # fmt: skip
    EnrolmentMember.objects.create(enrolment=enr, person=person, added_on=D(2025, 1, 1))


def test_coverage_figures(subsidies, users):
    with at(2026, 3, 10):
        covered = make_person(grade=1)  # 应享, 已享
        waiting = make_person(grade=2)  # 应享, 未享
        low_income = make_person(grade=4)  # 应享 (低保), 未享
        mild = make_person(grade=4)  # not eligible: grade 4, not 低保
        revoked = make_person(grade=2)  # the registry says grade 2; the 残联 revoked it
        unregistered_grade = make_person()  # no grade in the registry; the 残联's data has grade 1
        elsewhere = make_person(VILLAGE_B1, grade=1)  # township B
        dead = make_person(grade=1)
        dead.is_deceased, dead.death_date = True, D(2026, 1, 5)
        dead.save()
        _dibao(low_income, users)
        enrol(covered, "severe_care", users=users)
        enrol(elsewhere, "severe_care", users=users)
        upload([{"person": revoked, "grade": 2, "status": "注销", "changed_on": "2026-01-10"},
                {"person": unregistered_grade, "grade": 1}], D(2026, 3, 1))  # fmt: skip
        a = coverage(TOWN_A, D(2026, 3, 31))
        assert (a.eligible, a.covered) == (4, 1)  # covered, waiting, low_income, unregistered_grade
        assert (coverage(TOWN_B, D(2026, 3, 31)).eligible, coverage(TOWN_B, D(2026, 3, 31)).covered) == (1, 1)
        county = coverage(COUNTY, D(2026, 3, 31))
        assert (county.eligible, county.covered) == (5, 2)
        assert waiting and mild
        indicator = Indicator.objects.get(code="disability_coverage")
        assert indicator.default_target == Decimal("100")
        value = indicators.value_of(indicator, users["statistician"], Region.objects.get(code=TOWN_A), D(2026, 3, 1))
        assert value == Decimal("25.00")
        # at the end of 2025 the 残联's extract (dated 2026-03-01) does not exist yet: the registry's grades hold
        # (revoked still grade 2, unregistered_grade unknown) and the person who died on 5 January was alive
        assert coverage(TOWN_A, D(2025, 12, 31)).eligible == 5


def test_a_suspended_or_stopped_subsidy_does_not_cover(subsidies, users):
    with at(2026, 3, 10):
        person = make_person(grade=1)
        enr = enrol(person, "severe_care", users=users)
        assert coverage(TOWN_A, D(2026, 3, 31)).covered == 1
        enr.status = Enrolment.Status.SUSPENDED
        enr.save()
        assert coverage(TOWN_A, D(2026, 3, 31)).covered == 0
    assert coverage(TOWN_B, D(2026, 3, 31)).eligible == 0


def test_no_eligible_person_has_no_value(subsidies, users):
    with at(2026, 3, 10):
        indicator = Indicator.objects.get(code="disability_coverage")
        assert indicators.value_of(indicator, users["statistician"], Region.objects.get(code=TOWN_B),
                                   D(2026, 3, 1)) is None  # fmt: skip
