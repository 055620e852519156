"""收养登记's day, in the browser (axe-core on every page): the township 督导员 receives an application and records
the 收养评估 (every item, the home visit, the police and health checks); the county's 收养登记员 makes the 登记审查;
the 儿童福利科 approves, and the 收养登记证 is shown. The 督导员 then finds the sealed archive gone (404), and every
read of it by the office is audited."""

import datetime

import pytest

from huimin.children.models import Adoption, FamilyAssessmentItem
from huimin.core.models import AuditEntry
from huimin.core.roles import BusinessLine, Role
from tests.children.conftest import make_person
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A1
from tests.e2e.conftest import DESKTOP, log_in_as, log_out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_adoption_from_application_and_assessment_to_the_certificate(open_page, regions, make_user):
    line = BusinessLine.CHILDREN
    supervisor = make_user("ch_supervisor", Role.REVIEWER, TOWN_A, line=line, full_name="李督导")
    make_user("ch_registrar", Role.APPROVER, COUNTY, line=line, full_name="县收养登记员")
    make_user("ch_county", Role.APPROVER, COUNTY, line=line, full_name="县儿童福利科")
    with at(2026, 11, 20):
        child = make_person(VILLAGE_A1, datetime.date(2022, 6, 1), name="小雨", sex="2")
        adopter = make_person(VILLAGE_A1, datetime.date(1984, 3, 1), name="陈收养", sex="1")
        spouse = make_person(VILLAGE_A1, datetime.date(1986, 7, 1), name="林配偶", sex="2")
    items = list(FamilyAssessmentItem.objects.filter(kind="adoption"))
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        log_in_as(page, supervisor.username)
        page.get_by_role("link", name="收养登记").first.click()
        page.get_by_role("link", name="受理收养登记申请").click()
        page.get_by_label("被收养人身份证号", exact=True).fill(child.id_number)
        page.get_by_label("被收养人情形").select_option(label="生父母有特殊困难无力抚养的子女")
        page.get_by_label("送养人", exact=True).select_option(label="生父母")
        page.get_by_label("送养人名称（机构名称或姓名）").fill("小雨生父母")
        page.get_by_label("收养人身份证号", exact=True).fill(adopter.id_number)
        page.get_by_label("共同收养人（配偶）身份证号").fill(spouse.id_number)
        page.get_by_label("收养人有配偶（有配偶者须夫妻共同收养）").check()
        page.get_by_role("button", name="受理", exact=True).click()
        page.get_by_text("已受理收养登记申请").wait_for()
        for item in items:
            page.locator(f"#item_{item.code}").select_option(label="符合")
        page.get_by_label("入户调查日期").fill("2026-11-18")
        page.get_by_label("入户调查情况").fill("住房宽敞，夫妻和睦，已准备儿童房")
        page.get_by_label("无违法犯罪记录（公安机关证明）").select_option(label="无犯罪记录")
        page.get_by_label("证明编号", exact=True).fill("驿公证字2026-118")
        page.get_by_label("体检结论").select_option(label="未患不应当收养子女的疾病")
        page.get_by_label("体检证明编号").fill("TJ-2026-77")
        page.get_by_role("button", name="登记评估").click()
        page.get_by_text("已登记收养评估").wait_for()
        page.get_by_text("登记审查由县级收养登记机关办理").wait_for()
        adoption = Adoption.objects.get()
        log_out(page)

        log_in_as(page, "ch_registrar")
        page.get_by_role("link", name="收养登记").first.click()
        page.locator("[data-testid=children-adoptions]").get_by_role("link", name=adoption.number).click()
        page.get_by_text("符合民法典第一千零九十三条至第一千一百零四条规定的收养条件").wait_for()
        page.get_by_role("button", name="提交登记审批").click()
        page.get_by_text("已提交登记审批").wait_for()
        page.get_by_role("button", name="准予登记").click()  # the one who reviewed cannot approve
        page.get_by_text("同一人不能既审查收养登记又审批收养登记").wait_for()
        log_out(page)

        log_in_as(page, "ch_county")
        page.goto(f"/children/adoptions/{adoption.pk}/")
        page.get_by_label("审批意见").fill("符合收养条件，准予登记")
        page.get_by_role("button", name="准予登记").click()
        page.get_by_text("已准予登记，收养登记证已生成").wait_for()
        page.get_by_role("link", name="收养登记证").click()
        certificate = page.locator("[data-testid=adoption-certificate]")
        certificate.get_by_text("收字（2026）411702第00001号").wait_for()
        certificate.get_by_text(f"{adopter.name}、{spouse.name}").wait_for()
        log_out(page)

        log_in_as(page, supervisor.username)  # the archive is sealed: it does not exist for him
        assert page.goto(f"/children/adoptions/{adoption.pk}/").status == 404
    adoption.refresh_from_db()
    assert adoption.status == "registered" and adoption.submitted_by.username == "ch_registrar"
    assert adoption.decided_by.username == "ch_county"
    readers = set(AuditEntry.objects.filter(action="children.adoption.archive_read", object_id=str(adoption.pk))
                  .values_list("actor", flat=True))  # fmt: skip
    assert readers == {"ch_county"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_foster_family_from_assessment_to_agreement_and_a_monthly_visit(open_page, regions, make_user):
    """The county office registers and assesses a 寄养家庭 and signs the 家庭寄养协议; the village's 儿童主任 records
    the monthly visit from the child's file, where the placement history shows 机构养育 → 家庭寄养."""
    from huimin.children import services
    from huimin.children.services import GuardianInput as G

    line = BusinessLine.CHILDREN
    director = make_user("ch_director", Role.ASSISTANT, VILLAGE_A1, line=line, full_name="王主任")
    county = make_user("ch_county", Role.APPROVER, COUNTY, line=line, full_name="县儿童福利科")
    with at(2026, 11, 1):
        child = make_person(VILLAGE_A1, datetime.date(2019, 3, 1), name="小林")
        carer = make_person(VILLAGE_A1, datetime.date(1978, 5, 1), name="赵妈妈", sex="2")
        entry = services.register_child(county, child, "orphan", guardians=[G("father", "dead", "父"),
                                        G("mother", "dead", "母")], director=director,
                                        placement="institution")  # fmt: skip
    items = list(FamilyAssessmentItem.objects.filter(kind="foster"))
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        log_in_as(page, county.username)
        page.get_by_role("link", name="家庭寄养").first.click()
        page.get_by_role("link", name="登记寄养家庭").click()
        page.get_by_label("主要照料人身份证号").fill(carer.id_number)
        page.get_by_label("家庭住址").fill("一村 8 号")
        page.get_by_role("button", name="登记", exact=True).click()
        page.get_by_text("已登记寄养家庭申请").wait_for()
        for item in items:
            page.locator(f"#item_{item.code}").select_option(label="符合")
        page.get_by_label("入户调查情况").fill("住房宽敞，照料人曾任幼儿教师")
        page.get_by_role("button", name="登记评估").click()
        page.get_by_text("已认定").first.wait_for()
        page.get_by_label("寄养儿童身份证号").fill(child.id_number)
        page.get_by_label("送养儿童福利机构").fill("市儿童福利院")
        page.get_by_role("button", name="签订协议").click()
        page.get_by_text("已签订家庭寄养协议").wait_for()
        page.get_by_role("link", name="家庭寄养").first.click()
        page.locator("[data-testid=foster-placements]").get_by_text(child.name).wait_for()
        log_out(page)

        log_in_as(page, director.username)
        page.goto(f"/children/entries/{entry.pk}/")
        history = page.locator("[data-testid=placement-history]")
        history.get_by_text("家庭寄养").wait_for()
        history.get_by_text("机构养育").wait_for()
        page.get_by_placeholder("寄养回访情况").fill("适应良好，按时上学")
        page.get_by_role("button", name="登记寄养回访").click()
        page.get_by_text("已登记寄养回访").wait_for()
    assert child.pk in set(AuditEntry.objects.filter(action="children.placement").values_list("after__child",
                                                                                              flat=True))  # fmt: skip
