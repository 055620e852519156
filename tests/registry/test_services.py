import datetime

import pytest
from django.http import Http404

from huimin.core.models import AuditEntry, Region
from huimin.core.services import ServiceError
from huimin.registry import codes, services
from huimin.registry.models import Household, LifeEvent, Membership, Person
from huimin.registry.services import MemberInput
from tests.registry.conftest import TODAY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, id_for

pytestmark = pytest.mark.django_db
B1970 = datetime.date(1970, 3, 1)


def family(household_of, village=VILLAGE_A1, number=""):
    return household_of(
        village,
        [
            ("张三", B1970, 11, codes.HEAD),
            ("李梅", datetime.date(1972, 5, 6), 22, "02"),
            ("张小明", datetime.date(2000, 1, 2), 33, "10"),
        ],
        number=number,
    )


def kinds(household):
    return [e.kind for e in LifeEvent.objects.filter(household=household).order_by("id")]


def test_register_household_derives_sex_birth_urban_and_pinyin(household_of):
    household = family(household_of)
    head = household.head
    assert head.name == "张三" and head.sex == "1" and head.birth_date == B1970
    assert head.name_initials == "zs" and head.name_pinyin == "zhangsan"
    assert head.is_urban is True  # 交通路社区 has 城乡分类代码 111
    assert household.memberships.filter(ended_on__isnull=True).count() == 3
    assert kinds(household) == [codes.EventKind.REGISTER]
    entry = AuditEntry.objects.filter(action="registry.person.create").last()
    assert id_for(B1970, 11) not in str(entry.after) and entry.after["has_id_number"] is True


def test_registering_a_known_id_number_is_refused_naming_where(household_of):
    family(household_of)
    with pytest.raises(ServiceError, match="该身份证号已登记：张三.*交通路社区"):
        household_of(VILLAGE_A2, [("张三", B1970, 11, codes.HEAD)])
    assert Household.objects.count() == 1  # atomic: the second household was not left behind


def test_sex_or_birth_date_contradicting_the_id_number_is_refused(users):
    region = Region.objects.get(code=VILLAGE_A1)
    data = {"name": "王五", "id_number": id_for(B1970, 11), "sex": "2"}
    with pytest.raises(ServiceError, match="性别（女）与身份证号不符"):
        services.register_household(users["clerk_a"], region=region, members=[MemberInput("01", data)], on=TODAY)
    data = {"name": "王五", "id_number": id_for(B1970, 11), "birth_date": datetime.date(1971, 1, 1)}
    with pytest.raises(ServiceError, match="出生日期（1971-01-01）与身份证号不符"):
        services.register_household(users["clerk_a"], region=region, members=[MemberInput("01", data)], on=TODAY)


def test_person_without_id_needs_a_reason(users):
    region = Region.objects.get(code=VILLAGE_A1)
    with pytest.raises(ServiceError, match="无身份证号原因"):
        services.register_household(
            users["clerk_a"], region=region, members=[MemberInput("01", {"name": "无名"})], on=TODAY
        )
    household = services.register_household(
        users["clerk_a"], region=region, members=[MemberInput("01", {"name": "无名", "no_id_reason": "流浪乞讨人员"})],
        on=TODAY,
    )  # fmt: skip
    assert household.head.id_number == "" and household.head.no_id_reason == "流浪乞讨人员"


def test_birth_adds_a_member_with_event(household_of, users):
    household = family(household_of)
    baby = services.record_birth(
        users["clerk_a"], household, {"name": "张小宝", "no_id_reason": "婴儿未办证"}, "30", on=TODAY
    )
    assert baby.household == household and baby.birth_date == TODAY
    assert kinds(household)[-1] == codes.EventKind.BIRTH


def test_death_closes_membership_and_head_death_leaves_household_headless(household_of, users):
    household = family(household_of)
    head = household.head
    services.record_death(users["clerk_a"], head, on=TODAY, note="病故")
    head.refresh_from_db()
    household.refresh_from_db()
    assert head.is_deceased and head.death_date == TODAY and head.household is None
    assert household.head is None
    assert Membership.objects.get(person=head).end_reason == "死亡"
    event = LifeEvent.objects.get(kind=codes.EventKind.DEATH)
    assert "请办理变更户主" in event.note
    with pytest.raises(ServiceError, match="已登记死亡"):
        services.record_death(users["clerk_a"], head, on=TODAY)


