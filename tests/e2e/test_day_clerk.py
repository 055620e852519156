"""乡镇经办员's day in the demo city, on the configuration it ships (no setup step): a household found on the 家庭
list; 申请救助 from its page opens the application with the household chosen; 临时救助（急难型） is registered and
accepted; the 核对 link opens the household in the 核对 system on that programme, where the adults' authorisations
are registered and the check run; back from the 工作台, 核对完成; the visit is recorded offline on the 入户调查任务
page (queued on the device, sent once online; the case stays) and then submitted (提交乡镇审核). The reviewer's and
approver's walks take the case on to the 决定书."""

import re

import pytest
from playwright.sync_api import expect

from huimin.assistance.models import Application, HomeVisit, Stage
from tests.clock import at
from tests.e2e.conftest import DESKTOP, log_in_as
from tests.e2e.demo_city import PASSWORD, REASON, household_with_staff


def _scan(tmp_path):
    path = tmp_path / "授权书.pdf"
    path.write_bytes(b"%PDF-1.4 signed")
    return str(path)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_clerk_takes_a_temporary_assistance_case_from_the_household_to_township_review(open_page, demo_city, tmp_path):
    with at(2026, 11, 20):
        household, staff = household_with_staff()
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        log_in_as(page, staff["clerk"].username, PASSWORD)
        page.get_by_role("heading", name="我的待办").wait_for()
        page.get_by_role("complementary").get_by_role("link", name="家庭", exact=True).click()
        page.get_by_label("查询", exact=True).fill(household.head.name)
        page.get_by_role("button", name="查询").click()
        page.get_by_role("link", name=household.number).click()
        page.get_by_role("heading", name=f"家庭 {household.number}").wait_for()

        # the household page's 申请救助 opens the application form with the household chosen
        page.get_by_role("link", name="申请救助").click()
        page.get_by_label("救助项目").select_option(label="临时救助（急难型）")
        page.get_by_label("申请理由").fill(REASON)
        page.get_by_label("申请金额").fill("3000")
        for box in page.get_by_role("group", name="已交材料").get_by_role("checkbox").all():
            box.check()
        page.get_by_role("button", name="登记申请").click()
        page.get_by_text("已登记申请").wait_for()
        stage = page.locator("[data-testid=stage]")
        assert stage.inner_text() == "待受理"
        app = Application.objects.get(household=household, stage=Stage.ACCEPT)
        assert app.applicant_id == household.head_id and app.programme.code == "temp_urgent"

        page.get_by_role("button", name="受理", exact=True).click()
        page.get_by_text("已受理").wait_for()
        page.get_by_role("link", name="到核对系统核对该家庭").click()
        page.get_by_role("heading", name=f"家庭 {household.number}").wait_for()
        unsigned = page.locator("tr", has=page.get_by_text(re.compile("^(未授权|尚需登记)$")))
        while unsigned.count():  # each adult's signed authorisation, registered once
            name = unsigned.first.locator("td").first.inner_text()
            page.get_by_label("成员", exact=True).select_option(label=name)
            page.get_by_label("授权书扫描件").set_input_files(_scan(tmp_path))
            page.get_by_role("button", name="登记授权书").click()
            page.locator("tr", has_text=name).get_by_text("已授权").wait_for()
        check = page.locator("form", has=page.get_by_role("button", name="核对", exact=True))
        # the 核对 link opened on the application's programme, but registering an authorisation reloads the page
        # without it: the clerk chooses it again
        check.get_by_label("救助项目").select_option(label="临时救助（急难型）")
        page.get_by_role("button", name="核对", exact=True).click()
        page.locator("[data-testid=conclusion]").wait_for()
        assert page.locator("[data-testid=conclusion]").inner_text() == "符合"

        page.locator("a.navbar-brand").click()  # the 工作台
        page.locator("[data-testid=todos]").get_by_role("link", name="申请待核对").click()
        page.get_by_role("link", name=app.number).click()
        assert "符合" in page.locator("[data-testid=verification]").inner_text()
        page.get_by_role("button", name="核对完成，进入下一环节").click()
        stage.filter(has_text="入户调查").wait_for()

        # the visit is recorded in the village without signal on the 入户调查任务 page: kept on the device, sent once
        # when the network returns; the case stays at 入户调查 until the clerk submits it from its page
        page.get_by_role("complementary").get_by_role("link", name="入户调查任务").click()
        form = page.get_by_test_id("visit-form")
        form.wait_for()
        page.context.set_offline(True)
        form.get_by_label("申请").select_option(str(app.pk))
        form.get_by_label("调查人员").fill("王五、赵六")
        form.get_by_label("调查情况").fill("房屋过火，生活用品损毁，家中无其他收入来源")
        page.get_by_test_id("visit-submit").click()
        expect(page.locator("[data-offline-count]")).to_have_text("1")
        assert not HomeVisit.objects.filter(application=app).exists()
        page.context.set_offline(False)
        expect(page.locator("[data-offline-count]")).to_have_text("0", timeout=30_000)
        assert HomeVisit.objects.get(application=app).visitors == "王五、赵六"
        page.get_by_test_id("round-cases").get_by_role("link", name=re.compile(app.applicant.name)).click()
        assert stage.inner_text() == "入户调查"
        page.get_by_role("button", name="提交乡镇审核").click()
        stage.filter(has_text="乡镇审核").wait_for()
    assert Application.objects.get(pk=app.pk).stage == Stage.REVIEW
