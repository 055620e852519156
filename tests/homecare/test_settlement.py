"""The impossible-record rules (each on both sides of its boundary), the settlement sums and 职责分离."""

import datetime
from decimal import Decimal

import pytest

from huimin.core import duties
from huimin.core.access import BusinessRuleError
from huimin.core.models import DutyRule
from huimin.homecare import settlement
from huimin.homecare.models import RecordFlag, Rule, Setting, Settlement
from huimin.registry.codes import EventKind
from huimin.registry.models import LifeEvent
from tests.conftest import COUNTY, VILLAGE_A1, VILLAGE_B1
from tests.homecare.helpers import at, older, order, provider, record

NOV = datetime.date(2026, 11, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(regions):
    p, c, w = provider(COUNTY, 1)
    person = older(VILLAGE_A1)
    return {"p": p, "c": c, "w": w, "o": order(person, p, c), "person": person}


def flags_of(rec) -> set[str]:
    settlement.check_month(COUNTY, NOV)
    return set(RecordFlag.objects.filter(record=rec).values_list("rule", flat=True))


def test_a_clean_record_is_not_flagged(setup):
    rec = record(setup["o"], setup["w"], at(2026, 11, 3), 60)
    assert flags_of(rec) == set()


def test_overlap_of_one_worker_flags_both_and_touching_records_do_not(setup):
    o, w = setup["o"], setup["w"]
    first = record(o, w, at(2026, 11, 3, 9), 60)
    touching = record(o, w, at(2026, 11, 3, 10), 30)  # starts when the first ends: not an overlap
    assert flags_of(first) == set() and flags_of(touching) == set()
    overlapping = record(o, w, at(2026, 11, 3, 10, 29), 30)  # one minute inside the one before
    settlement.check_month(COUNTY, NOV)
    flagged = set(RecordFlag.objects.filter(rule=Rule.OVERLAP).values_list("record_id", flat=True))
    assert flagged == {touching.pk, overlapping.pk}


def test_another_worker_at_the_same_time_is_no_overlap(setup):
    from huimin.homecare.models import Worker

    other = Worker.objects.create(provider=setup["p"], code="W9", name="护理员9")
    a = record(setup["o"], setup["w"], at(2026, 11, 3, 9), 60)
    b = record(setup["o"], other, at(2026, 11, 3, 9), 60)
    assert flags_of(a) == set() and flags_of(b) == set()


def test_end_before_or_at_start(setup):
    zero = record(setup["o"], setup["w"], at(2026, 11, 4), 0)
    one = record(setup["o"], setup["w"], at(2026, 11, 5), 1)
    backwards = record(setup["o"], setup["w"], at(2026, 11, 6), -30)
    assert Rule.END_BEFORE_START in flags_of(zero)
    assert Rule.END_BEFORE_START in flags_of(backwards)
    assert flags_of(one) == set()


def test_longer_than_the_item_allows(setup):
    limit = setup["o"].item.max_minutes  # 助餐: 120
    at_limit = record(setup["o"], setup["w"], at(2026, 11, 4, 8), limit)
    over = record(setup["o"], setup["w"], at(2026, 11, 5, 8), limit + 1)
    assert flags_of(at_limit) == set()
    assert flags_of(over) == {Rule.TOO_LONG}


def test_crossing_midnight_beyond_the_grace(setup):
    grace = int(Setting.objects.get(key="midnight_grace", region=None).value)  # 60
    within = record(setup["o"], setup["w"], at(2026, 11, 7, 23, 0), 60 + grace)  # ends 00:60 = at the grace
    beyond = record(setup["o"], setup["w"], at(2026, 11, 9, 23, 0), 60 + grace + 1)
    assert flags_of(within) == set()
    assert Rule.MIDNIGHT in flags_of(beyond)


def test_a_record_for_a_dead_person(setup):
    LifeEvent.objects.create(person=setup["person"], kind=EventKind.DEATH, occurred_on=datetime.date(2026, 11, 10))
    same_day = record(setup["o"], setup["w"], at(2026, 11, 10), 60)
    day_after = record(setup["o"], setup["w"], at(2026, 11, 11), 60)
    assert flags_of(same_day) == set()
    assert flags_of(day_after) == {Rule.DEAD}


def test_outside_the_contract_period(regions):
    p, c, w = provider(COUNTY, 2, starts=datetime.date(2026, 11, 5), ends=datetime.date(2026, 11, 25))
    o = order(older(VILLAGE_A1), p, c)
    recs = {d: record(o, w, at(2026, 11, d, 8 + d % 5), 30) for d in (4, 5, 25, 26)}
    settlement.check_month(COUNTY, NOV)
    flagged = set(RecordFlag.objects.filter(rule=Rule.OUT_OF_CONTRACT).values_list("record_id", flat=True))
    assert flagged == {recs[4].pk, recs[26].pk}


def test_unconfirmed(setup):
    rec = record(setup["o"], setup["w"], at(2026, 11, 3), 60, confirmed=False)
    assert flags_of(rec) == {Rule.UNCONFIRMED}


def test_settlement_sums_confirmed_unflagged_records_capped_per_order(setup, staff):
    p, c, w = setup["p"], setup["c"], setup["w"]
    o = setup["o"]  # 助餐 12 元/次, 100% subsidy, allowance 500 a month
    for d in range(1, 11):
        record(o, w, at(2026, 11, d, 11), 30)  # 10 × 12 = 120
    record(o, w, at(2026, 11, 11, 11), 30, confirmed=False)  # refused: unconfirmed
    record(o, w, at(2026, 11, 12, 11), 500)  # refused: too long
    mixed = order(older(VILLAGE_A1), p, c, item="clean", percent=50, allowance="40", price="35.00")
    for d in (1, 2, 3):
        record(mixed, w, at(2026, 11, d, 14), 90)  # 1.5 h × 35 = 52.50, half = 26.25 each → 78.75, capped 40
    record(mixed, w, at(2026, 10, 31, 14), 60)  # October: not in this month
    p2, c2, w2 = provider(COUNTY, 3)
    o2 = order(older(VILLAGE_B1), p2, c2)
    record(o2, w2, at(2026, 11, 5, 9), 45)
    s = settlement.build(staff["clerk"], COUNTY, NOV)
    lines = {line.provider_id: line for line in s.lines.all()}
    assert lines[p.pk].subsidy == Decimal("160.00") and lines[p.pk].records == 13 and lines[p.pk].flagged == 2
    assert lines[p2.pk].subsidy == Decimal("12.00") and lines[p2.pk].records == 1
    assert s.total == Decimal("172.00") and s.records == 14 and s.flagged == 2


def _refused(actor, pk, action) -> str:
    with pytest.raises(BusinessRuleError) as refused:
        settlement.advance(actor, pk, action)
    assert refused.value.code == duties.DUTY_CONFLICT
    return str(refused.value)


def test_three_people_build_review_and_approve(setup, staff):
    record(setup["o"], setup["w"], at(2026, 11, 3), 60)
    s = settlement.build(staff["clerk"], COUNTY, NOV)
    assert _refused(staff["clerk"], s.pk, "review") == (
        "同一人不能既生成服务结算又复核服务结算（职责分离：“居家养老服务结算”的生成结算与复核须由不同工作人员办理）"
    )
    settlement.advance(staff["reviewer"], s.pk, "review")
    assert _refused(staff["reviewer"], s.pk, "approve").startswith("同一人不能既复核服务结算又审批服务结算")
    assert _refused(staff["clerk"], s.pk, "approve").startswith("同一人不能既生成服务结算又审批服务结算")
    assert Settlement.objects.get(pk=s.pk).status == Settlement.Status.REVIEWED  # nothing written
    s = settlement.advance(staff["approver"], s.pk, "approve")
    assert s.status == Settlement.Status.APPROVED
    with pytest.raises(BusinessRuleError, match="不能重新生成"):
        settlement.build(staff["approver"], COUNTY, NOV)


def test_the_settlement_rules_are_data_and_the_approval_pairs_cannot_be_ended(setup, staff):
    rules = DutyRule.objects.filter(procedure=settlement.PROCEDURE, ended_at__isnull=True)
    assert set(rules.values_list("first", "second")) == {("build", "review"), ("build", "approve"),
                                                          ("review", "approve")}  # fmt: skip
    for first in ("build", "review"):
        with pytest.raises(BusinessRuleError, match="必须由两人办理"):
            duties.end_rule(staff["approver"], rules.get(first=first, second="approve").pk, "人手不足")
    duties.end_rule(staff["approver"], rules.get(first="build", second="review").pk, "乡镇人手不足，生成人自行复核")
    record(setup["o"], setup["w"], at(2026, 11, 3), 60)
    s = settlement.build(staff["clerk"], COUNTY, NOV)
    settlement.advance(staff["clerk"], s.pk, "review")  # the rule ended: the builder may review
    _refused(staff["clerk"], s.pk, "approve")  # but still not approve


def test_a_township_cannot_settle_a_county_and_a_township_is_no_county(setup, staff):
    with pytest.raises(BusinessRuleError, match="区县"):
        settlement.build(staff["clerk"], "411702001000", NOV)
