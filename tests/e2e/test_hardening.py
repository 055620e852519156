"""The Content-Security-Policy in a real browser, and the API documentation served from local files."""

import pytest


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_policy_blocks_inline_markup_and_the_check_sees_it(page, log_in, users):
    log_in(users["clerk_a"])
    page.wait_for_selector("[data-testid=whoami]")
    assert page.csp_violations == []
    probe = '<img id="hm-probe" alt="" src="/static/none.png" onerror="window.hmOwned = 1">'
    styled = '<div id="hm-styled" style="color: rgb(1, 2, 3)">x</div>'
    page.evaluate("(html) => document.body.insertAdjacentHTML('beforeend', html)", probe + styled)
    page.wait_for_function("() => document.getElementById('hm-probe').complete")
    page.wait_for_timeout(200)
    assert page.evaluate("window.hmOwned === undefined")  # the inline handler never ran
    assert page.eval_on_selector("#hm-styled", "el => getComputedStyle(el).color") != "rgb(1, 2, 3)"
    seen = " ".join(page.csp_violations)
    assert "script-src" in seen and "style-src" in seen  # the conftest check reports both (and would fail a test)
    page.csp_violations.clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_swagger_ui_renders_the_operations_from_local_files(page, live_server, users):
    outside = []
    page.on("request", lambda r: r.url.startswith((live_server.url, "data:")) or outside.append(r.url))
    page.goto("/api/docs")
    page.wait_for_selector(".opblock-summary", timeout=30_000)
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/registry/persons" in text.replace("\u200b", "") for text in operations)
    assert outside == []  # nothing from a CDN
