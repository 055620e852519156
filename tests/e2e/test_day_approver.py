"""县审批人's day in the demo city, on the configuration it ships (no setup step): a 临时救助 case the township
passed on is opened from the 工作台; an amount above the demo's 一事一议 起点金额 is refused with a message that says
so; the approver approves an amount within it and prints the 决定书 (a PDF with the applicant's name)."""

import io

import pytest
from pypdf import PdfReader

from huimin.assistance.models import Application, Stage
from huimin.demo import loader
from tests.clock import at
from tests.e2e.conftest import DESKTOP, log_in_as
from tests.e2e.demo_city import PASSWORD, temporary_application


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approver_decides_a_temporary_assistance_case_and_prints_the_decision(open_page, demo_city):
    with at(2026, 11, 20):
        app, staff = temporary_application(Stage.DECISION)
    amount = loader.CASE_BY_CASE_THRESHOLD
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        log_in_as(page, staff["approver"].username, PASSWORD)
        page.locator("[data-testid=todos]").get_by_role("link", name="申请待审批").click()
        page.get_by_role("link", name=app.number).click()
        page.get_by_role("heading", name=app.number).wait_for()
        page.get_by_label("批准金额（元）").fill(str(amount + 1000))
        page.get_by_label("审批意见").fill("同意救助")
        page.get_by_role("button", name="批准", exact=True).click()
        page.get_by_text("一事一议").first.wait_for()  # above the 起点金额: a collective decision first
        assert page.locator("[data-testid=stage]").inner_text() == "待审批/确认"
        page.get_by_label("批准金额（元）").fill(str(amount))
        page.get_by_label("审批意见").fill("同意救助")
        page.get_by_role("button", name="批准", exact=True).click()
        page.locator("[data-testid=stage]", has_text="已批准").wait_for()
        assert f"批准金额：{amount:,.2f}" in page.get_by_role("main").inner_text().replace(" ", "")
        decision = page.get_by_role("link", name="决定书（PDF）")
        response = page.request.get(decision.get_attribute("href"))
        assert response.ok and response.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
        assert app.applicant.name in text and "决定书" in text
    assert Application.objects.get(pk=app.pk).stage == Stage.ENROLLED
