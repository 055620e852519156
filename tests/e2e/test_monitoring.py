"""动态监测 through the real pages: the 殡葬 department's file reports a recipient's death, the county's monitoring
run raises a warning to the township; the township clerk opens it from the warning list and confirms it; stopping
a benefit is the county's power (or a township with delegation), so the county approver records 停止保障 — which
stops the enrolment through the assistance services — and closes the warning."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from huimin.assistance.models import Enrolment, Stage
from huimin.monitoring import services
from huimin.monitoring.models import MonitoringRun, Warning
from huimin.registry.models import Membership
from huimin.verification import services as verification
from tests.assistance.conftest import apply, approve, end_publicity, walk
from tests.conftest import VILLAGE_A1
from tests.monitoring.matrix_targets import make_household


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_clerk_confirms_a_death_warning_and_the_benefit_is_stopped(page, log_in, users, tmp_path):
    household, person = make_household(VILLAGE_A1, "王秀英")
    Membership.objects.create(household=household, person=person, relation="01", started_on=datetime.date(2020, 1, 1))
    approve(users["approver"], end_publicity(walk(users, apply(users, household, [person]), Stage.PUBLICITY)))
    enrolment = Enrolment.objects.get(household=household)
    today = timezone.localdate()
    died = today - datetime.timedelta(days=3)
    with override_settings(VAR_DIR=str(tmp_path)):
        upload = verification.ingest_file(
            users["approver"], "deaths", f"id_number,death_date,reporter\n{person.id_number},{died},火化\n".encode(),
            "deaths.csv", today, channel="cli",
        )  # fmt: skip
        assert upload.status == "accepted", upload.errors
        run = services.run(users["approver"], MonitoringRun.Kind.FULL, today)
    assert run.status == "done" and run.raised == 1, (run.population, run.facts, run.error)
    warning = Warning.objects.get()
    assert warning.rule.code == "death_of_recipient" and warning.township_id == "411702001000"

    log_in(users["clerk_a"])
    page.click("aside >> text=预警清单")
    page.click(f"[data-testid=warnings] >> text=#{warning.pk}")
    assert page.inner_text("[data-testid=warning-status]") == "待研判"
    assert "王秀英" in page.inner_text("main")
    page.fill("textarea[aria-label=研判意见]", "村委会确认已去世，火化证明属实")
    page.click("button:has-text('确认，转入核实')")
    page.wait_for_selector("text=预警已转入核实")
    assert page.inner_text("[data-testid=warning-status]") == "核实中"
    page.click("button:has-text('退出')")

    log_in(users["approver"])
    page.goto("/monitoring/dashboard/")  # the chart's height comes as data-height (the CSP forbids inline styles)
    page.wait_for_selector("#open-chart canvas")
    assert page.eval_on_selector("#open-chart", "el => el.getBoundingClientRect().height") == 240
    page.hover("#open-chart canvas")  # the tooltip is drawn on the canvas: no CSP violation (tests/e2e/conftest.py)
    page.goto(f"/monitoring/warnings/{warning.pk}/")
    page.select_option("select[name=action]", "stopped")
    page.fill("textarea[aria-label=处置说明]", "保障对象已死亡，自下月起停止保障")
    page.click("button:has-text('保存处置结果')")
    page.wait_for_selector("text=已记录处置结果：已停止保障")
    assert page.inner_text("[data-testid=warning-status]") == "已处置"
    page.click("button:has-text('办结')")
    page.wait_for_selector("text=预警已办结")
    assert page.inner_text("[data-testid=warning-status]") == "办结"
    events = page.inner_text("[data-testid=warning-events]")
    assert "clerk_a" in events and "approver" in events

    warning.refresh_from_db()
    enrolment.refresh_from_db()
    assert warning.status == Warning.Status.CLOSED and warning.action == Warning.Action.STOPPED
    assert enrolment.status == Enrolment.Status.STOPPED
    # the household page shows the closed warning
    page.goto(f"/registry/households/{household.pk}/")
    page.wait_for_selector("[data-testid=monitoring-panel]")
    assert "办结" in page.inner_text("[data-testid=monitoring-panel]")
