"""收养登记 from application to certificate (two people), the law's refusals with nothing written, the sealed
archive, dissolution, 家庭寄养 (assessment, the two-children limit, monthly visits, 家庭寄养费 on the payroll) and
the child's placement history."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from huimin.assistance.models import Application, Enrolment, EnrolmentChange, EnrolmentMember, Programme, Stage
from huimin.benefits import assess, payroll_engine
from huimin.benefits.models import ProgrammeFund, Standard
from huimin.children import adoption as svc
from huimin.children.error_codes import ChildrenErrorCode as E
from huimin.children.models import Adoption, FamilyAssessmentItem, FosterFamily, PlacementRecord
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.models import AuditEntry
from huimin.core.roles import BusinessLine, Role
from tests.children.conftest import make_person
from tests.clock import at
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(staff, make_user):
    """The county 收养登记机关: two approvers of the 儿童福利 line (登记审查 and 审批 by different people)."""
    return {
        "a": staff["county"],
        "b": make_user("ch_county_b", Role.APPROVER, COUNTY, line=BusinessLine.CHILDREN, full_name="县收养登记员"),
    }


def _all_pass(kind: str) -> dict:
    return {i.code: {"pass": "1", "note": ""} for i in FamilyAssessmentItem.objects.filter(kind=kind)}


def _adoption(actor, *, adopter_born=datetime.date(1985, 6, 1), adopter_sex="1", child_sex="2", has_spouse=True,
              child_born=datetime.date(2022, 5, 1), children=0, situation="hardship"):  # fmt: skip
    child = make_person(VILLAGE_A1, child_born, name="小雨", sex=child_sex)
    adopter = make_person(VILLAGE_A1, adopter_born, name="收养人", sex=adopter_sex)
    spouse = make_person(VILLAGE_A1, datetime.date(1986, 2, 1), name="配偶", sex="2") if has_spouse else None
    return svc.apply(actor, child, adopter, situation=situation, sender="parents", sender_name="生父母",
                     has_spouse=has_spouse, spouse=spouse, existing_children=children)  # fmt: skip


def _assess(actor, adoption, **kw):
    return svc.assess(actor, adoption, _all_pass("adoption"), home_visit_on=datetime.date(2026, 11, 18),
                      home_visit_note="住房宽敞，家庭和睦", police_clear=True, police_reference="GA-1",
                      health_clear=True, health_reference="TJ-1", **kw)  # fmt: skip


def test_an_adoption_from_application_to_certificate_by_two_people(staff, office):
    adoption = _adoption(staff["supervisor"])  # the township 督导员 receives it and assesses
    _assess(staff["supervisor"], adoption)
    with pytest.raises(Forbidden):  # 登记审查 is the county adoption office's
        svc.submit(staff["supervisor"], adoption)
    svc.submit(office["a"], adoption)
    with pytest.raises(BusinessRuleError) as refused:  # the one who reviewed does not approve
        svc.decide(office["a"], adoption, True)
    assert refused.value.code == "core.duty_conflict"
    svc.decide(office["b"], adoption, True, "准予登记")
    adoption.refresh_from_db()
    assert adoption.status == "registered" and adoption.registered_on == datetime.date(2026, 11, 20)
    assert adoption.certificate_number == "收字（2026）411702第00001号"
    history = list(svc.history(adoption.child))
    assert [(r.kind, r.started_on, r.ended_on) for r in history] == [("adopted", datetime.date(2026, 11, 20), None)]
    assert {"children.adoption.apply", "children.adoption.assess", "children.adoption.submit",
            "children.adoption.decide"} <= set(AuditEntry.objects.values_list("action", flat=True))  # fmt: skip


def test_a_single_man_adopting_a_girl_39_years_younger_is_refused_with_article_1102(staff, office):
    adoption = _adoption(office["a"], adopter_born=datetime.date(1982, 3, 15), child_born=datetime.date(2022, 3, 14),
                         has_spouse=False)  # fmt: skip
    _assess(office["a"], adoption)
    with pytest.raises(BusinessRuleError) as refused:
        svc.submit(office["a"], adoption)
    assert refused.value.code == E.ADOPTION_CONDITIONS
    assert "第一千一百零二条" in refused.value.message and "现相差 39 周岁" in refused.value.message
    adoption.refresh_from_db()
    assert adoption.status == "assessed" and adoption.submitted_by is None  # nothing written


def test_a_single_man_adopting_a_girl_exactly_40_years_younger_is_registered(staff, office):
    adoption = _adoption(office["a"], adopter_born=datetime.date(1982, 3, 15), child_born=datetime.date(2022, 3, 15),
                         has_spouse=False)  # fmt: skip
    _assess(office["a"], adoption)
    svc.submit(office["a"], adoption)
    svc.decide(office["b"], adoption, True)
    assert Adoption.objects.get(pk=adoption.pk).status == "registered"


def test_an_adopter_with_two_children_is_refused_with_article_1100_unless_the_child_is_an_orphan(staff, office):
    two = _adoption(office["a"], children=2)
    _assess(office["a"], two)
    with pytest.raises(BusinessRuleError, match="第一千一百条") as refused:
        svc.submit(office["a"], two)
    assert "现有子女 2 名" in refused.value.message
    one = _adoption(office["a"], children=1)
    _assess(office["a"], one)
    svc.submit(office["a"], one)  # 有子女的收养人可以收养一名
    orphan = _adoption(office["a"], children=2, situation="orphan")
    _assess(office["a"], orphan)
    svc.submit(office["a"], orphan)  # 第一千一百条第二款


def test_the_adopter_is_thirty_on_the_day_of_registration_not_before(staff, office):
    adoption = _adoption(office["a"], adopter_born=datetime.date(1996, 11, 21))  # 30 tomorrow
    _assess(office["a"], adoption)
    with pytest.raises(BusinessRuleError, match="第一千零九十八条第五项.*现年 29 周岁"):
        svc.submit(office["a"], adoption)
    with at(2026, 11, 21):
        svc.submit(office["a"], adoption)
        svc.decide(office["b"], adoption, True)
    assert Adoption.objects.get(pk=adoption.pk).registered_on == datetime.date(2026, 11, 21)


def test_a_child_on_the_eighth_birthday_must_consent(staff, office):
    adoption = _adoption(office["a"], child_born=datetime.date(2018, 11, 20))
    _assess(office["a"], adoption)
    with pytest.raises(BusinessRuleError, match="第一千一百零四条"):
        svc.submit(office["a"], adoption)
    _assess(office["a"], Adoption.objects.get(pk=adoption.pk), child_consents=True)
    svc.submit(office["a"], adoption)
    younger = _adoption(office["a"], child_born=datetime.date(2018, 11, 21))  # 8 tomorrow: no consent needed
    _assess(office["a"], younger)
    svc.submit(office["a"], younger)


def test_bad_assessments_are_refused_with_nothing_written(staff, office):
    adoption = _adoption(office["a"])
    answers = _all_pass("adoption")
    answers.pop("motive")
    with pytest.raises(BusinessRuleError, match="收养动机") as refused:
        svc.assess(office["a"], adoption, answers, home_visit_on=datetime.date(2026, 11, 18), home_visit_note="x",
                   police_clear=True, police_reference="", health_clear=True, health_reference="")  # fmt: skip
    assert refused.value.code == E.ASSESSMENT_ITEMS
    with pytest.raises(BusinessRuleError, match="入户调查日期"):
        svc.assess(office["a"], adoption, _all_pass("adoption"), home_visit_on=datetime.date(2026, 11, 21),
                   home_visit_note="x", police_clear=True, police_reference="", health_clear=True,
                   health_reference="")  # fmt: skip
    assert Adoption.objects.get(pk=adoption.pk).status == "applied"
    # a failed police check: assessed, but the law refuses to submit (第一千零九十八条第四项)
    svc.assess(office["a"], adoption, _all_pass("adoption"), home_visit_on=datetime.date(2026, 11, 18),
               home_visit_note="x", police_clear=False, police_reference="GA-2", health_clear=True,
               health_reference="")  # fmt: skip
    with pytest.raises(BusinessRuleError, match="第一千零九十八条第四项"):
        svc.submit(office["a"], adoption)
    with pytest.raises(BusinessRuleError, match="已有办理中"):
        svc.apply(office["a"], adoption.child, adoption.adopter, situation="hardship", sender="parents",
                  sender_name="x", has_spouse=True, spouse=adoption.spouse)  # fmt: skip
    with pytest.raises(NotInScope):
        svc.apply(office["a"], make_person(OTHER_COUNTY, datetime.date(2020, 1, 1)), adoption.adopter,
                  situation="hardship", sender="parents", sender_name="x")  # fmt: skip


def test_the_sealed_archive_is_the_adoption_offices_alone_and_every_read_is_audited(staff, office, client):
    adoption = _adoption(staff["supervisor"])
    assert svc.access_adoption_by_id(staff["supervisor"], adoption.pk) == adoption  # in progress: he sees it
    _assess(staff["supervisor"], adoption)
    svc.submit(office["a"], adoption)
    svc.decide(office["b"], adoption, True)
    with pytest.raises(NotInScope):
        svc.access_adoption_by_id(staff["supervisor"], adoption.pk)
    assert not svc.visible_adoptions(staff["supervisor"]).exists()
    client.force_login(staff["supervisor"])
    assert client.get(reverse("children:adoption", args=[adoption.pk])).status_code == 404
    assert client.get(reverse("children:adoption_certificate", args=[adoption.pk])).status_code == 404
    client.force_login(staff["director"])  # a 儿童主任: no adoption capability at all
    assert client.get(reverse("children:adoption", args=[adoption.pk])).status_code == 403
    client.force_login(office["b"])
    reads = AuditEntry.objects.filter(action="children.adoption.archive_read").count()
    page = client.get(reverse("children:adoption_certificate", args=[adoption.pk]))
    assert page.status_code == 200 and adoption.certificate_number in page.content.decode()
    assert AuditEntry.objects.filter(action="children.adoption.archive_read").count() == reads + 1


def test_dissolution_returns_the_child_to_the_institution_in_the_history(staff, office):
    adoption = _adoption(office["a"])
    _assess(office["a"], adoption)
    svc.submit(office["a"], adoption)
    svc.decide(office["b"], adoption, True)
    with pytest.raises(BusinessRuleError, match="解除原因"):
        svc.dissolve(office["a"], adoption, "agreement", "")
    with at(2026, 12, 1):
        svc.dissolve(office["a"], adoption, "agreement", "双方协议解除")
    adoption.refresh_from_db()
    assert adoption.status == "dissolved" and adoption.dissolution_number
    kinds = [(r.kind, r.ended_on) for r in svc.history(adoption.child)]
    assert kinds == [("institution", None), ("adopted", datetime.date(2026, 12, 1))]


# --- 家庭寄养 --------------------------------------------------------------------------------------------------------


def _family(actor, born=datetime.date(1975, 1, 1)):
    carer = make_person(VILLAGE_A1, born, name="寄养妈妈", sex="2")
    return svc.apply_family(actor, carer, address="一村 8 号")


def test_a_foster_family_is_assessed_takes_two_children_at_most_and_is_visited_monthly(staff, office):
    with pytest.raises(BusinessRuleError, match="第八条.*现年 29 周岁"):
        _family(office["a"], born=datetime.date(1996, 11, 21))
    family = _family(office["a"], born=datetime.date(1996, 11, 20))  # 30 today
    child = make_person(VILLAGE_A1, datetime.date(2019, 1, 1), name="寄养儿")
    with pytest.raises(BusinessRuleError, match="已认定"):
        svc.place_in_family(office["a"], family, child, institution="市儿童福利院",
                            started_on=datetime.date(2026, 11, 1))  # fmt: skip
    answers = _all_pass("foster")
    answers["income"] = {"pass": "0", "note": "收入不稳定"}
    refused = svc.assess_family(office["a"], _family(office["a"]), answers, "入户")
    assert refused.status == FosterFamily.Status.REFUSED
    svc.assess_family(office["a"], family, _all_pass("foster"), "家庭和睦，住房宽敞")
    placement = svc.place_in_family(office["a"], family, child, institution="市儿童福利院",
                                    started_on=datetime.date(2026, 11, 1))  # fmt: skip
    assert placement.next_visit_due == datetime.date(2026, 12, 1)
    assert placement.term_ends_on == datetime.date(2027, 10, 31)
    svc.place_in_family(office["a"], family, make_person(VILLAGE_A1, datetime.date(2020, 1, 1)),
                        institution="市儿童福利院", started_on=datetime.date(2026, 11, 1))  # fmt: skip
    with pytest.raises(BusinessRuleError, match="第九条.*已寄养 2 人"):
        svc.place_in_family(office["a"], family, make_person(VILLAGE_A1, datetime.date(2021, 1, 1)),
                            institution="市儿童福利院", started_on=datetime.date(2026, 11, 1))  # fmt: skip
    assert list(svc.foster_visits_due(staff["director"], datetime.date(2026, 12, 1))) != []
    svc.record_foster_visit(staff["director"], placement, datetime.date(2026, 11, 20), "适应良好")
    placement.refresh_from_db()
    assert placement.next_visit_due == datetime.date(2026, 12, 20)
    with pytest.raises(Forbidden):  # the 儿童主任 visits; ending a placement is the office's
        svc.end_placement(staff["director"], placement, "回院")
    svc.end_placement(office["a"], placement, "回儿童福利院")
    assert [r.kind for r in svc.history(child)] == ["institution", "foster"]


def test_the_register_entry_opens_the_placement_history_and_shows_the_current_placement(staff, office):
    from huimin.children import services
    from huimin.children.services import GuardianInput as G

    child = make_person(VILLAGE_A1, datetime.date(2019, 1, 1), name="孤儿")
    entry = services.register_child(staff["supervisor"], child, "orphan", guardians=[G("father", "dead", "父"),
                                    G("mother", "dead", "母")], director=staff["director"],
                                    placement="institution")  # fmt: skip
    assert PlacementRecord.objects.get(child=child).kind == "institution"
    family = _family(office["a"])
    svc.assess_family(office["a"], family, _all_pass("foster"), "好")
    svc.place_in_family(office["a"], family, child, institution="市儿童福利院", started_on=datetime.date(2026, 11, 20))
    entry.refresh_from_db()
    assert entry.placement == "foster"


def test_the_foster_fee_is_a_programme_of_the_children_line_paid_by_the_monthly_payroll(regions, users):
    programme = Programme.objects.get(code="foster_care")
    assert programme.business_line == "children" and programme.kind == "foster_care"
    assert ProgrammeFund.objects.filter(programme=programme).exists()
    Standard.objects.create(kind="foster_care", region_id=COUNTY, value=Decimal("1200"),
                            effective_from=datetime.date(2026, 1, 1), source="演示")  # fmt: skip
    result = assess.calculate("foster_care", VILLAGE_A1, datetime.date(2026, 12, 1), None, assess.inputs_of({}))
    assert result.amount == Decimal("1200.00") and "家庭寄养费" in result.formula
    child = make_person(VILLAGE_A1, datetime.date(2019, 1, 1))
    start = datetime.date(2026, 11, 1)
    app = Application.objects.create(number="JY-1", programme=programme, household=child.household, applicant=child,
                                     region_id=child.region_id, channel="window", reason="寄养",
                                     stage=Stage.ENROLLED, stage_entered_on=start, created_by=users["approver"],
                                     beneficiary=child)  # fmt: skip
    enr = Enrolment.objects.create(programme=programme, household=child.household, application=app, person=child,
                                   region_id=child.region_id, monthly_amount="1200.00", start_month=start,
                                   basis={"standard": "1200"})  # fmt: skip
    EnrolmentMember.objects.create(enrolment=enr, person=child, added_on=start)
    EnrolmentChange.objects.create(enrolment=enr, kind="enrol", effective_month=start, after={"amount": "1200.00"},
                                   reasons="纳入", actor="t")  # fmt: skip
    month = datetime.date(2026, 12, 1)
    lines = payroll_engine.compute(payroll_engine.load_inputs(connection, "411702", month, []), month, [])
    assert sum(r["cents"] for r in lines.to_pylist() if r["enrolment_id"] == enr.pk) == 120000
