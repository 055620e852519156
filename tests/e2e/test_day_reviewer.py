"""乡镇审核人's day: from the 工作台's to-do (申请待乡镇审核) to a 低保 application the township clerk brought this
far, reading the 核对 result and the visit, and passing it on with an opinion (the case goes to 公示)."""

import pytest

from huimin.assistance.models import Application, Stage
from tests.assistance.conftest import apply, make_household, walk  # noqa: F401 (fixture)
from tests.clock import at
from tests.e2e.conftest import DESKTOP, log_in_as


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reviewer_passes_a_case_on_to_publicity(open_page, users, make_household):  # noqa: F811
    with at(2026, 11, 20):
        household, people = make_household(names=("欧阳小明", "李四"))
        app = walk(users, apply(users, household, people), Stage.REVIEW)
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        log_in_as(page, users["reviewer_a"].username)
        page.locator("[data-testid=todos]").get_by_role("link", name="申请待乡镇审核").click()
        page.get_by_role("link", name=app.number).click()
        page.get_by_role("heading", name=app.number).wait_for()
        assert page.locator("[data-testid=stage]").inner_text() == "乡镇审核"
        main = page.get_by_role("main").inner_text()
        assert "欧阳小明" in main and "房屋简陋" in main
        assert "符合" in page.locator("[data-testid=verification]").inner_text()
        page.get_by_label("审核意见").fill("情况属实，同意公示")
        page.get_by_role("button", name="审核通过").click()
        page.locator("[data-testid=stage]", has_text="公示").wait_for()
    assert Application.objects.get(pk=app.pk).stage == Stage.PUBLICITY
