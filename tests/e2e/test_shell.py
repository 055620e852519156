import pytest


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_login_and_navigate_the_shell(page, log_in, users):
    log_in(users["sysadmin"])
    page.wait_for_selector("[data-testid=whoami]")
    assert "系统管理员" in page.inner_text("[data-testid=whoami]")
    # the stylesheets and scripts are served locally: Bootstrap styles the bar, htmx is loaded
    navbar_bg = page.eval_on_selector("nav.navbar", "el => getComputedStyle(el).backgroundColor")
    assert navbar_bg == "rgb(180, 40, 45)"
    page.wait_for_load_state("load")
    assert page.evaluate("typeof htmx !== 'undefined' && typeof bootstrap !== 'undefined'")
    page.click("text=用户与角色")
    page.wait_for_selector("h1:has-text('用户与角色')")
    assert "clerk_a" in page.content()
    page.click("aside >> text=区划")
    page.wait_for_selector("h1:has-text('行政区划')")
    assert "驿城区" in page.content()
    assert page.locator("text=审计日志").count() == 0  # 三员分立: the system admin has no audit menu
