"""Fault: a full monitoring run is SIGKILLed half-way, in a child process, right after a batch of warnings went in.
The run is left 运行中 with the warnings of that batch; the runs page sees its process gone and closes it as 中断
(audited once, a rerun offered); the rerun through the page inserts the rest (every fact warned once:
none missed, none twice), and the audit chain verifies throughout."""

import pytest
from bench.faults import audit_ok, child, kill_while_writing
from django.urls import reverse

from huimin.core.models import AuditEntry
from huimin.monitoring.models import MonitoringRun, Warning

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BATCH = 5


@TRANSACTIONAL
def test_monitoring_run_killed_half_way_is_closed_as_interrupted_and_reruns(city, city_approver, login, settings):
    var_dir = str(settings.VAR_DIR)  # the city fixture's, which the child must use too
    code = (
        "from django.conf import settings\n"
        f"settings.VAR_DIR = {var_dir!r}\n"
        "from huimin.core.models import User\nfrom huimin.monitoring import services\n"
        f"services.INSERT_BATCH = {BATCH}\n"
        f"services.run(User.objects.get(pk={city_approver.pk}), 'full')\n"
    )
    # run commits its 运行中 row (with the child's host and pid) first and each batch of warnings in its own
    # transaction: killed after the first batch, the run is left 运行中 with that batch in
    proc = child("huimin.monitoring.services:_insert_batch", code)
    kill_while_writing(proc, None)
    killed = MonitoringRun.objects.get()
    assert killed.status == MonitoringRun.Status.RUNNING and killed.worker_pid == proc.pid
    assert killed.heartbeat_at is not None and killed.raised == 0
    partial = Warning.objects.count()
    assert partial == BATCH and set(Warning.objects.values_list("run_id", flat=True)) == {killed.pk}
    audit_ok()

    # the runs page sees that the process is gone: the run shows 中断 with a rerun, and the closing is audited
    client = login(city_approver)
    page = client.get(reverse("monitoring:runs")).content.decode()
    killed.refresh_from_db()
    assert killed.status == MonitoringRun.Status.INTERRUPTED and "进程" in killed.error
    assert 'data-testid="run-status">中断<' in page and 'data-testid="run-rerun"' in page
    closing = AuditEntry.objects.get(action="monitoring.run.interrupted")
    assert closing.object_id == str(killed.pk) and closing.actor == city_approver.username
    client.get(reverse("monitoring:runs"))  # a second look closes nothing twice
    assert AuditEntry.objects.filter(action="monitoring.run.interrupted").count() == 1
    audit_ok()

    # the rerun the page offers (run here by the immediate task backend) completes: the rest, no duplicate
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.post(reverse("monitoring:runs"), {"kind": "full"}, follow=True)
    run = MonitoringRun.objects.exclude(pk=killed.pk).get()
    assert run.status == MonitoringRun.Status.DONE and f"新增预警 {run.raised} 条" in response.content.decode()
    total = Warning.objects.count()
    assert total > partial and run.raised == total - partial and run.facts == total
    assert Warning.objects.values("fact_key").distinct().count() == total
    killed.refresh_from_db()
    assert killed.status == MonitoringRun.Status.INTERRUPTED
    audit_ok()
