"""儿童福利's day, as the three people who work a child's case (一人一案): the village 儿童主任 records a school's
发现报告, the 应急处置, the assessment and the plan; the township 督导员 approves the plan; the 儿童主任 refers the
child to the education bureau (accepted), visits and asks to close; the county children's office approves the
closure. A 督导员 of the same township who is not assigned gets 404, and every read of the case is audited. Then
the 儿童主任 records a register visit on a phone with the network cut; it arrives once when the network returns."""

import datetime

import pytest
from playwright.sync_api import expect

from huimin.children import services
from huimin.children.models import Case, RegisterVisit
from huimin.core.models import AuditEntry
from huimin.core.roles import BusinessLine, Role
from tests.children.conftest import make_person
from tests.children.test_register import ORPHAN
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A1
from tests.e2e.conftest import DESKTOP, SMALL_PHONE, log_in_as, log_out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_from_report_to_approved_closure(open_page, regions, make_user):
    line = BusinessLine.CHILDREN
    director = make_user("ch_director", Role.ASSISTANT, VILLAGE_A1, line=line, full_name="王主任")
    supervisor = make_user("ch_supervisor", Role.REVIEWER, TOWN_A, line=line, full_name="李督导")
    make_user("ch_other", Role.CLERK, TOWN_A, line=line, full_name="赵经办")
    make_user("ch_county", Role.APPROVER, COUNTY, line=line, full_name="县儿童福利科")
    with at(2026, 11, 20):
        child = make_person(VILLAGE_A1, datetime.date(2016, 4, 1), name="小花")
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        log_in_as(page, director.username)
        page.get_by_role("link", name="儿童保护个案").first.click()
        page.get_by_role("link", name="登记发现报告").click()
        page.get_by_label("儿童身份证号").fill(child.id_number)
        page.get_by_label("报告来源").select_option(label="学校")
        page.get_by_label("督导员").select_option(label=f"{supervisor.full_name}（{supervisor.region.name}）")
        page.get_by_label("报告人姓名").fill("张老师")
        page.get_by_label("报告情况").fill("孩子连续一周无人接送，衣着单薄")
        page.get_by_role("button", name="登记并立案").click()
        page.get_by_role("heading", name="个案").wait_for()
        page.get_by_label("应急处置情况").fill("已联系祖母临时照料")
        page.get_by_role("button", name="登记应急处置").click()
        page.get_by_label("生活照料").select_option(value="2")
        page.get_by_label("监护人履责能力与意愿").select_option(value="4")
        page.get_by_label("需求分析").fill("父亲外出失联，需要落实委托照护")
        page.get_by_role("button", name="登记评估").click()
        page.get_by_text("总分 6，中风险").wait_for()
        page.get_by_label("总体目标").fill("落实照护，恢复正常生活")
        page.locator("#i1_service").fill("委托照护协议")
        page.locator("#i1_provider").fill("村委会")
        page.locator("#i1_goal").fill("有人照料")
        page.locator("#i1_due_on").fill("2026-12-20")
        page.locator("#i1_success_measure").fill("签订协议")
        page.get_by_role("button", name="提交帮扶计划").click()
        page.get_by_text("待审批").first.wait_for()
        log_out(page)

        log_in_as(page, supervisor.username)
        page.get_by_role("link", name="儿童保护个案").first.click()
        case = Case.objects.get()
        page.locator("[data-testid=children-cases]").get_by_role("link", name=case.number).click()
        page.get_by_label("审批意见").fill("同意")
        page.get_by_role("button", name="批准计划").click()
        page.get_by_text("已批准").first.wait_for()
        log_out(page)

        log_in_as(page, "ch_other")  # the same township, not assigned: the case does not exist for him
        assert page.goto(f"/children/cases/{case.pk}/").status == 404
        log_out(page)

        log_in_as(page, director.username)
        page.goto(f"/children/cases/{case.pk}/")
        page.get_by_label("机构类别").select_option(label="教育部门")
        page.get_by_label("机构名称").fill("驿城区教育局")
        page.get_by_label("转介事由").fill("协助复学")
        page.get_by_role("button", name="转介").click()
        page.get_by_placeholder("答复意见").fill("已安排复学")
        page.get_by_role("button", name="已接收").click()
        page.get_by_text("已接收：已安排复学").wait_for()
        page.get_by_label("回访情况").fill("祖母照料良好，已复学")
        page.get_by_role("button", name="登记回访").click()
        page.get_by_label("结案原因").fill("照护落实，风险消除")
        page.get_by_role("button", name="申请结案").click()
        page.get_by_text("结案申请：照护落实，风险消除").wait_for()
        log_out(page)

        log_in_as(page, "ch_county")
        page.get_by_role("link", name="儿童保护个案").first.click()
        page.locator("[data-testid=children-cases]").get_by_role("link", name=case.number).click()
        page.get_by_role("button", name="批准结案").click()
        page.get_by_text("已批准结案").wait_for()
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_by.username == "ch_county"
    readers = set(AuditEntry.objects.filter(action="children.case.read", object_id=str(case.pk))
                  .values_list("actor", flat=True))  # fmt: skip
    assert readers == {"ch_director", "ch_supervisor", "ch_county"}

    # the child is in the 孤儿 register: the 儿童主任 records his next visit on a phone in a village without signal
    with at(2026, 11, 20):
        entry = services.register_child(supervisor, child, "orphan", guardians=ORPHAN, director=director)
    with at(2026, 11, 21), open_page(SMALL_PHONE) as page:
        log_in_as(page, director.username)
        page.goto("/children/visits/")
        form = page.get_by_test_id("visit-form")
        form.wait_for()
        page.context.set_offline(True)
        form.get_by_label("儿童").select_option(str(entry.pk))
        form.get_by_label("走访情况").fill("祖母照料良好，按时上学")
        page.get_by_test_id("visit-submit").click()
        expect(page.locator("[data-offline-count]")).to_have_text("1")
        assert not RegisterVisit.objects.filter(entry=entry).exists()
        page.context.set_offline(False)
        expect(page.locator("[data-offline-count]")).to_have_text("0", timeout=30_000)
    assert RegisterVisit.objects.get(entry=entry).note == "祖母照料良好，按时上学"
