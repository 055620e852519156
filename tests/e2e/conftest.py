"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser), headless, against
pytest-django's live server on loopback."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("HUIMIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

# The live server runs in a thread of this process; Playwright's sync API runs an event loop in the same one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"缺少 Chromium（{CHROMIUM}）：运行 make test 会安装 Debian 的 chromium 软件包")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, seeded):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, seeded):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, **_phone())
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _phone():
    return {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def log_in(page):
    """log_in(user) fills the real login form."""
    from tests.conftest import PASSWORD

    def do(user, password: str = PASSWORD):
        page.goto("/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        return page

    return do
