"""养老服务 监督检查 day: the county's 审批人 draws the quarter's 双随机 inspections and publishes them (anyone can
复核 the published draw), the drawn inspector records the inspection and a finding, the township clerk records the
institution's rectification, and a second person (the 审批人) accepts it and closes the finding."""

import datetime

import pytest

from huimin.core.roles import BusinessLine, Role
from huimin.supervision.models import Finding, Inspection
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A1
from tests.e2e.conftest import DESKTOP, log_in_as, log_out
from tests.eldercare.helpers import institution


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_inspector_day(open_page, users, make_user):
    line = BusinessLine.ELDERLY
    approver = make_user("yl_county", Role.APPROVER, COUNTY, line=line, full_name="县养老服务科审批人")
    inspectors = [make_user(f"jc_{i}", Role.REVIEWER, COUNTY, line=line, full_name=f"检查员{i}") for i in (1, 2, 3)]
    clerk = make_user("yl_clerk_a", Role.CLERK, TOWN_A, line=line, full_name="顺河街道养老经办员")
    with at(2026, 11, 20):
        for name in ("颐康养老院", "福寿园", "夕阳红公寓", "康宁护理院"):
            institution(VILLAGE_A1, name, by=clerk)
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        log_in_as(page, approver.username)
        page.get_by_role("link", name="双随机抽查").click()
        page.get_by_label("抽查事项").fill("养老机构服务质量与安全检查")
        page.get_by_label("区划").select_option(COUNTY)
        page.get_by_label("抽查期间").fill("2026年第4季度")
        page.get_by_label("抽取数量").fill("2")
        page.get_by_label("随机种子（可空）").fill("20261120")
        page.get_by_role("button", name="抽取").click()
        page.get_by_text("已抽取 2 个对象").wait_for()
        page.get_by_role("button", name="公开抽查结果").click()
        page.get_by_role("link", name="查看公示").click()
        page.get_by_role("link", name="复核", exact=True).click()
        assert "复核一致" in page.locator("[data-testid=verify-result]").inner_text()
        log_out(page)

        planned = Inspection.objects.filter(status="planned").order_by("pk").first()
        inspector = next(u for u in inspectors if u.pk == planned.inspector_id)
        log_in_as(page, inspector.username)
        page.get_by_role("link", name="检查记录").click()
        page.get_by_label("状态").select_option("mine")
        page.get_by_role("button", name="查询").click()
        page.get_by_role("link", name=planned.subject_label).first.click()
        page.get_by_label("检查情况").fill("消防通道堆放杂物，其余正常")
        page.get_by_role("button", name="登记", exact=True).click()
        page.get_by_text("已登记检查情况").wait_for()
        page.get_by_label("问题", exact=True).fill("消防通道堵塞")
        page.get_by_label("等级").select_option("serious")
        page.get_by_role("button", name="登记问题").click()
        page.get_by_text("整改期限 2026-12-05").wait_for()
        log_out(page)

        log_in_as(page, clerk.username)
        page.goto(f"/supervision/inspections/{planned.pk}/")
        page.get_by_label("整改情况").fill("已清理通道并加装警示标识")
        page.get_by_role("button", name="登记整改").click()
        page.get_by_text("待另一名工作人员验收").wait_for()
        log_out(page)

        log_in_as(page, approver.username)
        page.get_by_role("link", name="逾期未整改").click()
        page.get_by_text("没有逾期未整改的问题").wait_for()
        page.goto(f"/supervision/inspections/{planned.pk}/")
        page.get_by_role("button", name="验收销号").click()
        page.get_by_text("问题已销号").wait_for()
        assert page.locator("[data-testid=finding-status]").inner_text() == "已销号"
    finding = Finding.objects.get()
    assert finding.status == "closed" and finding.closed_by == approver
    assert finding.deadline == datetime.date(2026, 12, 5)
