"""社会救助协理员's day, clicked through in Chromium at 1366 × 768 and on a 390 × 844 phone: from the 工作台 to
登记家庭, where a 1-, a 2- and a 6-member household are registered one member card at a time (添加成员; a blank card
left over is ignored, the 登记 button is what a click hits), and each new household opens with its members."""

import datetime
import re

import pytest

from huimin.registry.models import Household
from tests.clock import at
from tests.conftest import VILLAGE_A1
from tests.e2e.conftest import DESKTOP, PHONE, log_in_as
from tests.registry.conftest import id_for

BORN = datetime.date(1961, 6, 6)
RELATIONS = ["户主", "配偶", "子", "女", "父母", "兄、弟、姐、妹"]


def _assert_clickable(page, locator):
    """The element's centre is not covered by another element (what a person's click would hit)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    covered = locator.evaluate(
        "(el, [x, y]) => { const hit = document.elementFromPoint(x, y);"
        " return hit === el || el.contains(hit) ? '' : (hit ? hit.outerHTML.slice(0, 200) : 'nothing'); }",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert covered == "", f"the button is covered by {covered}"


def _register(page, size, seq0, phone):
    if phone:  # on a phone the menu sits above the content; the household list has the same button
        page.get_by_role("link", name="家庭", exact=True).first.click()
        page.get_by_role("main").get_by_role("link", name="登记家庭").click()
    else:
        page.get_by_role("complementary").get_by_role("link", name="登记家庭").click()
    page.get_by_role("heading", name="登记家庭").wait_for()
    page.get_by_label(re.compile("^村（社区）区划代码")).fill(VILLAGE_A1)
    page.get_by_label("住址").fill(f"交通路 {seq0} 号")
    cards = page.locator("[data-testid=member-card]")
    assert cards.count() == 1
    for i in range(size):
        if i:
            page.get_by_role("button", name="添加成员").click()
        card = cards.nth(i)
        card.get_by_label(re.compile("^姓名")).fill(f"周{seq0 + i}")
        card.get_by_label(re.compile("^身份证号")).fill(id_for(BORN, seq0 + i))
        card.get_by_label("与户主关系").select_option(label=RELATIONS[i])
    page.get_by_role("button", name="添加成员").click()  # one blank card more: it must be ignored
    assert cards.count() == size + 1
    submit = page.get_by_role("button", name="登记", exact=True)
    _assert_clickable(page, submit)
    submit.click()
    page.get_by_text("已登记家庭").wait_for()
    members = page.locator("[data-testid=members]")
    for i in range(size):
        assert f"周{seq0 + i}" in members.inner_text()
    household = Household.objects.order_by("-id").first()
    assert household.memberships.count() == size and household.head.name == f"周{seq0}"
    assert household.region_id == VILLAGE_A1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_assistant_registers_households_of_one_two_and_six_members(open_page, users, viewport):
    with at(2026, 11, 20), open_page(PHONE if viewport == "phone" else DESKTOP) as page:
        log_in_as(page, users["assistant_a"].username)
        page.get_by_role("heading", name="工作台").wait_for()
        for size, seq0 in ((1, 11), (2, 21), (6, 31)):
            _register(page, size, seq0, phone=viewport == "phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"the page scrolls sideways ({width}px)"
    assert Household.objects.count() == 3
