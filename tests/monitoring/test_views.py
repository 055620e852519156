"""动态监测 pages: scope, filters, triage (with a real stop of the enrolment through assistance), rules and their dry
run, runs, export, dashboard and the household panel."""

import datetime
import io

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from huimin.assistance.models import Enrolment, Stage
from huimin.core.models import AuditEntry
from huimin.core.roles import Role
from huimin.monitoring.models import MonitoringRun, Warning, WarningEvent, WarningRule
from huimin.registry.models import Membership
from tests.assistance.conftest import apply, approve, end_publicity, walk
from tests.conftest import TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1
from tests.monitoring.matrix_targets import make_household, make_warning
from tests.task_worker import run_the_worker


@pytest.fixture
def enrolled(users):
    """A 低保 household in village A1 enrolled through the real assistance workflow."""
    household, person = make_household(VILLAGE_A1, "在保")
    Membership.objects.create(household=household, person=person, relation="01", started_on=datetime.date(2020, 1, 1))
    app = walk(users, apply(users, household, [person]), Stage.PUBLICITY)
    approve(users["approver"], end_publicity(app))
    enrolment = Enrolment.objects.get(household=household)
    assert enrolment.is_current
    return household, person, enrolment


def _act(client, w, step, **data):
    return client.post(reverse("monitoring:warning_act", args=[w.pk, step]), data, follow=True)


def test_a_township_sees_only_its_own_warnings(users, login):
    a = make_warning(VILLAGE_A1)
    b = make_warning(VILLAGE_B1)
    client = login(users["clerk_a"])
    page = client.get(reverse("monitoring:warnings")).content.decode()
    assert f"#{a.pk}<" in page and f"#{b.pk}<" not in page
    assert client.get(reverse("monitoring:warning", args=[b.pk])).status_code == 404
    assert _act(client, b, "confirm").status_code == 404
    assert Warning.objects.get(pk=b.pk).status == "pending"
    dashboard = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "顺河街道" in dashboard and TOWN_B not in dashboard
    # the county sees both
    page = login(users["approver"]).get(reverse("monitoring:warnings")).content.decode()
    assert f"#{a.pk}<" in page and f"#{b.pk}<" in page


def test_filters_and_overdue(users, login):
    late = make_warning(VILLAGE_A1, due_on=datetime.date(2020, 1, 1))
    car = make_warning(VILLAGE_A1, rule="vehicle_registered")
    enter = make_warning(VILLAGE_A1, rule="big_medical_bills", category="expense")
    done = make_warning(VILLAGE_A1, due_on=datetime.date(2020, 1, 1), status="closed")
    client = login(users["approver"])

    def ids(url, **query):
        response = client.get(reverse(url), query)
        return {w.pk for w in response.context["page"]}

    assert ids("monitoring:warnings") == {late.pk, car.pk, enter.pk}  # open ones by default
    assert ids("monitoring:warnings", status="all") == {late.pk, car.pk, enter.pk, done.pk}
    assert ids("monitoring:warnings", direction="enter") == {enter.pk}
    assert ids("monitoring:warnings", rule="vehicle_registered") == {car.pk}
    assert ids("monitoring:warnings", severity="high") == {late.pk, enter.pk}
    assert ids("monitoring:warnings", overdue="1") == {late.pk}
    assert ids("monitoring:overdue") == {late.pk}
    assert ids("monitoring:warnings", township=TOWN_A) == {late.pk, car.pk, enter.pk}
    assert ids("monitoring:warnings", township=TOWN_B) == set()
    assert ids("monitoring:warnings", page="junk") == {late.pk, car.pk, enter.pk}


def test_death_warning_confirmed_and_benefit_stopped_by_who_may(users, login, enrolled):
    household, person, enrolment = enrolled
    w = make_warning(VILLAGE_A1, household=household, person=person)
    clerk = login(users["clerk_a"])
    page = clerk.get(reverse("monitoring:warning", args=[w.pk])).content.decode()
    assert reverse("registry:household", args=[household.pk]) in page
    assert reverse("assistance:enrolment_detail", args=[enrolment.pk]) in page
    response = _act(clerk, w, "confirm", note="已电话核实，火化证明属实")
    assert "预警已转入核实" in response.content.decode()
    w.refresh_from_db()
    assert w.status == "verifying"
    # a death is confirmed into the registry before the benefit is stopped (from the month after death)
    response = _act(clerk, w, "handle", action="stopped", note="对象死亡")
    assert "死亡预警须先确认死亡" in response.content.decode()
    response = _act(clerk, w, "confirm_death", note="火化证明属实")
    assert "已确认死亡" in response.content.decode()
    person.refresh_from_db()
    assert person.is_deceased and person.death_date == w.occurred_on
    # a township clerk may not stop a benefit: refused in Chinese, nothing half-written
    response = _act(clerk, w, "handle", action="stopped", note="对象死亡")
    assert "无权变更在保对象" in response.content.decode()
    w.refresh_from_db()
    enrolment.refresh_from_db()
    assert w.status == "verifying" and enrolment.is_current
    # the county approver stops it through assistance's own service
    approver = login(users["approver"])
    response = _act(approver, w, "handle", action="stopped", note="对象已死亡，停止保障")
    assert "已停止保障" in response.content.decode()
    enrolment.refresh_from_db()
    w.refresh_from_db()
    assert enrolment.status == Enrolment.Status.STOPPED and "动态监测预警" in enrolment.end_reason
    assert w.status == "handled" and w.action == "stopped"
    _act(approver, w, "close", note="已办结")
    w.refresh_from_db()
    assert w.status == "closed" and w.closed_at
    assert list(WarningEvent.objects.filter(warning=w).values_list("to_status", flat=True)) == [
        "verifying", "verifying", "handled", "closed"]  # fmt: skip
    assert AuditEntry.objects.filter(action="monitoring.warning.closed", object_id=str(w.pk)).exists()
    page = approver.get(reverse("monitoring:warning", args=[w.pk])).content.decode()
    assert "办结" in page and "对象已死亡" in page


