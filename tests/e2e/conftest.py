"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser), headless, against
pytest-django's live server on loopback.

Every page a test visits is checked twice on the way: the Content-Security-Policy must block nothing, and
axe-core (node_modules/axe-core, installed by ``make static``) must find no violation of WCAG 2 A/AA. A failing
test leaves a screenshot and the page's HTML of every open page under test-results/ (HUIMIN_TEST_ARTEFACTS)."""

import os
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.demo_city import demo_city  # noqa: F401 - the fixture, for the walks on the demo city

CHROMIUM = os.environ.get("HUIMIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = Path(os.environ.get("HUIMIN_TEST_ARTEFACTS", ROOT / "test-results"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
               "device_scale_factor": 2}  # fmt: skip
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}

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


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        pytest.fail(f"缺少 axe-core（{AXE}）：运行 make static 安装 package.json 中的 Node 软件包")
    return AXE.read_text(encoding="utf-8")


# Every page reports what the Content-Security-Policy blocked as a console error (the listener is injected by the
# browser's debugging protocol, which the policy does not govern); a test that saw one fails. An htmx swap marks the
# document unchecked, so the swapped content is checked for accessibility like a new page.
_INIT_SCRIPT = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " +
                e.sourceFile + ":" + e.lineNumber);
});
document.addEventListener("htmx:afterSettle", function () { window.__hmAudited = false; });
"""

_RUN_AXE = """async (tags) => {
  window.__hmAudited = true;
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


_STATE = """() => [location.pathname + location.search + "\\n" + (document.body ? document.body.innerText : ""),
                   typeof window.axe !== "undefined"]"""


def _is_csp_violation(text: str) -> bool:
    return text.startswith("CSP violation:") or "Content Security Policy" in text


class Audit:
    """axe-core (WCAG 2 A and AA rules) over every document the page shows: each use of the page first waits for
    the document to load and checks it unless it was checked already (an htmx swap makes it unchecked again), so a
    walk checks each page it passed through, in the state a person saw it."""

    def __init__(self, page, source: str):
        self.page, self.source = page, source
        self.violations: dict[tuple[str, str], dict] = {}  # (path, rule) → violation
        self.checked: list[str] = []
        self.seconds = 0.0
        self.seen: set[str] = set()

    def maybe_run(self):
        page = self.page
        if page.is_closed():
            return
        for attempt in range(3):
            try:
                page.wait_for_load_state("load")
                if page.url == "about:blank" or page.evaluate("() => window.__hmAudited === true"):
                    return
                self.run()
                return
            except Exception as e:  # the page navigated while being looked at: look at the new one
                if attempt == 2 or not _navigated(e):
                    raise

    def run(self):
        started = time.perf_counter()
        page = self.page
        state, has_axe = page.evaluate(_STATE)
        path = re.sub(r"^https?://[^/]+", "", page.url)
        if state in self.seen:  # the same page showing the same text (the login page again): checked
            page.evaluate("() => { window.__hmAudited = true; }")
            return
        if not has_axe:
            page.evaluate(self.source)
        found = page.evaluate(_RUN_AXE, WCAG_TAGS)
        self.seen.add(state)
        self.checked.append(path)
        self.seconds += time.perf_counter() - started
        for v in found:
            self.violations.setdefault((path, v["id"]), v)

    def report(self) -> str:
        lines = []
        for (path, _), v in self.violations.items():
            lines.append(f"{path}: [{v['impact']}] {v['id']} — {v['help']} ({v['url']})")
            lines += [f"    {n['target']}: {n['summary']}".replace("\n", " ") for n in v["nodes"]]
        return "\n".join(lines)


def _navigated(error: Exception) -> bool:
    text = str(error)
    return "context was destroyed" in text or "navigat" in text or "Target closed" in text


class AuditedPage:
    """The Playwright page, checking the document it shows before it is used (see Audit)."""

    def __init__(self, page, audit: Audit):
        object.__setattr__(self, "_page", page)
        object.__setattr__(self, "audit", audit)

    def __getattr__(self, name):
        if not name.startswith("_") and name not in ("csp_violations", "is_closed", "context"):
            self.audit.maybe_run()
        return getattr(self._page, name)

    def __setattr__(self, name, value):
        setattr(self._page, name, value)


_OPEN_PAGES: list = []


def save_artefacts(page, label: str = "") -> None:
    """A screenshot and the HTML of the page under test-results/, named after the running test."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "test").split(" ")[0]
    name = re.sub(r"[^\w.-]+", "_", test + (f"-{label}" if label else ""))[-150:]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    raw = getattr(page, "_page", page)
    try:
        raw.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
        (ARTEFACTS / f"{name}.html").write_text(raw.content(), encoding="utf-8")
    except Exception as e:  # a page already closed or crashed: say so beside the other artefacts
        (ARTEFACTS / f"{name}.txt").write_text(f"{raw.url}\n{e}\n", encoding="utf-8")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for i, page in enumerate(list(_OPEN_PAGES)):
            save_artefacts(page, str(i) if i else "")


@contextmanager
def _context(browser, axe_source: str | None = None, **options):
    """A fresh browser context and page; on leaving, the last page is checked too and the test fails on any
    CSP or axe violation seen on the way. An exception inside the block leaves the artefacts first."""
    context = browser.new_context(locale="zh-CN", **options)
    context.add_init_script(_INIT_SCRIPT)
    violations = []
    raw = context.new_page()
    raw.set_default_timeout(15_000)
    raw.csp_violations = violations
    page = raw
    audit = None
    if axe_source is not None:
        # axe-core is evaluated in each new document through the debugging protocol, like the CSP listener (the
        # policy does not govern it, no <script> tag is added); evaluating its source per page from here would
        # cost a second a page. Audit.run evaluates it itself where a document lacks it.
        context.add_init_script(axe_source)
        audit = Audit(raw, axe_source)
        page = AuditedPage(raw, audit)
    raw.on("console", lambda msg: _is_csp_violation(msg.text) and violations.append(msg.text))
    _OPEN_PAGES.append(page)
    try:
        yield page
        if audit:
            audit.maybe_run()
    except BaseException:
        save_artefacts(page)
        raise
    finally:
        _OPEN_PAGES.remove(page)
    if audit and os.environ.get("HUIMIN_AXE_LOG"):
        print(f"axe checked {len(audit.checked)} pages in {audit.seconds:.1f} s:", *audit.checked)
    failures = []
    if violations:
        failures.append("Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(violations)))
    if audit and audit.violations:
        failures.append("WCAG 2 A/AA violations (axe-core):\n" + audit.report())
    if failures:
        save_artefacts(page, "violations")
    context.close()
    if failures:
        pytest.fail("\n".join(failures))


@pytest.fixture
def open_page(browser, live_server, seeded, axe_source):
    """open_page(viewport) → a context manager of an audited page on the live server (DESKTOP or PHONE)."""

    def make(options=None):
        return _context(browser, axe_source, base_url=live_server.url, **(options or DESKTOP))

    return make


@pytest.fixture
def page(open_page):
    with open_page({"viewport": {"width": 1366, "height": 900}}) as page:
        yield page


@pytest.fixture
def phone_page(open_page):
    with open_page(PHONE) as page:
        yield page


def _phone():
    return dict(PHONE)


def log_in_as(page, username: str, password: str | None = None):
    """Fill the real login form (the first page of a walk is the only one reached by typing its address)."""
    from tests.conftest import PASSWORD

    page.goto("/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码", exact=True).fill(password or PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def log_out(page):
    page.click("button:has-text('退出')")
    page.wait_for_url(lambda url: "/login/" in url or url.endswith("/"))


@pytest.fixture
def log_in(page):
    """log_in(user) fills the real login form."""

    def do(user, password: str | None = None):
        return log_in_as(page, user.username, password)

    return do
