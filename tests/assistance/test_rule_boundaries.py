"""The dates and amounts of the workflow's policy rules on both sides of each boundary (docs/testing.md): the day a
figure or a delegation takes effect and the day it ends, the amount equal to a delegation's limit, months across
a year's end, the stage after the last one."""

import datetime
from decimal import Decimal

import pytest

from huimin.assistance import rules, workflow
from huimin.assistance.models import Delegation, Programme, RegionPolicy, Stage
from huimin.registry.codes import LabourAbility
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A1, VILLAGE_B1

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(D(2026, 12, 15), 1, D(2027, 1, 1)), (D(2026, 11, 30), 1, D(2026, 12, 1)), (D(2026, 1, 31), 12, D(2027, 1, 1)),
     (D(2026, 1, 1), -1, D(2025, 12, 1)), (D(2026, 3, 1), 0, D(2026, 3, 1)), (D(2026, 1, 1), 23, D(2027, 12, 1))],
)  # fmt: skip
def test_add_months_crosses_the_years_end(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_next_month_of_the_last_and_first_day():
    assert rules.next_month(D(2026, 12, 31)) == D(2027, 1, 1)
    assert rules.next_month(D(2026, 2, 1)) == D(2026, 3, 1)
    assert rules.month_start(D(2026, 2, 28)) == D(2026, 2, 1)


def _policy(value, start, end=None, region=None, programme=None):
    return RegionPolicy.objects.create(key="grace_months", value=value, effective_from=start, effective_to=end,
                                       region_id=region, programme=programme)  # fmt: skip


@pytest.mark.django_db
def test_a_policy_figure_holds_from_its_first_day_to_its_last(regions):
    RegionPolicy.objects.filter(key="grace_months").delete()
    _policy("3", D(2026, 1, 1), D(2026, 6, 30), COUNTY)
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2025, 12, 31)) is None
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2026, 1, 1)) == Decimal("3.00")
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2026, 6, 30)) == Decimal("3.00")
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2026, 7, 1)) is None


@pytest.mark.django_db
def test_the_most_specific_region_then_the_programme_then_the_latest_date(regions):
    RegionPolicy.objects.filter(key="grace_months").delete()
    dibao = Programme.objects.get(code="dibao")
    _policy("1", D(2026, 1, 1), region=COUNTY)
    _policy("2", D(2026, 3, 1), region=COUNTY)
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2026, 2, 28)) == 1
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2026, 3, 1)) == 2
    _policy("4", D(2026, 1, 1), region=COUNTY, programme=dibao)
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2026, 3, 1), dibao) == 4
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2026, 3, 1)) == 2
    _policy("5", D(2026, 1, 1), region=TOWN_A)
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2026, 3, 1), dibao) == 5
    assert rules.policy_value("grace_months", VILLAGE_B1, D(2026, 3, 1), dibao) == 4
    assert rules.grace_months(VILLAGE_A1, D(2026, 3, 1), dibao) == 5
    RegionPolicy.objects.filter(key="grace_months").delete()
    with pytest.raises(LookupError):
        rules.grace_months(VILLAGE_A1, D(2026, 3, 1), dibao)


@pytest.mark.django_db
def test_a_delegation_holds_from_its_first_day_to_its_last_and_up_to_its_limit(regions):
    dibao = Programme.objects.get(code="dibao")
    Delegation.objects.filter(programme=dibao).delete()
    d = Delegation.objects.create(programme=dibao, county_id=COUNTY, township_id=TOWN_A, max_amount=Decimal("800"),
                                  effective_from=D(2026, 1, 1), effective_to=D(2026, 6, 30))  # fmt: skip
    assert rules.active_delegation(dibao, VILLAGE_A1, D(2025, 12, 31)) is None
    assert rules.active_delegation(dibao, VILLAGE_A1, D(2026, 1, 1)) == d
    assert rules.active_delegation(dibao, VILLAGE_A1, D(2026, 6, 30)) == d
    assert rules.active_delegation(dibao, VILLAGE_A1, D(2026, 7, 1)) is None
    assert rules.active_delegation(dibao, VILLAGE_B1, D(2026, 3, 1)) is None  # another township
    assert rules.within_delegation(d, Decimal("800.00")) and not rules.within_delegation(d, Decimal("800.01"))
    assert rules.within_delegation(d, None) and not rules.within_delegation(None, Decimal("1"))
    d.max_amount = None
    assert rules.within_delegation(d, Decimal("999999"))
    whole = Delegation.objects.create(programme=dibao, county_id=COUNTY, effective_from=D(2026, 2, 1))
    assert rules.active_delegation(dibao, VILLAGE_B1, D(2026, 3, 1)) == whole  # every township of the county
    assert rules.active_delegation(dibao, VILLAGE_A1, D(2026, 3, 1)) == whole  # the newer one