def test_false_alarm_needs_a_reason_and_counts_in_the_statistics(users, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = make_warning(VILLAGE_A1, rule="vehicle_registered")
    client = login(users["clerk_a"])
    assert "不属实或无需处理须说明理由" in _act(client, w, "handle", action="false", note=" ").content.decode()
    assert Warning.objects.get(pk=w.pk).status == "pending"
    assert "请选择处置结果" in _act(client, w, "handle", action="bogus", note="x").content.decode()
    page = _act(client, w, "handle", action="false", note="车辆为亲属代登记，已核实不属本人").content.decode()
    assert "须附证明" in page and Warning.objects.get(pk=w.pk).status == "pending"
    page = _act(client, w, "handle", action="false", note="车辆为亲属代登记", visit_on="2026-11-19").content.decode()
    assert "入户核实须填写核实日期和核实人员" in page
    evidence = io.BytesIO(b"%PDF-1.4 \xe8\xaf\x81\xe6\x98\x8e")
    evidence.name = "车管所证明.pdf"
    _act(client, w, "handle", action="false", note="车辆为亲属代登记，已核实不属本人", evidence_file=evidence)
    w.refresh_from_db()
    assert w.action == "false" and w.evidence_file.name.endswith(".pdf")
    assert "只有待研判的预警" in _act(client, w, "confirm").content.decode()
    stats = {s["rule"].code: s for s in client.get(reverse("monitoring:dashboard")).context["stats"]}
    assert stats["vehicle_registered"]["false"] == 1 and stats["vehicle_registered"]["raised"] == 1


def test_an_enter_warning_links_to_the_right_application(users, login):
    w = make_warning(VILLAGE_A1, rule="big_medical_bills", category="expense")
    client = login(users["clerk_a"])
    page = client.get(reverse("monitoring:warning", args=[w.pk])).content.decode()
    link = f"{reverse('assistance:application_create')}?household={w.household.number}&amp;programme=dibao"
    assert link in page
    form = client.get(reverse("assistance:application_create"), {"household": w.household.number,
                                                                 "programme": "dibao"})  # fmt: skip
    assert form.context["household"] == w.household
    assert form.context["post"]["programme"] == str(form.context["programmes"].get(code="dibao").pk)


def test_export_is_scoped_and_neutralises_formulas(users, login):
    make_warning(VILLAGE_A1, note='=HYPERLINK("http://x")')
    make_warning(VILLAGE_B1)
    response = login(users["clerk_a"]).get(reverse("monitoring:warnings"), {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 2
    assert rows[1][5] == "顺河街道" and rows[1][-1].startswith("'=")
    assert AuditEntry.objects.filter(action="monitoring.export.warnings").exists()


def test_rule_edit_is_county_business_and_checks_input(users, login, make_user):
    rule = WarningRule.objects.get(code="no_withdrawal")
    url = reverse("monitoring:rule_edit", args=[rule.pk])
    # the rule holds city-wide: it is changed at city level (a county's attempt is tests/monitoring/test_region_writes)
    client = login(make_user("approver_city", Role.APPROVER, "411700000000"))
    page = client.get(url).content.decode()
    assert "月数 N" in page and "试运行" in page
    response = client.post(url, {"months": "abc", "severity": "medium", "deadline_days": "10", "is_active": "on"},
                           follow=True)  # fmt: skip
    assert "应为数字" in response.content.decode()
    response = client.post(url, {"months": "-1", "severity": "medium", "deadline_days": "10"}, follow=True)
    assert "不能为负数" in response.content.decode()
    rule.refresh_from_db()
    assert rule.params["months"] == 6 and rule.is_active
    client.post(url, {"months": "4", "categories": "dibao", "severity": "high", "deadline_days": "7"})
    rule.refresh_from_db()
    assert rule.params == {"months": 4, "categories": ["dibao"]} and rule.severity == "high"
    assert not rule.is_active and rule.updated_by == "approver_city"
    assert AuditEntry.objects.filter(action="monitoring.rule.update", object_id=str(rule.pk)).exists()
    # the clerk has no monitoring.rules
    assert login(users["clerk_a"]).get(url).status_code == 403


def test_dry_run_shows_what_a_rule_would_raise_without_raising(city, city_approver, client, monkeypatch):
    from django.utils import timezone

    from tests.monitoring.conftest import AS_OF

    client.force_login(city_approver)
    rule = WarningRule.objects.get(code="no_withdrawal")
    url = reverse("monitoring:rule_dry_run", args=[rule.pk])
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: AS_OF)  # the city's data is dated AS_OF
    six = client.post(url, {"months": "6"}).context["result"]
    three = client.post(url, {"months": "3"}).context["result"]
    planted = sum(t["kind"] == "no_withdrawal" for t in city["truth"])
    assert six["facts"] == six["new"] == planted
    assert three["facts"] >= six["facts"] and six["by_township"]
    assert not Warning.objects.exists() and not MonitoringRun.objects.exists()
    rule.refresh_from_db()
    assert rule.params["months"] == 6
    bad = client.post(url, {"months": "x"})
    assert "应为数字" in bad.content.decode()


def test_runs_page_queues_the_run_for_the_task_worker(city, city_approver, client, monkeypatch):
    client.force_login(city_approver)
    url = reverse("monitoring:runs")
    response = client.post(url, {"kind": "full"}, follow=True)
    page = response.content.decode()
    assert not MonitoringRun.objects.exists()  # nothing ran inside the request
    assert "已提交后台处理" in page and 'data-testid="runs-queued"' in page
    # no worker runs in the test: the approver is told how long the run has waited and whom to ask, in words
    assert 'data-testid="queue-waited">已等待不到 1 分钟' in page and "请联系系统管理员" in page
    assert "huimin db_worker" not in page
    assert "已有一次监测运行在排队" in client.post(url, {"kind": "full"}, follow=True).content.decode()
    assert DBTaskResult.objects.count() == 1  # a second click queues nothing more
    run_the_worker(monkeypatch)
    run = MonitoringRun.objects.get()
    assert run.status == "done" and run.kind == "full" and run.created_by == city_approver.username
    assert run.raised == Warning.objects.count() > 0
    start = AuditEntry.objects.get(action="monitoring.run.start")
    assert start.actor == city_approver.username and start.object_id == str(run.pk)
    page = client.get(url).content.decode()
    assert f"#{run.pk}" in page and 'data-testid="runs-queued"' not in page and "已完成" in page
    assert "请选择" in client.post(url, {"kind": "x"}, follow=True).content.decode()


def test_runs_page_with_the_immediate_backend_reports_the_figures(city, city_approver, client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(city_approver)
    response = client.post(reverse("monitoring:runs"), {"kind": "full"}, follow=True)
    run = MonitoringRun.objects.get()
    assert run.status == "done" and f"#{run.pk}" in response.content.decode()
    assert f"新增预警 {run.raised} 条" in response.content.decode()


def test_household_panel_lists_the_households_warnings(users, login):
    w = make_warning(VILLAGE_A1)
    other = make_warning(VILLAGE_A1)
    client = login(users["clerk_a"])
    page = client.get(reverse("monitoring:household_panel", args=[w.household_id])).content.decode()
    assert f"#{w.pk}<" in page and f"#{other.pk}<" not in page
    detail = client.get(reverse("registry:household", args=[w.household_id])).content.decode()
    assert reverse("monitoring:household_panel", args=[w.household_id]) in detail


def test_menu_and_dashboard_chart(users, login):
    make_warning(VILLAGE_A1)
    page = login(users["clerk_a"]).get(reverse("monitoring:dashboard")).content.decode()
    assert "预警清单" in page and "监测看板" in page and "预警规则" not in page  # the clerk edits no rules
    assert "vendor/echarts.min.js" in page and 'id="open-chart-data"' in page
    page = login(users["approver"]).get(reverse("monitoring:dashboard")).content.decode()
    assert "预警规则" in page and "监测运行" in page


def test_a_warning_acts_on_the_means_tested_enrolment_not_on_a_subsidy_beside_it(users, enrolled):
    """A member's 重度残疾人护理补贴 (enrolled later, not means-tested) is not what a 低保 warning stops."""
    from huimin.monitoring import services as monitoring
    from tests.assistance.test_disability import enrol_in

    household, person, enrolment = enrolled
    care = enrol_in(users, "severe_care", household, person, amount="100.00")
    assert care.pk > enrolment.pk
    assert monitoring.current_enrolment(make_warning(VILLAGE_A1, household=household, person=person)) == enrolment
