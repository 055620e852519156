"""A monitoring run left 运行中 by a process that died is closed as 中断 (audited once) when the runs page shows
or a new run starts, and offered again; while a run whose process lives is under way, no second run starts."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from huimin.core import workers
from huimin.core.access import BusinessRuleError
from huimin.core.models import AuditEntry
from huimin.monitoring import services
from huimin.monitoring.models import MonitoringRun
from tests.concurrency import at_once, slowed
from tests.monitoring.conftest import AS_OF
from tests.verification.test_stale_runs import HOST, _dead_pid


def _running(**worker) -> MonitoringRun:
    return MonitoringRun.objects.create(kind=MonitoringRun.Kind.INCREMENTAL, as_of=AS_OF, created_by="x", **worker)


def test_the_runs_page_closes_a_dead_run_as_interrupted_and_offers_it_again(users, login, settings):
    settings.HUIMIN_BATCH_STALE_MINUTES = 60
    now = timezone.now()
    dead = _running(worker_host=HOST, worker_pid=_dead_pid(), heartbeat_at=now)
    silent = _running(worker_host="other-host", worker_pid=4242, heartbeat_at=now - datetime.timedelta(minutes=90))
    client = login(users["approver"])

    page = client.get(reverse("monitoring:runs")).content.decode()

    for run in (dead, silent):
        run.refresh_from_db()
        assert run.status == MonitoringRun.Status.INTERRUPTED and run.get_status_display() == "中断"
    assert "已不存在" in dead.error and "90 分钟没有进展" in silent.error and "不会重复" in dead.error
    assert page.count('data-testid="run-rerun"') == 2 and page.count('data-testid="run-status">中断<') == 2
    assert 'data-testid="run-status">运行中<' not in page
    assert 'name="kind" value="incremental" data-testid="run-rerun"' in page
    entries = AuditEntry.objects.filter(action="monitoring.run.interrupted")
    assert sorted(int(e.object_id) for e in entries) == sorted([dead.pk, silent.pk])
    assert entries.filter(actor="approver").count() == 2
    client.get(reverse("monitoring:runs"))  # a second look closes nothing twice
    assert entries.count() == 2


def test_no_second_run_while_one_is_under_way(users, login):
    live = _running(**workers.this_worker())  # this very process: alive
    client = login(users["approver"])

    response = client.post(reverse("monitoring:runs"), {"kind": "full"}, follow=True)

    assert f"监测运行 #{live.pk} 正在进行" in response.content.decode()
    assert MonitoringRun.objects.count() == 1
    live.refresh_from_db()
    assert live.status == MonitoringRun.Status.RUNNING
    page = client.get(reverse("monitoring:runs")).content.decode()
    assert 'data-testid="run-status">运行中<' in page and 'data-testid="run-rerun"' not in page
    MonitoringRun.objects.filter(pk=live.pk).update(worker_pid=_dead_pid())  # its process dies
    response = client.post(reverse("monitoring:runs"), {"kind": "full"}, follow=True)
    assert "已提交后台处理" in response.content.decode()  # starting closed it first, then queued the new run
    live.refresh_from_db()
    assert live.status == MonitoringRun.Status.INTERRUPTED
    assert services.close_stale_runs() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_submitted_at_the_same_instant_queue_one(users, monkeypatch):
    """The check and the job's row are one step (core.workers.submitting): the second submission waits for the
    first to commit, then finds its job and is refused in words. The check is slowed so that, were they not one
    step, both would pass it."""
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's (SQLite lets one writer in at a time)")
    monkeypatch.setattr(services, "queued_runs", slowed(services.queued_runs))
    outcomes = at_once(*(lambda kind=kind: services.start_run(users["approver"], kind) for kind in ("full", "full")))
    refused = [o for o in outcomes if isinstance(o, BusinessRuleError)]
    assert len(refused) == 1, outcomes
    assert refused[0].message == "已有一次监测运行在排队，请待其完成后再运行"
    assert DBTaskResult.objects.count() == 1 and not MonitoringRun.objects.exists()
