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
    page.fill("[data-testid=confirm-death] textarea", "火化证明属实")
    page.click("button:has-text('确认死亡')")
    page.wait_for_selector("text=已确认死亡")
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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_death_from_the_uploaded_file_to_the_recovery_list(page, log_in, users, settings, tmp_path):
    """The county uploads the 殡葬 file on 部门数据; the run warns the township; the clerk confirms the death; the
    county stops the benefit from the month after death; January pays nothing, and 追缴 lists December."""
    from huimin.benefits import services as payroll
    from huimin.benefits.models import PayrollLine, PayrollMonth
    from tests.benefits.conftest import lock_month, make_enrolment
    from tests.clock import at

    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    with at(2026, 12, 8):
        enrolment = make_enrolment(users, amount="500.00", start=datetime.date(2026, 1, 1), region=VILLAGE_A1)
        person = enrolment.persons[0]
        for month in ("2026-11", "2026-12"):  # December paid before the death was known
            lock_month(users, payroll.build(users["approver"], region_code="411702000000", month=month))
        deaths = tmp_path / "殡葬火化.csv"
        deaths.write_text(f"id_number,death_date,reporter\n{person.id_number},2026-11-30,火化\n", encoding="utf-8")
        log_in(users["approver"])
        page.goto("/verification/sources/")
        page.select_option("#id_source", "deaths")
        page.fill("#id_as_of", "2026-12-08")
        page.set_input_files("#id_file", str(deaths))
        page.click("button:has-text('校验并导入')")
        page.wait_for_load_state()
        services.run(users["approver"], MonitoringRun.Kind.FULL, datetime.date(2026, 12, 8))
        warning = Warning.objects.get(person=person)
        assert warning.township_id == "411702001000"
        page.click("button:has-text('退出')")

        log_in(users["clerk_a"])
        page.goto(f"/monitoring/warnings/{warning.pk}/")
        page.fill("[data-testid=confirm-death] textarea", "村委会核实属实")
        page.click("button:has-text('确认死亡')")
        page.wait_for_selector("text=已确认死亡")
        page.click("button:has-text('退出')")

        log_in(users["approver"])
        page.goto(f"/monitoring/warnings/{warning.pk}/")
        page.select_option("select[name=action]", "stopped")
        page.fill("textarea[aria-label=处置说明]", "火化证明属实，自死亡次月起停止保障")
        page.click("button:has-text('保存处置结果')")
        page.wait_for_selector("text=已记录处置结果：已停止保障")
        assert "2026年12月起" in page.inner_text("[data-testid=warning-change]")
        assert "500.00" in page.inner_text("[data-testid=recovery-link]")

        page.goto("/benefits/payroll/")
        page.fill("input[aria-label=发放月份]", "2027-01")
        page.click("button:has-text('生成（或重新生成草稿）')")
        page.wait_for_load_state()
        january = PayrollMonth.objects.get(month=datetime.date(2027, 1, 1))
        assert not PayrollLine.objects.filter(payroll=january, enrolment_id=enrolment.pk).exists()

        page.click("aside >> text=追缴")
        listing = page.inner_text("[data-testid=recoveries]")
        assert person.name in listing and "500.00" in listing and "保障对象死亡" in listing