def test_move_out_then_move_in_elsewhere_keeps_history(household_of, users):
    household = family(household_of)
    son = Person.objects.get(name="张小明")
    with pytest.raises(ServiceError, match="户主迁出前请先变更户主"):
        services.move_out(users["clerk_a"], household.head, on=TODAY)
    other = household_of(VILLAGE_A2, [("赵六", datetime.date(1960, 1, 1), 44, codes.HEAD)])
    services.add_member(users["clerk_a"], other, MemberInput("99", person=son), on=TODAY)
    son.refresh_from_db()
    assert son.household == other and son.region_id == VILLAGE_A2
    history = list(Membership.objects.filter(person=son).order_by("id").values_list("household__number", "ended_on"))
    assert history == [(household.number, TODAY), (other.number, None)]
    assert codes.EventKind.MOVE_OUT in kinds(household) and codes.EventKind.MOVE_IN in kinds(other)


def test_change_head_reopens_memberships(household_of, users):
    household = family(household_of)
    wife = Person.objects.get(name="李梅")
    old = household.head
    with pytest.raises(ServiceError, match="原户主与新户主的关系"):
        services.change_head(users["clerk_a"], household, wife, on=TODAY)
    services.change_head(users["clerk_a"], household, wife, on=TODAY, old_head_relation="02")
    household.refresh_from_db()
    assert household.head == wife
    assert Membership.objects.get(person=wife, ended_on__isnull=True).relation == "01"
    assert Membership.objects.get(person=old, ended_on__isnull=True).relation == "02"
    assert Membership.objects.filter(person=wife, end_reason="变更户主").count() == 1
    assert kinds(household)[-1] == codes.EventKind.HEAD_CHANGE


def test_split_and_merge_households(household_of, users):
    household = family(household_of)
    son = Person.objects.get(name="张小明")
    new = services.split_household(users["clerk_a"], household, {son.pk: "01"}, on=TODAY)
    son.refresh_from_db()
    assert son.household == new and new.head == son
    assert household.memberships.filter(ended_on__isnull=True).count() == 2
    services.merge_households(users["clerk_a"], household, new, {son.pk: "10"}, on=TODAY)
    new.refresh_from_db()
    son.refresh_from_db()
    assert not new.is_active and new.closed_reason == f"合户至 {household.number}"
    assert son.household == household
    assert Membership.objects.filter(person=son).count() == 3  # original, split, merged back
    assert kinds(new) == [codes.EventKind.SPLIT, codes.EventKind.MERGE]


def test_close_household_ends_memberships_and_keeps_rows(household_of, users):
    household = family(household_of)
    with pytest.raises(ServiceError, match="注销原因"):
        services.close_household(users["clerk_a"], household, reason="", on=TODAY)
    services.close_household(users["clerk_a"], household, reason="全户迁往外省", on=TODAY)
    household.refresh_from_db()
    assert not household.is_active and Person.objects.filter(household__isnull=True).count() == 3
    assert Membership.objects.filter(household=household).count() == 3
    with pytest.raises(ServiceError, match="已注销"):
        services.record_birth(users["clerk_a"], household, {"name": "甲", "no_id_reason": "婴儿"}, "10", on=TODAY)


def test_update_person_is_audited_without_plaintext(household_of, users):
    household = family(household_of)
    head = household.head
    services.update_person(
        users["clerk_a"], head, {"phone": "13912345678", "health": "serious", "serious_illness": "尿毒症"}
    )
    head.refresh_from_db()
    assert head.phone == "13912345678" and head.health == "serious"
    entry = AuditEntry.objects.filter(action="registry.person.update").last()
    assert "13912345678" not in str(entry.before) + str(entry.after)
    assert entry.after["has_phone"] is True and entry.before["has_phone"] is False
    with pytest.raises(ServiceError, match="重病诊断"):
        services.update_person(users["clerk_a"], head, {"serious_illness": ""})


def test_writes_outside_scope_are_404(household_of, users):
    household = household_of(VILLAGE_B1, [("孙七", B1970, 55, codes.HEAD)])
    with pytest.raises(Http404):
        services.record_death(users["clerk_a"], household.head, on=TODAY)
    with pytest.raises(Http404):
        household_of(VILLAGE_B1, [("周八", B1970, 66, codes.HEAD)], actor=users["clerk_a"])


def test_a_household_number_continues_its_villages_own_sequence(household_of, regions):
    Household.objects.create(number=f"{VILLAGE_A2}0001", region=regions[VILLAGE_A2])  # the next village's number
    first = family(household_of)
    assert first.number == f"{VILLAGE_A1}0001"  # another village's households do not count
    Household.objects.create(number=f"{VILLAGE_A1}0003", region=regions[VILLAGE_A1])  # typed in by hand
    assert services.next_household_number(regions[VILLAGE_A1]) == f"{VILLAGE_A1}0004"  # 0003 is taken: the next
