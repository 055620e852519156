"""老年人能力综合评估 (GB/T 42195-2022): the item table, the levels at each boundary on both sides, 昏迷 and the
one-level changes, the re-assessment date, and bad input refused with nothing written."""

import datetime

import pytest

from huimin.core.access import BusinessRuleError, NotInScope
from huimin.core.models import AuditEntry
from huimin.elderly import services
from huimin.elderly.models import Assessment, Domain, Item, Parameter, Score
from tests.conftest import VILLAGE_A1, VILLAGE_B1
from tests.elderly.conftest import make_person
from tests.elderly.helpers import scores_for_total

pytestmark = pytest.mark.django_db


def test_item_table_follows_the_standard(seeded):
    counts = {d.code: d.items.count() for d in Domain.objects.all()}
    assert counts == {"self_care": 8, "motor": 4, "mental": 9, "perception": 5}
    assert sum(i.max_score for i in Item.objects.all()) == 90
    assert all(i.scores() == list(range(i.max_score + 1)) for i in Item.objects.all())


def _assess(staff, person, total, **extra):
    data = {"assessed_on": "2026-11-18", "scores": scores_for_total(total), **extra}
    return services.do_assessment(staff["clerk"], person.pk, data)


@pytest.mark.parametrize(
    ("total", "level"),
    [(90, "intact"), (89, "mild"), (66, "mild"), (65, "moderate"), (46, "moderate"), (45, "severe"),
     (30, "severe"), (29, "complete"), (0, "complete")],
)  # fmt: skip
def test_level_at_each_boundary(staff, total, level):
    person = make_person(VILLAGE_A1, datetime.date(1940, 5, 1))
    a = _assess(staff, person, total)
    assert (a.total, a.base_level.code, a.level.code) == (total, level, level)
    assert sum(a.domain_totals.values()) == total
    assert Score.objects.filter(assessment=a).count() == 26


def test_worked_example_by_domain(staff):
    """All self-care and motor items need a lot of help (1 each), mind and perception intact: 8 + 4 + 28 + 14 = 54
    → 中度失能."""
    person = make_person(VILLAGE_A1, datetime.date(1938, 3, 3))
    scores = {i.code: (1 if i.domain.code in ("self_care", "motor") else i.max_score)
              for i in Item.objects.select_related("domain")}  # fmt: skip
    a = services.do_assessment(staff["clerk"], person.pk, {"assessed_on": "2026-11-20", "scores": scores})
    assert a.domain_totals == {"self_care": 8, "motor": 4, "mental": 28, "perception": 14}
    assert (a.total, a.level.name) == (54, "中度失能")


def test_coma_is_complete_dependence_and_an_adjustment_raises_one_level(staff):
    person = make_person(VILLAGE_A1, datetime.date(1940, 5, 1))
    coma = _assess(staff, person, 50, coma=True)
    assert (coma.base_level.code, coma.level.code) == ("moderate", "complete")
    raised = _assess(staff, person, 90, adjustments=["dementia", "care_risk"])
    assert (raised.base_level.code, raised.level.code) == ("intact", "mild")  # one level, however many reasons
    capped = _assess(staff, person, 10, adjustments=["psychiatric"])
    assert capped.level.code == "complete"


def test_next_due_follows_the_interval_as_data(staff):
    person = make_person(VILLAGE_A1, datetime.date(1940, 5, 1))
    assert _assess(staff, person, 70, assessed_on="2026-02-28").next_due == datetime.date(2027, 2, 28)
    Parameter.objects.filter(code="reassess_months").update(value=6)
    assert _assess(staff, person, 70, assessed_on="2026-08-31").next_due == datetime.date(2027, 2, 28)


def _refused(staff, person, data, exc=BusinessRuleError):
    before = (Assessment.objects.count(), Score.objects.count(), AuditEntry.objects.count())
    with pytest.raises(exc) as info:
        services.do_assessment(staff["clerk"], person.pk, data)
    assert (Assessment.objects.count(), Score.objects.count(), AuditEntry.objects.count()) == before
    return str(info.value)


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(staff):
    person = make_person(VILLAGE_A1, datetime.date(1940, 5, 1))
    scores = scores_for_total(70)
    missing = {k: v for k, v in scores.items() if k != "bathing"}
    assert "缺少 1 项得分：自理能力「洗澡」（B.1.3）" in _refused(staff, person, {"assessed_on": "2026-11-01",
                                                                             "scores": missing})  # fmt: skip
    assert "「视力」（B.4.1）的得分「3」不是该项目的选项（可选 0、1、2）" in _refused(
        staff, person, {"assessed_on": "2026-11-01", "scores": {**scores, "vision": 3}}
    )
    assert "不是该项目的选项" in _refused(staff, person, {"assessed_on": "2026-11-01",
                                                        "scores": {**scores, "eating": "四"}})  # fmt: skip
    assert "晚于今天（2026-11-20），不能登记未来的评估" in _refused(
        staff, person, {"assessed_on": "2026-11-21", "scores": scores}
    )
    assert "请填写评估日期" in _refused(staff, person, {"scores": scores})
    assert "未知的等级变更情形" in _refused(staff, person, {"assessed_on": "2026-11-01", "scores": scores,
                                                          "adjustments": ["nope"]})  # fmt: skip


def test_today_is_not_the_future(staff):
    person = make_person(VILLAGE_A1, datetime.date(1940, 5, 1))
    assert _assess(staff, person, 70, assessed_on="2026-11-20").assessed_on == datetime.date(2026, 11, 20)


def test_person_outside_the_assessors_region_or_too_young(staff):
    outside = make_person(VILLAGE_B1, datetime.date(1940, 5, 1))
    assert "不在您的管辖范围内" in _refused(staff, outside, {"assessed_on": "2026-11-01",
                                                           "scores": scores_for_total(70)}, NotInScope)  # fmt: skip
    # 60 on the day after the assessment date: not yet an older person that day
    young = make_person(VILLAGE_A1, datetime.date(1966, 11, 2))
    message = _refused(staff, young, {"assessed_on": "2026-11-01", "scores": scores_for_total(70)})
    assert "在 2026-11-01 未满 60 周岁，不在老年人名册中" in message
    assert _assess(staff, young, 70, assessed_on="2026-11-02").total == 70


def test_a_role_without_the_capability_is_forbidden(staff):
    from huimin.core.access import Forbidden

    person = make_person(VILLAGE_A1, datetime.date(1940, 5, 1))
    with pytest.raises(Forbidden):
        services.do_assessment(staff["assistant"], person.pk, {"assessed_on": "2026-11-01",
                                                               "scores": scores_for_total(70)})  # fmt: skip
    with pytest.raises(Forbidden):
        services.do_assessment(staff["assistance_clerk"], person.pk, {"assessed_on": "2026-11-01",
                                                                      "scores": scores_for_total(70)})  # fmt: skip
