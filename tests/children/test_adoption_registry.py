"""收养登记 moves the child in the registry (registry services, one transaction with the approval): into the
adopter's household as 养子/养女, the agreed name (民法典第一千一百一十二条), back on 解除 — or, when the household he
came from no longer exists, left for the registry with a to-do of the adoption office. The registry timeline names
no certificate."""

import datetime
import itertools

import pytest

from huimin.children import adoption as svc
from huimin.children.error_codes import ChildrenErrorCode as E
from huimin.children.models import Adoption, FamilyAssessmentItem, PlacementRecord
from huimin.children.todos import adoption_registry_pending
from huimin.core.access import BusinessRuleError
from huimin.core.roles import BusinessLine, Role
from huimin.registry import idnumbers
from huimin.registry.models import Household, LifeEvent, Membership, Person
from tests.conftest import COUNTY, VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(staff, make_user):
    return {
        "a": staff["county"],
        "b": make_user("ch_county_b", Role.APPROVER, COUNTY, line=BusinessLine.CHILDREN, full_name="县收养登记员"),
    }


_SEQ = itertools.count(500)


def make_person(region: str, born: datetime.date, name: str, sex: str) -> Person:
    """A registry person whose ID number agrees with the sex (odd sequence: male), in a household of his own."""
    seq = next(_SEQ)
    seq += (seq % 2 == 0) == (sex == "1")
    household = Household.objects.create(number=f"T{region[-6:]}{seq:04d}", region_id=region)
    person = Person.objects.create(name=name, id_number=idnumbers.make("411702", born, seq), birth_date=born,
                                   sex=sex, region_id=region, household=household)  # fmt: skip
    Household.objects.filter(pk=household.pk).update(head=person)
    return person


def _household(region: str, number: str, members: list[tuple[Person, str]]) -> Household:
    """A registry household with its memberships (the first member is the head)."""
    household = Household.objects.create(number=number, region_id=region, head=members[0][0])
    for person, relation in members:
        Membership.objects.create(household=household, person=person, relation=relation,
                                  started_on=datetime.date(2020, 1, 1))  # fmt: skip
        Person.objects.filter(pk=person.pk).update(household=household, region_id=region)
    return household


@pytest.fixture
def family():
    """The child (a girl) in her grandmother's household of village A1; the adopting couple's household in A2."""
    child = make_person(VILLAGE_A1, datetime.date(2021, 4, 2), name="李小雨", sex="2")
    grandmother = make_person(VILLAGE_A1, datetime.date(1955, 1, 1), name="李奶奶", sex="2")
    adopter = make_person(VILLAGE_A2, datetime.date(1985, 6, 1), name="张收养", sex="1")
    spouse = make_person(VILLAGE_A2, datetime.date(1986, 2, 1), name="王配偶", sex="2")
    origin = _household(VILLAGE_A1, "A1-ORIGIN", [(grandmother, "01"), (child, "30")])
    home = _household(VILLAGE_A2, "A2-HOME", [(adopter, "01"), (spouse, "02")])
    for p in (child, adopter, spouse):
        p.refresh_from_db()
    return {"child": child, "adopter": adopter, "spouse": spouse, "origin": origin, "home": home}


def _registered(actor, office, f, **kw):
    adoption = svc.apply(actor, f["child"], f["adopter"], situation="hardship", sender="parents", sender_name="生父母",
                         has_spouse=True, spouse=f["spouse"], **kw)  # fmt: skip
    answers = {i.code: {"pass": "1"} for i in FamilyAssessmentItem.objects.filter(kind="adoption")}
    svc.assess(actor, adoption, answers, home_visit_on=datetime.date(2026, 11, 18), home_visit_note="家庭和睦",
               police_clear=True, police_reference="GA", health_clear=True, health_reference="TJ")  # fmt: skip
    svc.submit(office["a"], adoption)
    svc.decide(office["b"], adoption, True)
    adoption.refresh_from_db()
    return adoption


