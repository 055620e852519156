"""A monitoring run left 运行中 by a process that died is closed as 中断 (audited once) when the runs page shows
or a new run starts, and offered again; while a run whose process lives is under way, no second run starts."""

import datetime

from django.urls import reverse
from django.utils import timezone

from huimin.core import workers
from huimin.core.models import AuditEntry
from huimin.monitoring import services
from huimin.monitoring.models import MonitoringRun
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
