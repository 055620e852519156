"""乡镇审核人's day in the demo city: from the 工作台's to-do (申请待乡镇审核) to the application a clerk brought
this far, reading the 核对 result and the visit, and passing it on to the county with an opinion."""

import pytest

from huimin.assistance.models import Application, Stage
from tests.clock import at
from tests.e2e.conftest import DESKTOP, log_in_as
from tests.e2e.demo_city import PASSWORD, REASON, demo_city, temporary_application  # noqa: F401 (fixture)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reviewer_passes_a_temporary_assistance_case_to_the_county(open_page, demo_city):  # noqa: F811
    with at(2026, 11, 20):
        app, staff = temporary_application(Stage.REVIEW)
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        log_in_as(page, staff["reviewer"].username, PASSWORD)
        page.locator("[data-testid=todos]").get_by_role("link", name="申请待乡镇审核").click()
        page.get_by_role("link", name=app.number).click()
        page.get_by_role("heading", name=app.number).wait_for()
        assert page.locator("[data-testid=stage]").inner_text() == "乡镇审核"
        main = page.get_by_role("main").inner_text()
        assert REASON in main and "房屋过火" in main and "符合" in page.locator("[data-testid=verification]").inner_text()
        page.get_by_label("审核意见").fill("情况属实，同意上报县级审批")
        page.get_by_role("button", name="审核通过").click()
        page.locator("[data-testid=stage]", has_text="待审批").wait_for()
    assert Application.objects.get(pk=app.pk).stage == Stage.DECISION