def test_approval_moves_the_child_into_the_adopters_household_as_adopted_daughter(staff, office, family):
    adoption = _registered(staff["supervisor"], office, family)
    child = Person.objects.get(pk=family["child"].pk)
    assert child.household_id == family["home"].pk and child.region_id == VILLAGE_A2
    now = Membership.objects.get(person=child, ended_on__isnull=True)
    assert (now.household_id, now.relation, now.started_on) == (family["home"].pk, "27", datetime.date(2026, 11, 20))
    old = Membership.objects.get(person=child, household=family["origin"])
    assert old.ended_on == datetime.date(2026, 11, 20)
    assert child.name == "李小雨"  # the parties kept the surname (the default): the name is not touched
    assert adoption.household_from_id == family["origin"].pk and adoption.relation_from == "30"
    assert "A2-HOME" in adoption.registry_note and "养女或继女" in adoption.registry_note
    # the registry's timeline says 依法收养 and never the certificate (it stays in the sealed archive)
    events = LifeEvent.objects.filter(person=child)
    assert {e.kind for e in events} == {"move_in", "move_out"}
    assert all(adoption.certificate_number not in (e.note + str(e.detail)) for e in events)
    assert all("依法收养" in e.note for e in events)


def test_the_surname_changes_only_when_the_parties_agreed_on_the_adopters(staff, office, family):
    adoption = _registered(staff["supervisor"], office, family, surname="adopter", new_name="张小雨")
    child = Person.objects.get(pk=family["child"].pk)
    assert child.name == "张小雨" and adoption.former_name == "李小雨"
    assert LifeEvent.objects.filter(person=child, kind="update", note__contains="姓名").exists()


def test_a_new_name_without_the_adopters_surname_is_refused_at_application_with_the_article(staff, family):
    for surname, name, message in (("adopter", "刘小雨", "第一千一百一十二条"), ("adopter", "", "登记后的姓名"),
                                   ("other", "", "姓氏")):  # fmt: skip
        with pytest.raises(BusinessRuleError, match=message):
            svc.apply(staff["supervisor"], family["child"], family["adopter"], situation="hardship", sender="parents",
                      sender_name="生父母", has_spouse=True, spouse=family["spouse"], surname=surname,
                      new_name=name)  # fmt: skip
    assert not Adoption.objects.exists()
    # the co-adopting spouse's surname is the adoptive mother's: allowed
    ok = svc.apply(staff["supervisor"], family["child"], family["adopter"], situation="hardship", sender="parents",
                   sender_name="生父母", has_spouse=True, spouse=family["spouse"], surname="adopter",
                   new_name="王小雨")  # fmt: skip
    assert ok.new_name == "王小雨"


def test_an_adopter_without_a_household_is_refused_at_application_naming_the_registry_page(staff):
    child = make_person(VILLAGE_A1, datetime.date(2021, 4, 2), name="孩子", sex="1")
    adopter = make_person(VILLAGE_A2, datetime.date(1980, 1, 1), name="无户", sex="1")
    Person.objects.filter(pk=adopter.pk).update(household=None)
    adopter.refresh_from_db()
    with pytest.raises(BusinessRuleError) as refused:
        svc.apply(staff["supervisor"], child, adopter, situation="orphan", sender="guardian", sender_name="监护人")
    assert refused.value.code == E.ADOPTER_HOUSEHOLD
    assert "登记家庭" in refused.value.message and "/registry/households/new/" in refused.value.message
    assert not Adoption.objects.exists()