@pytest.mark.django_db
def test_a_programme_that_is_not_delegable_has_no_delegation(regions):
    programme = Programme.objects.filter(delegable=False).first()
    Delegation.objects.create(programme=programme, county_id=COUNTY, effective_from=D(2026, 1, 1))
    assert rules.active_delegation(programme, VILLAGE_A1, D(2026, 3, 1)) is None


class _P:
    def __init__(self, ability):
        self.labour_ability = ability


@pytest.mark.django_db
def test_review_cycle_is_shorter_only_for_unstable_income_with_someone_able_to_work():
    dibao = Programme.objects.get(code="dibao")
    able, unable = [_P(LabourAbility.ABLE)], [_P(LabourAbility.UNABLE)]
    default, short = int(dibao.review_cycle["default_months"]), int(dibao.review_cycle["unstable_able_months"])
    assert short < default
    assert rules.review_months(dibao, True, able) == short
    assert rules.review_months(dibao, True, unable) == default
    assert rules.review_months(dibao, False, able) == default
    one_off = Programme.objects.filter(review_cycle={}).first()
    assert rules.review_months(one_off, True, able) is None


def test_the_stage_after_the_last_is_the_decision_and_skipped_stages_are_skipped():
    stages = [Stage.ACCEPT, Stage.VERIFY, Stage.REVIEW, Stage.DECISION]
    assert workflow.next_stage(stages, Stage.ACCEPT) == Stage.VERIFY
    assert workflow.next_stage(stages, Stage.VERIFY) == Stage.REVIEW  # no visit, no appraisal
    assert workflow.next_stage(stages, Stage.REVIEW) == Stage.DECISION
    assert workflow.next_stage(stages, Stage.DECISION) == Stage.DECISION
    full = list(workflow.STAGE_ORDER)
    assert [workflow.next_stage(full, s) for s in full[:-1]] == full[1:]
    accept = workflow.ACTIONS["accept"]
    assert workflow.target(accept, stages, Stage.ACCEPT) == Stage.VERIFY
    assert workflow.target(workflow.ACTIONS["refuse"], stages, Stage.DECISION) == Stage.REFUSED
    assert workflow.target(workflow.ACTIONS["record_verification"], stages, Stage.VERIFY) == Stage.VERIFY


def test_stage_lists_are_validated_by_name():
    assert workflow.validate_stages([Stage.ACCEPT, Stage.VERIFY, Stage.REVIEW, Stage.DECISION]) == []
    problems = workflow.validate_stages([Stage.ACCEPT, "party", Stage.REVIEW, Stage.DECISION])
    assert problems == ["未知环节 party", f"缺少必经环节 {Stage.VERIFY.label}"]


def test_the_actions_of_each_stage_and_who_may_take_them():
    assert {a.code for a in workflow.allowed_actions(Stage.ACCEPT)} == {"accept", "not_accept", "advance", "forward"}
    assert {a.code for a in workflow.allowed_actions(Stage.PUBLICITY)} == {
        "refuse", "resolve_objection", "approve", "advance"}  # fmt: skip
    approve = workflow.ACTIONS["approve"]
    assert (approve.capability, approve.max_level, approve.to, approve.delegable) == (
        workflow.APPROVE, workflow.COUNTY, Stage.ENROLLED, True)  # fmt: skip
    review = workflow.ACTIONS["review"]
    assert (review.capability, review.max_level, review.to, review.delegable) == (
        workflow.REVIEW, workflow.TOWNSHIP, workflow.NEXT, False)  # fmt: skip


@pytest.mark.django_db
def test_grace_months_takes_the_programmes_own_figure(regions):
    RegionPolicy.objects.filter(key="grace_months").delete()
    dibao = Programme.objects.get(code="dibao")
    _policy("2", D(2026, 1, 1), region=COUNTY)
    _policy("4", D(2026, 1, 1), region=COUNTY, programme=dibao)
    assert rules.grace_months(VILLAGE_A1, D(2026, 3, 1), dibao) == 4
    RegionPolicy.objects.filter(key="grace_months").delete()
    with pytest.raises(LookupError) as refused:
        rules.grace_months(VILLAGE_A1, D(2026, 3, 1), dibao)
    assert refused.value.args == ("grace_months",)


