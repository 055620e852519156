"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser), headless, against
pytest-django's live server on loopback."""

import os
import shutil
from contextlib import contextmanager

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


# Every page reports what the Content-Security-Policy blocked as a console error (the listener is injected by the
# browser's debugging protocol, which the policy does not govern); a test that saw one fails.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " +
                e.sourceFile + ":" + e.lineNumber);
});
"""


def _is_csp_violation(text: str) -> bool:
    return text.startswith("CSP violation:") or "Content Security Policy" in text


@contextmanager
def _context(browser, **options):
    context = browser.new_context(locale="zh-CN", **options)
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    violations = []
    context.on("console", lambda msg: _is_csp_violation(msg.text) and violations.append(msg.text))
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.csp_violations = violations
    yield page
    context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(violations)))


@pytest.fixture
def page(browser, live_server, seeded):
    with _context(browser, base_url=live_server.url, viewport={"width": 1366, "height": 900}) as page:
        yield page


@pytest.fixture
def phone_page(browser, live_server, seeded):
    with _context(browser, base_url=live_server.url, **_phone()) as page:
        yield page


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