def test_a_registry_refusal_at_approval_writes_nothing(staff, office, family):
    """The adopter's household was closed after 受理: the approval is refused and neither the adoption, the placement
    nor the registry changes."""
    adoption = svc.apply(staff["supervisor"], family["child"], family["adopter"], situation="hardship",
                         sender="parents", sender_name="生父母", has_spouse=True, spouse=family["spouse"])  # fmt: skip
    answers = {i.code: {"pass": "1"} for i in FamilyAssessmentItem.objects.filter(kind="adoption")}
    svc.assess(staff["supervisor"], adoption, answers, home_visit_on=datetime.date(2026, 11, 18),
               home_visit_note="好", police_clear=True, police_reference="", health_clear=True,
               health_reference="")  # fmt: skip
    svc.submit(office["a"], adoption)
    Household.objects.filter(pk=family["home"].pk).update(is_active=False, closed_reason="测试注销")
    with pytest.raises(BusinessRuleError) as refused:
        svc.decide(office["b"], adoption, True)
    assert refused.value.code == E.ADOPTER_HOUSEHOLD
    adoption.refresh_from_db()
    assert adoption.status == "submitted" and not adoption.certificate_number
    assert Person.objects.get(pk=family["child"].pk).household_id == family["origin"].pk
    assert not PlacementRecord.objects.filter(child=family["child"]).exists()
    assert not LifeEvent.objects.filter(person=family["child"]).exists()


def test_dissolution_moves_the_child_back_to_the_household_recorded_before(staff, office, family):
    adoption = _registered(staff["supervisor"], office, family)
    svc.dissolve(office["a"], adoption, "agreement", "双方协议解除", day=datetime.date(2026, 11, 20))
    adoption.refresh_from_db()
    child = Person.objects.get(pk=family["child"].pk)
    assert child.household_id == family["origin"].pk and child.region_id == VILLAGE_A1
    back = Membership.objects.get(person=child, ended_on__isnull=True)
    assert (back.household_id, back.relation) == (family["origin"].pk, "30")
    assert "迁回原家庭" in adoption.registry_note
    assert adoption_registry_pending(office["a"], datetime.date(2026, 11, 20)) == []


def test_dissolution_leaves_the_child_for_the_registry_when_his_household_no_longer_exists(staff, office, family):
    adoption = _registered(staff["supervisor"], office, family)
    Household.objects.filter(pk=family["origin"].pk).update(is_active=False, closed_reason="合户")
    svc.dissolve(office["a"], adoption, "court", "法院判决解除", day=datetime.date(2026, 11, 20))
    adoption.refresh_from_db()
    assert adoption.status == "dissolved"
    assert Person.objects.get(pk=family["child"].pk).household_id == family["home"].pk  # not moved
    assert "已注销" in adoption.registry_note and "待对象库工作人员办理迁移" in adoption.registry_note
    todos = adoption_registry_pending(office["a"], datetime.date(2026, 11, 20))
    assert [(t.label, t.count) for t in todos] == [("解除收养：被收养人户籍待迁移", 1)]
    assert adoption_registry_pending(staff["supervisor"], datetime.date(2026, 11, 20)) == []  # sealed: the office's


def test_an_orphan_heading_his_own_household_moves_and_comes_back_as_its_head(staff, office):
    child = make_person(VILLAGE_A1, datetime.date(2019, 4, 2), name="孤儿", sex="1")
    adopter = make_person(VILLAGE_A2, datetime.date(1980, 6, 1), name="张单", sex="1")
    own = _household(VILLAGE_A1, "A1-OWN", [(child, "01")])
    home = _household(VILLAGE_A2, "A2-SINGLE", [(adopter, "01")])
    child.refresh_from_db()
    adopter.refresh_from_db()
    adoption = svc.apply(staff["supervisor"], child, adopter, situation="orphan", sender="guardian",
                         sender_name="监护人")  # fmt: skip
    answers = {i.code: {"pass": "1"} for i in FamilyAssessmentItem.objects.filter(kind="adoption")}
    svc.assess(staff["supervisor"], adoption, answers, home_visit_on=datetime.date(2026, 11, 18),
               home_visit_note="好", police_clear=True, police_reference="", health_clear=True,
               health_reference="")  # fmt: skip
    svc.submit(office["a"], adoption)
    svc.decide(office["b"], adoption, True)
    now = Membership.objects.get(person=child, ended_on__isnull=True)
    assert (now.household_id, now.relation) == (home.pk, "17")
    own.refresh_from_db()
    assert own.head_id is None
    svc.dissolve(office["a"], adoption, "agreement", "协议解除")
    own.refresh_from_db()
    assert own.head_id == child.pk
    assert Membership.objects.get(person=child, ended_on__isnull=True).relation == "01"
