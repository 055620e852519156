"""The older people's register: who is in it (by birth date, scope), what the data suggests (derivation), and the
township's confirmation, rejection and 认定 — each with source and date, audited, bad input refused."""

import datetime

import pytest

from huimin.core.access import BusinessRuleError, NotInScope
from huimin.core.models import AuditEntry
from huimin.elderly import services
from huimin.elderly.models import CategoryMark
from huimin.registry import search
from huimin.registry.models import Household
from tests.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.elderly.conftest import TODAY, make_person
from tests.elderly.helpers import scores_for_total

pytestmark = pytest.mark.django_db


def _marks(person) -> dict[str, str]:
    return dict(CategoryMark.objects.filter(person=person).values_list("category__code", "status"))


def test_register_is_everyone_aged_60_or_more_in_scope(staff):
    sixty_today = make_person(VILLAGE_A1, datetime.date(1966, 11, 20))
    sixty_tomorrow = make_person(VILLAGE_A1, datetime.date(1966, 11, 21))
    dead = make_person(VILLAGE_A1, datetime.date(1930, 1, 1), is_deceased=True)
    unknown_birth = make_person(VILLAGE_A1, None)
    other_town = make_person(VILLAGE_B1, datetime.date(1940, 1, 1))
    mine = set(services.register(staff["clerk"]).values_list("pk", flat=True))
    assert sixty_today.pk in mine
    assert not mine & {sixty_tomorrow.pk, dead.pk, unknown_birth.pk, other_town.pk}
    assert other_town.pk in set(services.register(staff["approver"]).values_list("pk", flat=True))
    assert not services.register(staff["assistance_clerk"]).exists()  # 社会救助 line: no 养老服务 capability


def test_leap_day_birth_counts_on_1_march(staff):
    leap = make_person(VILLAGE_A1, datetime.date(1964, 2, 29))
    assert leap.pk not in set(services.register(staff["clerk"], datetime.date(2024, 2, 28)).values_list("pk", flat=1))
    assert leap.pk in set(services.register(staff["clerk"], datetime.date(2024, 2, 29)).values_list("pk", flat=1))
    assert leap.pk not in set(services.register(staff["clerk"], datetime.date(2023, 2, 28)).values_list("pk", flat=1))


def test_derivation_from_household_disability_age_and_status(staff):
    alone = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    couple_h = Household.objects.create(number="ELCOUPLE", region_id=VILLAGE_A1)
    husband = make_person(VILLAGE_A1, datetime.date(1946, 11, 20), couple_h)  # 80 today
    wife = make_person(VILLAGE_A1, datetime.date(1946, 11, 21), couple_h, disability_grade=2)  # 79
    family_h = Household.objects.create(number="ELFAMILY", region_id=VILLAGE_A1)
    grandma = make_person(VILLAGE_A1, datetime.date(1950, 1, 1), family_h, disability_grade=3,
                          special_statuses=["left_behind_elderly"])  # fmt: skip
    make_person(VILLAGE_A1, datetime.date(1996, 1, 1), family_h)
    result = services.do_derive(staff["clerk"])
    assert result.persons == 4
    assert _marks(alone) == {"living_alone": "proposed"}
    assert _marks(husband) == {"empty_nest": "proposed", "advanced_age": "proposed"}
    assert _marks(wife) == {"empty_nest": "proposed", "severe_disability": "proposed"}
    assert _marks(grandma) == {"left_behind": "proposed"}
    mark = CategoryMark.objects.get(person=wife, category__code="severe_disability")
    assert (mark.source, mark.basis, mark.source_date) == ("derived", "残疾等级 2 级", TODAY)
    assert AuditEntry.objects.filter(action="elderly.category.derive").count() == 1
    # a second run changes nothing
    again = services.do_derive(staff["clerk"])
    assert (again.proposed, again.refreshed, again.lapsed) == (0, 0, 0)


def test_dibao_through_the_registry_programme_hook_and_dependence_from_assessment(staff, monkeypatch):
    person = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    in_dibao = Household.objects.filter(pk=person.household_id).values("pk")
    hook = search.ProgrammeFilter(lambda: [("assistance:dibao", "城乡低保")], lambda code: in_dibao)
    monkeypatch.setattr(search, "PROGRAMME_FILTERS", [hook])
    services.do_assessment(staff["clerk"], person.pk, {"assessed_on": "2026-11-01", "scores": scores_for_total(50)})
    services.do_derive(staff["clerk"])
    assert _marks(person) == {"living_alone": "proposed", "dibao_tekun": "proposed", "dependent": "proposed"}
    assert CategoryMark.objects.get(person=person, category__code="dibao_tekun").basis == "家庭在保：assistance:dibao"