@pytest.mark.django_db
def test_working_days_left_count_the_regions_own_calendar(regions):
    from huimin.assistance.models import WorkdayOverride
    from huimin.core import workdays

    friday, tuesday = D(2026, 11, 20), D(2026, 11, 24)
    plain = workdays.workdays_between(friday, tuesday, {})
    WorkdayOverride.objects.create(region_id=COUNTY, day=D(2026, 11, 21), is_workday=True)  # a working Saturday
    assert rules.workdays_left(friday, tuesday, VILLAGE_A1) == plain + 1
    assert rules.workdays_left(friday, tuesday, "411721001001") == plain  # another county's calendar


# --- written against mutmut's survivors of 2026-12-06 (docs/testing.md) ------------------------------------------


@pytest.mark.django_db
def test_a_due_date_counts_the_regions_own_calendar(regions):
    from huimin.assistance.models import WorkdayOverride

    friday = D(2026, 11, 20)
    plain = rules.due_date(friday, 2, VILLAGE_A1)  # Monday, Tuesday
    assert plain == D(2026, 11, 24)
    WorkdayOverride.objects.create(region_id=COUNTY, day=D(2026, 11, 21), is_workday=True)  # a working Saturday
    assert rules.due_date(friday, 2, VILLAGE_A1) == D(2026, 11, 23)
    assert rules.due_date(friday, 2, "411721001001") == plain  # another county's calendar
    assert rules.due_date(friday, None, VILLAGE_A1) is None


@pytest.mark.django_db
def test_the_later_dated_policy_figure_wins_whatever_the_order_of_entry(regions):
    RegionPolicy.objects.filter(key="grace_months").delete()
    _policy("2", D(2026, 3, 1), region=COUNTY)
    _policy("1", D(2026, 1, 1), region=COUNTY)  # entered later, dated earlier
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2026, 3, 1)) == 2
    _policy("3", D(2026, 3, 1), region=COUNTY)  # the same day as "2", entered later: a correction
    assert rules.policy_value("grace_months", VILLAGE_A1, D(2026, 3, 1)) == 3


@pytest.mark.django_db
def test_benefits_stop_from_the_month_after_death_or_the_regions_months(regions):
    RegionPolicy.objects.filter(key="death_stop_months").delete()
    assert rules.death_stop_month(VILLAGE_A1, D(2026, 11, 30)) == D(2026, 12, 1)  # the last day of a month
    assert rules.death_stop_month(VILLAGE_A1, D(2026, 12, 1)) == D(2027, 1, 1)  # the first day, across the year
    RegionPolicy.objects.create(key="death_stop_months", value="2", effective_from=D(2026, 12, 1), region_id=COUNTY)
    assert rules.death_stop_month(VILLAGE_A1, D(2026, 11, 30)) == D(2026, 12, 1)  # before the figure holds
    assert rules.death_stop_month(VILLAGE_A1, D(2026, 12, 1)) == D(2027, 2, 1)
    assert rules.death_stop_month("411721001001", D(2026, 12, 1)) == D(2027, 1, 1)  # another county
    RegionPolicy.objects.create(key="death_stop_months", value="0", effective_from=D(2026, 12, 2), region_id=COUNTY)
    assert rules.death_stop_month(VILLAGE_A1, D(2026, 12, 2)) == D(2027, 1, 1)  # never the month of death


@pytest.mark.django_db
def test_a_delegation_is_of_its_programme_and_county_and_the_latest_start_wins(regions):
    dibao = Programme.objects.get(code="dibao")
    other = Programme.objects.filter(delegable=True).exclude(pk=dibao.pk).first()
    Delegation.objects.filter(programme__in=[dibao, other]).delete()
    Delegation.objects.create(programme=other, county_id=COUNTY, effective_from=D(2026, 1, 1))
    Delegation.objects.create(programme=dibao, county_id="411721000000", effective_from=D(2026, 1, 1))
    assert rules.active_delegation(dibao, VILLAGE_A1, D(2026, 3, 1)) is None  # another programme, county
    later = Delegation.objects.create(programme=dibao, county_id=COUNTY, effective_from=D(2026, 2, 1))
    Delegation.objects.create(programme=dibao, county_id=COUNTY, effective_from=D(2026, 1, 1))  # entered after
    assert rules.active_delegation(dibao, VILLAGE_A1, D(2026, 3, 1)) == later
