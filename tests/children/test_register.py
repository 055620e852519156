"""The child registers: criteria as data, guardians, the 儿童主任, the 18th birthday and the transitions list."""

import datetime

import pytest

from huimin.children import services
from huimin.children.models import RegisterEntry
from huimin.children.services import GuardianInput as G
from huimin.core.access import BusinessRuleError, Forbidden
from huimin.core.models import AuditEntry
from tests.children.conftest import TODAY, make_person
from tests.clock import at
from tests.conftest import VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db

ORPHAN = [G("father", "dead", "父"), G("mother", "missing", "母")]


def test_an_orphan_enters_the_register_with_guardians_evidence_and_director(staff):
    child = make_person(VILLAGE_A1, datetime.date(2015, 3, 1))
    entry = services.register_child(staff["supervisor"], child, "orphan", guardians=ORPHAN, director=staff["director"],
                                    evidence=[{"name": "死亡证明", "reference": "D-1"}])  # fmt: skip
    assert entry.status == "active" and entry.household_id == child.household_id
    assert [g.get_status_display() for g in entry.guardians.order_by("pk")] == ["死亡", "失踪"]
    assert entry.evidence.get().name == "死亡证明"
    assert entry.next_visit_due == TODAY + datetime.timedelta(days=30)
    assert AuditEntry.objects.filter(action="children.register.enter", object_id=str(entry.pk)).exists()


@pytest.mark.parametrize(
    ("category", "guardians", "ok"),
    [
        ("orphan", [G("father", "dead", "父"), G("mother", "imprisoned", "母")], False),
        ("de_facto", [G("father", "dead", "父"), G("mother", "imprisoned", "母")], True),
        ("de_facto", [G("father", "imprisoned", "父"), G("mother", "serious_illness", "母")], True),
        ("de_facto", [G("father", "normal", "父"), G("mother", "imprisoned", "母")], False),
        ("left_behind", [G("father", "migrant", "父"), G("mother", "migrant", "母")], True),
        ("left_behind", [G("father", "migrant", "父"), G("mother", "normal", "母")], False),
        ("distressed", [G("father", "severe_disability", "父")], True),
        ("distressed", [G("father", "normal", "父")], False),
    ],
)
def test_each_category_checks_its_criteria(staff, category, guardians, ok):
    child = make_person(VILLAGE_A2, datetime.date(2014, 5, 1))
    if ok:
        staff["director"].region_id = VILLAGE_A2
        staff["director"].save()
        assert services.register_child(staff["supervisor"], child, category, guardians=guardians,
                                        director=staff["director"])  # fmt: skip
    else:
        with pytest.raises(BusinessRuleError) as exc:
            services.register_child(staff["supervisor"], child, category, guardians=guardians,
                                    director=staff["director"])  # fmt: skip
        assert exc.value.code == "children.criteria" and "不符合" in exc.value.message
        assert not RegisterEntry.objects.exists()


def test_left_behind_children_are_under_16(staff):
    child = make_person(VILLAGE_A1, datetime.date(2010, 11, 20))  # 16 today
    with pytest.raises(BusinessRuleError, match="须未满 16 周岁"):
        services.register_child(staff["supervisor"], child, "left_behind",
                                guardians=[G("father", "migrant", "父"), G("mother", "migrant", "母")],
                                director=staff["director"])  # fmt: skip


def test_bad_input_is_refused_and_nothing_written(staff):
    child = make_person(VILLAGE_A1, datetime.date(2015, 3, 1))
    adult = make_person(VILLAGE_A1, datetime.date(2008, 11, 20))  # 18 today
    cases = [
        (child, [G("father", "dead", person_id=child.pk), G("mother", "dead", "母")], staff["director"],
         "children.guardian_is_child"),
        (adult, ORPHAN, staff["director"], "children.not_a_child"),
        (child, ORPHAN, staff["supervisor"], "children.director"),  # not a village 儿童主任
    ]  # fmt: skip
    for person, guardians, director, code in cases:
        with pytest.raises(BusinessRuleError) as exc:
            services.register_child(staff["supervisor"], person, "orphan", guardians=guardians, director=director)
        assert exc.value.code == code
    assert not RegisterEntry.objects.exists()
    with pytest.raises(Forbidden):
        services.register_child(staff["assistance_clerk"], child, "orphan", guardians=ORPHAN,
                                director=staff["director"])  # fmt: skip


def test_a_child_leaves_at_the_18th_birthday_idempotently_and_is_listed_before(staff):
    born = datetime.date(2008, 12, 10)  # 18 on 2026-12-10
    child = make_person(VILLAGE_A1, born)
    younger = make_person(VILLAGE_A1, datetime.date(2009, 3, 1))  # 18 on 2027-03-01, beyond 90 days
    entry = services.register_child(staff["supervisor"], child, "orphan", guardians=ORPHAN, director=staff["director"])
    services.register_child(staff["supervisor"], younger, "orphan", guardians=ORPHAN, director=staff["director"])
    listed = services.transitions(staff["county"], TODAY)
    assert [(e.pk, day) for e, day in listed] == [(entry.pk, datetime.date(2026, 12, 10))]
    assert services.daily(datetime.date(2026, 12, 9)) == {"ended": 0, "stopped": 0}
    entry.refresh_from_db()
    assert entry.status == "active"
    with at(2026, 12, 12):
        assert services.daily(datetime.date(2026, 12, 12))["ended"] == 1  # a missed day: still the birthday
        assert services.daily(datetime.date(2026, 12, 12))["ended"] == 0
    entry.refresh_from_db()
    assert entry.status == "ended" and entry.ended_on == born.replace(year=2026) and "18" in entry.end_reason


def test_the_daily_command_and_a_person_merge(staff, capsys):
    from django.core.management import call_command

    from huimin.children.registry_hooks import repoint_person

    child = make_person(VILLAGE_A1, datetime.date(2008, 11, 1))  # 18 on 2026-11-01
    twin = make_person(VILLAGE_A1, datetime.date(2012, 1, 1))
    kept = services.register_child(staff["supervisor"], twin, "orphan", guardians=ORPHAN, director=staff["director"])
    RegisterEntry.objects.create(person=child, category=kept.category, region_id=VILLAGE_A1,
                                 director=staff["director"], entered_on=datetime.date(2020, 1, 1),
                                 next_visit_due=TODAY, created_by="t")  # fmt: skip
    call_command("daily", "--date", "2026-11-20", "--only", "children.daily")
    assert "退出儿童名册 1 人" in capsys.readouterr().out
    repoint_person(child, twin)  # the twin was a duplicate of the (now adult) child
    assert RegisterEntry.objects.filter(person=child).count() == 2