def test_decisions_stay_and_unsupported_suggestions_lapse(staff):
    person = make_person(VILLAGE_A1, datetime.date(1950, 1, 1), disability_grade=1)
    services.do_derive(staff["clerk"])
    alone = CategoryMark.objects.get(person=person, category__code="living_alone")
    services.do_decide(staff["clerk"], alone.pk, "confirm")
    # someone moves in and the disability record is corrected: 独居 stays confirmed, 重残 (undecided) lapses
    make_person(VILLAGE_A1, datetime.date(1990, 1, 1), person.household)
    person.disability_grade = None
    person.save()
    result = services.do_derive(staff["clerk"])
    assert result.lapsed == 1
    assert _marks(person) == {"living_alone": "confirmed", "severe_disability": "lapsed"}


def test_confirm_reject_and_township_add_are_audited(staff):
    person = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    services.do_derive(staff["clerk"])
    mark = CategoryMark.objects.get(person=person)
    with pytest.raises(BusinessRuleError, match="否定一项类别须写明理由"):
        services.do_decide(staff["clerk"], mark.pk, "reject", "  ")
    services.do_decide(staff["clerk"], mark.pk, "reject", "入户核实：与女儿同住")
    mark.refresh_from_db()
    assert (mark.status, mark.decided_by, mark.decided_on) == ("rejected", staff["clerk"], TODAY)
    with pytest.raises(BusinessRuleError, match="当前为已否定，不能否定"):
        services.do_decide(staff["clerk"], mark.pk, "reject", "再次")
    added = services.do_add(staff["clerk"], person.pk, "family_planning", "计生部门证明（独生子女死亡）",
                            datetime.date(2026, 11, 10))  # fmt: skip
    assert (added.status, added.source, added.source_date) == ("confirmed", "township", datetime.date(2026, 11, 10))
    actions = list(AuditEntry.objects.filter(action__startswith="elderly.category.").order_by("seq")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["elderly.category.derive", "elderly.category.reject", "elderly.category.add"]


def test_township_add_bad_input(staff):
    person = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    young = make_person(VILLAGE_A2, datetime.date(1980, 1, 1))
    outside = make_person(VILLAGE_B1, datetime.date(1950, 1, 1))
    before = (CategoryMark.objects.count(), AuditEntry.objects.count())
    cases = [
        ((person.pk, "family_planning", "证明", datetime.date(2026, 11, 21)), BusinessRuleError, "晚于今天"),
        ((person.pk, "family_planning", "", TODAY), BusinessRuleError, "须写明依据"),
        ((person.pk, "nope", "证明", TODAY), BusinessRuleError, "不存在"),
        ((young.pk, "family_planning", "证明", TODAY), BusinessRuleError, "未满 60 周岁"),
        ((outside.pk, "family_planning", "证明", TODAY), NotInScope, "管辖范围"),
    ]
    for args, exc, text in cases:
        with pytest.raises(exc, match=text):
            services.do_add(staff["clerk"], *args)
    assert (CategoryMark.objects.count(), AuditEntry.objects.count()) == before


def test_derive_outside_ones_region_is_refused(staff):
    with pytest.raises(NotInScope):
        services.do_derive(staff["clerk"], VILLAGE_B1)


def test_a_person_merge_brings_categories_and_assessments_along(staff):
    from huimin.elderly.models import Assessment
    from huimin.elderly.registry_hooks import repoint_person

    keep = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    drop = make_person(VILLAGE_A1, datetime.date(1950, 1, 1), disability_grade=1)
    services.do_derive(staff["clerk"])
    services.do_decide(staff["clerk"], CategoryMark.objects.get(person=drop, category__code="living_alone").pk,
                       "confirm")  # fmt: skip
    services.do_assessment(staff["clerk"], drop.pk, {"assessed_on": "2026-11-01", "scores": scores_for_total(80)})
    repoint_person(keep, drop)
    assert _marks(keep) == {"living_alone": "confirmed", "severe_disability": "proposed"}
    assert _marks(drop) == {"living_alone": "lapsed"}
    assert Assessment.objects.get().person == keep
