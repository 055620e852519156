"""登记家庭 clicked through in Chromium: members are added one at a time with 添加成员, a 1-, 2- and 6-member
household registers at 1366 × 768 and at 360 px wide, and the 登记 button is the element under the pointer (no
checkbox column covers it)."""

import datetime

import pytest

from huimin.registry import codes
from huimin.registry.models import Household
from tests.clock import at
from tests.conftest import PASSWORD, VILLAGE_A1
from tests.e2e.conftest import _context
from tests.registry.conftest import id_for

B = datetime.date(1961, 6, 6)
RELATIONS = [codes.HEAD, "02", "10", "20", "40", "60"]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}


def _assert_clickable(page, selector):
    """The element's centre is not covered by another element (what a person's click would hit)."""
    button = page.locator(selector)
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    covered = page.evaluate(
        "([x, y, sel]) => { const hit = document.elementFromPoint(x, y); const el = document.querySelector(sel);"
        " return hit === el || el.contains(hit) ? '' : (hit ? hit.outerHTML.slice(0, 200) : 'nothing'); }",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, selector],
    )
    assert covered == "", f"{selector} is covered by {covered}"


def _register(page, size, seq0):
    page.goto("/registry/households/")
    page.click("main >> text=登记家庭")
    page.wait_for_selector("h1:has-text('登记家庭')")
    page.fill("#id_region", VILLAGE_A1)
    assert page.locator("[data-testid=member-card]:visible").count() == 1
    for i in range(size):
        if i:
            page.click("[data-testid=add-member]")
        page.fill(f"#id_m-{i}-name", f"周{seq0 + i}")
        page.fill(f"#id_m-{i}-id_number", id_for(B, seq0 + i))
        page.select_option(f"#id_m-{i}-relation", RELATIONS[i])
    page.click("[data-testid=add-member]")  # one blank card more: it must be ignored
    assert page.locator("[data-testid=member-card]:visible").count() == size + 1
    _assert_clickable(page, "[data-testid=register-submit]")
    page.click("[data-testid=register-submit]")
    page.wait_for_selector("text=已登记家庭")
    household = Household.objects.order_by("-id").first()
    assert household.memberships.count() == size and household.head.name == f"周{seq0}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_clerk_registers_households_of_one_two_and_six_members(browser, live_server, seeded, users, viewport, tmp_path):
    with at(2026, 11, 20), _context(browser, base_url=live_server.url, **VIEWPORTS[viewport]) as page:
        page.goto("/login/")
        page.fill("#id_username", users["clerk_a"].username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        try:
            for size, seq0 in ((1, 11), (2, 21), (6, 31)):
                _register(page, size, seq0)
        except Exception:
            page.screenshot(path=str(tmp_path / f"household-register-{viewport}.png"), full_page=True)
            raise
        assert Household.objects.count() == 3
